#include <variant>

#include "graph/source.h"

namespace rareledger::graph {

using ledger::Result;
using ledger::Status;

Result<ledger::LotRecord> MemorySource::GetLot(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(std::optional<ledger::LotRecord> lot, state_.FindLot(id));
  if (!lot) return Status::NotFound("no lot " + id);
  return *std::move(lot);
}

Result<ledger::Entry> MemorySource::GetEntry(uint64_t index) const {
  if (index >= entries_.size())
    return Status::NotFound("no entry " + std::to_string(index) + " (log size " +
                            std::to_string(entries_.size()) + ")");
  return entries_[index];
}

Result<ledger::PartyRecord> MemorySource::GetParty(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(std::optional<ledger::PartyRecord> party, state_.FindParty(id));
  if (!party) return Status::NotFound("no party " + id);
  return *std::move(party);
}

Result<std::vector<uint64_t>> MemorySource::ConsumersOf(const std::string& lot) const {
  return state_.ConsumersOf(lot);
}

ledger::Result<std::vector<AttestationNote>> AttestationsOf(const ProvenanceSource& source,
                                                           const ledger::LotRecord& lot) {
  std::vector<AttestationNote> out;
  for (uint64_t index : lot.attestations) {
    RL_ASSIGN_OR_RETURN(ledger::Entry e, source.GetEntry(index));
    const auto* a = std::get_if<ledger::Attest>(&e.body);
    if (a == nullptr || a->subject_lot != lot.id)
      return ledger::Status::Corruption("entry " + std::to_string(index) +
                                        " is not an attestation of lot " + lot.id);
    out.push_back({index, e.party, e.time, a->claim, a->detail});
  }
  return out;
}

std::vector<std::string> LotsMadeBy(const ledger::Entry& entry) {
  std::vector<std::string> out;
  if (const auto* c = std::get_if<ledger::CreateLot>(&entry.body)) {
    out.push_back(c->lot);
  } else if (const auto* s = std::get_if<ledger::Split>(&entry.body)) {
    for (const auto& part : s->parts) out.push_back(part.lot);
  } else if (const auto* t = std::get_if<ledger::Transform>(&entry.body)) {
    for (const auto& o : t->outputs) out.push_back(o.lot);
  }
  return out;
}

}  // namespace rareledger::graph
