// Sequencer: the one writer of a ledger's log. Clients on any threads open
// streams and add lines (envelopes) to them; the sequencer takes lines from
// every stream into shared chunks (group commit: one synced write for the
// lines of many clients), runs them through the pipeline (pipeline.h) and
// reports each line to its stream once it is durable.
//
// Per stream, SPEC "submit" semantics: lines are appended in the order
// added; a line already in the log is skipped and reported with its index;
// the first rejected line ends the stream: every line before it is
// appended, nothing from it on. A rejected line of one stream never holds
// back or changes the outcome of another stream's lines (if a chunk must be
// cut short by a bad signature, the other streams' lines after it are
// decided again in the next chunk).
//
// Atomic streams (Open(fn, /*atomic=*/true)): all or nothing. Their lines
// are taken only once the stream is finished, all together, into a chunk
// of their own (of any size, beside no other stream's line), decided on the
// committed state (or on the chunk before it, which must then commit
// entirely, else the atomic chunk is decided again after it). Either every
// line is committed in that one synced write (lines already in the log
// counting as duplicates, as in any stream), or, when any line is rejected
// (a rule, a bad signature, undecodable), none is, and the report names
// the first rejected line. Other streams' lines are never held back by an
// atomic stream's failure: what was decided on top of it is decided again.
//
// Durability: a line is reported (on_outcome, Finish) only after the chunk
// holding it was committed with a synced WAL. Lines are taken as soon as
// they arrive: a slow client's lines are committed without waiting for a
// full chunk, and a fast one's fill whole chunks while the previous commits.
#ifndef RARELEDGER_LEDGER_SEQUENCER_H_
#define RARELEDGER_LEDGER_SEQUENCER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/pipeline.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace rareledger::ledger {

// One line of a submit: appended at `index`, or already present there.
struct SubmitOutcome {
  size_t line = 0;  // the line's number in its stream (1-based input line)
  uint64_t index = 0;
  bool duplicate = false;
  const Entry* entry = nullptr;  // valid only during the callback
};

struct SubmitReport {
  size_t appended = 0;
  size_t duplicates = 0;
  Status error;  // the first rejected line, naming it; ok if none
  size_t error_line = 0;  // that line's number; 0 when no line is to blame
};

struct SequencerOptions {
  size_t chunk_entries = kDefaultChunkEntries;  // lines per chunk at most (>= 1)
  unsigned threads = 0;                         // pool threads; 0: one per core
  // Lines a stream may have queued and not yet taken before Add blocks.
  size_t max_queued_per_stream = 2 * kDefaultChunkEntries;
};

// Counters for /metrics and tests, since the sequencer started.
struct SequencerStats {
  uint64_t commits = 0;            // synced writes
  uint64_t committed_entries = 0;  // entries appended by them
  uint64_t largest_commit = 0;     // entries in the largest one
};

// The log as of a commit.
struct TreeHead {
  uint64_t size = 0;
  Hash root{};
};

class Sequencer {
 public:
  class Stream;
  using OutcomeFn = std::function<void(const SubmitOutcome&)>;

  // Takes over writing `store` (opened read-write; borrowed, must outlive
  // the sequencer). Nothing else may commit to it meanwhile.
  explicit Sequencer(Store& store, SequencerOptions options = {});
  // Resolves every line already added (as if each stream were finished),
  // then stops.
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // A new stream. `on_outcome` (may be empty) sees each accepted line of
  // the stream after it is durable, in the stream's order, one call at a
  // time, on the sequencer's commit thread: it must not block for long.
  // `atomic`: all or nothing (above); its Add never blocks (the caller
  // bounds how many lines it adds) and nothing is decided before Finish.
  std::shared_ptr<Stream> Open(OutcomeFn on_outcome, bool atomic = false);

  SequencerStats stats() const;

  // The log as of the last commit. Any thread.
  TreeHead head() const;
  // Holds commits off while it lives (they wait for it): reads of records
  // and head() made under it see one committed state. Keep it short.
  std::shared_lock<std::shared_mutex> ReadLock() const {
    return std::shared_lock<std::shared_mutex>(gate_);
  }
  // Signs a checkpoint of head() with the operator's current key (else
  // InvalidArgument), records it between two commits and returns the note
  // (and, with `index`, its number among the stored checkpoints).
  Result<std::string> IssueCheckpoint(const Signer& operator_key, size_t* index = nullptr);
  // Replaces stored checkpoint `index` by `note`, the same checkpoint with
  // more signature lines (witness cosignatures): InvalidArgument unless its
  // text and every signature line of the stored one are kept.
  Status AddSignatures(size_t index, const std::string& note);

 private:
  struct Line;
  class SubmitChunk;
  class Client;
  friend class Stream;

  void Run();
  std::unique_ptr<SubmitChunk> Gather(bool wait);
  // With mu_ held: a finished atomic stream's lines as a chunk, or null.
  std::unique_ptr<SubmitChunk> GatherAtomic();
  void Requeue();

  Store& store_;
  SequencerOptions options_;
  std::unique_ptr<Client> client_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  SequencerStats stats_;  // guarded by mu_
  // Exclusive around each commit; readers share it (ReadLock).
  mutable std::shared_mutex gate_;
  TreeHead head_;                      // guarded by gate_
  std::optional<size_t> checkpoints_;  // stored checkpoints; guarded by gate_
  std::vector<std::shared_ptr<Stream>> streams_;  // open, or with lines left
  size_t next_stream_ = 0;                        // round-robin position
  bool atomic_turn_ = false;  // alternate atomic chunks with shared ones
  bool stop_ = false;
  std::thread thread_;
};

// Thread safety: Add and Finish may be called from one thread at a time
// per stream (different streams from different threads).
class Sequencer::Stream {
 public:
  // Queues a line numbered `line_no` (for reports). Blocks while too many
  // of this stream's lines wait. False once the stream has ended on a
  // rejected line: the line is not taken, and nothing more will be.
  bool Add(std::string text, size_t line_no);
  // No more lines: waits until every line added is durable or dropped
  // after a rejection, and returns the stream's report.
  SubmitReport Finish();

 private:
  friend class Sequencer;
  Stream(Sequencer& owner, OutcomeFn on_outcome, bool atomic)
      : owner_(owner), on_outcome_(std::move(on_outcome)), atomic_(atomic) {}
  // With owner_.mu_ held: lines the sequencer may take now.
  bool Takeable(bool stopping) const {
    return !queued_.empty() && (!atomic_ || closed_ || stopping);
  }

  Sequencer& owner_;
  OutcomeFn on_outcome_;
  const bool atomic_;
  // Guarded by owner_.mu_:
  std::deque<std::pair<std::string, size_t>> queued_;  // (text, line_no)
  size_t unresolved_ = 0;  // lines added, not yet reported or dropped
  bool closed_ = false;
  bool failed_ = false;  // a line was rejected: drop everything after it
  SubmitReport report_;
  std::condition_variable cv_;  // queue space, resolution
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_SEQUENCER_H_
