// Encoding of PartyRecord and LotRecord as compact JSON for the store.
// Internal to ledger/: the store's byte format (docs/formats.md).
// Decoding is strict: a record that does not decode is Corruption.
#ifndef RARELEDGER_LEDGER_RECORDS_H_
#define RARELEDGER_LEDGER_RECORDS_H_

#include <string>
#include <string_view>

#include "ledger/record_json.h"
#include "ledger/state.h"

namespace rareledger::ledger {

std::string EncodeParty(const PartyRecord& p);
Result<PartyRecord> DecodeParty(std::string_view bytes);
std::string EncodeLot(const LotRecord& l);
Result<LotRecord> DecodeLot(std::string_view bytes);

// The display forms (LotJson, PartyJson) are in record_json.h.

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_RECORDS_H_
