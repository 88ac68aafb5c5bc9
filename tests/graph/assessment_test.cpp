// Hand-computed webs; the arithmetic is in the comments. Amounts are minor
// currency units, masses grams; vpg = value per gram, cpg = content per gram.
#include "graph/assessment.h"

#include <catch2/catch.hpp>

#include "tests/graph/test_policy.h"
#include "tests/graph/web.h"

namespace rareledger::graph {
namespace {

using testing::Rule;

using json = nlohmann::json;
using testing::Out;
using testing::TestPolicy;
using testing::Web;

json Judge(const Web& w, const Policy& p, const std::string& lot,
           const std::string& as_of = "2025-06-01") {
  auto a = Assess(w.source(), p, lot, as_of);
  REQUIRE(a.ok());
  return AssessmentJson(*a);
}

// CN Dy oxide DYOX: 10 g for 1000 (vpg 100). JP magnet MAG from 1 g of it
// and 500 g of JP NdPr oxide: content 1 x 100 = 100 over 400 g (cpg 1/4).
// With magnet value V: vpg V/400, ratio (1/4)/(V/400) = 100/V.
Web ThresholdWeb(int64_t magnet_value) {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Create("cn", "DYOX", "re_oxide", 10, 1000, "CN", ledger::Elements{{"Dy", 8}});
  w.Transfer("cn", "DYOX", "jp");
  w.Create("jp", "NDPR", "re_oxide", 500, 20000, "JP", ledger::Elements{{"Nd", 300}});
  w.Transform("jp", "magnet_manufacturing", "JP", std::nullopt, {{"DYOX", 1}, {"NDPR", 500}},
              {Out{"MAG", "re_magnet", 400, magnet_value}});
  return w;
}

TEST_CASE("assessment: exactly at 1/1000 triggers with >= and not with >", "[assessment]") {
  Web w = ThresholdWeb(100000);  // ratio 100/100000 = 1/1000
  json ge = Judge(w, TestPolicy(">="), "MAG");
  CHECK(ge["lot_value"] == "100000/1");
  CHECK(ge["controlled_content"] == "100/1");
  CHECK(ge["ratio"] == "1/1000");
  CHECK(ge["ratio_decimal"] == "0.001000");
  CHECK(ge["foreign_made"] == true);
  CHECK(ge["controlled_origin_item"] == false);
  CHECK(Rule(ge, "value-ratio")["applies"] == true);
  CHECK(Rule(ge, "value-ratio")["triggered"] == true);
  CHECK(ge["license_required"] == true);
  json gt = Judge(w, TestPolicy(">"), "MAG");
  CHECK(Rule(gt, "value-ratio")["triggered"] == false);
  CHECK(gt["license_required"] == false);
  CHECK(ge["contributors"] == json::parse(R"([{"lot": "DYOX", "origin": "CN",
      "content": "100/1", "path": ["DYOX", "MAG"]}])"));
}

TEST_CASE("assessment: one unit of value below and above the threshold", "[assessment]") {
  // 100/100001 < 1/1000: no licence; 100/99999 > 1/1000: licence either way.
  json below = Judge(ThresholdWeb(100001), TestPolicy(">="), "MAG");
  CHECK(below["ratio"] == "100/100001");
  CHECK(below["ratio_decimal"] == "0.000999");
  CHECK(below["license_required"] == false);
  Web above = ThresholdWeb(99999);
  CHECK(Judge(above, TestPolicy(">="), "MAG")["license_required"] == true);
  json strict = Judge(above, TestPolicy(">"), "MAG");
  CHECK(strict["ratio"] == "100/99999");
  CHECK(strict["license_required"] == true);
}

// CN Tb oxide OX: 100 g for 10000 (vpg 100), sold to jp for 12000 (vpg 120).
// jp smelts 50 g of it in JP into MET (40 g, value 8000, vpg 200):
// content 50 x 120 = 6000 (the re-declared value), cpg 150, ratio 3/4.
// jp splits MET-A (10 g) and MET-B (5 g) off MET (25 g remain).
Web SplitWeb() {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Party("de", "DE");
  w.Create("cn", "OX", "re_oxide", 100, 10000, "CN", ledger::Elements{{"Tb", 5}});
  w.Transfer("cn", "OX", "jp", 12000);
  w.Transform("jp", "metal_smelting", "JP", std::nullopt, {{"OX", 50}},
              {Out{"MET", "re_metal", 40, 8000}});
  w.Split("jp", "MET", {{"MET-A", 10}, {"MET-B", 5}});
  // MET-A sold to de for 3000 (vpg 300): content stays 10 x 150 = 1500.
  w.Transfer("jp", "MET-A", "de", 3000);
  // MET-B consumed whole into ALY (5 g, 1000): content 5 x 150 = 750.
  w.Transform("jp", "alloying", "JP", std::nullopt, {{"MET-B", 5}},
              {Out{"ALY", "re_alloy", 5, 1000}});
  // After the transform, the 50 g of OX left are sold for 1000 (vpg 20):
  // this changes OX's value but not what MET took in.
  w.Transfer("jp", "OX", "de", 1000);
  return w;
}

TEST_CASE("assessment: split parts inherit content per gram", "[assessment]") {
  Web w = SplitWeb();
  Policy p = TestPolicy();
  json met = Judge(w, p, "MET");  // 25 g left: value 25 x 200, content 25 x 150
  CHECK(met["lot_value"] == "5000/1");
  CHECK(met["controlled_content"] == "3750/1");
  CHECK(met["ratio"] == "3/4");
  json b = Judge(w, p, "MET-B");  // nothing left: the part's 5 g at 200 and 150
  CHECK(b["lot_value"] == "1000/1");
  CHECK(b["controlled_content"] == "750/1");
  CHECK(b["ratio"] == "3/4");
  json aly = Judge(w, p, "ALY");
  CHECK(aly["controlled_content"] == "750/1");
  CHECK(aly["ratio"] == "3/4");
  CHECK(aly["contributors"][0]["path"] == json::array({"OX", "MET", "MET-B", "ALY"}));
}

TEST_CASE("assessment: value re-declared on transfer before and after a transform",
          "[assessment]") {
  Web w = SplitWeb();
  Policy p = TestPolicy();
  json a = Judge(w, p, "MET-A");  // 10 g at vpg 300 with content 1500
  CHECK(a["lot_value"] == "3000/1");
  CHECK(a["controlled_content"] == "1500/1");
  CHECK(a["ratio"] == "1/2");
  json ox = Judge(w, p, "OX");  // origin item: 50 g at vpg 20, ratio 1
  CHECK(ox["controlled_origin_item"] == true);
  CHECK(ox["lot_value"] == "1000/1");
  CHECK(ox["controlled_content"] == "1000/1");
  CHECK(ox["ratio"] == "1/1");
  CHECK(ox["contributors"] == json::parse(R"([{"lot": "OX", "origin": "CN",
      "content": "1000/1", "path": ["OX"]}])"));
  CHECK(Rule(ox, "origin-item")["triggered"] == true);
  CHECK(ox["license_required"] == true);
}

