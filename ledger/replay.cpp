#include "ledger/replay.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_map>

#include "ledger/crypto.h"

namespace rareledger::ledger {
namespace {

// Entries decided per chunk: large enough to keep every core busy, small
// enough that a chunk's entries stay a few MiB.
constexpr size_t kChunk = 4096;

}  // namespace

Result<std::optional<PartyRecord>> OverlayState::FindParty(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto p, pending_.FindParty(id));
  if (p || base_ == nullptr) return p;
  return base_->FindParty(id);
}

Result<std::optional<LotRecord>> OverlayState::FindLot(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto l, pending_.FindLot(id));
  if (l || base_ == nullptr) return l;
  return base_->FindLot(id);
}

void ParallelFor(size_t n, const std::function<void(size_t)>& fn, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, n));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

std::vector<Result<Entry>> DecodeAll(const std::vector<std::string>& texts, bool leaves) {
  std::vector<Result<Entry>> out(texts.size(), Result<Entry>(Status::InvalidArgument("not decoded")));
  ParallelFor(texts.size(), [&](size_t i) {
    out[i] = leaves ? DecodeLeaf(texts[i]) : DecodeEnvelope(texts[i]);
  });
  return out;
}

std::vector<Status> VerifySignatures(const std::vector<SignatureJob>& jobs, unsigned threads) {
  std::vector<Status> out(jobs.size());
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, jobs.size()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    // Parsed keys per thread: a party's key is parsed once per chunk.
    std::unordered_map<std::string, Verifier> cache;
    for (size_t i = next.fetch_add(1); i < jobs.size(); i = next.fetch_add(1)) {
      const SignatureJob& job = jobs[i];
      auto it = cache.find(*job.pubkey);
      if (it == cache.end()) {
        auto key = PublicKey::FromRaw(*job.pubkey);
        if (!key.ok()) {
          out[i] = key.status();
          continue;
        }
        auto verifier = Verifier::Create(*key);
        if (!verifier.ok()) {
          out[i] = verifier.status();
          continue;
        }
        it = cache.emplace(*job.pubkey, std::move(verifier).value()).first;
      }
      out[i] = it->second.Verify(*job.message, *job.sig);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

Replayer::Replayer(std::string ledger_id, std::optional<std::string> genesis_key)
    : genesis_key_(std::move(genesis_key)) {
  id_.ledger_id = std::move(ledger_id);
}

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
  buffer_.push_back(std::move(leaf));
  if (buffer_.size() >= kChunk) return Flush();
  return Status::Ok();
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

Status Replayer::Flush() {
  std::vector<Entry> entries;
  entries.reserve(buffer_.size());
  std::vector<std::string> keys;
  keys.reserve(buffer_.size());
  const uint64_t first = frontier_.size();
  Status rule_error;
  // The operator key at each size a checkpoint commits to, captured while
  // the rules run: later entries of the chunk may rotate it.
  std::map<uint64_t, std::string> operator_keys;
  size_t cp = next_checkpoint_;
  std::vector<Result<Entry>> decoded = DecodeAll(buffer_, /*leaves=*/true);
  for (size_t i = 0; i < buffer_.size(); ++i) {
    const uint64_t index = first + i;
    Result<Entry>& entry = decoded[i];
    if (!entry.ok()) {
      rule_error = entry.status().WithContext("entry " + std::to_string(index));
      break;
    }
    auto key = ExpectedSigningKey(state_, *entry, index);
    if (!key.ok()) {
      rule_error = key.status().WithContext("entry " + std::to_string(index));
      break;
    }
    if (index == 0 && genesis_key_ && *key != *genesis_key_) {
      rule_error = Status::VerificationFailed("entry 0: the operator key does not match the trusted operator key");
      break;
    }
    auto m = Apply(state_, id_, *entry, index);
    if (!m.ok()) {
      rule_error = m.status().WithContext("entry " + std::to_string(index));
      break;
    }
    state_.Commit(*m);
    while (cp < checkpoints_.size() && checkpoints_[cp].cp.size <= index + 1) {
      if (checkpoints_[cp].cp.size == index + 1) {
        RL_ASSIGN_OR_RETURN(auto op, state_.FindParty(kOperatorId));
        if (op) operator_keys[index + 1] = op->current_key();
      }
      ++cp;
    }
    if (const auto* r = std::get_if<RegisterParty>(&entry->body)) keys_.emplace_back(r->id, r->pubkey);
    if (const auto* r = std::get_if<RotateKey>(&entry->body)) keys_.emplace_back(entry->party, r->pubkey);
    entries.push_back(std::move(entry).value());
    keys.push_back(std::move(key).value());
  }
  std::vector<SignatureJob> jobs;
  jobs.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i)
    jobs.push_back({&entries[i].signed_bytes, &entries[i].sig, &keys[i]});
  std::vector<Status> sigs = VerifySignatures(jobs);
  // Advance the tree entry by entry so checkpoints at any size are checked.
  std::vector<std::pair<NodeId, Hash>> nodes;
  for (size_t i = 0; i < entries.size(); ++i) {
    const uint64_t index = first + i;
    if (!sigs[i].ok())
      return Status::VerificationFailed("entry " + std::to_string(index) + ": signature invalid for party " +
                                        entries[i].party + " (" + sigs[i].message() + ")");
    for (auto& node : frontier_.Append(LeafHash(entries[i].leaf))) nodes.push_back(node);
    auto key = operator_keys.find(frontier_.size());
    if (key != operator_keys.end())
      RL_RETURN_IF_ERROR(CheckCheckpointsAt(frontier_.size(), key->second));
  }
  if (node_check_) RL_RETURN_IF_ERROR(node_check_(nodes));
  buffer_.clear();
  return rule_error;
}

Status Replayer::Finish() {
  RL_RETURN_IF_ERROR(Flush());
  if (next_checkpoint_ < checkpoints_.size()) {
    const auto& pc = checkpoints_[next_checkpoint_];
    return Status::VerificationFailed("checkpoint " + std::to_string(pc.n) + " commits to size " +
                                      std::to_string(pc.cp.size) + " but the log has only " +
                                      std::to_string(frontier_.size()) + " entries (truncated?)");
  }
  return Status::Ok();
}

}  // namespace rareledger::ledger
