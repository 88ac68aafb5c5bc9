// Ledger::Verify and its steps (ledger/verify.h).
#include "ledger/verify.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/store_format.h"

namespace rareledger::ledger {
namespace verify {
namespace {

// Reads payload.party and payload.seq of a leaf with nlohmann's SAX parser,
// building nothing else, and stops as soon as it has both ("party" < "seq"
// < "sig" in a canonical envelope, so the signature is never read).
class PartySeqReader {
 public:
  using json = nlohmann::json;
  bool Done() const { return have_party_ && have_seq_; }
  const std::string& party() const { return party_; }
  uint64_t seq() const { return seq_; }

  bool null() { return Value(); }
  bool boolean(bool) { return Value(); }
  bool number_integer(json::number_integer_t v) {
    if (v > 0) Seq(static_cast<uint64_t>(v));
    return Value();
  }
  bool number_unsigned(json::number_unsigned_t v) {
    Seq(v);
    return Value();
  }
  bool number_float(json::number_float_t, const json::string_t&) { return Value(); }
  bool string(json::string_t& s) {
    if (want_ == Want::kParty && depth_ == 2) {
      have_party_ = true;
      party_ = s;
    }
    return Value();
  }
  bool binary(json::binary_t&) { return Value(); }
  bool start_object(std::size_t) {
    want_ = Want::kNothing;
    ++depth_;
    in_payload_ = in_payload_ || (depth_ == 2 && payload_next_);
    payload_next_ = false;
    return true;
  }
  bool key(json::string_t& k) {
    want_ = Want::kNothing;
    payload_next_ = depth_ == 1 && k == "payload";
    if (depth_ == 2 && in_payload_ && k == "party") want_ = Want::kParty;
    if (depth_ == 2 && in_payload_ && k == "seq") want_ = Want::kSeq;
    return true;
  }
  bool end_object() {
    if (--depth_ == 1) in_payload_ = false;
    return !Done();
  }
  bool start_array(std::size_t) {
    want_ = Want::kNothing;
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  enum class Want { kNothing, kParty, kSeq };
  bool Value() {
    want_ = Want::kNothing;
    payload_next_ = false;
    return !Done();
  }
  void Seq(uint64_t v) {
    if (want_ != Want::kSeq || depth_ != 2) return;
    have_seq_ = true;
    seq_ = v;
  }

  int depth_ = 0;
  bool payload_next_ = false, in_payload_ = false;
  Want want_ = Want::kNothing;
  bool have_party_ = false, have_seq_ = false;
  std::string party_;
  uint64_t seq_ = 0;
};

// Records where (party, seq) of one leaf sits; false if the leaf does not
// give them or its seq is not the party's next (the replay then fails).
bool NoteSeq(std::string_view leaf, uint64_t index, PartySeqs* seqs) {
  PartySeqReader r;
  nlohmann::json::sax_parse(leaf.begin(), leaf.end(), &r);
  if (!r.Done()) return false;
  std::vector<uint64_t>& at = (*seqs)[r.party()];
  if (r.seq() != at.size() + 1) return false;
  at.push_back(index);
  return true;
}

}  // namespace

Result<CheckpointChain> CheckCheckpointChain(const Store& store) {
  CheckpointChain chain;
  RL_RETURN_IF_ERROR(store.ForEachRaw(format::kCfCheckpoints,
                                      [&](std::string_view key, std::string_view note) -> Status {
    const uint64_t n = chain.notes.size();
    uint64_t stored = 0;
    if (!format::ParseBe64(key, &stored))
      return Status::VerificationFailed("malformed checkpoints key " + HexEncode(key) +
                                        " in the store");
    if (stored != n)
      return Status::VerificationFailed("checkpoint " + std::to_string(n) +
                                        " is missing from the store (the next stored one is " +
                                        std::to_string(stored) + ")");
    auto cp = ParseCheckpoint(note);
    if (!cp.ok())
      return Status::VerificationFailed("stored checkpoint " + std::to_string(n) +
                                        " does not parse: " + cp.status().message());
    if (n > 0 && cp->size < chain.latest_size)
      return Status::VerificationFailed(
          "checkpoint " + std::to_string(n) + " (size " + std::to_string(cp->size) +
          ") is smaller than checkpoint " + std::to_string(n - 1) + " (size " +
          std::to_string(chain.latest_size) + "): checkpoints are issued as the log grows");
    chain.latest_size = cp->size;
    chain.notes.emplace_back(note);
    return Status::Ok();
  }));
  return chain;
}

std::function<Status(const std::vector<std::pair<NodeId, Hash>>&)> CheckStoredTree(
    const Store& store) {
  return [&store](const std::vector<std::pair<NodeId, Hash>>& nodes) -> Status {
    std::vector<NodeId> ids;
    ids.reserve(nodes.size());
    for (const auto& n : nodes) ids.push_back(n.first);
    auto stored = store.GetNodes(ids);
    if (!stored.ok())
      return Status::VerificationFailed("stored Merkle tree: " + stored.status().message());
    for (size_t i = 0; i < nodes.size(); ++i) {
      if ((*stored)[i] != nodes[i].second)
        return Status::VerificationFailed("stored Merkle tree node " + ToString(nodes[i].first) +
                                          " does not match the entries");
    }
    return Status::Ok();
  };
}

namespace {

// Sorts the entries rows as the scan meets them: the next index of the log
// (to replay), or a problem, of which the first of each kind is kept.
class EntryRows {
 public:
  explicit EntryRows(uint64_t size) : size_(size) {}
  // True when the row under `key` is the next entry to replay.
  bool Next(std::string_view key) {
    uint64_t index = 0;
    if (!format::ParseBe64(key, &index)) {
      Keep(&extra_, "malformed entries key " + HexEncode(key) + " in the store");
    } else if (index >= size_) {
      Keep(&extra_, "entry " + std::to_string(index) + " is stored at or beyond the log size " +
                        std::to_string(size_));
    } else if (index != next_ || !gap_.ok()) {  // nothing after a gap is replayed
      Keep(&gap_, "entry " + std::to_string(next_) + " is missing from the store");
    } else {
      ++next_;
      return true;
    }
    return false;
  }
  // After the scan: a missing tail is a gap too.
  void End() {
    if (next_ < size_) Keep(&gap_, "entry " + std::to_string(next_) + " is missing from the store");
  }
  uint64_t replayed() const { return next_; }
  const Status& gap() const { return gap_; }
  const Status& extra() const { return extra_; }