// CN Dy metal DY: 100 g for 50000 (vpg 500); 10 g go into a JP alloying
// run with outputs A (30 g, 3000) and B (20 g, 1000): 5000 of content.
Web AllocationWeb(std::optional<std::map<std::string, ledger::Fraction>> allocation) {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Create("cn", "DY", "re_metal", 100, 50000, "CN", ledger::Elements{{"Dy", 100}});
  w.Transfer("cn", "DY", "jp");
  w.Transform("jp", "alloying", "JP", std::nullopt, {{"DY", 10}},
              {Out{"A", "re_alloy", 30, 3000}, Out{"B", "re_alloy", 20, 1000}}, allocation);
  return w;
}

TEST_CASE("assessment: multi-output transform splits content by mass", "[assessment]") {
  Web w = AllocationWeb(std::nullopt);
  // A: 5000 x 30/50 = 3000, vpg 100 -> ratio (3000/30)/100 = 1.
  // B: 5000 x 20/50 = 2000, vpg 50 -> ratio (2000/20)/50 = 2.
  json a = Judge(w, TestPolicy(), "A");
  json b = Judge(w, TestPolicy(), "B");
  CHECK(a["controlled_content"] == "3000/1");
  CHECK(a["ratio"] == "1/1");
  CHECK(b["controlled_content"] == "2000/1");
  CHECK(b["ratio"] == "2/1");
  CHECK(b["ratio_decimal"] == "2.000000");
}

