// Ledger -> EPCIS 2.0 document (docs/epcis.md "Export").
//
// create_lot -> ObjectEvent ADD commissioning; transfer (with a split of
// the same party just before it folded in) -> ObjectEvent OBSERVE
// shipping; transform -> TransformationEvent. Each event carries
// rl:ledger and rl:entry. The document validates against GS1's JSON
// Schema with format checks, and importing it into a fresh ledger with
// the same parties (with their GLNs) gives the same payloads.
#ifndef RARELEDGER_EPCIS_EXPORT_H_
#define RARELEDGER_EPCIS_EXPORT_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ledger/ledger.h"

namespace rareledger::epcis {

struct ExportOptions {
  std::optional<std::string> lot;  // only the lot's cone (upstream unless down)
  bool down = false;
  std::string party;          // only entries this party signed; empty: all
  bool with_values = false;   // rl:value / rl:prices (commercial secrets) only on request
  std::string creation_date;  // empty: now
};

// NotFound for an unknown --lot or --party.
ledger::Result<nlohmann::json> ExportDocument(const ledger::Ledger& ledger, const ExportOptions& options);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_EXPORT_H_