 private:
  static void Keep(Status* first, const std::string& what) {
    if (first->ok()) *first = Status::VerificationFailed(what);
  }
  uint64_t size_;
  uint64_t next_ = 0;
  Status gap_, extra_;
};

}  // namespace

Status ReplayEntries(const Store& store, Replayer& replay, PartySeqs* seqs,
                     const ProgressFn& progress) {
  const uint64_t size = store.frontier().size();
  EntryRows rows(size);
  std::optional<uint64_t> unread;  // the first leaf whose (party, seq) was not read
  Status scanned = store.ForEachRaw(format::kCfEntries, [&](std::string_view key,
                                                            std::string_view leaf) -> Status {
    if (!rows.Next(key)) return Status::Ok();
    const uint64_t index = rows.replayed() - 1;
    if (progress && index % 4096 == 0) progress(index, size);
    if (!unread && !NoteSeq(leaf, index, seqs)) unread = index;
    return replay.Add(std::string(leaf));
  });
  RL_RETURN_IF_ERROR(scanned);
  rows.End();
  if (progress) progress(rows.replayed(), size);
  Status finished = replay.Finish();
  // The replay's error first when it is about an entry before the gap.
  if (!finished.ok() && (rows.gap().ok() || replay.size() < rows.replayed())) return finished;
  RL_RETURN_IF_ERROR(rows.gap());
  RL_RETURN_IF_ERROR(rows.extra());
  if (unread)
    return Status::VerificationFailed("entry " + std::to_string(*unread) +
                                      ": its party and seq cannot be read");
  return Status::Ok();
}

Status CheckNoExtraRows(const Store& store,
                        const std::vector<std::unique_ptr<ImpliedRows>>& families) {
  for (const std::string& name : Store::Families()) {
    if (name == format::kCfEntries || name == format::kCfCheckpoints) continue;  // inputs
    auto it = std::find_if(families.begin(), families.end(),
                           [&](const auto& f) { return name == f->family(); });
    if (it == families.end())
      return Status::VerificationFailed("column family " + name +
                                        " has no check in verify (ledger/verify_rows.cpp)");
    const ImpliedRows& rows = **it;
    uint64_t found = 0;
    Status scanned = store.ForEachRaw(name, [&](std::string_view key, std::string_view value) {
      RL_RETURN_IF_ERROR(rows.Check(key, value));
      ++found;
      return Status::Ok();
    });
    RL_RETURN_IF_ERROR(scanned);
    if (found == rows.count()) continue;
    // Every stored row is an implied one, so some implied row is absent.
    std::string missing = "rows";
    rows.ForEachImplied([&](const std::string& key, const std::string& what) {
      auto stored = store.FindRaw(name, key);
      if (!stored.ok() || *stored) return true;
      missing = what;
      return false;
    });
    return Status::VerificationFailed("the store lacks " + missing + ", which the log implies (" +
                                      name + " holds " + std::to_string(found) + " of " +
                                      std::to_string(rows.count()) + " rows)");
  }
  return Status::Ok();
}

}  // namespace verify

Result<VerifyReport> Ledger::Verify(const std::function<void(uint64_t, uint64_t)>& progress,
                                   const VerifyOptions& options) const {
  RL_ASSIGN_OR_RETURN(verify::CheckpointChain chain, verify::CheckCheckpointChain(*store_));
  Replayer replay(store_->ledger_id(), std::nullopt, {options.chunk_entries, options.threads});
  RL_RETURN_IF_ERROR(replay.AddCheckpoints(chain.notes));
  replay.SetNodeCheck(verify::CheckStoredTree(*store_));
  verify::PartySeqs seqs;
  RL_RETURN_IF_ERROR(verify::ReplayEntries(*store_, replay, &seqs, progress));
  RL_RETURN_IF_ERROR(
      verify::CheckNoExtraRows(*store_, verify::ImpliedFamilies(*store_, replay, seqs)));
  VerifyReport report;
  report.entries = replay.size();
  report.checkpoints = replay.checkpoints_checked();
  report.uncovered = replay.size() - chain.latest_size;
  report.root = replay.frontier().Root();
  if (!chain.notes.empty()) report.latest_note = chain.notes.back();
  if (!replay.keys().empty()) report.operator_key = replay.keys().front().second;
  return report;
}

}  // namespace rareledger::ledger
