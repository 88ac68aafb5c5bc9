// The closed vocabularies of SPEC "Entries": lot categories, transform
// processes and country codes, with the near-miss suggestion that rejected
// values carry ("did you mean re_magnet?").
//
// A value outside a vocabulary is an error, never a silent new category.
#ifndef RARELEDGER_LEDGER_VOCABULARY_H_
#define RARELEDGER_LEDGER_VOCABULARY_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rareledger::ledger {

// The ten lot categories of create_lot (and transform outputs), in SPEC order.
const std::vector<std::string>& LotCategories();
// The nine transform processes, in SPEC order.
const std::vector<std::string>& TransformProcesses();

// ISO 3166-1 alpha-2, officially assigned (iso3166.cpp names the source).
inline constexpr size_t kIsoCountryCount = 249;
const std::array<const char*, kIsoCountryCount>& IsoCountryCodes();

// An officially assigned code, or XK. User-assigned codes (AA, QM-QZ,
// XA-XZ but XK, ZZ) and reserved ones (UK, EU, ...) are not.
bool IsCountryCode(std::string_view code);

// Levenshtein distance (insertions, deletions, substitutions of bytes).
size_t EditDistance(std::string_view a, std::string_view b);

// The closest value of `vocabulary` to `got` when `got` is a near miss
// (same letters in another case, one contains the other, or a small edit
// distance); nothing when no value is close.
std::optional<std::string> ClosestValue(std::string_view got,
                                        const std::vector<std::string>& vocabulary);
// The same for country codes, knowing the common mistakes (UK -> GB,
// EL -> GR, lowercase, alpha-3 codes of a few large producers).
std::optional<std::string> ClosestCountry(std::string_view got);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_VOCABULARY_H_