TEST_CASE("assessment: multi-output transform follows explicit allocation", "[assessment]") {
  Web w = AllocationWeb(std::map<std::string, ledger::Fraction>{{"A", {1, 4}}, {"B", {3, 4}}});
  // A: 5000 x 1/4 = 1250, cpg 125/3, vpg 100 -> ratio 5/12.
  // B: 5000 x 3/4 = 3750, cpg 375/2, vpg 50 -> ratio 15/4.
  json a = Judge(w, TestPolicy(), "A");
  json b = Judge(w, TestPolicy(), "B");
  CHECK(a["controlled_content"] == "1250/1");
  CHECK(a["ratio"] == "5/12");
  CHECK(a["ratio_decimal"] == "0.416666");
  CHECK(b["controlled_content"] == "3750/1");
  CHECK(b["ratio"] == "15/4");
}

// VN ore, separated in VN with CN technology (finding), smelted in JP with
// JP technology (none), made into a magnet in JP with CN technology
// (finding), assembled in the US with CN technology (not a listed process),
// and a CN-facility separation with CN technology (inside CN: none).
Web TechnologyWeb() {
  Web w;
  w.Party("cn", "CN");
  w.Party("vn", "VN");
  w.Party("jp", "JP");
  w.Party("us", "US");
  w.Create("vn", "ORE", "re_ore", 1000, 1000, "VN");
  w.Transform("vn", "separation", "VN", std::string("CN"), {{"ORE", 1000}},
              {Out{"CON", "re_oxide", 200, 4000, ledger::Elements{{"Dy", 10}}}});  // 6
  w.Transfer("vn", "CON", "jp");
  w.Transform("jp", "metal_smelting", "JP", std::string("JP"), {{"CON", 200}},
              {Out{"MET", "re_metal", 100, 8000}});  // 8
  w.Transform("jp", "magnet_manufacturing", "JP", std::string("CN"), {{"MET", 50}},
              {Out{"MAG", "re_magnet", 60, 9000}, Out{"SCRAP", "other", 10, 0}});  // 9
  w.Transfer("jp", "MAG", "us");
  w.Transform("us", "assembly", "US", std::string("CN"), {{"MAG", 60}},
              {Out{"MOTOR", "product", 1000, 20000}});  // 11
  w.Create("cn", "CNORE", "re_ore", 100, 100, "CN");
  w.Transform("cn", "separation", "CN", std::string("CN"), {{"CNORE", 100}},
              {Out{"CNOX", "re_oxide", 10, 1000, ledger::Elements{{"Nd", 5}}}});  // 13
  return w;
}

