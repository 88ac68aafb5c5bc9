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

Result<std::optional<IdentifierHolder>> OverlayState::FindKeyHolder(const std::string& k) const {
  RL_ASSIGN_OR_RETURN(auto h, pending_.FindKeyHolder(k));
  return h || base_ == nullptr ? h : base_->FindKeyHolder(k);
}

Result<std::optional<IdentifierHolder>> OverlayState::FindGlnHolder(const std::string& g) const {
  RL_ASSIGN_OR_RETURN(auto h, pending_.FindGlnHolder(g));
  return h || base_ == nullptr ? h : base_->FindGlnHolder(g);
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

struct SignaturePool::Batch {
  std::vector<SignatureJob> jobs;
  std::vector<Status> results;
  size_t next = 0;  // first unclaimed job; guarded by the pool's mutex
  size_t done = 0;  // jobs finished; guarded by the pool's mutex
};

namespace {

// Jobs a worker claims at a time: ~5 ms of Ed25519 work, so the mutex is
// taken rarely and the tail of a batch stays short.
constexpr size_t kGrain = 32;
// Parsed keys a worker keeps; cleared when full (a ledger with more active
// signers than this re-parses some keys, nothing else).
constexpr size_t kKeyCacheLimit = 16384;

}  // namespace

SignaturePool::SignaturePool(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned t = 0; t < threads; ++t) threads_.emplace_back([this] { Work(); });
}

SignaturePool::~SignaturePool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

std::shared_ptr<SignaturePool::Batch> SignaturePool::Start(std::vector<SignatureJob> jobs) {
  auto batch = std::make_shared<Batch>();
  batch->jobs = std::move(jobs);
  batch->results.resize(batch->jobs.size());
  if (batch->jobs.empty()) return batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(batch);
  }
  work_cv_.notify_all();
  return batch;
}

std::vector<Status> SignaturePool::Wait(const std::shared_ptr<Batch>& batch) {
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return batch->done == batch->jobs.size(); });
  return std::move(batch->results);
}

void SignaturePool::Work() {
  std::unordered_map<std::string, Verifier> cache;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing is left
    std::shared_ptr<Batch> batch = queue_.front();
    const size_t begin = batch->next;
    const size_t end = std::min(begin + kGrain, batch->jobs.size());
    batch->next = end;
    if (end == batch->jobs.size()) queue_.pop_front();
    lock.unlock();
    for (size_t i = begin; i < end; ++i) {
      const SignatureJob& job = batch->jobs[i];
      auto it = cache.find(*job.pubkey);
      if (it == cache.end()) {
        auto key = PublicKey::FromRaw(*job.pubkey);
        if (!key.ok()) {
          batch->results[i] = key.status();
          continue;
        }
        auto verifier = Verifier::Create(*key);
        if (!verifier.ok()) {
          batch->results[i] = verifier.status();
          continue;
        }
        if (cache.size() >= kKeyCacheLimit) cache.clear();
        it = cache.emplace(*job.pubkey, std::move(verifier).value()).first;
      }
      batch->results[i] = it->second.Verify(*job.message, *job.sig);
    }
    lock.lock();
    batch->done += end - begin;
    if (batch->done == batch->jobs.size()) done_cv_.notify_all();
  }
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

std::unique_ptr<Replayer::Chunk> Replayer::Decide(std::vector<std::string> leaves) {
  auto chunk = std::make_unique<Chunk>();
  chunk->first = decided_;
  chunk->entries.reserve(leaves.size());
  chunk->keys.reserve(leaves.size());
  size_t& cp = next_checkpoint_decided_;
  std::vector<Result<Entry>> decoded = DecodeAll(leaves, /*leaves=*/true);
  for (size_t i = 0; i < leaves.size(); ++i) {
    const uint64_t index = decided_;
    Result<Entry>& entry = decoded[i];
    if (!entry.ok()) {
      chunk->rule_error = entry.status().WithContext("entry " + std::to_string(index));
      break;
    }
    auto key = ExpectedSigningKey(state_, *entry, index);
    if (!key.ok()) {
      chunk->rule_error = key.status().WithContext("entry " + std::to_string(index));
      break;
    }
    if (index == 0 && genesis_key_ && *key != *genesis_key_) {
      chunk->rule_error = Status::VerificationFailed(
          "entry 0: the operator key does not match the trusted operator key");
      break;
    }
    auto m = Apply(state_, id_, *entry, index);
    if (!m.ok()) {
      chunk->rule_error = m.status().WithContext("entry " + std::to_string(index));
      break;
    }
    state_.Commit(*m);
    ++decided_;
    while (cp < checkpoints_.size() && checkpoints_[cp].cp.size <= decided_) {
      if (checkpoints_[cp].cp.size == decided_) {
        auto op = state_.FindParty(kOperatorId);
        if (op.ok() && *op) chunk->operator_keys[decided_] = (*op)->current_key();
      }
      ++cp;
    }
    if (const auto* r = std::get_if<RegisterParty>(&entry->body)) keys_.emplace_back(r->id, r->pubkey);
    if (const auto* r = std::get_if<RotateKey>(&entry->body)) keys_.emplace_back(entry->party, r->pubkey);
    chunk->entries.push_back(std::move(entry).value());
    chunk->keys.push_back(std::move(key).value());
  }
  std::vector<SignatureJob> jobs;
  jobs.reserve(chunk->entries.size());
  for (size_t i = 0; i < chunk->entries.size(); ++i)
    jobs.push_back({&chunk->entries[i].signed_bytes, &chunk->entries[i].sig, &chunk->keys[i]});
  chunk->sigs = pool_.Start(std::move(jobs));
  return chunk;
}

Status Replayer::Complete(Chunk& chunk) {
  std::vector<Status> sigs = pool_.Wait(chunk.sigs);
  // Advance the tree entry by entry so checkpoints at any size are checked.
  std::vector<std::pair<NodeId, Hash>> nodes;
  for (size_t i = 0; i < chunk.entries.size(); ++i) {
    const uint64_t index = chunk.first + i;
    if (!sigs[i].ok())
      return Status::VerificationFailed("entry " + std::to_string(index) +
                                        ": signature invalid for party " +
                                        chunk.entries[i].party + " (" + sigs[i].message() + ")");
    for (auto& node : frontier_.Append(LeafHash(chunk.entries[i].leaf))) nodes.push_back(node);
    auto key = chunk.operator_keys.find(frontier_.size());
    if (key != chunk.operator_keys.end())
      RL_RETURN_IF_ERROR(CheckCheckpointsAt(frontier_.size(), key->second));
  }
  if (node_check_) RL_RETURN_IF_ERROR(node_check_(nodes));
  return chunk.rule_error;
}

Status Replayer::Flush() {
  std::unique_ptr<Chunk> chunk;
  if (!buffer_.empty()) {
    chunk = Decide(std::move(buffer_));
    buffer_.clear();
  }
  // Errors surface in log order: the earlier chunk's first.
  if (pending_) {
    Status s = Complete(*pending_);
    pending_.reset();
    if (!s.ok()) {
      if (chunk) (void)pool_.Wait(chunk->sigs);  // the pool still points into it
      return s;
    }
  }
  if (chunk && !chunk->rule_error.ok()) return Complete(*chunk);  // nothing follows a broken rule
  pending_ = std::move(chunk);
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
