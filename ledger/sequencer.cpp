#include "ledger/sequencer.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/overlay_state.h"
#include "ledger/store_format.h"

namespace rareledger::ledger {
namespace {

std::string LineContext(size_t line) { return "line " + std::to_string(line); }

// Records most recently committed or read, over the store: later chunks
// decide against them without a RocksDB read and a record decode. Correct
// because the sequencer is the store's only writer: every commit updates
// the cache with exactly the versions it wrote (overwriting), and a read
// through to the store only fills a missing slot (never overwrites), so a
// read that raced a commit cannot leave an older version behind.
// Thread-safe: the deciding thread reads while the commit thread writes.
class RecordCache : public StateView {
 public:
  explicit RecordCache(const Store& store) : store_(store) {}

  Result<std::optional<PartyRecord>> FindParty(const std::string& id) const override {
    return Find(parties_, id, [&] { return store_.FindParty(id); });
  }
  Result<std::optional<LotRecord>> FindLot(const std::string& id) const override {
    return Find(lots_, id, [&] { return store_.FindLot(id); });
  }
  // Identifier rows are never rewritten: read straight from the store (a
  // claim not committed yet is in the overlay of the chunk that made it).
  Result<std::optional<IdentifierHolder>> FindKeyHolder(const std::string& pubkey) const override {
    return store_.FindKeyHolder(pubkey);
  }
  Result<std::optional<IdentifierHolder>> FindGlnHolder(const std::string& gln) const override {
    return store_.FindGlnHolder(gln);
  }
  // The versions a commit just wrote.
  void Committed(const std::vector<const PartyRecord*>& parties,
                 const std::vector<const LotRecord*>& lots) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const PartyRecord* p : parties) Put(parties_, p->id, *p, /*overwrite=*/true);
    for (const LotRecord* l : lots) Put(lots_, l->id, *l, /*overwrite=*/true);
  }

 private:
  // Records kept per kind; the map is emptied when full (a bound on memory,
  // not a policy: a miss costs one RocksDB read).
  static constexpr size_t kLimit = 32768;

  template <typename R, typename Read>
  Result<std::optional<R>> Find(std::unordered_map<std::string, R>& map, const std::string& id,
                                Read read) const {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map.find(id);
      if (it != map.end()) return std::optional<R>(it->second);
    }
    RL_ASSIGN_OR_RETURN(std::optional<R> found, read());
    if (found) {
      std::lock_guard<std::mutex> lock(mu_);
      Put(map, id, *found, /*overwrite=*/false);
    }
    return found;
  }
  template <typename R>
  static void Put(std::unordered_map<std::string, R>& map, const std::string& id, const R& r,
                  bool overwrite) {
    if (map.size() >= kLimit && map.count(id) == 0) map.clear();
    if (overwrite)
      map.insert_or_assign(id, r);
    else
      map.emplace(id, r);
  }

  const Store& store_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, PartyRecord> parties_;
  mutable std::unordered_map<std::string, LotRecord> lots_;
};

}  // namespace

// Where a slot came from.
struct Sequencer::Line {
  std::shared_ptr<Stream> stream;
  size_t line_no = 0;
};

// A chunk of lines from any streams, decided on top of the store plus the
// chunk before it while that one is not committed yet.
class Sequencer::SubmitChunk : public Chunk {
 public:
  enum class Outcome { kSkipped, kRejected, kAccepted, kDuplicate };
  struct Decided {
    Outcome outcome = Outcome::kSkipped;
    uint64_t index = 0;
    Mutation mutation;
    Status error;  // kRejected
  };

  SubmitChunk() : overlay(nullptr) {}

  bool atomic = false;          // one atomic stream's lines, all or nothing
  std::vector<Line> lines;      // parallel to slots
  std::vector<Decided> decided;  // parallel to slots
  OverlayState overlay;
  const SubmitChunk* previous = nullptr;  // until it is committed
  uint64_t next = 0;                      // log index after this chunk
  // (party, seq) -> slot, for duplicates of lines not yet committed.
  std::map<std::pair<std::string, int64_t>, size_t> pending_seq;
  // Streams with a rejected line in this chunk, and in `previous` (whose
  // later lines are skipped). A stream rejected earlier than `previous` has
  // no lines here: its queue was dropped when that chunk completed.
  std::set<const Stream*> rejected_here;
  std::set<const Stream*> rejected_before;
};

