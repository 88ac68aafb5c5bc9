#include "graph/amount.h"

#include <set>

namespace rareledger::graph {
namespace {

using boost::multiprecision::cpp_int;

cpp_int Pow10(int digits) {
  cpp_int p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

// |r| × 10^digits rounded half-up, as an integer.
cpp_int ScaledHalfUp(const Rational& r, int digits) {
  cpp_int num = boost::multiprecision::numerator(r);
  if (num < 0) num = -num;
  const cpp_int den = boost::multiprecision::denominator(r);
  return (2 * num * Pow10(digits) + den) / (2 * den);
}

}  // namespace

std::string FormatRounded(const Rational& r, int digits) {
  const cpp_int scaled = ScaledHalfUp(r, digits);
  const cpp_int scale = Pow10(digits);
  std::string out = (r < 0 && scaled != 0) ? "-" : "";
  out += cpp_int(scaled / scale).str();
  if (digits > 0) {
    std::string frac = cpp_int(scaled % scale).str();
    out += "." + std::string(digits - frac.size(), '0') + frac;
  }
  return out;
}

std::string GroupThousands(const std::string& decimal) {
  size_t begin = decimal.empty() || decimal[0] != '-' ? 0 : 1;
  size_t end = decimal.find('.');
  if (end == std::string::npos) end = decimal.size();
  std::string out = decimal.substr(0, begin);
  for (size_t i = begin; i < end; ++i) {
    if (i > begin && (end - i) % 3 == 0) out += ',';
    out += decimal[i];
  }
  return out + decimal.substr(end);
}

int MinorDigits(const std::string& currency) {
  static const std::set<std::string> kZero = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                              "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
                                              "VUV", "XAF", "XOF", "XPF"};
  static const std::set<std::string> kThree = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  if (kZero.count(currency)) return 0;
  if (kThree.count(currency)) return 3;
  return 2;
}

std::string FormatMoney(const Rational& minor_units, const std::string& currency) {
  if (currency.empty()) {
    const std::string n = GroupThousands(FormatRounded(minor_units, 0));
    return (boost::multiprecision::denominator(minor_units) == 1 ? "" : "~") + n + " minor units";
  }
  const int digits = MinorDigits(currency);
  const Rational major = minor_units / Rational(Pow10(digits));
  const bool exact = boost::multiprecision::denominator(minor_units) == 1;
  return currency + " " + (exact ? "" : "~") + GroupThousands(FormatRounded(major, digits));
}

std::string FormatPercent(const Rational& r, int digits) {
  return GroupThousands(FormatRounded(r * 100, digits)) + " %";
}

std::string FormatGrams(int64_t grams) { return GroupThousands(std::to_string(grams)) + " g"; }

}  // namespace rareledger::graph
