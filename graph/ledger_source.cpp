#include "graph/ledger_source.h"

namespace rareledger::graph {

ledger::Result<ledger::LotRecord> LedgerSource::GetLot(const std::string& id) const {
  return ledger_.GetLot(id);
}

ledger::Result<ledger::Entry> LedgerSource::GetEntry(uint64_t index) const {
  return ledger_.GetEntry(index);
}

ledger::Result<std::vector<uint64_t>> LedgerSource::ConsumersOf(const std::string& lot) const {
  return ledger_.ConsumersOf(lot);
}

ledger::Result<ledger::PartyRecord> LedgerSource::GetParty(const std::string& id) const {
  return ledger_.GetParty(id);
}

uint64_t LedgerSource::Size() const { return ledger_.Info().size; }

}  // namespace rareledger::graph
