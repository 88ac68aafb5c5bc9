// Replayer: re-checks a whole log from its leaves, in order, in memory:
// signatures with the key current at each entry's position, every state
// rule, seq, and the Merkle root at each checkpoint's size. Used by
// `verify` (leaves from RocksDB) and `verify-bundle` (leaves from
// entries.jsonl), on the same pipeline as submit (pipeline.h). Memory grows
// with the number of lots and parties, not with the number of entries.
#ifndef RARELEDGER_LEDGER_REPLAY_H_
#define RARELEDGER_LEDGER_REPLAY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/overlay_state.h"
#include "ledger/pipeline.h"
#include "ledger/state.h"

namespace rareledger::ledger {

struct ReplayOptions {
  size_t chunk_entries = kDefaultChunkEntries;  // leaves per chunk (>= 1)
  unsigned threads = 0;                         // pool threads; 0: one per core
};

class Replayer {
 public:
  // `genesis_key` (32 raw bytes), when given, must be the key of entry 0:
  // the operator key the auditor trusts.
  Replayer(std::string ledger_id, std::optional<std::string> genesis_key,
           ReplayOptions options = {});
  ~Replayer();
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;

  // Expects checkpoints (signed notes) in issue order; each is checked when
  // the replay reaches its size.
  Status AddCheckpoints(const std::vector<std::string>& notes);
  // When set, called once per completed chunk with every tree node the
  // chunk completed (as Frontier::Append returns them); a non-ok Status
  // stops the replay. `verify` uses it to compare the stored tree.
  void SetNodeCheck(
      std::function<Status(const std::vector<std::pair<NodeId, Hash>>&)> check) {
    node_check_ = std::move(check);
  }
  // Feeds the next leaf. Leaves are decided in chunks: an error may surface
  // on a later call or on Finish. Errors name the entry index, and the
  // first error in log order is the one reported.
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
  class Client;
  struct ReplayChunk;
  struct PendingCheckpoint {
    Checkpoint cp;
    std::string note;
    size_t n;  // its position in issue order
  };

  Status Flush();
  // Checks the checkpoints of `size` against the root so far, signed by
  // `operator_key` (the operator's key current at that size).
  Status CheckCheckpointsAt(uint64_t size, const std::string& operator_key);

  LedgerIdentity id_;
  std::optional<std::string> genesis_key_;
  ReplayOptions options_;
  // Decided on the pipeline's calling thread:
  OverlayState state_{nullptr};
  uint64_t decided_ = 0;  // entries whose rules ran (>= frontier_.size())
  std::vector<std::pair<std::string, std::string>> keys_;
  size_t next_checkpoint_decided_ = 0;
  bool rules_broken_ = false;  // an entry broke a rule: decide no more
  // Completed on the pipeline's helper thread:
  Frontier frontier_;
  size_t next_checkpoint_ = 0;
  uint64_t checkpoints_checked_ = 0;
  Status error_;  // the first failure, in log order

  std::vector<std::string> buffer_;
  std::function<Status(const std::vector<std::pair<NodeId, Hash>>&)> node_check_;
  std::vector<PendingCheckpoint> checkpoints_;  // sorted by size, stable
  std::unique_ptr<Client> client_;
  std::unique_ptr<Pipeline> pipeline_;  // last: destroyed first
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_REPLAY_H_
