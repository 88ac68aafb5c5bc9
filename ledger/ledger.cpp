#include "ledger/ledger.h"

#include <ctime>
#include <filesystem>
#include <future>
#include <map>
#include <unordered_map>

#include "ledger/canonical_json.h"
#include "ledger/checkpoint.h"
#include "ledger/records.h"
#include "ledger/replay.h"
#include "ledger/store_format.h"

namespace rareledger::ledger {
namespace {

// Lines decided and committed together: one synced write per chunk.
constexpr size_t kSubmitChunk = 4096;

std::string LineContext(size_t line) { return "line " + std::to_string(line); }

}  // namespace

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<std::unique_ptr<Ledger>> Ledger::Init(const std::string& path,
                                             const std::string& ledger_id,
                                             const std::string& currency,
                                             const std::string& operator_country,
                                             const Signer& operator_key,
                                             const std::string& time) {
  if (currency.size() != 3 || !std::all_of(currency.begin(), currency.end(), ::isupper))
    return Status::InvalidArgument("currency must be an ISO 4217 code like USD, got \"" +
                                   currency + "\"");
  nlohmann::json payload = {{"type", "register_party"},
                            {"ledger", ledger_id},
                            {"party", kOperatorId},
                            {"seq", 1},
                            {"time", time},
                            {"id", kOperatorId},
                            {"name", "operator"},
                            {"country", operator_country},
                            {"roles", {"operator"}},
                            {"pubkey", operator_key.public_key().ToBase64()}};
  // Validate everything before anything touches the disk.
  RL_ASSIGN_OR_RETURN(std::string canonical, CanonicalPayload(payload.dump()));
  RL_ASSIGN_OR_RETURN(std::string sig, operator_key.Sign(canonical));
  RL_ASSIGN_OR_RETURN(Entry entry, DecodeEnvelope(MakeEnvelope(canonical, sig)));
  MemoryState empty;
  RL_ASSIGN_OR_RETURN(Mutation m, Apply(empty, LedgerIdentity{ledger_id}, entry, 0));

  bool existed = std::filesystem::exists(path);
  RL_ASSIGN_OR_RETURN(auto store, Store::Open(path, Store::Mode::kCreate));
  Frontier frontier;
  Store::Batch batch;
  batch.PutEntry(0, entry.leaf, entry.party, entry.seq);
  batch.PutMutation(m);
  batch.PutNodes(frontier.Append(LeafHash(entry.leaf)));
  batch.PutMeta(format::kMetaFormat, format::kFormatVersion);
  batch.PutMeta(format::kMetaLedgerId, ledger_id);
  batch.PutMeta(format::kMetaCurrency, currency);
  batch.PutMeta(format::kMetaFrontier, frontier.Serialize());
  Status s = store->Commit(batch);
  if (!s.ok()) {
    store.reset();
    std::error_code ec;
    if (!existed) std::filesystem::remove_all(path, ec);
    return s;
  }
  return std::unique_ptr<Ledger>(new Ledger(std::move(store)));
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& path, bool writable) {
  RL_ASSIGN_OR_RETURN(auto store,
                      Store::Open(path, writable ? Store::Mode::kReadWrite : Store::Mode::kReadOnly));
  return std::unique_ptr<Ledger>(new Ledger(std::move(store)));
}

LedgerInfo Ledger::Info() const {
  return {store_->ledger_id(), store_->currency(), store_->frontier().size(),
          store_->frontier().Root()};
}

namespace {

// One chunk of a submit. Its lines are decided against the store, plus the
// chunk before it when that one is not committed yet (the pipeline: the
// pool verifies chunk k's signatures while chunk k+1 is decided), plus what
// the chunk itself appended; then committed up to its first failure.
class SubmitChunk {
 public:
  SubmitChunk(Store& store, const LedgerIdentity& id, SignaturePool& pool,
              const SubmitChunk* previous)
      : store_(store),
        id_(id),
        pool_(pool),
        previous_(previous),
        overlay_(previous != nullptr ? static_cast<const StateView*>(&previous->overlay_)
                                     : &store),
        next_(previous != nullptr ? previous->next_ : store.frontier().size()) {}
  // The pool may still be verifying this chunk's signatures.
  ~SubmitChunk() {
    if (sigs_) (void)pool_.Wait(sigs_);
  }
  SubmitChunk(const SubmitChunk&) = delete;
  SubmitChunk& operator=(const SubmitChunk&) = delete;

