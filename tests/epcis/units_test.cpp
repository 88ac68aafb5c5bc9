// Exact quantities, prices, identifiers and document reading (epcis/decimal.h,
// identifiers.h, document.h).
#include <catch2/catch.hpp>

#include "epcis/decimal.h"
#include "epcis/document.h"
#include "epcis/identifiers.h"
#include "epcis/refusal.h"

namespace rareledger::epcis {
namespace {

std::string RefusalCode(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Refused& r) {
    return r.code();
  }
  return "";
}

int64_t Grams(const char* q, const char* uom) { return ToGrams(std::string(q), std::string(uom), "q"); }

}  // namespace

TEST_CASE("quantities convert to whole grams exactly, where binary floats lose a gram") {
  // The mapping's traps (reference §3.3): in IEEE doubles 32.01 x 1000 is
  // 32009.999999999996 and 1.005 x 1000 is 1004.9999999999999.
  CHECK(Grams("32.01", "KGM") == 32010);
  CHECK(Grams("2.01", "KGM") == 2010);
  CHECK(Grams("1.005", "KGM") == 1005);
  CHECK(Grams("100000", "LBR") == 45359237);
  CHECK(Grams("1600000", "ONZ") == 45359237);  // ONZ = LBR / 16 exactly, not GS1's rounded factor
  CHECK(Grams("4.5e3", "GRM") == 4500);
  CHECK(Grams("1E-3", "KGM") == 1);
  CHECK(Grams("12.5", "TNE") == 12500000);
  CHECK(Grams("7000", "MGM") == 7);
  CHECK(Grams("9007199254740991", "GRM") == 9007199254740991);
}

TEST_CASE("quantities that are not whole positive grams of a mass unit are refused by code") {
  CHECK(RefusalCode([] { Grams("1", "LBR"); }) == "non_integral_grams");  // 453.59237 g
  CHECK(RefusalCode([] { Grams("0.5", "GRM"); }) == "non_integral_grams");
  CHECK(RefusalCode([] { Grams("9007199254740992", "GRM"); }) == "non_integral_grams");
  CHECK(RefusalCode([] { Grams("1e399", "KGM"); }) == "non_integral_grams");
  CHECK(RefusalCode([] { Grams("0", "KGM"); }) == "non_positive_quantity");
  CHECK(RefusalCode([] { Grams("-20", "KGM"); }) == "non_positive_quantity");
  CHECK(RefusalCode([] { Grams("20", "KG"); }) == "unknown_uom");
  CHECK(RefusalCode([] { Grams("20", "LTR"); }) == "not_mass_uom");
  CHECK(RefusalCode([] { Grams("20", "CS"); }) == "not_mass_uom");
  CHECK(RefusalCode([] { ToGrams(std::nullopt, std::string("KGM"), "q"); }) == "missing_quantity");
  CHECK(RefusalCode([] { ToGrams(std::string("30"), std::nullopt, "q"); }) == "missing_uom");
  CHECK_FALSE(ParseDecimal("1e1000"));
  CHECK_FALSE(ParseDecimal("1.2.3"));
  CHECK_FALSE(ParseDecimal(".5"));
}

TEST_CASE("prices are decimal strings in whole minor units of the ledger currency") {
  CHECK(ToMinorUnits("7000.00", "USD", "p") == 700000);
  CHECK(ToMinorUnits("7000.5", "USD", "p") == 700050);
  CHECK(ToMinorUnits("700", "JPY", "p") == 700);
  CHECK(RefusalCode([] { ToMinorUnits("7000.001", "USD", "p"); }) == "bad_extension");
  CHECK(RefusalCode([] { ToMinorUnits("7.5", "JPY", "p"); }) == "bad_extension");
  CHECK(RefusalCode([] { ToMinorUnits("-1", "USD", "p"); }) == "bad_extension");
  CHECK(RefusalCode([] { ToMinorUnits("1e3", "USD", "p"); }) == "bad_extension");
  CHECK(FormatMinorUnits(5, "USD") == "0.05");
  CHECK(FormatMinorUnits(700000, "USD") == "7000.00");
  CHECK(FormatMinorUnits(7, "JPY") == "7");
  CHECK(FormatMinorUnits(5, "KWD") == "0.005");
  CHECK(ToMinorUnits(FormatMinorUnits(123456789, "EUR"), "EUR", "p") == 123456789);
}

