// The display form of party and lot records (`show`, `lot list`, the
// server's JSON): keys in base64, readable names. Not the stored bytes.
#ifndef RARELEDGER_LEDGER_RECORD_JSON_H_
#define RARELEDGER_LEDGER_RECORD_JSON_H_

#include <nlohmann/json.hpp>

#include "ledger/state.h"

namespace rareledger::ledger {

nlohmann::json LotJson(const LotRecord& l);
// Grams of each element in `grams_of_g` grams of material whose `declared`
// elements are of `basis_g` grams: integers when whole, else reduced "n/d".
nlohmann::json ElementShareJson(const Elements& declared, int64_t basis_g, int64_t grams_of_g);
nlohmann::json PartyJson(const PartyRecord& p);

struct Entry;
struct InclusionProofInfo;
struct ConsistencyProofInfo;
// {"index", "leaf_hash", "payload", "sig"}: `show entry`, GET /v1/entries/N.
nlohmann::json EntryJson(uint64_t index, const Entry& e);
// The JSON `prove` prints and /v1/proofs returns: {"index", "size",
// "leaf_hash", "path", "root"} and {"old", "new", "old_root", "new_root",
// "path"}, hashes in hex.
nlohmann::json InclusionProofJson(const InclusionProofInfo& p);
nlohmann::json ConsistencyProofJson(const ConsistencyProofInfo& p);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_RECORD_JSON_H_
