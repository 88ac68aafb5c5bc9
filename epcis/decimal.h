// Exact decimals for EPCIS quantities and prices: no binary floating point.
//
// JSON numbers reach here as their text (document.h keeps it); they are
// read into exact rationals, multiplied by exact UN/ECE Rec 20 factors and
// must come out as whole grams or whole minor currency units, or the
// document is refused (refusal.h codes).
#ifndef RARELEDGER_EPCIS_DECIMAL_H_
#define RARELEDGER_EPCIS_DECIMAL_H_

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rareledger::epcis {

using Rational = boost::multiprecision::cpp_rational;

// JSON number text ("12.5", "-3", "4.5e3", "1E-2") or a decimal string
// ("1234.50") as an exact rational; nothing when the text is not one.
// Exponents beyond +-400 are refused (nothing), so no text can make the
// arithmetic explode.
std::optional<Rational> ParseDecimal(std::string_view text);

// Grams in one unit of a Rec 20 mass code (GRM, KGM, TNE, MGM, MC, LBR, ONZ,
// STI), exactly; nothing for any other code.
std::optional<Rational> GramsPerUnit(std::string_view uom);
// Whether `uom` is a Rec 20 code known here that is not a mass (LTR, MTR,
// EA, CS, ...): not_mass_uom rather than unknown_uom.
bool IsKnownNonMassUnit(std::string_view uom);

// `quantity` (number text) of `uom` in whole grams. Refuses (throws
// Refused) with missing_quantity, missing_uom, not_mass_uom, unknown_uom,
// non_positive_quantity or non_integral_grams; `what` names the element.
int64_t ToGrams(const std::optional<std::string>& quantity, const std::optional<std::string>& uom,
                const std::string& what);

// Digits after the point in `currency`'s minor unit (ISO 4217: JPY 0,
// KWD 3, most 2).
int CurrencyExponent(std::string_view currency);
// A decimal string amount in minor units of `currency`; refuses
// (bad_extension) a negative amount, more decimals than the currency has,
// or more than 2^53-1 minor units.
int64_t ToMinorUnits(const std::string& amount, std::string_view currency, const std::string& what);
// Minor units back to the decimal string ToMinorUnits reads ("1234.50").
std::string FormatMinorUnits(int64_t minor, std::string_view currency);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_DECIMAL_H_
