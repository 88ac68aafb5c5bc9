// WorkPool: a fixed set of worker threads (one per core) for the parallel
// parts of the entry pipeline: decoding entries and verifying signatures.
//
// Work is queued as tasks of n independent calls fn(0..n-1). Start() returns
// at once, so the caller can do sequential work while the pool runs; Wait()
// blocks until every call of a task has returned. Urgent tasks (decoding the
// chunk the caller is about to decide) are taken before normal ones
// (signatures of a chunk already decided), so the sequential deciding thread
// rarely waits while signatures keep every core busy.
//
// Threads live as long as the pool, so per-thread state (the parsed-key
// cache of VerifyCached) survives across tasks.
#ifndef RARELEDGER_LEDGER_WORK_POOL_H_
#define RARELEDGER_LEDGER_WORK_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "ledger/status.h"

namespace rareledger::ledger {

class WorkPool {
 public:
  enum class Priority { kUrgent, kNormal };
  struct Task;

  // `threads` 0: one per core.
  explicit WorkPool(unsigned threads = 0);
  // Finishes every queued task, then stops the threads.
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues fn(i) for i in [0, n). fn must be safe to call concurrently for
  // different i, and what it touches must stay alive until Wait returns.
  std::shared_ptr<Task> Start(size_t n, std::function<void(size_t)> fn,
                              Priority priority = Priority::kNormal);
  // Blocks until every call of `task` has returned. A null task is done.
  void Wait(const std::shared_ptr<Task>& task);
  // Start + Wait.
  void Run(size_t n, std::function<void(size_t)> fn, Priority priority = Priority::kUrgent);

  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<std::shared_ptr<Task>> urgent_;  // tasks with unclaimed calls
  std::deque<std::shared_ptr<Task>> normal_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Verifies an Ed25519 signature of `message` by the raw 32-byte `pubkey`,
// keeping the parsed key in a per-thread cache (bounded) so that a worker
// parses each signer's key once, not once per entry.
Status VerifyCached(std::string_view pubkey, std::string_view message, std::string_view sig);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_WORK_POOL_H_