TEST_CASE("assessment: technology findings through several tiers", "[assessment]") {
  Web w = TechnologyWeb();
  Policy p = TestPolicy();
  json mag = Judge(w, p, "MAG");
  CHECK(mag["ratio"] == "0/1");  // no controlled origin item upstream
  CHECK(Rule(mag, "value-ratio")["triggered"] == false);
  CHECK(Rule(mag, "technology")["applies"] == true);
  CHECK(Rule(mag, "technology")["triggered"] == true);
  CHECK(mag["license_required"] == true);
  REQUIRE(mag["technology_findings"].size() == 2);
  CHECK(mag["technology_findings"][0]["index"] == 6);
  CHECK(mag["technology_findings"][0]["process"] == "separation");
  CHECK(mag["technology_findings"][0]["lots"] == json::array({"CON"}));
  CHECK(mag["technology_findings"][1]["index"] == 9);
  CHECK(mag["technology_findings"][1]["lots"] == json::array({"MAG", "SCRAP"}));
  json motor = Judge(w, p, "MOTOR");  // a product: not a subject
  CHECK(Rule(motor, "technology")["applies"] == false);
  CHECK(Rule(motor, "technology")["triggered"] == true);
  CHECK(motor["technology_findings"].size() == 2);
  CHECK(motor["license_required"] == false);
  json con = Judge(w, p, "CON");
  CHECK(con["technology_findings"].size() == 1);
  CHECK(con["license_required"] == true);
  json met = Judge(w, p, "MET");  // JP technology itself, CN upstream
  CHECK(met["technology_findings"].size() == 1);
  json cnox = Judge(w, p, "CNOX");  // made in CN: neither foreign nor controlled (Nd only)
  CHECK(cnox["foreign_made"] == false);
  CHECK(cnox["controlled_origin_item"] == false);
  CHECK(cnox["technology_findings"].empty());
  CHECK(cnox["license_required"] == false);
}

TEST_CASE("assessment: zero value with content is 1/0, without content 0/1", "[assessment]") {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Create("cn", "OX", "re_oxide", 10, 500, "CN");  // no elements: counts as controlled
  w.Create("cn", "ZERO", "re_oxide", 10, 0, "CN", ledger::Elements{{"Sm", 1}});
  w.Transfer("cn", "OX", "jp");
  w.Transfer("cn", "ZERO", "jp");
  // FREE: 10 x 50 + 10 x 0 = 500 of content in a magnet of value 0.
  w.Transform("jp", "magnet_manufacturing", "JP", std::nullopt, {{"OX", 10}, {"ZERO", 10}},
              {Out{"FREE", "re_magnet", 5, 0}});
  w.Create("jp", "PLAIN", "re_magnet", 5, 0, "JP");
  json free = Judge(w, TestPolicy(">"), "FREE");
  CHECK(free["ratio"] == "1/0");
  CHECK(free["ratio_decimal"] == "inf");
  CHECK(free["lot_value"] == "0/1");
  CHECK(free["controlled_content"] == "500/1");
  CHECK(free["license_required"] == true);
  // ZERO's material reaches FREE with no value: listed with content 0.
  CHECK(free["contributors"] == json::parse(R"([
      {"lot": "OX", "origin": "CN", "content": "500/1", "path": ["OX", "FREE"]},
      {"lot": "ZERO", "origin": "CN", "content": "0/1", "path": ["ZERO", "FREE"]}])"));
  json zero = Judge(w, TestPolicy(), "ZERO");
  CHECK(zero["ratio"] == "1/1");
  CHECK(zero["controlled_content"] == "0/1");
  json plain = Judge(w, TestPolicy(), "PLAIN");
  CHECK(plain["ratio"] == "0/1");
  CHECK(plain["license_required"] == false);
}

