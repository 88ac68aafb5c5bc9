// Encoding of PartyRecord and LotRecord as compact JSON for the store.
// Decoding is strict: a record that does not decode is Corruption.
#ifndef RARELEDGER_LEDGER_RECORDS_H_
#define RARELEDGER_LEDGER_RECORDS_H_

#include <string>
#include <string_view>

#include "ledger/state.h"

namespace rareledger::ledger {

std::string EncodeParty(const PartyRecord& p);
Result<PartyRecord> DecodeParty(std::string_view bytes);
std::string EncodeLot(const LotRecord& l);
Result<LotRecord> DecodeLot(std::string_view bytes);

// For display (`show lot`): the record with keys in base64 and readable names.
nlohmann::json LotJson(const LotRecord& l);
nlohmann::json PartyJson(const PartyRecord& p);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_RECORDS_H_
