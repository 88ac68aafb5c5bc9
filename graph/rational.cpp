#include "graph/rational.h"

#include <utility>

namespace rareledger::graph {
namespace {

using boost::multiprecision::cpp_int;

bool ParseDigits(std::string_view digits, cpp_int* out) {
  if (digits.empty() || digits.size() > 40) return false;
  if (digits.size() > 1 && digits[0] == '0') return false;
  cpp_int v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

ledger::Result<Rational> ParseRational(std::string_view text) {
  size_t slash = text.find('/');
  cpp_int num, den;
  if (slash == std::string_view::npos || !ParseDigits(text.substr(0, slash), &num) ||
      !ParseDigits(text.substr(slash + 1), &den) || den == 0) {
    return ledger::Status::InvalidArgument("\"" + std::string(text) +
                                           "\" is not an exact fraction \"n/d\" (0 <= n, 0 < d)");
  }
  return Rational(num, den);
}

std::string FormatFraction(const Rational& r) {
  return boost::multiprecision::numerator(r).str() + "/" +
         boost::multiprecision::denominator(r).str();
}

std::string FormatDecimal(const Rational& r, int digits) {
  cpp_int num = boost::multiprecision::numerator(r);
  const cpp_int den = boost::multiprecision::denominator(r);
  const bool negative = num < 0;
  if (negative) num = -num;
  cpp_int scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  const cpp_int scaled = num * scale / den;  // truncates toward zero
  std::string whole = cpp_int(scaled / scale).str();
  std::string frac = cpp_int(scaled % scale).str();
  if (digits > 0) frac = std::string(digits - frac.size(), '0') + frac;
  std::string out = (negative && scaled != 0) ? "-" : "";
  out += whole;
  if (digits > 0) out += "." + frac;
  return out;
}

Ratio Ratio::Of(const Rational& num, const Rational& den) {
  if (den == 0) return num == 0 ? Ratio(Rational(0)) : Infinite();
  return Ratio(num / den);
}

bool Ratio::Reaches(const Rational& threshold, bool strict) const {
  if (infinite_) return true;
  return strict ? value_ > threshold : value_ >= threshold;
}

std::string Ratio::Fraction() const { return infinite_ ? "1/0" : FormatFraction(value_); }

std::string Ratio::Decimal() const {
  return infinite_ ? "inf" : FormatDecimal(value_, kRatioDecimalDigits);
}

}  // namespace rareledger::graph
