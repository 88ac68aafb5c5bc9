// Exact rational arithmetic for determinations: no binary floating point.
//
// Every amount in an assessment (value, content, ratio) is an exact rational
// on boost::multiprecision::cpp_rational, which is always kept reduced. The
// printed forms are part of the output contract (SPEC "Assessment"):
//   - FormatFraction: reduced "n/d", integers as "n/1" (5 -> "5/1").
//   - FormatDecimal: fixed digits after the point, truncated toward zero
//     ("1/3" with 6 digits -> "0.333333"; "-1/3" -> "-0.333333"): JSON's
//     `ratio_decimal` only. Text for people rounds half-up (graph/amount.h).
// A Ratio adds the one non-finite case SPEC needs: "1/0", a lot of zero value
// that carries content; it prints as "1/0" / "inf" and exceeds any threshold.
#ifndef RARELEDGER_GRAPH_RATIONAL_H_
#define RARELEDGER_GRAPH_RATIONAL_H_

#include <boost/multiprecision/cpp_int.hpp>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace rareledger::graph {

using Rational = boost::multiprecision::cpp_rational;

// Digits after the decimal point in `ratio_decimal` (documented in
// docs/assessment.md).
inline constexpr int kRatioDecimalDigits = 6;

// Parses "n/d" with decimal digits only, 0 <= n, 0 < d (no sign, no spaces,
// no leading zeros except "0"). InvalidArgument otherwise.
ledger::Result<Rational> ParseRational(std::string_view text);

// Reduced "n/d"; "5/1" for 5, "0/1" for 0.
std::string FormatFraction(const Rational& r);

// `digits` decimals, truncated toward zero. digits >= 0.
std::string FormatDecimal(const Rational& r, int digits);

// Exact a/b, also when b == 0 (SPEC: content per gram / value per gram).
class Ratio {
 public:
  Ratio() = default;
  explicit Ratio(Rational value) : value_(std::move(value)) {}
  static Ratio Infinite() {
    Ratio r;
    r.infinite_ = true;
    return r;
  }
  // num / den; den == 0 gives "1/0" when num > 0 and "0/1" when num == 0.
  static Ratio Of(const Rational& num, const Rational& den);

  bool infinite() const { return infinite_; }
  const Rational& value() const { return value_; }  // meaningless if infinite

  // this >= t (or > t when strict). Infinite exceeds every threshold.
  bool Reaches(const Rational& threshold, bool strict) const;

  std::string Fraction() const;  // "n/d" or "1/0"
  std::string Decimal() const;   // kRatioDecimalDigits digits, or "inf"

 private:
  Rational value_ = 0;
  bool infinite_ = false;
};

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_RATIONAL_H_
