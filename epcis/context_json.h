// The ImportContext as JSON: what GET /v1/epcis/context serves
// (docs/server.md) and `epcis import --server` reads, so the mapping runs
// on the client, where the key is.
//
//   {"ledger", "currency", "party", "next_seq", "size",
//    "parties": {GLN: party id}, "lots": {lot id: {"holder", "remaining_g",
//    "acquired_at"}}, "imported": {event id: [entry index, ...]}}
//
// ContextFromJson(ContextJson(c)) == c for every context; it refuses
// (IOError, naming the field) anything else, so a client never maps
// against a half-read answer.
#ifndef RARELEDGER_EPCIS_CONTEXT_JSON_H_
#define RARELEDGER_EPCIS_CONTEXT_JSON_H_

#include <nlohmann/json.hpp>

#include "epcis/import.h"
#include "ledger/status.h"

namespace rareledger::epcis {

nlohmann::json ContextJson(const ImportContext& context);
ledger::Result<ImportContext> ContextFromJson(const nlohmann::json& j);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_CONTEXT_JSON_H_
