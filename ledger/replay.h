// Deciding entries in log order, with signatures checked on all cores.
//
// Both appending (Ledger::Submit) and re-checking (verify, verify-bundle) run
// entries through the same two steps: the state rules in log order on one
// thread (Apply, cheap), then every signature of the chunk on a pool of
// threads (the expensive part). A chunk is accepted up to its first failure,
// whichever step found it.
#ifndef RARELEDGER_LEDGER_REPLAY_H_
#define RARELEDGER_LEDGER_REPLAY_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/state.h"

namespace rareledger::ledger {

// `pending` changes layered over a base view (the store, or nothing).
class OverlayState : public StateView {
 public:
  explicit OverlayState(const StateView* base) : base_(base) {}
  Result<std::optional<PartyRecord>> FindParty(const std::string& id) const override;
  Result<std::optional<LotRecord>> FindLot(const std::string& id) const override;
  Result<std::optional<IdentifierHolder>> FindKeyHolder(const std::string& pubkey) const override;
  Result<std::optional<IdentifierHolder>> FindGlnHolder(const std::string& gln) const override;
  void Commit(const Mutation& m) { pending_.Commit(m); }
  void set_base(const StateView* base) { base_ = base; }
  MemoryState& pending() { return pending_; }
  const MemoryState& pending() const { return pending_; }

 private:
  const StateView* base_;  // may be null
  MemoryState pending_;
};

struct SignatureJob {
  const std::string* message;  // signed bytes
  const std::string* sig;      // 64 bytes
  const std::string* pubkey;   // 32 raw bytes
};

// Runs fn(i) for i in [0, n) on `threads` threads (0: one per core).
// fn must be safe to call concurrently for different i.
void ParallelFor(size_t n, const std::function<void(size_t)>& fn, unsigned threads = 0);

// Decodes every text (DecodeEnvelope, or DecodeLeaf when `leaves`) on all
// cores. Result i is the outcome for text i.
std::vector<Result<Entry>> DecodeAll(const std::vector<std::string>& texts, bool leaves);

// Verifies batches of signatures on a fixed set of worker threads (one per
// core), each keeping the keys it has parsed across batches. Start() queues
// a batch and returns at once, so the caller can decide the next chunk of
// entries while this one is verified (the submit and verify pipelines);
// batches are worked on in the order they were started.
class SignaturePool {
 public:
  struct Batch;
  explicit SignaturePool(unsigned threads = 0);
  // Finishes every queued batch, then stops the threads.
  ~SignaturePool();
  SignaturePool(const SignaturePool&) = delete;
  SignaturePool& operator=(const SignaturePool&) = delete;

  // The strings the jobs point to must stay alive until Wait returns.
  std::shared_ptr<Batch> Start(std::vector<SignatureJob> jobs);
  // Blocks until every job of `batch` is done. Result i is the outcome of
  // job i.
  std::vector<Status> Wait(const std::shared_ptr<Batch>& batch);

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<std::shared_ptr<Batch>> queue_;  // batches with unclaimed jobs
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Verifies a whole log from its leaves, in order, in memory: signatures with
// the key current at each entry's position, every state rule, seq, and the
// Merkle root at each checkpoint's size. Used by `verify` (leaves from
// RocksDB) and `verify-bundle` (leaves from entries.jsonl). Memory grows with
// the number of lots and parties, not with the number of entries.
class Replayer {
 public:
  // `genesis_key` (32 raw bytes), when given, must be the key of entry 0:
  // the operator key the auditor trusts.
  Replayer(std::string ledger_id, std::optional<std::string> genesis_key);

  // Expects checkpoints (signed notes) in issue order; each is checked when
  // the replay reaches its size.
  Status AddCheckpoints(const std::vector<std::string>& notes);
  // When set, called once per decided chunk with every tree node the chunk
  // completed (as Frontier::Append returns them); a non-ok Status stops the
  // replay. `verify` uses it to compare the stored tree node by node.
  void SetNodeCheck(
      std::function<Status(const std::vector<std::pair<NodeId, Hash>>&)> check) {
    node_check_ = std::move(check);
  }
  // Feeds the next leaf. Leaves are buffered and decided in chunks: an error
  // may surface on a later call or on Finish. Errors name the entry index.
  Status Add(std::string leaf);
  // Decides what is buffered and checks that every checkpoint was reached.
  Status Finish();

  uint64_t size() const { return frontier_.size(); }
  const Frontier& frontier() const { return frontier_; }
  const MemoryState& state() const { return state_.pending(); }
  // Every key each party ever had, in log order: (party id, raw key).
  const std::vector<std::pair<std::string, std::string>>& keys() const { return keys_; }
  uint64_t checkpoints_checked() const { return checkpoints_checked_; }

 private:
  // A chunk whose rules were decided and whose signatures are being
  // verified by the pool.
  struct Chunk {
    uint64_t first = 0;  // index of entries[0]
    std::vector<Entry> entries;
    std::vector<std::string> keys;  // the key each entry must be signed with
    // The operator key at each size a checkpoint commits to, captured while
    // the rules ran: later entries of the chunk may rotate it.
    std::map<uint64_t, std::string> operator_keys;
    Status rule_error;  // the first entry after `entries` broke a rule
    std::shared_ptr<SignaturePool::Batch> sigs;
  };

  // Decides the rules of what is buffered, starts its signatures, then
  // completes the chunk before it: the pool verifies one chunk while the
  // rules run on the next.
  Status Flush();
  std::unique_ptr<Chunk> Decide(std::vector<std::string> leaves);
  // Waits for a chunk's signatures, then advances the tree and checks the
  // checkpoints and stored nodes it reaches.
  Status Complete(Chunk& chunk);
  // Checks the checkpoints of `size` against the root so far, signed by
  // `operator_key` (the operator's key current at that size).
  Status CheckCheckpointsAt(uint64_t size, const std::string& operator_key);

  LedgerIdentity id_;
  std::optional<std::string> genesis_key_;
  OverlayState state_{nullptr};
  uint64_t decided_ = 0;  // entries whose rules ran (>= frontier_.size())
  Frontier frontier_;
  std::vector<std::string> buffer_;
  std::function<Status(const std::vector<std::pair<NodeId, Hash>>&)> node_check_;
  std::vector<std::pair<std::string, std::string>> keys_;
  struct PendingCheckpoint {
    Checkpoint cp;
    std::string note;
    size_t n;
  };
  std::vector<PendingCheckpoint> checkpoints_;  // sorted by size, stable
  size_t next_checkpoint_ = 0;
  size_t next_checkpoint_decided_ = 0;  // the rules' position in checkpoints_
  uint64_t checkpoints_checked_ = 0;
  std::unique_ptr<Chunk> pending_;  // decided, signatures in flight
  // Last: destroyed first, so it finishes the pending batch while the
  // chunk it points into is still alive.
  SignaturePool pool_;
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_REPLAY_H_
