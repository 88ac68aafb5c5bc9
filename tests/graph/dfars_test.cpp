// process_location and the shipped DFARS 252.225-7052 policy, by hand.
// Covered material: NdFeB magnets (re_magnet with Nd). Masses in grams.
#include <catch2/catch.hpp>

#include "graph/assessment.h"
#include "tests/graph/test_policy.h"
#include "tests/graph/web.h"

namespace rareledger::graph {
namespace {

using testing::Rule;

using json = nlohmann::json;
using testing::Out;
using testing::Web;

// A CN magnet maker sinters MAG (1000 g) from JP oxide; a US maker builds
// ITEM from `magnet_g` of MAG and `steel_g` of steel: covered share
// magnet_g / (magnet_g + steel_g). With `mined_in_cn`, the oxide comes from
// China and the magnet is made in JP instead.
Web Item(int64_t magnet_g, int64_t steel_g, bool mined_in_cn = false) {
  Web w;
  w.Party("mag", mined_in_cn ? "JP" : "CN");
  w.Party("us", "US");
  w.Create("mag", "OX", "re_oxide", 2000, 1000, mined_in_cn ? "CN" : "JP",
           ledger::Elements{{"Nd", 1500}});
  w.Transform("mag", "magnet_manufacturing", mined_in_cn ? "JP" : "CN", std::nullopt,
              {{"OX", 2000}}, {Out{"MAG", "re_magnet", 1000, 50000, ledger::Elements{{"Nd", 300}}}});
  w.Transfer("mag", "MAG", "us");
  w.Create("us", "STEEL", "other", 1000000, 1000, "US");
  w.Transform("us", "assembly", "US", std::nullopt, {{"MAG", magnet_g}, {"STEEL", steel_g}},
              {Out{"ITEM", "component", magnet_g + steel_g, 100000}});
  return w;
}

json Judge(const Web& w, const std::string& lot, const std::string& as_of) {
  auto a = Assess(w.source(), testing::ShippedPolicy("us-dfars-252-225-7052.json"), lot, as_of);
  REQUIRE(a.ok());
  return AssessmentJson(*a);
}

TEST_CASE("dfars: a magnet made in China is prohibited before and after 2027", "[dfars]") {
  Web w = Item(500, 500);
  json before = Judge(w, "MAG", "2026-12-31");
  CHECK(before["verdict"] == "prohibited");
  CHECK(before["covered_mass_share"] == "1/1");
  CHECK(before["process_findings"][0]["process"] == "magnet_manufacturing");
  CHECK(before["process_findings"][0]["country"] == "CN");
  CHECK(Judge(w, "MAG", "2027-01-01")["verdict"] == "prohibited");
  CHECK(Judge(w, "MAG", "2019-04-29")["verdict"] == "not_required");  // before the clause
}

TEST_CASE("dfars: the 50 % exemption from 2027, exactly at the line and one gram below",
          "[dfars]") {
  // 500 g of magnet in 1000 g: exactly 1/2, not exempt.
  json at = Judge(Item(500, 500), "ITEM", "2027-01-01");
  CHECK(at["covered_mass_share"] == "1/2");
  CHECK(Rule(at, "7052-2027-mined-refined-separated")["applies"] == true);
  CHECK(at["verdict"] == "prohibited");
  // 499 g of magnet in 999 g... one gram of magnet less, same steel: 499/999 < 1/2.
  json below = Judge(Item(499, 500), "ITEM", "2027-01-01");
  CHECK(below["covered_mass_share"] == "499/999");
  CHECK(Rule(below, "7052-2027-mined-refined-separated")["applies"] == false);
  CHECK(below["verdict"] == "not_required");
  // Before 2027 the exemption does not exist in this file: melted or
  // produced in China bites at any share.
  CHECK(Judge(Item(499, 500), "ITEM", "2026-12-31")["verdict"] == "prohibited");
  CHECK(Judge(Item(1, 999), "ITEM", "2026-12-31")["covered_mass_share"] == "1/1000");
}

TEST_CASE("dfars: mined in China matters only from 2027, with a review warning", "[dfars]") {
  Web w = Item(600, 400, /*mined_in_cn=*/true);  // magnet sintered in JP from CN oxide
  json before = Judge(w, "ITEM", "2026-12-31");
  CHECK(before["verdict"] == "not_required");
  CHECK(Rule(before, "7052-melted-or-produced")["triggered"] == false);
  json after = Judge(w, "ITEM", "2027-01-01");
  CHECK(after["verdict"] == "prohibited");
  CHECK(after["process_findings"][0]["process"] == "mining");  // the create_lot in CN
  CHECK(after["process_findings"][0]["lots"] == json::array({"OX"}));
  bool review = false;
  for (const auto& warning : after["warnings"])
    review = review || warning.get<std::string>().find("2026-12-01 (rule "
                                                       "7052-2027-mined-refined-separated)") !=
                           std::string::npos;
  CHECK(review);
  // A lot with no covered material is never subject.
  json steel = Judge(w, "STEEL", "2027-01-01");
  CHECK(steel["covered_mass_share"] == "0/1");
  CHECK(steel["verdict"] == "not_required");
}

}  // namespace
}  // namespace rareledger::graph