// The submit path's steps 2 and 4 of the pipeline.
class Sequencer::Client : public PipelineClient {
 public:
  explicit Client(Sequencer& owner)
      : owner_(owner), store_(owner.store_), cache_(owner.store_), id_{store_.ledger_id()} {}

  void Decide(Chunk& c, const Chunk* p) override {
    auto& chunk = static_cast<SubmitChunk&>(c);
    const auto* previous = static_cast<const SubmitChunk*>(p);
    chunk.previous = previous;
    chunk.overlay.set_base(previous != nullptr ? static_cast<const StateView*>(&previous->overlay)
                                               : &cache_);
    chunk.next = previous != nullptr ? previous->next : store_.frontier().size();
    if (previous != nullptr) chunk.rejected_before = previous->rejected_here;
    chunk.decided.resize(chunk.slots.size());
    for (size_t i = 0; i < chunk.slots.size(); ++i) {
      const Stream* stream = chunk.lines[i].stream.get();
      if (chunk.rejected_here.count(stream) != 0 || chunk.rejected_before.count(stream) != 0)
        continue;  // kSkipped
      Status s = DecideOne(chunk, i);
      if (!s.ok()) {
        chunk.decided[i].outcome = SubmitChunk::Outcome::kRejected;
        chunk.decided[i].error = s.WithContext(LineContext(chunk.lines[i].line_no));
        chunk.rejected_here.insert(stream);
      }
    }
  }

  bool Complete(Chunk& c) override {
    auto& chunk = static_cast<SubmitChunk&>(c);
    if (chunk.atomic && FailAtomic(chunk)) return false;
    size_t bad = chunk.slots.size();  // first accepted slot with a bad signature
    for (size_t i = 0; i < chunk.slots.size() && bad == chunk.slots.size(); ++i)
      if (chunk.decided[i].outcome == SubmitChunk::Outcome::kAccepted &&
          !chunk.slots[i].signature.ok())
        bad = i;
    Status committed = Commit(chunk, bad);
    if (!committed.ok()) {
      FailAll(chunk, committed.WithContext("commit"));
      return false;
    }
    Report(chunk, bad);
    return bad == chunk.slots.size();
  }

  void Discard(std::unique_ptr<Chunk> c) override {
    auto& chunk = static_cast<SubmitChunk&>(*c);
    for (size_t i = 0; i < chunk.slots.size(); ++i) Stash(chunk, i);
  }

  void Retire(Chunk& next) override {
    auto& chunk = static_cast<SubmitChunk&>(next);
    chunk.previous = nullptr;
    chunk.overlay.set_base(&cache_);
  }

  // Lines to put back at the front of their streams, in order.
  std::vector<std::pair<Line, std::string>> TakeStash() { return std::move(stash_); }

 private:
  Status DecideOne(SubmitChunk& chunk, size_t i) {
    Slot& slot = chunk.slots[i];
    if (!slot.entry.ok()) return slot.entry.status();
    const Entry& entry = *slot.entry;
    RL_ASSIGN_OR_RETURN(std::optional<uint64_t> present, FindPresent(chunk, entry));
    auto& d = chunk.decided[i];
    if (present) {
      d.outcome = SubmitChunk::Outcome::kDuplicate;
      d.index = *present;
      return Status::Ok();
    }
    RL_ASSIGN_OR_RETURN(slot.key, ExpectedSigningKey(chunk.overlay, entry, chunk.next));
    RL_ASSIGN_OR_RETURN(d.mutation, Apply(chunk.overlay, id_, entry, chunk.next));
    chunk.overlay.Commit(d.mutation);
    chunk.pending_seq[{entry.party, entry.seq}] = i;
    d.outcome = SubmitChunk::Outcome::kAccepted;
    d.index = chunk.next++;
    return Status::Ok();
  }

