// The steps of Ledger::Verify (ledger/verify.cpp, ledger/verify_rows.cpp).
// Internal to the library: callers use Ledger::Verify.
//
// What verify proves (docs/robustness.md, "What verify checks"): the stored
// log replays (every signature, rule, seq, checkpoint root and signature),
// and every other stored row, in every column family, is exactly one that
// the replay implies, byte for byte: nothing extra, nothing missing.
//
// Column families fall in two kinds:
//   inputs   entries, checkpoints: read whole (every row) by
//            ReplayEntries and CheckCheckpointChain;
//   derived  everything else: each has an ImpliedRows (ImpliedFamilies)
//            and CheckNoExtraRows compares it with the stored rows.
// A family with neither (a new one nobody taught verify about) fails
// verify, so a new column family cannot become a blind spot: give it an
// ImpliedRows in verify_rows.cpp and list it in ImpliedFamilies.
#ifndef RARELEDGER_LEDGER_VERIFY_H_
#define RARELEDGER_LEDGER_VERIFY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/replay.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace rareledger::ledger::verify {

// party id -> the log index of each of its entries, in seq order (seq s at
// [s - 1]), as the replayed entries give them.
using PartySeqs = std::unordered_map<std::string, std::vector<uint64_t>>;

using ProgressFn = std::function<void(uint64_t, uint64_t)>;

struct CheckpointChain {
  std::vector<std::string> notes;  // in issue order
  uint64_t latest_size = 0;        // 0 when there is none
};

// The checkpoints rows: keys be64(0), be64(1), ... without a gap, each a
// checkpoint note that parses, sizes never decreasing (one is issued of
// the whole log as it grows). Their origins, roots and signatures are the
// replay's to check (Replayer::AddCheckpoints and its checks at each size).
Result<CheckpointChain> CheckCheckpointChain(const Store& store);

// Compares every tree node the replay completes with the stored one (the
// Replayer's node check): proofs are built from the stored nodes.
std::function<Status(const std::vector<std::pair<NodeId, Hash>>&)> CheckStoredTree(
    const Store& store);

// Feeds every entries row to `replay` in log order, then finishes it. Fails
// on a missing index below the log size, on any row at or past it, and on
// a malformed key; the replay's own error comes first when it names an
// earlier entry. Fills `seqs` from the leaves.
Status ReplayEntries(const Store& store, Replayer& replay, PartySeqs* seqs,
                     const ProgressFn& progress);

// The rows one derived column family must hold, as the replayed log implies
// them. Check is exact: a row passes only if its key is one of the implied
// keys and its value the implied bytes, so, keys being unique, as many
// passing rows as count() means the family is exactly the implied one.
class ImpliedRows {
 public:
  virtual ~ImpliedRows() = default;
  virtual const char* family() const = 0;
  virtual uint64_t count() const = 0;
  // Ok iff (key, value) is an implied row, byte for byte; else
  // VerificationFailed naming the row and what is wrong with it.
  virtual Status Check(std::string_view key, std::string_view value) const = 0;
  // Calls fn(key, name) for every implied row until fn returns false; used
  // only to name a missing row ("lot record \"L\"").
  virtual void ForEachImplied(
      const std::function<bool(const std::string&, const std::string&)>& fn) const = 0;
};

// One ImpliedRows per derived column family, from the finished replay.
std::vector<std::unique_ptr<ImpliedRows>> ImpliedFamilies(const Store& store,
                                                          const Replayer& replay,
                                                          const PartySeqs& seqs);

// Scans every derived column family of the store against `families`:
// every stored row must pass Check, and none may be missing. Fails for a
// family of the store that is neither an input nor in `families`.
Status CheckNoExtraRows(const Store& store,
                        const std::vector<std::unique_ptr<ImpliedRows>>& families);

// "\"id\"": a store key or id quoted for an error message.
std::string Quote(std::string_view s);

}  // namespace rareledger::ledger::verify

#endif  // RARELEDGER_LEDGER_VERIFY_H_
