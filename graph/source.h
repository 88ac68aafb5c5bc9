// ProvenanceSource: the read interface the provenance model and the policy
// engine use, so that one lot's assessment or trace loads only its cone.
//
// Upstream of lot X: the entry at X.created_at (a split: its parent; a
// transform: its inputs). Downstream of X: ConsumersOf(X) -> those entries ->
// their parts or outputs. Implementations: MemorySource (tests, bundles) and
// the RocksDB-backed source in graph/ledger_source.cpp.
//
// Thread safety: implementations must allow concurrent const calls.
#ifndef RARELEDGER_GRAPH_SOURCE_H_
#define RARELEDGER_GRAPH_SOURCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/entry.h"
#include "ledger/state.h"
#include "ledger/status.h"

namespace rareledger::graph {

class ProvenanceSource {
 public:
  virtual ~ProvenanceSource() = default;
  // The lot's record as of the end of the log. NotFound if none.
  virtual ledger::Result<ledger::LotRecord> GetLot(const std::string& id) const = 0;
  // The decoded entry at `index`. NotFound if index >= Size().
  virtual ledger::Result<ledger::Entry> GetEntry(uint64_t index) const = 0;
  // Indexes of the split/transform entries consuming `lot`, ascending.
  virtual ledger::Result<std::vector<uint64_t>> ConsumersOf(const std::string& lot) const = 0;
  // Number of entries in the log.
  virtual uint64_t Size() const = 0;
  // The party's record as of the end of the log. NotFound if none.
  virtual ledger::Result<ledger::PartyRecord> GetParty(const std::string& id) const = 0;
};

// A source over a replayed MemoryState and its entries in log order. Both
// are borrowed: they must outlive the source and stay unchanged while used.
class MemorySource : public ProvenanceSource {
 public:
  MemorySource(const ledger::MemoryState& state, const std::vector<ledger::Entry>& entries)
      : state_(state), entries_(entries) {}

  ledger::Result<ledger::LotRecord> GetLot(const std::string& id) const override;
  ledger::Result<ledger::Entry> GetEntry(uint64_t index) const override;
  ledger::Result<std::vector<uint64_t>> ConsumersOf(const std::string& lot) const override;
  uint64_t Size() const override { return entries_.size(); }
  ledger::Result<ledger::PartyRecord> GetParty(const std::string& id) const override;

 private:
  const ledger::MemoryState& state_;
  const std::vector<ledger::Entry>& entries_;
};

// An auditor's attest entry about a lot, as trace and assess show it.
struct AttestationNote {
  uint64_t index = 0;  // the attest entry
  std::string auditor;
  std::string time;
  std::string claim;
  std::optional<std::string> detail;
};

// The attestations of `lot` (its record's `attestations`), in log order.
// Corruption when one of those entries is not an attestation of the lot.
ledger::Result<std::vector<AttestationNote>> AttestationsOf(const ProvenanceSource& source,
                                                           const ledger::LotRecord& lot);

// The lot ids made by `entry` (create_lot: its lot; split: the parts in
// order; transform: the outputs in order; otherwise none).
std::vector<std::string> LotsMadeBy(const ledger::Entry& entry);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_SOURCE_H_