// CN oxide OX (100 g, 1000: vpg 10) -> X1 (20 g in, 10 g out, 500) and
// X2 (30 g in, 10 g out, 500) in JP -> magnet M (10 g of X1, 5 g of X2;
// 10 g, 2000). Content: X1 200 (cpg 20), X2 300 (cpg 30), M 10x20 + 5x30
// = 350 over 10 g; ratio 35/200 = 7/40.
TEST_CASE("assessment: contributors sum over all paths, one path chosen", "[assessment]") {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Create("cn", "OX", "re_oxide", 100, 1000, "CN", ledger::Elements{{"Dy", 1}});
  w.Transfer("cn", "OX", "jp");
  w.Transform("jp", "alloying", "JP", std::nullopt, {{"OX", 30}}, {Out{"X2", "re_alloy", 10, 500}});
  w.Transform("jp", "alloying", "JP", std::nullopt, {{"OX", 20}}, {Out{"X1", "re_alloy", 10, 500}});
  w.Transform("jp", "magnet_manufacturing", "JP", std::nullopt, {{"X2", 5}, {"X1", 10}},
              {Out{"M", "re_magnet", 10, 2000}});
  json m = Judge(w, TestPolicy(), "M");
  CHECK(m["controlled_content"] == "350/1");
  CHECK(m["ratio"] == "7/40");
  CHECK(m["contributors"] == json::parse(R"([{"lot": "OX", "origin": "CN",
      "content": "350/1", "path": ["OX", "X1", "M"]}])"));
}

TEST_CASE("assessment: a controlled origin item stops propagation", "[assessment]") {
  // CN oxide (1000) -> CN metal made in CN (value 3000, a controlled origin
  // item itself) -> JP magnet: the contributor is the metal, at its value.
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Create("cn", "OX", "re_oxide", 100, 1000, "CN", ledger::Elements{{"Dy", 1}});
  w.Transform("cn", "metal_smelting", "CN", std::string("CN"), {{"OX", 100}},
              {Out{"MET", "re_metal", 50, 3000}});
  w.Transfer("cn", "MET", "jp");
  w.Transform("jp", "magnet_manufacturing", "JP", std::nullopt, {{"MET", 10}},
              {Out{"M", "re_magnet", 20, 6000}});
  json m = Judge(w, TestPolicy(), "M");  // 10 x 60 = 600 of content; ratio 600/6000
  CHECK(m["contributors"] == json::parse(R"([{"lot": "MET", "origin": "CN",
      "content": "600/1", "path": ["MET", "M"]}])"));
  CHECK(m["ratio"] == "1/10");
  json met = Judge(w, TestPolicy(), "MET");
  CHECK(met["controlled_origin_item"] == true);
  CHECK(met["contributors"][0]["lot"] == "MET");
}

TEST_CASE("assessment: rules in and out of force across the No. 70 suspension", "[assessment]") {
  Web w = ThresholdWeb(100000);
  Policy p61 = testing::ShippedPolicy("cn-mofcom-2025-61.json");
  Policy p18 = testing::ShippedPolicy("cn-mofcom-2025-18.json");
  // The origin limb operated 2025-10-09 .. 2025-11-06 only.
  CHECK(Judge(w, p61, "DYOX", "2025-10-08")["license_required"] == false);
  CHECK(Judge(w, p61, "DYOX", "2025-10-20")["license_required"] == true);
  CHECK(Judge(w, p61, "DYOX", "2025-11-07")["license_required"] == false);
  CHECK(Judge(w, p18, "DYOX", "2025-11-07")["license_required"] == true);
  // The de minimis limb never operated: suspended before 2025-12-01.
  json dec = Judge(w, p61, "MAG", "2025-12-01");
  CHECK(Rule(dec, "61-1-1-value-ratio")["in_force"] == false);
  CHECK(Rule(dec, "61-1-1-value-ratio")["triggered"] == true);
  CHECK(dec["license_required"] == false);
  CHECK(dec["warnings"].empty());
  CHECK(Judge(w, p61, "MAG", "2026-11-10")["license_required"] == false);
  CHECK(Judge(w, p61, "MAG", "2026-11-10")["verdict"] == "not_required");
  // After the No. 70 window: the status is unknown, never a silent yes/no.
  json revived = Judge(w, p61, "MAG", "2026-11-11");
  CHECK(revived["license_required"] == "unknown");
  CHECK(revived["verdict"] == "unknown");
  CHECK(Rule(revived, "61-1-1-value-ratio")["in_force"] == "unknown");
  CHECK(Rule(revived, "61-1-1-value-ratio")["status_unknown"]["since"] == "2026-11-11");
  CHECK(Rule(revived, "61-1-1-value-ratio")["status_unknown"]["checked"].size() >= 3);
  // No. 18 stays in force on the same day.
  CHECK(Judge(w, p18, "DYOX", "2026-12-01")["verdict"] == "licence_required");
  // One warning for the four rules past their review date, not one each.
  REQUIRE(revived["warnings"].size() == 1);
  CHECK(revived["warnings"][0].get<std::string>().find(
            "2026-11-11 (rules 61-1-1-value-ratio, 61-1-2-technology, 61-1-3-origin-item, "
            "61-2-listed-end-user)") != std::string::npos);
  CHECK(Rule(revived, "61-1-1-value-ratio")["review_due"] == true);
}