  // Decides `lines` (numbered `numbers` in the input) up to the first
  // failure, then starts verifying the signatures of what was accepted.
  void Decide(std::vector<std::string> lines, std::vector<size_t> numbers) {
    numbers_ = std::move(numbers);
    std::vector<Result<Entry>> decoded = DecodeAll(lines, /*leaves=*/false);
    accepted_ = lines.size();
    for (size_t i = 0; i < lines.size(); ++i) {
      Status s = DecideOne(std::move(decoded[i]));
      if (!s.ok()) {
        error_ = s.WithContext(LineContext(numbers_[i]));
        accepted_ = i;
        break;
      }
    }
    std::vector<SignatureJob> jobs;
    for (const auto& d : decided_)
      if (!d.duplicate) jobs.push_back({&d.entry.signed_bytes, &d.entry.sig, &d.key});
    sigs_ = pool_.Start(std::move(jobs));
  }

  const Status& error() const { return error_; }

  // The chunk before this one is committed: read through to the store.
  void Detach() {
    previous_ = nullptr;
    overlay_.set_base(&store_);
  }

  // Waits for the signatures; the lines before the first bad one stay
  // accepted.
  void FinishVerify() {
    std::vector<Status> results = pool_.Wait(sigs_);
    sigs_.reset();
    size_t job = 0;
    for (size_t i = 0; i < accepted_; ++i) {
      if (decided_[i].duplicate) continue;
      if (!results[job].ok()) {
        error_ = Status::VerificationFailed("signature invalid for party " +
                                            decided_[i].entry.party + " (" +
                                            results[job].message() + ")" +
                                            WhyBadSignature(decided_[i].entry))
                     .WithContext(LineContext(numbers_[i]));
        accepted_ = i;
        return;
      }
      ++job;
    }
  }

  // Commits the accepted lines in one synced batch.
  Status Commit() {
    Frontier frontier = store_.frontier();
    Store::Batch batch;
    // A record changed by several lines of the chunk (a party's seq moves
    // on every line it signs) is written once, in its last version.
    std::unordered_map<std::string_view, const PartyRecord*> parties;
    std::unordered_map<std::string_view, const LotRecord*> lots;
    for (size_t i = 0; i < accepted_; ++i) {
      const Decided& d = decided_[i];
      if (d.duplicate) continue;
      batch.PutEntry(d.index, d.entry.leaf, d.entry.party, d.entry.seq);
      for (const auto& p : d.mutation.parties) parties[p.id] = &p;
      for (const auto& l : d.mutation.lots) lots[l.id] = &l;
      for (const auto& lot : d.mutation.consumed_lots) batch.PutConsumer(lot, d.index);
      batch.PutIdentifiers(d.mutation);
      batch.PutNodes(frontier.Append(LeafHash(d.entry.leaf)));
    }
    if (batch.count() == 0) return Status::Ok();
    for (const auto& [id, p] : parties) batch.PutParty(*p);
    for (const auto& [id, l] : lots) batch.PutLot(*l);
    batch.PutMeta(format::kMetaFrontier, frontier.Serialize());
    return store_.Commit(batch, /*sync=*/true);
  }

  struct Decided {
    Entry entry;
    std::string key;
    Mutation mutation;
    uint64_t index = 0;
    bool duplicate = false;
  };
  size_t accepted() const { return accepted_; }
  const Decided& decided(size_t i) const { return decided_[i]; }
  size_t line_number(size_t i) const { return numbers_[i]; }

 private:
  Status DecideOne(Result<Entry> decoded) {
    RL_ASSIGN_OR_RETURN(Entry entry, std::move(decoded));
    RL_ASSIGN_OR_RETURN(std::optional<uint64_t> present, FindPresent(entry));
    if (present) {
      decided_.push_back({std::move(entry), "", {}, *present, true});
      return Status::Ok();
    }
    RL_ASSIGN_OR_RETURN(std::string key, ExpectedSigningKey(overlay_, entry, next_));
    RL_ASSIGN_OR_RETURN(Mutation m, Apply(overlay_, id_, entry, next_));
    overlay_.Commit(m);
    pending_seq_[{entry.party, entry.seq}] = decided_.size();
    decided_.push_back({std::move(entry), std::move(key), std::move(m), next_, false});
    ++next_;
    return Status::Ok();
  }

  // The index of an identical envelope decided earlier in this chunk or in
  // the previous one (when not committed yet), found by its (party, seq).
  std::optional<std::optional<uint64_t>> FindPending(const Entry& entry) const {
    auto it = pending_seq_.find({entry.party, entry.seq});
    if (it != pending_seq_.end()) {
      const Decided& d = decided_[it->second];
      if (d.entry.leaf == entry.leaf) return std::optional<uint64_t>(d.index);
      return std::optional<uint64_t>();
    }
    if (previous_ != nullptr) return previous_->FindPending(entry);
    return std::nullopt;  // not pending: look in the store
  }