  // The index of an identical envelope decided earlier and not committed
  // yet, found by its (party, seq); nullopt when not pending at all.
  static std::optional<std::optional<uint64_t>> FindPending(const SubmitChunk* chunk,
                                                            const Entry& entry) {
    for (; chunk != nullptr; chunk = chunk->previous) {
      auto it = chunk->pending_seq.find({entry.party, entry.seq});
      if (it == chunk->pending_seq.end()) continue;
      const Entry& other = *chunk->slots[it->second].entry;
      if (other.leaf == entry.leaf) return std::optional<uint64_t>(chunk->decided[it->second].index);
      return std::optional<uint64_t>();
    }
    return std::nullopt;
  }

  // The index of an identical envelope already in the log (or pending).
  Result<std::optional<uint64_t>> FindPresent(const SubmitChunk& chunk, const Entry& entry) {
    // A seq beyond the party's last accepted one cannot be in the log: no
    // index lookup needed (the common case of a bulk submit).
    RL_ASSIGN_OR_RETURN(auto party, chunk.overlay.FindParty(entry.party));
    if (!party || entry.seq > party->last_seq) return std::optional<uint64_t>();
    if (auto pending = FindPending(&chunk, entry)) return *pending;
    RL_ASSIGN_OR_RETURN(auto index, store_.FindIndexBySeq(entry.party, entry.seq));
    if (!index) return std::optional<uint64_t>();
    RL_ASSIGN_OR_RETURN(auto leaf, store_.FindLeaf(*index));
    if (!leaf)
      return Status::Corruption("entry " + std::to_string(*index) + " of party " + entry.party +
                                " seq " + std::to_string(entry.seq) + " is missing from the store");
    if (*leaf == entry.leaf) return index;
    return std::optional<uint64_t>();
  }

  // Commits the accepted slots before `end` in one synced batch.
  Status Commit(const SubmitChunk& chunk, size_t end) {
    Frontier frontier = store_.frontier();
    Store::Batch batch;
    // A record changed by several lines of the chunk (a party's seq moves
    // on every line it signs) is written once, in its last version.
    std::unordered_map<std::string_view, const PartyRecord*> parties;
    std::unordered_map<std::string_view, const LotRecord*> lots;
    for (size_t i = 0; i < end; ++i) {
      const auto& d = chunk.decided[i];
      if (d.outcome != SubmitChunk::Outcome::kAccepted) continue;
      const Entry& e = *chunk.slots[i].entry;
      batch.PutEntry(d.index, e.leaf, e.party, e.seq);
      for (const auto& p : d.mutation.parties) parties[p.id] = &p;
      for (const auto& l : d.mutation.lots) lots[l.id] = &l;
      for (const auto& lot : d.mutation.consumed_lots) batch.PutConsumer(lot, d.index);
      batch.PutIdentifiers(d.mutation);
      batch.PutNodes(frontier.Append(LeafHash(e.leaf)));
    }
    if (batch.count() == 0) return Status::Ok();
    std::vector<const PartyRecord*> party_versions;
    std::vector<const LotRecord*> lot_versions;
    for (const auto& [id, p] : parties) batch.PutParty(*p), party_versions.push_back(p);
    for (const auto& [id, l] : lots) batch.PutLot(*l), lot_versions.push_back(l);
    batch.PutMeta(format::kMetaFrontier, frontier.Serialize());
    const uint64_t entries = frontier.size() - store_.frontier().size();
    {
      std::unique_lock<std::shared_mutex> gate(owner_.gate_);
      RL_RETURN_IF_ERROR(store_.Commit(batch, /*sync=*/true));
      cache_.Committed(party_versions, lot_versions);
      owner_.head_ = {frontier.size(), frontier.Root()};
    }
    std::lock_guard<std::mutex> lock(owner_.mu_);
    ++owner_.stats_.commits;
    owner_.stats_.committed_entries += entries;
    owner_.stats_.largest_commit = std::max(owner_.stats_.largest_commit, entries);
    return Status::Ok();
  }