// TEST-STATES (test_policy.h) on hand-picked dates. ThresholdWeb(100000):
// MAG's ratio is exactly 1/1000 (value ratio triggers), DYOX is an origin
// item, nothing used CN technology.
TEST_CASE("assessment: unknown status on, before and after its window", "[assessment]") {
  Web w = ThresholdWeb(100000);
  const Policy p = testing::StatesPolicy();
  CHECK(Judge(w, p, "MAG", "2026-02-28")["verdict"] == "not_required");      // before in_force
  CHECK(Judge(w, p, "MAG", "2026-03-01")["verdict"] == "licence_required");  // in force
  CHECK(Judge(w, p, "MAG", "2026-07-01")["verdict"] == "not_required");      // suspended
  json on = Judge(w, p, "MAG", "2026-10-01");                                // unknown from
  CHECK(on["verdict"] == "unknown");
  CHECK(on["license_required"] == "unknown");
  CHECK(Judge(w, p, "MAG", "2026-09-30")["verdict"] == "not_required");  // the day before
  // The technology limb is unknown over [2026-03-01, 2026-07-01) but does
  // not trigger: it changes nothing.
  CHECK(Rule(Judge(w, p, "MAG", "2026-06-30"), "technology")["in_force"] == "unknown");
  CHECK(Judge(w, p, "MAG", "2026-06-30")["verdict"] == "licence_required");
  // The origin limb: in force until 2026-07-01, unknown from 2027-01-01,
  // plainly not in force between.
  CHECK(Judge(w, p, "DYOX", "2026-06-30")["verdict"] == "licence_required");
  CHECK(Judge(w, p, "DYOX", "2026-12-31")["verdict"] == "not_required");
  CHECK(Judge(w, p, "DYOX", "2027-01-01")["verdict"] == "unknown");
  // Just under the threshold nothing would bite: no "unknown" either.
  Web below = ThresholdWeb(100001);
  CHECK(Judge(below, p, "MAG", "2026-10-01")["verdict"] == "not_required");
}

TEST_CASE("assessment: No. 61 reaches magnet-containing components, products are a caveat",
          "[assessment]") {
  // MAG (ratio 1/1000) into a JP motor MOT with 100 g of steel: 400 g of
  // MAG brings 100 of content; MOT at 50000 is 1/500, at 100001 just under.
  auto web = [](int64_t motor_value) {
    Web w = ThresholdWeb(100000);
    w.Create("jp", "STEEL", "other", 100, 10, "JP");
    w.Transform("jp", "component_manufacturing", "JP", std::nullopt, {{"MAG", 400}, {"STEEL", 100}},
                {Out{"MOT", "component", 500, motor_value}});
    w.Transform("jp", "assembly", "JP", std::nullopt, {{"MOT", 500}},
                {Out{"CAR", "product", 500, motor_value}});
    return w;
  };
  const Policy p61 = testing::ShippedPolicy("cn-mofcom-2025-61.json");
  Web w = web(50000);
  json mot = Judge(w, p61, "MOT", "2026-06-01");
  CHECK(mot["ratio"] == "1/500");
  CHECK(Rule(mot, "61-1-1-value-ratio")["applies"] == true);
  CHECK(Judge(w, p61, "MOT", "2026-12-01")["verdict"] == "unknown");
  CHECK(Judge(web(100001), p61, "MOT", "2026-12-01")["verdict"] == "not_required");
  // The car has the same ratio, but whether a product is Part 2 is open.
  json car = Judge(w, p61, "CAR", "2026-12-01");
  CHECK(Rule(car, "61-1-1-value-ratio")["applies"] == false);
  CHECK(car["verdict"] == "not_required");
  std::string caveat;
  for (const auto& c : car["caveats"])
    if (c.get<std::string>().rfind("rule 61-1-1-value-ratio: whether a product is a subject is "
                                   "UNCONFIRMED",
                                   0) == 0)
      caveat = c.get<std::string>();
  CHECK(caveat.find("; assessed as not a subject, and were it a subject, the rule would "
                    "trigger") != std::string::npos);
  CHECK(mot["caveats"].size() < car["caveats"].size());  // no scope caveat on the motor
}

