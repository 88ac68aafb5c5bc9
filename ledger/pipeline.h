// The entry pipeline: one mechanism for every path that takes entries into
// a log in order, with signatures checked on all cores: submit (through the
// Sequencer, sequencer.h), verify and verify-bundle (the Replayer,
// replay.h), and the server's group commit.
//
// Entries move in chunks. For each chunk, in this order:
//   1. decode   every slot's text (an envelope, or a stored leaf) on the
//               pool, urgently;
//   2. decide   the slots in log order on the calling thread (the state
//               rules, duplicates): the client's Decide;
//   3. verify   the signature of every slot Decide gave a key, on the pool;
//   4. complete in chunk order, on a helper thread: the client's Complete
//               (commit and report, or advance the tree and check
//               checkpoints).
// Chunk k completes while chunk k+1 is decided, and chunk k+1's signatures
// run while chunk k commits, so the sequential work hides behind the
// signature work that bounds the whole.
//
// Failure: a chunk whose Complete returns false invalidates the chunk
// decided after it (its decisions rest on entries that were not accepted):
// that chunk is handed back to the client's Discard, never completed.
#ifndef RARELEDGER_LEDGER_PIPELINE_H_
#define RARELEDGER_LEDGER_PIPELINE_H_

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "ledger/entry.h"
#include "ledger/status.h"
#include "ledger/work_pool.h"

namespace rareledger::ledger {

// Entries decided, verified and committed together by default: large enough
// to keep every core busy, small enough that a chunk stays a few MiB.
inline constexpr size_t kDefaultChunkEntries = 4096;

// One entry in a chunk.
struct Slot {
  std::string text;    // the submitted line, or the stored leaf
  uint64_t label = 0;  // for messages: line number (submit), index (verify)
  Result<Entry> entry = Status::InvalidArgument("not decoded");
  std::string key;     // set by Decide: the raw key that must have signed
                       // the entry; empty: no signature to check
  Status signature;    // the outcome, set before Complete
};

class Chunk {
 public:
  virtual ~Chunk() = default;
  std::vector<Slot> slots;

 private:
  friend class Pipeline;
  std::vector<size_t> signed_;  // slots whose signature is checked
  std::shared_ptr<WorkPool::Task> signatures_;
};

// What a path does at steps 2 and 4 (see the top of this file).
class PipelineClient {
 public:
  virtual ~PipelineClient() = default;
  // Decides the chunk's slots in log order (slot.entry holds the decoded
  // entry or the decoding error). `previous`, when not null, is the chunk
  // decided before, whose Complete may be running on another thread.
  virtual void Decide(Chunk& chunk, const Chunk* previous) = 0;
  // Called with every slot.signature set, in chunk order. False: the chunk
  // decided after this one must not be completed.
  virtual bool Complete(Chunk& chunk) = 0;
  // A chunk decided after one whose Complete returned false (its
  // signatures are done; it was never completed).
  virtual void Discard(std::unique_ptr<Chunk> chunk) = 0;
  // `next` was decided on top of `previous`, which has now completed and is
  // about to be destroyed: drop references into it.
  virtual void Retire(Chunk& next) = 0;
};

enum class Decoding { kEnvelopes, kLeaves };

class Pipeline {
 public:
  // `threads` 0: one pool thread per core. `client` must outlive the
  // pipeline.
  Pipeline(PipelineClient& client, Decoding decoding, unsigned threads = 0);
  // Waits for what is in flight without completing it.
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Decodes and decides `next` (may be null) while the chunk in flight
  // completes, then starts next's signatures; `next` is then in flight.
  // False when the completed chunk returned false (`next` was discarded).
  bool Step(std::unique_ptr<Chunk> next);
  // Completes the chunk in flight, if any.
  bool Flush() { return Step(nullptr); }
  bool in_flight() const { return in_flight_ != nullptr; }
  WorkPool& pool() { return pool_; }

 private:
  void Decode(Chunk& chunk);
  void StartSignatures(Chunk& chunk);

  PipelineClient& client_;
  Decoding decoding_;
  WorkPool pool_;
  std::unique_ptr<Chunk> in_flight_;  // decided, signatures started
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_PIPELINE_H_
