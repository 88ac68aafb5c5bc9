#include "ledger/work_pool.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "ledger/verifier.h"

namespace rareledger::ledger {

struct WorkPool::Task {
  size_t n = 0;
  std::function<void(size_t)> fn;
  size_t grain = 1;
  size_t next = 0;  // first unclaimed call; guarded by the pool's mutex
  size_t done = 0;  // calls finished; guarded by the pool's mutex
};

namespace {

// Parsed keys a worker keeps; cleared when full (a ledger with more active
// signers than this re-parses some keys, nothing else).
constexpr size_t kKeyCacheLimit = 16384;
// Calls a worker claims at a time at most: a few ms of Ed25519 work, so the
// mutex is taken rarely and the tail of a task stays short.
constexpr size_t kMaxGrain = 32;

}  // namespace

WorkPool::WorkPool(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned t = 0; t < threads; ++t) threads_.emplace_back([this] { Work(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

std::shared_ptr<WorkPool::Task> WorkPool::Start(size_t n, std::function<void(size_t)> fn,
                                                Priority priority) {
  auto task = std::make_shared<Task>();
  task->n = n;
  task->fn = std::move(fn);
  // Small tasks are spread over every worker; big ones in grains.
  task->grain = std::clamp<size_t>(n / (4 * threads_.size()), 1, kMaxGrain);
  if (n == 0) return task;
  {
    std::lock_guard<std::mutex> lock(mu_);
    (priority == Priority::kUrgent ? urgent_ : normal_).push_back(task);
  }
  work_cv_.notify_all();
  return task;
}

void WorkPool::Wait(const std::shared_ptr<Task>& task) {
  if (!task) return;
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return task->done == task->n; });
}

void WorkPool::Run(size_t n, std::function<void(size_t)> fn, Priority priority) {
  Wait(Start(n, std::move(fn), priority));
}

void WorkPool::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || !urgent_.empty() || !normal_.empty(); });
    auto& queue = !urgent_.empty() ? urgent_ : normal_;
    if (queue.empty()) return;  // stopping, and nothing is left
    std::shared_ptr<Task> task = queue.front();
    const size_t begin = task->next;
    const size_t end = std::min(begin + task->grain, task->n);
    task->next = end;
    if (end == task->n) queue.pop_front();
    lock.unlock();
    for (size_t i = begin; i < end; ++i) task->fn(i);
    lock.lock();
    task->done += end - begin;
    if (task->done == task->n) done_cv_.notify_all();
  }
}

Status VerifyCached(std::string_view pubkey, std::string_view message, std::string_view sig) {
  thread_local std::unordered_map<std::string, Verifier> cache;
  auto it = cache.find(std::string(pubkey));
  if (it == cache.end()) {
    RL_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromRaw(pubkey));
    RL_ASSIGN_OR_RETURN(Verifier verifier, Verifier::Create(key));
    if (cache.size() >= kKeyCacheLimit) cache.clear();
    it = cache.emplace(std::string(pubkey), std::move(verifier)).first;
  }
  return it->second.Verify(message, sig);
}

}  // namespace rareledger::ledger