  // An atomic chunk with a rejected line or a bad signature: ends its
  // stream on the first such line, commits nothing, and returns true.
  // (Complete then returns false: what was decided on top of this chunk
  // assumed its lines and is decided again.)
  bool FailAtomic(SubmitChunk& chunk) {
    for (size_t i = 0; i < chunk.slots.size(); ++i) {
      const auto& d = chunk.decided[i];
      Status error;
      if (d.outcome == SubmitChunk::Outcome::kRejected)
        error = d.error;
      else if (d.outcome == SubmitChunk::Outcome::kAccepted && !chunk.slots[i].signature.ok())
        error = BadSignature(chunk, i);
      else
        continue;
      std::lock_guard<std::mutex> lock(owner_.mu_);
      Stream& s = *chunk.lines[i].stream;
      Fail(s, error, chunk.lines[i].line_no);
      for (size_t k = 0; k < chunk.slots.size(); ++k) Resolve(s);
      return true;
    }
    return false;
  }

  Status BadSignature(const SubmitChunk& chunk, size_t i) const {
    const Entry& e = *chunk.slots[i].entry;
    return Status::VerificationFailed("signature invalid for party " + e.party + " (" +
                                      chunk.slots[i].signature.message() + ")" +
                                      WhyBadSignature(chunk, e))
        .WithContext(LineContext(chunk.lines[i].line_no));
  }

  // "; it was made with the key of party X" when recognisable (error path).
  std::string WhyBadSignature(const SubmitChunk& chunk, const Entry& e) const {
    auto parties = store_.AllParties();
    if (!parties.ok()) return "";
    for (const auto& [id, p] : chunk.overlay.pending().parties()) parties->push_back(p);
    std::string why = ExplainBadSignature(e, *parties);
    return why.empty() ? "" : ": " + why;
  }

  void Report(SubmitChunk& chunk, size_t bad) {
    using Outcome = SubmitChunk::Outcome;
    // Callbacks first, outside the lock, in order; then the counts.
    for (size_t i = 0; i < bad; ++i) {
      const auto& d = chunk.decided[i];
      if (d.outcome != Outcome::kAccepted && d.outcome != Outcome::kDuplicate) continue;
      Stream& s = *chunk.lines[i].stream;
      if (s.on_outcome_)
        s.on_outcome_({chunk.lines[i].line_no, d.index, d.outcome == Outcome::kDuplicate,
                       &chunk.slots[i].entry.value()});
    }
    std::lock_guard<std::mutex> lock(owner_.mu_);
    for (size_t i = 0; i < chunk.slots.size(); ++i) {
      Stream& s = *chunk.lines[i].stream;
      const auto& d = chunk.decided[i];
      if (i > bad) {
        Stash(chunk, i);
        continue;
      }
      if (i == bad) {
        Fail(s, BadSignature(chunk, i), chunk.lines[i].line_no);
      } else if (d.outcome == Outcome::kAccepted) {
        ++s.report_.appended;
      } else if (d.outcome == Outcome::kDuplicate) {
        ++s.report_.duplicates;
      } else if (d.outcome == Outcome::kRejected) {
        Fail(s, d.error, chunk.lines[i].line_no);
      }
      Resolve(s);
    }
  }

  void FailAll(SubmitChunk& chunk, const Status& error) {
    std::lock_guard<std::mutex> lock(owner_.mu_);
    for (size_t i = 0; i < chunk.slots.size(); ++i) {
      Stream& s = *chunk.lines[i].stream;
      Fail(s, error);
      Resolve(s);
    }
  }

  // With owner_.mu_ held, or from Discard (called on the sequencer thread
  // while no Complete runs).
  void Stash(SubmitChunk& chunk, size_t i) {
    stash_.emplace_back(chunk.lines[i], std::move(chunk.slots[i].text));
  }