  // The index of an identical envelope already in the log (or pending).
  Result<std::optional<uint64_t>> FindPresent(const Entry& entry) {
    // A seq beyond the party's last accepted one cannot be in the log: no
    // index lookup needed (the common case of a bulk submit).
    RL_ASSIGN_OR_RETURN(auto party, overlay_.FindParty(entry.party));
    if (!party || entry.seq > party->last_seq) return std::optional<uint64_t>();
    if (auto pending = FindPending(entry)) return *pending;
    RL_ASSIGN_OR_RETURN(auto index, store_.FindIndexBySeq(entry.party, entry.seq));
    if (!index) return std::optional<uint64_t>();
    RL_ASSIGN_OR_RETURN(auto leaf, store_.FindLeaf(*index));
    if (!leaf)
      return Status::Corruption("entry " + std::to_string(*index) + " of party " + entry.party +
                                " seq " + std::to_string(entry.seq) + " is missing from the store");
    if (*leaf == entry.leaf) return index;
    return std::optional<uint64_t>();
  }

  // "; it was made with the key of party X" when recognisable (error path).
  std::string WhyBadSignature(const Entry& entry) const {
    auto parties = store_.AllParties();
    if (!parties.ok()) return "";
    for (const auto& [id, p] : overlay_.pending().parties()) parties->push_back(p);
    std::string why = ExplainBadSignature(entry, *parties);
    return why.empty() ? "" : ": " + why;
  }

  Store& store_;
  const LedgerIdentity& id_;
  SignaturePool& pool_;
  const SubmitChunk* previous_;
  OverlayState overlay_;
  uint64_t next_;  // log index of the next appended line
  std::vector<size_t> numbers_;
  std::vector<Decided> decided_;
  std::map<std::pair<std::string, int64_t>, size_t> pending_seq_;
  size_t accepted_ = 0;
  Status error_;
  std::shared_ptr<SignaturePool::Batch> sigs_;
};

}  // namespace

SubmitReport Ledger::Submit(const std::function<bool(std::string*)>& next_line,
                            const std::function<void(const SubmitOutcome&)>& on_outcome) {
  SubmitReport report;
  LedgerIdentity id{store_->ledger_id()};
  SignaturePool pool;  // outlives every chunk
  // Waits for a chunk's signatures, commits what stays accepted and reports
  // it; false when the submit stops there.
  auto complete = [&](SubmitChunk& chunk) {
    chunk.FinishVerify();
    Status committed = chunk.Commit();
    if (!committed.ok()) {
      report.error = committed.WithContext("commit");
      return false;
    }
    for (size_t i = 0; i < chunk.accepted(); ++i) {
      const auto& d = chunk.decided(i);
      (d.duplicate ? report.duplicates : report.appended)++;
      if (on_outcome) on_outcome({chunk.line_number(i), d.index, d.duplicate, &d.entry});
    }
    if (!chunk.error().ok()) {
      report.error = chunk.error();
      return false;
    }
    return true;
  };
  // The pipeline: while chunk k is completed on another thread (its
  // signatures waited for, then committed and reported), this thread reads
  // and decides chunk k+1 against the store plus chunk k. A stalled input
  // therefore never holds back the commit of what was already read.
  std::unique_ptr<SubmitChunk> pending;  // decided; being completed
  std::future<bool> completing;          // its completion
  size_t line_no = 0;
  bool eof = false;
  for (;;) {
    std::vector<std::string> lines;
    std::vector<size_t> numbers;
    std::string line;
    while (!eof && lines.size() < kSubmitChunk) {
      if (!next_line(&line)) {
        eof = true;
        break;
      }
      ++line_no;
      if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;  // blank
      lines.push_back(std::move(line));
      numbers.push_back(line_no);
    }
    std::unique_ptr<SubmitChunk> chunk;
    if (!lines.empty()) {
      chunk = std::make_unique<SubmitChunk>(*store_, id, pool, pending.get());
      chunk->Decide(std::move(lines), std::move(numbers));
    }
    if (pending) {
      if (!completing.get()) return report;  // `chunk` is dropped unreported
      if (chunk) chunk->Detach();
      pending.reset();
    }
    if (!chunk) break;
    if (!chunk->error().ok()) {  // nothing after a rejected line is decided
      complete(*chunk);
      return report;
    }
    pending = std::move(chunk);
    completing = std::async(std::launch::async, [&complete, c = pending.get()] { return complete(*c); });
  }
  return report;
}

Result<Entry> Ledger::GetEntry(uint64_t index) const {
  RL_ASSIGN_OR_RETURN(std::string leaf, store_->GetLeaf(index));
  return DecodeLeaf(leaf);
}

Result<LotRecord> Ledger::GetLot(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto lot, store_->FindLot(id));
  if (!lot) return Status::NotFound("no lot \"" + id + "\"");
  return std::move(*lot);
}