TEST_CASE("assessment: bad input fails with a clear status", "[assessment]") {
  Web w = ThresholdWeb(100000);
  auto missing = Assess(w.source(), TestPolicy(), "NOPE", "2025-06-01");
  REQUIRE(!missing.ok());
  CHECK(missing.status().code() == ledger::Code::kNotFound);
  auto bad_date = Assess(w.source(), TestPolicy(), "MAG", "2025-6-1");
  REQUIRE(!bad_date.ok());
  CHECK(bad_date.status().code() == ledger::Code::kInvalidArgument);
}

TEST_CASE("assessment: text explains the verdict", "[assessment]") {
  Web w = ThresholdWeb(100000);
  auto a =
      Assess(w.source(), testing::ShippedPolicy("cn-mofcom-2025-61.json"), "MAG", "2026-11-11");
  REQUIRE(a.ok());
  std::string text = AssessmentText(*a);
  CHECK(text.rfind(
            "Lot MAG under CN-MOFCOM-2025-61 on 2026-11-11: LICENCE MAY BE REQUIRED (status "
            "unconfirmed)",
            0) == 0);
  CHECK(AssessmentSummary(*a) ==
        "CN-MOFCOM-2025-61: LICENCE MAY BE REQUIRED (status unconfirmed) — licence may be "
        "required: the rule's status is unconfirmed since 2026-11-11 (were it in force: "
        "controlled content is 0.1000 % (exactly 1/1000) of the lot's value, at or above the "
        "threshold 0.1000 %)");
  CHECK(text.find("MAY REQUIRE A LICENCE (status unconfirmed since 2026-11-11)") !=
        std::string::npos);
  CHECK(text.find("sources checked:") != std::string::npos);
  CHECK(text.find("0.1000 % (exactly 1/1000") != std::string::npos);
  CHECK(text.find("DYOX -> MAG") != std::string::npos);
  CHECK(text.find("review date of 2026-11-11") != std::string::npos);
  // Once per assessment, not once per rule.
  CHECK(text.find("review date", text.find("review date") + 1) == std::string::npos);
}

