#include "graph/rational.h"

#include <catch2/catch.hpp>

namespace rareledger::graph {
namespace {

TEST_CASE("rational parses n/d and prints reduced", "[rational]") {
  auto r = ParseRational("10/4");
  REQUIRE(r.ok());
  CHECK(FormatFraction(*r) == "5/2");
  CHECK(FormatFraction(Rational(5)) == "5/1");
  CHECK(FormatFraction(Rational(0)) == "0/1");
}

TEST_CASE("rational rejects malformed fractions", "[rational]") {
  for (const char* bad : {"", "1", "1/0", "0.001", "-1/2", "1/-2", "01/2", "1/ 2", "/2", "1/"}) {
    INFO(bad);
    auto r = ParseRational(bad);
    REQUIRE(!r.ok());
    CHECK(r.status().message().find("is not an exact fraction") != std::string::npos);
  }
}

TEST_CASE("decimal truncates toward zero", "[rational]") {
  CHECK(FormatDecimal(Rational(1, 3), 6) == "0.333333");
  CHECK(FormatDecimal(Rational(2, 3), 6) == "0.666666");
  CHECK(FormatDecimal(Rational(-2, 3), 6) == "-0.666666");
  CHECK(FormatDecimal(Rational(1, 1000), 6) == "0.001000");
  CHECK(FormatDecimal(Rational(1, 10000000), 6) == "0.000000");
  CHECK(FormatDecimal(Rational(7), 0) == "7");
  CHECK(FormatDecimal(Rational(123456789, 1000), 2) == "123456.78");
}

TEST_CASE("ratio covers 1/0 and thresholds exactly", "[rational]") {
  Ratio inf = Ratio::Of(Rational(3), Rational(0));
  CHECK(inf.infinite());
  CHECK(inf.Fraction() == "1/0");
  CHECK(inf.Decimal() == "inf");
  CHECK(inf.Reaches(Rational(1000000), true));
  Ratio none = Ratio::Of(Rational(0), Rational(0));
  CHECK(none.Fraction() == "0/1");
  Ratio at = Ratio::Of(Rational(1), Rational(1000));
  CHECK(at.Reaches(Rational(1, 1000), false));
  CHECK(!at.Reaches(Rational(1, 1000), true));
}

}  // namespace
}  // namespace rareledger::graph