Result<PartyRecord> Ledger::GetParty(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto p, store_->FindParty(id));
  if (!p) return Status::NotFound("no party \"" + id + "\"");
  return std::move(*p);
}

Result<std::vector<uint64_t>> Ledger::ConsumersOf(const std::string& lot) const {
  return store_->ConsumersOf(lot);
}

Result<InclusionProofInfo> Ledger::ProveInclusion(uint64_t index,
                                                  std::optional<uint64_t> size) const {
  InclusionProofInfo p;
  p.index = index;
  p.size = size.value_or(store_->frontier().size());
  if (p.size == 0 || p.size > store_->frontier().size())
    return Status::InvalidArgument("size " + std::to_string(p.size) + " is not in 1.." +
                                   std::to_string(store_->frontier().size()));
  if (index >= p.size)
    return Status::InvalidArgument("index " + std::to_string(index) + " is not below size " +
                                   std::to_string(p.size));
  // The leaf hash is the stored level-0 node (verify checks the stored
  // tree against the leaves); the root of the whole log is the frontier's.
  RL_ASSIGN_OR_RETURN(std::vector<Hash> leaf_node, store_->GetNodes({NodeId{0, index}}));
  p.leaf_hash = leaf_node[0];
  RL_ASSIGN_OR_RETURN(p.path, InclusionProof(*store_, index, p.size));
  if (p.size == store_->frontier().size()) {
    p.root = store_->frontier().Root();
  } else {
    RL_ASSIGN_OR_RETURN(p.root, RootAt(*store_, p.size));
  }
  return p;
}

Result<ConsistencyProofInfo> Ledger::ProveConsistency(uint64_t old_size,
                                                      std::optional<uint64_t> new_size) const {
  ConsistencyProofInfo p;
  p.old_size = old_size;
  p.new_size = new_size.value_or(store_->frontier().size());
  if (p.new_size > store_->frontier().size())
    return Status::InvalidArgument("new size " + std::to_string(p.new_size) +
                                   " is beyond the log size " +
                                   std::to_string(store_->frontier().size()));
  if (old_size == 0 || old_size > p.new_size)
    return Status::InvalidArgument("old size must be in 1.." + std::to_string(p.new_size) +
                                   ", got " + std::to_string(old_size));
  RL_ASSIGN_OR_RETURN(p.path, ConsistencyProof(*store_, old_size, p.new_size));
  RL_ASSIGN_OR_RETURN(p.old_root, RootAt(*store_, old_size));
  RL_ASSIGN_OR_RETURN(p.new_root, RootAt(*store_, p.new_size));
  return p;
}

Result<std::string> Ledger::IssueCheckpoint(const Signer& operator_key) {
  RL_ASSIGN_OR_RETURN(PartyRecord op, GetParty(kOperatorId));
  if (operator_key.public_key().raw() != op.current_key())
    return Status::InvalidArgument("the key given is not the operator's current key");
  Checkpoint cp{store_->ledger_id(), store_->frontier().size(), store_->frontier().Root()};
  RL_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(cp, operator_key));
  RL_ASSIGN_OR_RETURN(auto existing, store_->Checkpoints());
  Store::Batch batch;
  batch.PutCheckpoint(existing.size(), note);
  RL_RETURN_IF_ERROR(store_->Commit(batch));
  return note;
}

Result<std::vector<std::string>> Ledger::Checkpoints() const { return store_->Checkpoints(); }