  // With owner_.mu_ held: the stream ends here; its queued lines go.
  static void Fail(Stream& s, const Status& error, size_t line = 0) {
    if (s.failed_) return;
    s.failed_ = true;
    s.report_.error = error;
    s.report_.error_line = line;
    s.unresolved_ -= s.queued_.size();
    s.queued_.clear();
    s.cv_.notify_all();
  }
  static void Resolve(Stream& s) {
    if (--s.unresolved_ == 0) s.cv_.notify_all();
  }

  Sequencer& owner_;
  Store& store_;
  RecordCache cache_;  // what Decide reads through, over the store
  LedgerIdentity id_;
  std::vector<std::pair<Line, std::string>> stash_;
};

Sequencer::Sequencer(Store& store, SequencerOptions options)
    : store_(store), options_(options), client_(std::make_unique<Client>(*this)) {
  head_ = {store_.frontier().size(), store_.frontier().Root()};
  options_.chunk_entries = std::max<size_t>(1, options_.chunk_entries);
  options_.max_queued_per_stream = std::max<size_t>(1, options_.max_queued_per_stream);
  thread_ = std::thread([this] { Run(); });
}

Sequencer::~Sequencer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
}

std::shared_ptr<Sequencer::Stream> Sequencer::Open(OutcomeFn on_outcome, bool atomic) {
  std::shared_ptr<Stream> s(new Stream(*this, std::move(on_outcome), atomic));
  std::lock_guard<std::mutex> lock(mu_);
  streams_.push_back(s);
  return s;
}

SequencerStats Sequencer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

TreeHead Sequencer::head() const {
  std::shared_lock<std::shared_mutex> gate(gate_);
  return head_;
}

Result<std::string> Sequencer::IssueCheckpoint(const Signer& operator_key, size_t* index) {
  std::unique_lock<std::shared_mutex> gate(gate_);
  RL_ASSIGN_OR_RETURN(std::optional<PartyRecord> op, store_.FindParty(kOperatorId));
  if (!op) return Status::Corruption("the ledger has no operator party");
  if (operator_key.public_key().raw() != op->current_key())
    return Status::InvalidArgument("the key given is not the operator's current key");
  if (!checkpoints_) {
    RL_ASSIGN_OR_RETURN(std::vector<std::string> existing, store_.Checkpoints());
    checkpoints_ = existing.size();
  }
  RL_ASSIGN_OR_RETURN(std::string note,
                      SignCheckpoint({store_.ledger_id(), head_.size, head_.root}, operator_key));
  Store::Batch batch;
  batch.PutCheckpoint(*checkpoints_, note);
  RL_RETURN_IF_ERROR(store_.Commit(batch));
  if (index != nullptr) *index = *checkpoints_;
  ++*checkpoints_;
  return note;
}

Status Sequencer::AddSignatures(size_t index, const std::string& note) {
  std::unique_lock<std::shared_mutex> gate(gate_);
  RL_ASSIGN_OR_RETURN(std::vector<std::string> stored, store_.Checkpoints());
  if (index >= stored.size())
    return Status::InvalidArgument("no stored checkpoint " + std::to_string(index));
  RL_ASSIGN_OR_RETURN(SignedNote was, ParseNote(stored[index]));
  RL_ASSIGN_OR_RETURN(SignedNote now, ParseNote(note));
  if (was.text != now.text)
    return Status::InvalidArgument("checkpoint " + std::to_string(index) + " has another text");
  const std::string old_lines = stored[index].substr(was.text.size() + 1);
  if (note.substr(now.text.size() + 1, old_lines.size()) != old_lines)
    return Status::InvalidArgument("checkpoint " + std::to_string(index) +
                                   ": the stored signature lines must come first, unchanged");
  Store::Batch batch;
  batch.PutCheckpoint(index, note);
  return store_.Commit(batch);
}

void Sequencer::Run() {
  Pipeline pipeline(*client_, Decoding::kEnvelopes, options_.threads);
  for (;;) {
    std::unique_ptr<SubmitChunk> chunk = Gather(/*wait=*/!pipeline.in_flight());
    if (!chunk && !pipeline.in_flight()) break;  // stopping, nothing left
    (void)pipeline.Step(std::move(chunk));       // failures reach the streams
    Requeue();
  }
}

