// Text amounts and percentages from exact rationals.
#include "graph/amount.h"

#include <catch2/catch.hpp>

namespace rareledger::graph {
namespace {

Rational R(int64_t n, int64_t d) { return Rational(n) / Rational(d); }

TEST_CASE("amount: rounding is half-up, not truncation", "[amount]") {
  CHECK(FormatRounded(R(1, 8), 2) == "0.13");  // 0.125: the tie goes up
  CHECK(FormatRounded(R(1, 3), 2) == "0.33");
  CHECK(FormatRounded(R(2, 3), 2) == "0.67");  // truncation would say 0.66
  CHECK(FormatRounded(R(-1, 8), 2) == "-0.13");
  CHECK(FormatRounded(R(-1, 1000), 2) == "0.00");  // no "-0.00"
  CHECK(FormatRounded(R(5, 1), 0) == "5");
  CHECK(FormatRounded(R(9995, 10000), 3) == "1.000");  // the carry reaches the integer
}

TEST_CASE("amount: thousands separators", "[amount]") {
  CHECK(GroupThousands("0") == "0");
  CHECK(GroupThousands("999") == "999");
  CHECK(GroupThousands("1000") == "1,000");
  CHECK(GroupThousands("1234567.891") == "1,234,567.891");
  CHECK(GroupThousands("-1234567") == "-1,234,567");
}

TEST_CASE("amount: money in the currency's minor unit", "[amount]") {
  CHECK(FormatMoney(Rational(110000000), "EUR") == "EUR 1,100,000.00");
  CHECK(FormatMoney(Rational(5), "USD") == "USD 0.05");
  CHECK(FormatMoney(Rational(1234567), "JPY") == "JPY 1,234,567");
  CHECK(FormatMoney(Rational(1234567), "KRW") == "KRW 1,234,567");
  CHECK(FormatMoney(Rational(1234567), "KWD") == "KWD 1,234.567");
  // A fractional minor unit is rounded half-up and marked approximate.
  CHECK(FormatMoney(R(1000001, 2), "USD") == "USD ~5,000.01");
  CHECK(FormatMoney(R(2, 3), "USD") == "USD ~0.01");
  // Unknown currency: the minor units themselves.
  CHECK(FormatMoney(Rational(123456), "") == "123,456 minor units");
  CHECK(MinorDigits("USD") == 2);
  CHECK(MinorDigits("JPY") == 0);
}

TEST_CASE("amount: percentages and grams", "[amount]") {
  CHECK(FormatPercent(R(1, 1000)) == "0.1000 %");
  CHECK(FormatPercent(R(3, 1100)) == "0.2727 %");  // 0.272727..: down
  CHECK(FormatPercent(R(7, 75)) == "9.3333 %");
  CHECK(FormatPercent(R(2, 3)) == "66.6667 %");  // truncation would say 66.6666
  CHECK(FormatPercent(R(1, 1), 2) == "100.00 %");
  CHECK(FormatPercent(R(100, 1)) == "10,000.0000 %");
  CHECK(FormatGrams(2000000) == "2,000,000 g");
  CHECK(FormatGrams(0) == "0 g");
}

}  // namespace
}  // namespace rareledger::graph
