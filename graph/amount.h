// Amounts and percentages as people read them, from exact rationals (no
// floating point anywhere): the text forms of assessments and traces. JSON
// keeps the exact "n/d" strings of rational.h; these are for reading only.
//
//   FormatRounded(1/8, 2)          -> "0.13"   (half-up: ties away from zero)
//   GroupThousands("1234567.5")    -> "1,234,567.5"
//   FormatMoney(110000000, "EUR")  -> "EUR 1,100,000.00"  (minor units in)
//   FormatPercent(3/1100, 4)       -> "0.2727 %"
//   FormatGrams(2000000)           -> "2,000,000 g"
#ifndef RARELEDGER_GRAPH_AMOUNT_H_
#define RARELEDGER_GRAPH_AMOUNT_H_

#include <cstdint>
#include <string>

#include "graph/rational.h"

namespace rareledger::graph {

// Decimals after the point in text percentages (rounded half-up).
inline constexpr int kPercentDigits = 4;

// `digits` decimals (>= 0), rounded half away from zero.
std::string FormatRounded(const Rational& r, int digits);

// Commas every three digits of the integer part of a decimal string.
std::string GroupThousands(const std::string& decimal);

// Digits of the currency's minor unit (ISO 4217): 0 for JPY and KRW (and
// the other zero-decimal codes in amount.cpp's table), 3 for BHD, JOD,
// KWD, OMR, TND; 2 for every other code.
int MinorDigits(const std::string& currency);

// `minor_units` of `currency` as "CUR 1,234.56", rounded half-up to the
// minor unit, with "~" before the number when rounding changed it (a
// fractional minor unit). An empty currency (not known, e.g. a bundle that
// does not record it) prints the minor units: "123,456 minor units".
std::string FormatMoney(const Rational& minor_units, const std::string& currency);

// r × 100, kPercentDigits (or `digits`) decimals half-up, then " %".
std::string FormatPercent(const Rational& r, int digits = kPercentDigits);

// "2,000,000 g".
std::string FormatGrams(int64_t grams);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_AMOUNT_H_