TEST_CASE("assessment: a correction upstream changes the verdict and says so", "[assessment]") {
  Web w = ThresholdWeb(100000);  // licence required through DYOX, already consumed
  ledger::CorrectLot fix;
  fix.lot = "DYOX";
  fix.category = "re_magnet";  // not a controlled category: DYOX is no origin item
  fix.reason = "was a magnet scrap lot";
  const uint64_t at = w.Correct("cn", fix);
  auto a = Assess(w.source(), TestPolicy(), "MAG", "2025-06-01");
  REQUIRE(a.ok());
  json j = AssessmentJson(*a);
  CHECK(j["license_required"] == false);
  CHECK(j["controlled_content"] == "0/1");
  REQUIRE(j["corrections"].size() == 1);
  CHECK(j["corrections"][0]["entry"] == at);
  CHECK(j["corrections"][0]["lot"] == "DYOX");
  CHECK(j["corrections"][0]["changes"][0] ==
        json({{"field", "category"}, {"before", "re_oxide"}, {"after", "re_magnet"}}));
  const std::string changed = "the correction(s) at entry " + std::to_string(at) +
                              " changed this determination: before them it was licence "
                              "required, not a controlled origin item, ratio 1/1000; now no "
                              "licence required, not a controlled origin item, ratio 0/1";
  bool found = false, named = false;
  for (const auto& warning : a->warnings) {
    found = found || warning == changed;
    named = named || warning.find("lot DYOX as corrected by entry " + std::to_string(at) +
                                  ": category re_oxide -> re_magnet") == 0;
  }
  CHECK(found);
  CHECK(named);
  CHECK(AssessmentText(*a).find(changed) != std::string::npos);
  // The corrected lot itself: no longer an origin item.
  CHECK(Judge(w, TestPolicy(), "DYOX")["controlled_origin_item"] == false);
}

TEST_CASE("assessment: a correction that changes nothing decisive is named only", "[assessment]") {
  Web w = ThresholdWeb(100000);
  ledger::CorrectLot fix;
  fix.lot = "DYOX";
  fix.elements = ledger::Elements{{"Dy", 7}, {"Tb", 1}};
  fix.reason = "assay";
  w.Correct("cn", fix);
  auto a = Assess(w.source(), TestPolicy(), "MAG", "2025-06-01");
  REQUIRE(a.ok());
  CHECK(a->license_required);
  CHECK(a->corrections.size() == 1);
  for (const auto& warning : a->warnings)
    CHECK(warning.find("changed this determination") == std::string::npos);
}

TEST_CASE("assessment: a split part of a corrected lot is assessed as corrected", "[assessment]") {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Create("cn", "OX", "re_magnet", 100, 10000, "CN", ledger::Elements{{"Nd", 50}});
  w.Split("cn", "OX", {{"OX-A", 40}});
  CHECK(Judge(w, TestPolicy(), "OX-A")["controlled_origin_item"] == false);
  ledger::CorrectLot fix;
  fix.lot = "OX";
  fix.category = "re_oxide";
  fix.elements = ledger::Elements{{"Dy", 30}, {"Nd", 20}};
  fix.reason = "misfiled";
  w.Correct("cn", fix);
  json part = Judge(w, TestPolicy(), "OX-A");
  CHECK(part["controlled_origin_item"] == true);
  CHECK(part["license_required"] == true);
  // Listed for each lot of the cone it changed: the part and its parent.
  REQUIRE(part["corrections"].size() == 2);
  CHECK(part["corrections"][0]["lot"] == "OX");
  CHECK(part["corrections"][1]["lot"] == "OX-A");
  CHECK(part["corrections"][1]["corrected_lot"] == "OX");
}

TEST_CASE("assessment: AssessAll walks every lot in log order with a filter", "[assessment]") {
  Web w = TechnologyWeb();
  std::vector<std::string> seen;
  auto st = AssessAll(w.source(), TestPolicy(), "2025-06-01", {}, [&](const Assessment& a) {
    seen.push_back(a.lot);
    return ledger::Status::Ok();
  });
  REQUIRE(st.ok());
  CHECK(seen ==
        std::vector<std::string>{"ORE", "CON", "MET", "MAG", "SCRAP", "MOTOR", "CNORE", "CNOX"});
  seen.clear();
  AssessAllOptions only;
  only.categories = std::set<std::string>{"re_magnet", "product"};
  REQUIRE(AssessAll(w.source(), TestPolicy(), "2025-06-01", only, [&](const Assessment& a) {
            seen.push_back(a.lot);
            return ledger::Status::Ok();
          }).ok());
  CHECK(seen == std::vector<std::string>{"MAG", "MOTOR"});
}

}  // namespace
}  // namespace rareledger::graph
