// The rareledger extension terms an import reads (docs/epcis.md "The
// extension"): per-lot data in ILMD rl:lots, prices, transform fields.
// Every function throws Refused (refusal.h) on what it cannot read exactly.
#ifndef RARELEDGER_EPCIS_LOT_DATA_H_
#define RARELEDGER_EPCIS_LOT_DATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "epcis/document.h"

namespace rareledger::epcis {

// ILMD cbvmda:countryOfOrigin (or gs1:countryOfOrigin), an ISO 3166-1
// alpha-2 code; missing_origin without one.
std::string Origin(const Prefixes& p, const json& ilmd);

struct LotData {
  std::string material, category;
  int64_t value = 0;                // minor units of the ledger currency
  std::optional<json> elements;     // {"Dy": grams, ...}
  std::optional<std::string> hs;
};
// The ILMD rl:lots entry whose rl:epcClass names `lot`: missing_lot_data,
// bad_extension (category outside the ledger's list), currency_mismatch.
LotData ReadLotData(const Prefixes& p, const json& ilmd, const std::string& lot,
                    const std::string& currency);

// {rl:amount: "decimal", rl:currency: "ISO 4217"} in minor units.
int64_t ReadValue(const Prefixes& p, const json& value, const std::string& currency,
                  const std::string& what);
// The event's rl:prices entry for `lot`, in minor units; nothing without one.
std::optional<int64_t> ReadPrice(const Prefixes& p, const json& event, const std::string& lot,
                                 const std::string& currency);

// A TransformationEvent (or the events of one transformationID) read
// together.
struct TransformData {
  std::vector<std::pair<json, std::string>> inputs, outputs;  // quantity element, where
  json ilmd = json::object();                                 // every member's ILMD
  std::string process;                                        // rl:process; empty: none
  std::optional<std::string> technology_origin, facility_country;
  std::optional<json> allocation;  // rl:allocation as given
};
void MergeTransformData(const Prefixes& p, const json& event, TransformData* d,
                        std::vector<std::string>* warnings);
// rl:facilityCountry, else the ILMD country of origin: missing_facility_country,
// conflicting_facility_country.
std::string FacilityCountry(const Prefixes& p, const TransformData& d);
// rl:allocation [{rl:epcClass, rl:fraction: "n/d"}] as the payload's
// {lot: "n/d"} object.
json ReadAllocation(const Prefixes& p, const json& allocation);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_LOT_DATA_H_
