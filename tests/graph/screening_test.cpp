// Screening (SPEC "Licences and screening"): end_user and end_use rules,
// the humanitarian exemption, and general licences against listed
// consignees. TEST-SCREEN (test_policy.h) on one China-origin oxide lot.
#include <catch2/catch.hpp>

#include "graph/assessment.h"
#include "tests/graph/test_policy.h"
#include "tests/graph/web.h"

namespace rareledger::graph {
namespace {

using testing::Rule;

using json = nlohmann::json;
using testing::ScreeningPolicy;
using testing::Web;

// cn holds DYOX (China-origin Dy oxide); p1 (JP), p2 (US), p3 (DE) are on
// list L by name, by name over [2026-01-01, 2027-01-01), by party id; jp
// and vn are not listed.
Web ScreenWeb() {
  Web w;
  w.Party("cn", "CN");
  w.Party("p1", "JP");
  w.Party("p2", "US");
  w.Party("p3", "DE");
  w.Party("jp", "JP");
  w.Party("vn", "VN");
  w.Regulator("mofcom", "CN");
  w.Create("cn", "DYOX", "re_oxide", 10, 1000, "CN", ledger::Elements{{"Dy", 8}});
  return w;
}

Shipment To(const std::string& party, std::optional<std::string> end_use = std::nullopt,
            std::optional<std::string> end_user = std::nullopt) {
  return Shipment{party, std::move(end_user), std::move(end_use)};
}

Assessment Get(const Web& w, const Policy& p, const std::string& as_of, const Shipment& s) {
  auto a = Assess(w.source(), p, "DYOX", as_of, s);
  REQUIRE(a.ok());
  return *std::move(a);
}

json Judge(const Web& w, const Policy& p, const std::string& as_of, const Shipment& s) {
  return AssessmentJson(Get(w, p, as_of, s));
}

TEST_CASE("screening: a hit by registered name, party id or end_user text", "[screening]") {
  Web w = ScreenWeb();
  const Policy p = ScreeningPolicy();
  // 2026-05-31: the origin-item rule is not in force yet; only screening bites.
  json by_name = Judge(w, p, "2026-05-31", To("p1"));
  CHECK(by_name["verdict"] == "licence_required");
  REQUIRE(by_name["screening"].size() == 1);
  CHECK(by_name["screening"][0]["name"] == "P1");
  CHECK(by_name["screening"][0]["matched_by"] == "registered name");
  CHECK(AssessmentSummary(Get(w, p, "2026-05-31", To("p1"))) ==
        "TEST-SCREEN: LICENCE REQUIRED — the recipient matches \"P1\" on L (listed 2020-01-01, "
        "by registered name, confirmed) (presumption of denial); no licence of cn covers the "
        "shipment to p1");
  CHECK(Judge(w, p, "2026-05-31", To("p3"))["screening"][0]["matched_by"] == "party id");
  json by_text = Judge(w, p, "2026-05-31", To("vn", std::nullopt, "  shell CO"));
  CHECK(by_text["screening"][0]["matched_by"] == "end_user");
  CHECK(by_text["verdict"] == "licence_required");
  json clear = Judge(w, p, "2026-05-31", To("jp", "civil"));
  CHECK(clear["screening"].empty());
  CHECK(clear["verdict"] == "not_required");
  // Without a recipient the screening rules do not apply.
  auto none = Assess(w.source(), p, "DYOX", "2026-05-31");
  REQUIRE(none.ok());
  CHECK(none->verdict == Verdict::kNotRequired);
  CHECK(none->rules[0].applies_why == "not applicable (no recipient given (assess --to PARTY))");
}

TEST_CASE("screening: listed and delisted dates, and unknown status", "[screening]") {
  Web w = ScreenWeb();
  const Policy p = ScreeningPolicy();
  CHECK(Judge(w, p, "2025-12-31", To("p2"))["screening"].empty());
  CHECK(Judge(w, p, "2026-01-01", To("p2"))["screening"].size() == 1);
  CHECK(Judge(w, p, "2026-12-31", To("p2"))["screening"].size() == 1);
  CHECK(Judge(w, p, "2027-01-01", To("p2"))["screening"].empty());  // delisted
  // From 2027-01-01 the end_user rule's status is unknown; origin-item still bites.
  json later = Judge(w, p, "2027-01-01", To("p1"));
  CHECK(Rule(later, "listed")["in_force"] == "unknown");
  CHECK(later["verdict"] == "licence_required");
}

TEST_CASE("screening: end use rules read the end use and the destination", "[screening]") {
  Web w = ScreenWeb();
  const Policy p = ScreeningPolicy("prohibition");
  json jp = Judge(w, p, "2026-05-31", To("jp", "military"));
  CHECK(jp["verdict"] == "prohibited");
  CHECK(Rule(jp, "military-jp")["triggered"] == true);
  CHECK(Judge(w, p, "2026-05-31", To("jp", "civil"))["verdict"] == "not_required");
  json us = Judge(w, p, "2026-05-31", To("p2", "military"));
  CHECK(Rule(us, "military-jp")["applies"] == false);  // not a listed destination
  CHECK(Rule(us, "military-jp")["reason"].get<std::string>().find("in US, not a listed destination") !=
        std::string::npos);
  json unstated = Judge(w, p, "2026-05-31", To("jp"));
  CHECK(Rule(unstated, "military-jp")["reason"] ==
        "no end use given (assess --end-use)");
}

TEST_CASE("screening: the humanitarian exemption lifts the requirement with a duty to report",
          "[screening]") {
  Web w = ScreenWeb();
  const Policy p = ScreeningPolicy();
  json h = Judge(w, p, "2026-06-01", To("p1", "humanitarian"));
  CHECK(h["verdict"] == "not_required");
  CHECK(h["license_required"] == false);
  CHECK(h["exemption"] == "humanitarian");
  bool duty = false;
  for (const auto& warning : h["warnings"])
    duty = duty || warning.get<std::string>() ==
                       "humanitarian exemption: no licence is needed for this humanitarian end "
                       "use (it would otherwise be licence_required), but report it within 10 "
                       "working days";
  CHECK(duty);
  CHECK(AssessmentSummary(Get(w, p, "2026-06-01", To("p1", "humanitarian")))
            .rfind("TEST-SCREEN: no licence required (humanitarian exemption: a report is due, "
                   "see the warnings) — ",
                   0) == 0);
  CHECK(Judge(w, p, "2026-06-01", To("p1", "civil"))["verdict"] == "licence_required");
  // A policy without the exemption: humanitarian changes nothing.
  CHECK(Judge(w, testing::TestPolicy(), "2025-06-01", To("p1", "humanitarian"))["verdict"] ==
        "licence_required");
}

TEST_CASE("screening: a general licence never covers a listed consignee, an individual one may",
          "[screening][licence]") {
  Web w = ScreenWeb();
  const Policy p = ScreeningPolicy();
  ledger::Licence gl;
  gl.licence = "GL-1";
  gl.authority = "MOFCOM";
  gl.policy = "TEST-SCREEN";
  gl.licensee = "cn";
  gl.kind = "general";
  gl.valid_from = "2026-01-01";
  gl.valid_to = "2027-01-01";
  w.Licence("mofcom", gl);
  CHECK(Judge(w, p, "2026-06-01", To("jp", "civil"))["covered_by"] == "GL-1");
  json listed = Judge(w, p, "2026-06-01", To("p1", "civil"));
  CHECK(listed["covered_by"].is_null());
  CHECK(listed["licences"][0]["reason"] ==
        "a general licence never covers a consignee on a screening list (p1 is \"P1\" on L)");
  ledger::Licence ind = gl;
  ind.licence = "IND-1";
  ind.kind = "individual";
  ind.scope.consignees = std::vector<std::string>{"p1"};
  w.Licence("mofcom", ind);
  CHECK(Judge(w, p, "2026-06-01", To("p1", "civil"))["covered_by"] == "IND-1");
}

}  // namespace
}  // namespace rareledger::graph