std::unique_ptr<Sequencer::SubmitChunk> Sequencer::Gather(bool wait) {
  std::unique_lock<std::mutex> lock(mu_);
  auto has_lines = [&] {
    return std::any_of(streams_.begin(), streams_.end(),
                       [&](const auto& s) { return s->Takeable(stop_); });
  };
  if (wait) work_cv_.wait(lock, [&] { return stop_ || has_lines(); });
  if (!has_lines()) return nullptr;
  atomic_turn_ = !atomic_turn_;
  if (atomic_turn_)
    if (auto atomic = GatherAtomic()) return atomic;
  auto chunk = std::make_unique<SubmitChunk>();
  // Round robin over the streams, so no client waits behind a bulk one for
  // more than a chunk.
  const size_t n = streams_.size();
  for (size_t k = 0; k < n && chunk->slots.size() < options_.chunk_entries; ++k) {
    Stream& s = *streams_[(next_stream_ + k) % n];
    if (s.atomic_) continue;  // never shares a chunk
    const size_t share = std::max<size_t>(1, options_.chunk_entries / n);
    for (size_t taken = 0; taken < share && !s.queued_.empty() &&
                           chunk->slots.size() < options_.chunk_entries;
         ++taken) {
      auto& [text, line_no] = s.queued_.front();
      chunk->slots.emplace_back();
      chunk->slots.back().text = std::move(text);
      chunk->slots.back().label = line_no;
      chunk->lines.push_back({streams_[(next_stream_ + k) % n], line_no});
      s.queued_.pop_front();
    }
    s.cv_.notify_all();  // queue space
  }
  next_stream_ = (next_stream_ + 1) % n;
  if (chunk->slots.empty()) return GatherAtomic();  // only atomic streams had lines
  return chunk;
}

std::unique_ptr<Sequencer::SubmitChunk> Sequencer::GatherAtomic() {
  for (const auto& stream : streams_) {
    Stream& s = *stream;
    if (!s.atomic_ || !s.Takeable(stop_)) continue;
    auto chunk = std::make_unique<SubmitChunk>();
    chunk->atomic = true;
    for (auto& [text, line_no] : s.queued_) {
      chunk->slots.emplace_back();
      chunk->slots.back().text = std::move(text);
      chunk->slots.back().label = line_no;
      chunk->lines.push_back({stream, line_no});
    }
    s.queued_.clear();
    return chunk;
  }
  return nullptr;
}

void Sequencer::Requeue() {
  auto stash = client_->TakeStash();
  if (stash.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  // Back to the front of each stream's queue, keeping their order.
  for (auto it = stash.rbegin(); it != stash.rend(); ++it) {
    Stream& s = *it->first.stream;
    if (s.failed_) {
      if (--s.unresolved_ == 0) s.cv_.notify_all();
      continue;
    }
    s.queued_.emplace_front(std::move(it->second), it->first.line_no);
  }
}

bool Sequencer::Stream::Add(std::string text, size_t line_no) {
  std::unique_lock<std::mutex> lock(owner_.mu_);
  cv_.wait(lock, [&] {
    return failed_ || atomic_ || queued_.size() < owner_.options_.max_queued_per_stream;
  });
  if (failed_) return false;
  queued_.emplace_back(std::move(text), line_no);
  ++unresolved_;
  lock.unlock();
  owner_.work_cv_.notify_one();
  return true;
}

SubmitReport Sequencer::Stream::Finish() {
  std::unique_lock<std::mutex> lock(owner_.mu_);
  closed_ = true;
  if (atomic_) owner_.work_cv_.notify_one();  // its lines may be taken now
  cv_.wait(lock, [&] { return unresolved_ == 0; });
  auto& streams = owner_.streams_;
  streams.erase(std::remove_if(streams.begin(), streams.end(),
                               [this](const auto& s) { return s.get() == this; }),
                streams.end());
  return report_;
}

}  // namespace rareledger::ledger
