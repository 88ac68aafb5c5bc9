#include "epcis/decimal.h"

#include <array>
#include <cctype>

#include "epcis/refusal.h"
#include "ledger/canonical_json.h"

namespace rareledger::epcis {
namespace {

using boost::multiprecision::cpp_int;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

Rational PowerOfTen(int exponent) {
  cpp_int p = 1;
  for (int i = 0; i < (exponent < 0 ? -exponent : exponent); ++i) p *= 10;
  return exponent < 0 ? Rational(cpp_int(1), p) : Rational(p);
}

struct MassUnit {
  const char* code;
  const char* grams;  // exact decimal
};
// UN/ECE Rec 20 mass codes, the set of GS1's unit converter, with exact
// factors (ONZ = LBR / 16, STI = 14 LBR: docs/epcis.md "Units").
constexpr std::array<MassUnit, 8> kMassUnits = {{{"GRM", "1"},
                                                 {"KGM", "1000"},
                                                 {"TNE", "1000000"},
                                                 {"MGM", "0.001"},
                                                 {"MC", "0.000001"},
                                                 {"LBR", "453.59237"},
                                                 {"ONZ", "28.349523125"},
                                                 {"STI", "6350.29318"}}};

// Common Rec 20 codes that are not masses (volume, length, area, count,
// packaging, energy, temperature).
constexpr std::array<const char*, 24> kNonMassUnits = {
    "LTR", "MLT", "MTQ", "MTR", "CMT", "MMT", "KMT", "MTK", "EA",  "C62", "H87", "CS",
    "CT",  "BX",  "PK",  "PR",  "SET", "XBX", "XCS", "XPK", "KWH", "CEL", "FAH", "HUR"};

}  // namespace

std::optional<Rational> ParseDecimal(std::string_view text) {
  std::string_view s = text;
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  size_t e = s.find_first_of("eE");
  std::string_view mant = s.substr(0, e);
  int exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp = s.substr(e + 1);
    bool exp_negative = !exp.empty() && exp[0] == '-';
    if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.remove_prefix(1);
    if (!AllDigits(exp) || exp.size() > 3) return std::nullopt;
    exponent = std::stoi(std::string(exp)) * (exp_negative ? -1 : 1);
  }
  size_t dot = mant.find('.');
  std::string_view whole = mant.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : mant.substr(dot + 1);
  if (!AllDigits(whole) || (dot != std::string_view::npos && !AllDigits(frac))) return std::nullopt;
  if (whole.size() + frac.size() > 400 || exponent > 400 || exponent < -400) return std::nullopt;
  cpp_int digits(std::string(whole) + std::string(frac));
  Rational r = Rational(digits) * PowerOfTen(exponent - static_cast<int>(frac.size()));
  return negative ? Rational(-r) : r;
}

std::optional<Rational> GramsPerUnit(std::string_view uom) {
  for (const auto& u : kMassUnits)
    if (uom == u.code) return ParseDecimal(u.grams);
  return std::nullopt;
}

bool IsKnownNonMassUnit(std::string_view uom) {
  for (const char* u : kNonMassUnits)
    if (uom == u) return true;
  return false;
}

int64_t ToGrams(const std::optional<std::string>& quantity, const std::optional<std::string>& uom,
                const std::string& what) {
  if (!quantity) Refuse("missing_quantity", what + " has no quantity");
  if (!uom) Refuse("missing_uom", what + " has no uom (a count of instances is not a mass)");
  auto factor = GramsPerUnit(*uom);
  if (!factor) {
    if (IsKnownNonMassUnit(*uom))
      Refuse("not_mass_uom", what + " uom \"" + *uom + "\" is not a unit of mass");
    Refuse("unknown_uom", what + " uom \"" + *uom + "\" is not a UN/ECE Rec 20 mass code known here");
  }
  auto q = ParseDecimal(*quantity);
  if (!q) Refuse("schema", what + " quantity \"" + *quantity + "\" is not a number");
  if (*q <= 0) Refuse("non_positive_quantity", what + " quantity " + *quantity + " is not positive");
  Rational grams = *q * *factor;
  if (boost::multiprecision::denominator(grams) != 1)
    Refuse("non_integral_grams", what + " " + *quantity + " " + *uom + " is not a whole number of grams");
  if (grams > ledger::kMaxSafeInteger)
    Refuse("non_integral_grams", what + " " + *quantity + " " + *uom + " is beyond 2^53-1 grams");
  return static_cast<int64_t>(boost::multiprecision::numerator(grams));
}

int CurrencyExponent(std::string_view currency) {
  static constexpr std::array<const char*, 8> kZero = {"JPY", "KRW", "VND", "CLP",
                                                       "ISK", "PYG", "UGX", "XOF"};
  static constexpr std::array<const char*, 6> kThree = {"KWD", "BHD", "OMR", "JOD", "TND", "LYD"};
  for (const char* c : kZero)
    if (currency == c) return 0;
  for (const char* c : kThree)
    if (currency == c) return 3;
  return 2;
}

int64_t ToMinorUnits(const std::string& amount, std::string_view currency, const std::string& what) {
  // A decimal string only: digits, at most one point, no sign or exponent.
  size_t dot = amount.find('.');
  std::string_view whole = std::string_view(amount).substr(0, dot);
  std::string_view frac =
      dot == std::string::npos ? std::string_view() : std::string_view(amount).substr(dot + 1);
  if (!AllDigits(whole) || (dot != std::string::npos && !AllDigits(frac)))
    Refuse("bad_extension", what + " amount \"" + amount + "\" is not a decimal string like \"1234.50\"");
  const int exponent = CurrencyExponent(currency);
  Rational minor = *ParseDecimal(amount) * PowerOfTen(exponent);
  if (boost::multiprecision::denominator(minor) != 1)
    Refuse("bad_extension", what + " amount \"" + amount + "\" has more decimals than " +
                                std::string(currency) + " has (" + std::to_string(exponent) + ")");
  if (minor > ledger::kMaxSafeInteger)
    Refuse("bad_extension", what + " amount \"" + amount + "\" is beyond 2^53-1 minor units");
  return static_cast<int64_t>(boost::multiprecision::numerator(minor));
}

std::string FormatMinorUnits(int64_t minor, std::string_view currency) {
  const int exponent = CurrencyExponent(currency);
  std::string digits = std::to_string(minor);
  if (exponent == 0) return digits;
  if (digits.size() <= static_cast<size_t>(exponent))
    digits.insert(0, static_cast<size_t>(exponent) + 1 - digits.size(), '0');
  digits.insert(digits.size() - static_cast<size_t>(exponent), ".");
  return digits;
}

}  // namespace rareledger::epcis
