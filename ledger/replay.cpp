#include "ledger/replay.h"

#include <algorithm>

#include "ledger/encoding.h"
#include "ledger/public_key.h"

namespace rareledger::ledger {

struct Replayer::ReplayChunk : Chunk {
  uint64_t first = 0;     // index of slots[0]
  size_t decided = 0;     // slots [0, decided) passed the rules
  Status rule_error;      // what stopped the rules at slot `decided`
  // The operator key at each size a checkpoint commits to, captured while
  // the rules ran: later entries of the chunk may rotate it.
  std::map<uint64_t, std::string> operator_keys;
};

// The replay's steps 2 and 4 of the pipeline.
class Replayer::Client : public PipelineClient {
 public:
  explicit Client(Replayer& r) : r_(r) {}

  void Decide(Chunk& c, const Chunk* /*previous*/) override {
    auto& chunk = static_cast<ReplayChunk&>(c);
    chunk.first = r_.decided_;
    for (size_t i = 0; i < chunk.slots.size(); ++i) {
      Status s = DecideOne(chunk, chunk.slots[i]);
      if (!s.ok()) {
        chunk.rule_error = s;
        r_.rules_broken_ = true;
        break;
      }
      chunk.decided = i + 1;
    }
  }

  bool Complete(Chunk& c) override {
    auto& chunk = static_cast<ReplayChunk&>(c);
    Status s = CompleteChunk(chunk);
    if (s.ok()) s = chunk.rule_error;
    if (!s.ok() && r_.error_.ok()) r_.error_ = s;
    return s.ok();
  }

  void Discard(std::unique_ptr<Chunk> /*chunk*/) override {}  // an earlier error stands
  void Retire(Chunk& /*next*/) override {}

 private:
  Status DecideOne(ReplayChunk& chunk, Slot& slot) {
    const uint64_t index = r_.decided_;
    const std::string where = "entry " + std::to_string(index);
    if (!slot.entry.ok()) return slot.entry.status().WithContext(where);
    const Entry& entry = *slot.entry;
    auto key = ExpectedSigningKey(r_.state_, entry, index);
    if (!key.ok()) return key.status().WithContext(where);
    if (index == 0 && r_.genesis_key_ && *key != *r_.genesis_key_)
      return Status::VerificationFailed(
          "entry 0: the operator key does not match the trusted operator key");
    auto m = Apply(r_.state_, r_.id_, entry, index);
    if (!m.ok()) return m.status().WithContext(where);
    r_.state_.Commit(*m);
    ++r_.decided_;
    auto& cp = r_.next_checkpoint_decided_;
    for (; cp < r_.checkpoints_.size() && r_.checkpoints_[cp].cp.size <= r_.decided_; ++cp) {
      if (r_.checkpoints_[cp].cp.size != r_.decided_) continue;
      auto op = r_.state_.FindParty(kOperatorId);
      if (op.ok() && *op) chunk.operator_keys[r_.decided_] = (*op)->current_key();
    }
    if (const auto* reg = std::get_if<RegisterParty>(&entry.body)) r_.keys_.emplace_back(reg->id, reg->pubkey);
    if (const auto* rot = std::get_if<RotateKey>(&entry.body)) r_.keys_.emplace_back(entry.party, rot->pubkey);
    slot.key = std::move(key).value();
    return Status::Ok();
  }

  // Advances the tree entry by entry, so checkpoints at any size are checked.
  Status CompleteChunk(ReplayChunk& chunk) {
    std::vector<std::pair<NodeId, Hash>> nodes;
    for (size_t i = 0; i < chunk.decided; ++i) {
      const Slot& slot = chunk.slots[i];
      if (!slot.signature.ok())
        return Status::VerificationFailed("entry " + std::to_string(chunk.first + i) +
                                          ": signature invalid for party " + slot.entry->party +
                                          " (" + slot.signature.message() + ")");
      for (auto& node : r_.frontier_.Append(LeafHash(slot.entry->leaf))) nodes.push_back(node);
      auto key = chunk.operator_keys.find(r_.frontier_.size());
      if (key != chunk.operator_keys.end())
        RL_RETURN_IF_ERROR(r_.CheckCheckpointsAt(r_.frontier_.size(), key->second));
    }
    if (r_.node_check_) RL_RETURN_IF_ERROR(r_.node_check_(nodes));
    return Status::Ok();
  }

