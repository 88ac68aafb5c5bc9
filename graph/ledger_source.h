// The ProvenanceSource of a RocksDB ledger: every read is a point lookup in
// the indexes kept at append time (lot records, consumers, entries by
// index), so a query touches only the cone it needs.
#ifndef RARELEDGER_GRAPH_LEDGER_SOURCE_H_
#define RARELEDGER_GRAPH_LEDGER_SOURCE_H_

#include "graph/source.h"
#include "ledger/ledger.h"

namespace rareledger::graph {

class LedgerSource : public ProvenanceSource {
 public:
  // `ledger` must outlive this source.
  explicit LedgerSource(const ledger::Ledger& ledger) : ledger_(ledger) {}
  ledger::Result<ledger::LotRecord> GetLot(const std::string& id) const override;
  ledger::Result<ledger::Entry> GetEntry(uint64_t index) const override;
  ledger::Result<std::vector<uint64_t>> ConsumersOf(const std::string& lot) const override;
  uint64_t Size() const override;
  ledger::Result<ledger::PartyRecord> GetParty(const std::string& id) const override;

 private:
  const ledger::Ledger& ledger_;
};

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_LEDGER_SOURCE_H_