Result<VerifyReport> Ledger::Verify(
    const std::function<void(uint64_t, uint64_t)>& progress) const {
  const uint64_t size = store_->frontier().size();
  Replayer replay(store_->ledger_id(), std::nullopt);
  RL_ASSIGN_OR_RETURN(auto notes, store_->Checkpoints());
  RL_RETURN_IF_ERROR(replay.AddCheckpoints(notes));
  // Every stored tree node (proofs are built from them) must be the one the
  // leaves give.
  replay.SetNodeCheck([&](const std::vector<std::pair<NodeId, Hash>>& nodes) -> Status {
    std::vector<NodeId> ids;
    ids.reserve(nodes.size());
    for (const auto& n : nodes) ids.push_back(n.first);
    auto stored = store_->GetNodes(ids);
    if (!stored.ok())
      return Status::VerificationFailed("stored Merkle tree: " + stored.status().message());
    for (size_t i = 0; i < nodes.size(); ++i) {
      if ((*stored)[i] != nodes[i].second)
        return Status::VerificationFailed("stored Merkle tree node " + ToString(nodes[i].first) +
                                          " does not match the entries");
    }
    return Status::Ok();
  });
  RL_RETURN_IF_ERROR(store_->ScanEntries(0, size, [&](uint64_t index, std::string_view leaf) {
    if (progress && index % 4096 == 0) progress(index, size);
    return replay.Add(std::string(leaf));
  }));
  if (progress) progress(size, size);
  RL_RETURN_IF_ERROR(replay.Finish());
  // Nothing may follow the recorded size.
  auto extra = store_->GetLeaf(size);
  if (extra.ok())
    return Status::VerificationFailed("entry " + std::to_string(size) +
                                      " is stored beyond the recorded log size");
  const Hash root = replay.frontier().Root();
  if (root != store_->frontier().Root())
    return Status::VerificationFailed("stored root " + HexEncode(store_->frontier().Root()) +
                                      " does not match the replayed root " + HexEncode(root));
  RL_ASSIGN_OR_RETURN(Hash tree_root, RootAt(*store_, size));
  if (tree_root != root)
    return Status::VerificationFailed("stored Merkle tree nodes give root " + HexEncode(tree_root) +
                                      ", the entries give " + HexEncode(root));
  // The derived records must be exactly what the entries imply.
  const auto& lots = replay.state().lots();
  size_t seen = 0;
  // Byte for byte: the store writes EncodeLot's bytes, and the encoding
  // names the lot, so a record under another lot's key differs too.
  RL_RETURN_IF_ERROR(store_->ForEachLotRecord([&](std::string_view key, std::string_view bytes) {
    auto it = lots.find(std::string(key));
    if (it == lots.end() || EncodeLot(it->second) != bytes) {
      std::string quoted;
      AppendJsonString(key, &quoted);
      return Status::VerificationFailed("stored record of lot " + quoted +
                                        " does not match the log");
    }
    ++seen;
    return Status::Ok();
  }));
  if (seen != lots.size())
    return Status::VerificationFailed("the store is missing lot records the log implies");
  RL_ASSIGN_OR_RETURN(std::vector<PartyRecord> stored_parties, store_->AllParties());
  for (const auto& stored : stored_parties) {
    auto it = replay.state().parties().find(stored.id);
    if (it == replay.state().parties().end() || EncodeParty(it->second) != EncodeParty(stored))
      return Status::VerificationFailed("stored record of party \"" + stored.id +
                                        "\" does not match the log");
  }
  if (stored_parties.size() != replay.state().parties().size())
    return Status::VerificationFailed("the store is missing party records the log implies");
  // Every earlier checkpoint must be a prefix of the latest one, through a
  // consistency proof built from the stored tree, as a regulator holding
  // the earlier checkpoint would check it.
  if (notes.size() > 1) {
    RL_ASSIGN_OR_RETURN(Checkpoint latest, ParseCheckpoint(notes.back()));
    for (size_t n = 0; n + 1 < notes.size(); ++n) {
      RL_ASSIGN_OR_RETURN(Checkpoint earlier, ParseCheckpoint(notes[n]));
      if (earlier.size > latest.size)
        return Status::VerificationFailed("checkpoint " + std::to_string(n) + " (size " +
                                          std::to_string(earlier.size) +
                                          ") is larger than the latest checkpoint");
      if (earlier.size == 0) continue;
      RL_ASSIGN_OR_RETURN(auto path, ConsistencyProof(*store_, earlier.size, latest.size));
      Status consistent =
          VerifyConsistency(earlier.size, latest.size, earlier.root, latest.root, path);
      if (!consistent.ok())
        return consistent.WithContext("checkpoint " + std::to_string(n) +
                                      " is not consistent with the latest checkpoint");
    }
  }
  VerifyReport report;
  report.entries = size;
  report.checkpoints = replay.checkpoints_checked();
  report.root = root;
  if (!notes.empty()) {
    RL_ASSIGN_OR_RETURN(Checkpoint last, ParseCheckpoint(notes.back()));
    report.uncovered = size - last.size;
  } else {
    report.uncovered = size;
  }
  return report;
}

}  // namespace rareledger::ledger