  Replayer& r_;
};

Replayer::Replayer(std::string ledger_id, std::optional<std::string> genesis_key,
                   ReplayOptions options)
    : genesis_key_(std::move(genesis_key)),
      options_(options),
      client_(std::make_unique<Client>(*this)),
      pipeline_(std::make_unique<Pipeline>(*client_, Decoding::kLeaves, options.threads)) {
  id_.ledger_id = std::move(ledger_id);
  options_.chunk_entries = std::max<size_t>(1, options_.chunk_entries);
}

Replayer::~Replayer() = default;

Status Replayer::AddCheckpoints(const std::vector<std::string>& notes) {
  for (size_t n = 0; n < notes.size(); ++n) {
    auto cp = ParseCheckpoint(notes[n]);
    if (!cp.ok())
      return Status::VerificationFailed("checkpoint " + std::to_string(n) + ": " +
                                        cp.status().message());
    if (cp->origin != id_.ledger_id)
      return Status::VerificationFailed("checkpoint " + std::to_string(n) + " names origin \"" +
                                        cp->origin + "\", not this ledger \"" + id_.ledger_id +
                                        "\"");
    checkpoints_.push_back({*cp, notes[n], n});
  }
  std::stable_sort(checkpoints_.begin(), checkpoints_.end(),
                   [](const auto& a, const auto& b) { return a.cp.size < b.cp.size; });
  return Status::Ok();
}

Status Replayer::Add(std::string leaf) {
  if (!error_.ok()) return error_;
  buffer_.push_back(std::move(leaf));
  if (buffer_.size() >= options_.chunk_entries) return Flush();
  return Status::Ok();
}

Status Replayer::Flush() {
  std::unique_ptr<ReplayChunk> chunk;
  if (rules_broken_) {
    buffer_.clear();  // nothing after a broken rule is decided
  } else if (!buffer_.empty()) {
    chunk = std::make_unique<ReplayChunk>();
    chunk->slots.resize(buffer_.size());
    for (size_t i = 0; i < buffer_.size(); ++i) chunk->slots[i].text = std::move(buffer_[i]);
    buffer_.clear();
  }
  (void)pipeline_->Step(std::move(chunk));
  return error_;
}

Status Replayer::CheckCheckpointsAt(uint64_t size, const std::string& operator_key) {
  while (next_checkpoint_ < checkpoints_.size() && checkpoints_[next_checkpoint_].cp.size == size) {
    const auto& pc = checkpoints_[next_checkpoint_];
    std::string what = "checkpoint " + std::to_string(pc.n) + " (size " + std::to_string(size) + ")";
    if (pc.cp.root != frontier_.Root())
      return Status::VerificationFailed(what + ": root mismatch: checkpoint has " +
                                        HexEncode(pc.cp.root) + ", the log gives " +
                                        HexEncode(frontier_.Root()));
    RL_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromRaw(operator_key));
    auto verified = VerifyCheckpoint(pc.note, id_.ledger_id, key);
    if (!verified.ok())
      return Status::VerificationFailed(what + ": " + verified.status().message());
    ++next_checkpoint_;
    ++checkpoints_checked_;
  }
  return Status::Ok();
}

Status Replayer::Finish() {
  RL_RETURN_IF_ERROR(Flush());
  RL_RETURN_IF_ERROR(Flush());  // completes the last chunk
  if (next_checkpoint_ < checkpoints_.size()) {
    const auto& pc = checkpoints_[next_checkpoint_];
    return Status::VerificationFailed("checkpoint " + std::to_string(pc.n) + " commits to size " +
                                      std::to_string(pc.cp.size) + " but the log has only " +
                                      std::to_string(frontier_.size()) + " entries (truncated?)");
  }
  return Status::Ok();
}

}  // namespace rareledger::ledger