TEST_CASE("epcClass URNs and Digital Links become canonical Digital Link lot ids") {
  // The mapping's example (reference §3.2).
  CHECK(LotIdOfClass("urn:epc:class:lgtin:9521101.010001.DYOX-2603-A") ==
        "https://id.gs1.org/01/09521101100013/10/DYOX-2603-A");
  CHECK(LotIdOfClass("https://dl.brand.example/01/09521101100013/10/DYOX-2603-A?linkType=all") ==
        "https://id.gs1.org/01/09521101100013/10/DYOX-2603-A");
  CHECK(LotIdOfClass("https://id.gs1.org/01/9521101100013/10/X") ==
        "https://id.gs1.org/01/09521101100013/10/X");  // GTIN-13 padded
  CHECK(LotIdOfClass("https://rareledger.example/epcis/lot/CN-DYOX-1") == "CN-DYOX-1");
  CHECK(LotIdOfClass(ClassOfLot("CN-DYOX-1#ab")) == "CN-DYOX-1#ab");
  CHECK(RefusalCode([] { LotIdOfClass("urn:epc:idpat:sgtin:4012345.066666.*"); }) == "pattern_class");
  CHECK(RefusalCode([] { LotIdOfClass("https://id.gs1.org/01/09521234601029"); }) == "class_without_lot");
  CHECK(RefusalCode([] { LotIdOfClass("https://id.gs1.org/01/09521101100014/10/X"); }) == "bad_id");
  CHECK(RefusalCode([] { LotIdOfClass("urn:epc:class:lgtin:9521101.010001.A%28B%29"); }) == "bad_id");
  CHECK(RefusalCode([] { LotIdOfClass("urn:epc:id:sgtin:4012345.011122.25"); }) == "bad_id");
  CHECK(RefusalCode([] { LotIdOfClass("https://id.gs1.org/01/09521101100013/21/S1"); }) == "bad_id");
}

TEST_CASE("party identifiers give their GLN only with a valid check digit") {
  CHECK(GlnOf("urn:epc:id:pgln:9521101.00000") == "9521101000009");
  CHECK(GlnOf("urn:epc:id:sgln:0614141.00777.0") == "0614141007776");
  CHECK(GlnOf("https://id.gs1.org/417/9521101000009") == "9521101000009");
  CHECK_FALSE(GlnOf("https://id.gs1.org/417/9521101000008"));
  CHECK_FALSE(GlnOf("urn:epc:id:sgtin:4012345.011122.25"));
  CHECK_FALSE(GlnOf("urn:epc:id:pgln:952110.00000"));
}

TEST_CASE("documents keep number text and resolve prefixes by IRI") {
  auto doc = ParseDocument(R"({"a": 12.50, "b": 7, "c": 1e300, "d": "x"})");
  REQUIRE(doc.ok());
  CHECK(NumberText((*doc)["a"]) == "12.50");
  CHECK(NumberText((*doc)["b"]) == "7");
  CHECK(NumberText((*doc)["c"]) == "1e300");
  CHECK_FALSE(ParseDocument(R"({"c": 1e400})").ok());  // beyond a double: not parsed at all
  CHECK_FALSE(NumberText((*doc)["d"]));
  CHECK_FALSE(ParseDocument(std::string(65, '[') + std::string(65, ']')).ok());
  CHECK(ParseDocument(std::string(60, '[') + std::string(60, ']')).ok());
  CHECK_FALSE(ParseDocument("{\"a\": \"\xff\"}").ok());
  CHECK_FALSE(ParseDocument("{\"a\": 1} x").ok());

  auto ctx = ParseDocument(R"({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
      {"zz": "https://rareledger.example/epcis/"}, {"cbvmda": "http://example.com/cbvmda/"}]})");
  REQUIRE(ctx.ok());
  Prefixes p = ReadPrefixes(*ctx);
  CHECK(p.gs1_context);
  CHECK(Expand(p, "zz:lots") == "https://rareledger.example/epcis/lots");
  CHECK(Expand(p, "cbvmda:countryOfOrigin") == "urn:epcglobal:cbv:mda:countryOfOrigin");  // protected
  CHECK(p.warnings.size() == 1);
  CHECK(Expand(p, "https://x.example/a") == "https://x.example/a");
  CHECK(FindRl(p, json{{"zz:lots", 1}}, "lots") != nullptr);
  CHECK(FindRl(p, json{{"rl:lots", 1}}, "lots") == nullptr);  // rl is not bound here
}

TEST_CASE("event times become the UTC instant they name") {
  CHECK(ToUtc("2026-04-20T00:00:00-04:00") == "2026-04-20T04:00:00Z");
  CHECK(ToUtc("2026-01-01T00:30:00+01:00") == "2025-12-31T23:30:00Z");
  CHECK(ToUtc("2024-03-01T00:00:00.591+00:30") == "2024-02-29T23:30:00.591Z");
  CHECK(ToUtc("2013-06-08T14:58:56.591Z") == "2013-06-08T14:58:56.591Z");
  CHECK_FALSE(ToUtc("2026-02-29T00:00:00Z"));
  CHECK_FALSE(ToUtc("2026-04-20T00:00:00"));
  CHECK_FALSE(ToUtc("2026-04-20 00:00:00Z"));
  CHECK_FALSE(ToUtc("2026-04-20T24:00:00Z"));
}

}  // namespace rareledger::epcis
