// Licence coverage (SPEC "Licences and screening"), hand-picked cases on
// one China-origin Dy oxide lot that needs a licence under TestPolicy.
#include <catch2/catch.hpp>

#include "graph/assessment.h"
#include "tests/graph/test_policy.h"
#include "tests/graph/web.h"

namespace rareledger::graph {
namespace {

using json = nlohmann::json;
using testing::TestPolicy;
using testing::Web;

ledger::Licence MakeLicence(const std::string& id, const std::string& licensee,
                            const std::string& kind = "individual") {
  ledger::Licence l;
  l.licence = id;
  l.authority = "MOFCOM";
  l.policy = "TEST-CN";
  l.licensee = licensee;
  l.kind = kind;
  l.valid_from = "2025-01-01";
  l.valid_to = "2026-01-01";
  return l;
}

// cn holds DYOX (10 g of CN Dy oxide: an origin item, licence required);
// mofcom issued L-IND to cn for DYOX to jp over [2025-01-01, 2026-01-01).
Web LicencedWeb() {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Party("us", "US");
  w.Regulator("mofcom", "CN");
  w.Create("cn", "DYOX", "re_oxide", 10, 1000, "CN", ledger::Elements{{"Dy", 8}});
  ledger::Licence l = MakeLicence("L-IND", "cn");
  l.scope.lots = std::vector<std::string>{"DYOX"};
  l.scope.consignees = std::vector<std::string>{"jp"};
  w.Licence("mofcom", l);
  return w;
}

Shipment To(const std::string& party, std::optional<std::string> end_use = std::nullopt,
            std::optional<std::string> end_user = std::nullopt) {
  Shipment s;
  s.to = party;
  s.end_use = std::move(end_use);
  s.end_user = std::move(end_user);
  return s;
}

json Judge(const Web& w, const Policy& p, const std::string& as_of,
           std::optional<std::string> to = std::nullopt, const std::string& lot = "DYOX") {
  std::optional<Shipment> shipment;
  if (to) shipment = To(*to);
  auto a = Assess(w.source(), p, lot, as_of, shipment);
  REQUIRE(a.ok());
  return AssessmentJson(*a);
}

TEST_CASE("licence: covers the shipment to its consignee, and says which", "[licence]") {
  Web w = LicencedWeb();
  json a = Judge(w, TestPolicy(), "2025-06-01", "jp");
  CHECK(a["verdict"] == "licence_required");
  CHECK(a["to"] == "jp");
  CHECK(a["holder"] == "cn");
  REQUIRE(a["licences"].size() == 1);
  CHECK(a["licences"][0]["licence"] == "L-IND");
  CHECK(a["licences"][0]["issued"] == true);
  CHECK(a["licences"][0]["covers"] == true);
  CHECK(a["covered_by"] == "L-IND");
  auto text = Assess(w.source(), TestPolicy(), "DYOX", "2025-06-01", To("jp"));
  REQUIRE(text.ok());
  CHECK(AssessmentSummary(*text) ==
        "TEST-CN: LICENCE REQUIRED — DYOX is a controlled origin item (re_oxide made in CN); "
        "covered by licence L-IND (issued by mofcom)");
}

TEST_CASE("licence: does not cover another consignee, no consignee, or outside its dates",
          "[licence]") {
  Web w = LicencedWeb();
  json other = Judge(w, TestPolicy(), "2025-06-01", "us");
  CHECK(other["licences"][0]["covers"] == false);
  CHECK(other["licences"][0]["reason"] == "consignee us is not among its consignees (jp)");
  CHECK(other["covered_by"].is_null());
  json none = Judge(w, TestPolicy(), "2025-06-01");
  CHECK(none["licences"][0]["reason"] ==
        "limited to consignees jp: no recipient given (assess --to PARTY)");
  CHECK(none["covered_by"].is_null());
  CHECK(Judge(w, TestPolicy(), "2024-12-31", "jp")["licences"][0]["reason"] ==
        "not yet valid on 2024-12-31 (from 2025-01-01)");
  CHECK(Judge(w, TestPolicy(), "2025-12-31", "jp")["covered_by"] == "L-IND");  // last day
  json expired = Judge(w, TestPolicy(), "2026-01-01", "jp");
  CHECK(expired["licences"][0]["reason"] == "expired: valid until 2026-01-01 (exclusive)");
  CHECK(expired["covered_by"].is_null());
  // An unregistered consignee is an error, not a silent "not covered".
  CHECK(Assess(w.source(), TestPolicy(), "DYOX", "2025-06-01", To("nobody")).status().code() ==
        ledger::Code::kNotFound);
}

TEST_CASE("licence: a revoked one does not cover from the revocation's date", "[licence]") {
  Web w = LicencedWeb();
  w.set_time("2025-08-01T09:30:00Z");
  const uint64_t at = w.RevokeLicence("mofcom", "L-IND", "consignee changed");
  CHECK(Judge(w, TestPolicy(), "2025-07-31", "jp")["covered_by"] == "L-IND");
  json after = Judge(w, TestPolicy(), "2025-08-01", "jp");
  CHECK(after["covered_by"].is_null());
  CHECK(after["licences"][0]["reason"] == "revoked by entry " + std::to_string(at) +
                                              " on 2025-08-01: consignee changed");
}

TEST_CASE("licence: declared by the licensee is reported as not issued, issued ones first",
          "[licence]") {
  Web w = LicencedWeb();
  ledger::Licence declared = MakeLicence("GL-7", "cn", "general");
  declared.document_sha256 = std::string(64, 'b');
  w.Licence("cn", declared);
  json to_us = Judge(w, TestPolicy(), "2025-06-01", "us");
  REQUIRE(to_us["licences"].size() == 2);
  CHECK(to_us["licences"][1]["licence"] == "GL-7");
  CHECK(to_us["licences"][1]["issued"] == false);
  CHECK(to_us["licences"][1]["document_sha256"] == std::string(64, 'b'));
  CHECK(to_us["covered_by"] == "GL-7");
  auto text = Assess(w.source(), TestPolicy(), "DYOX", "2025-06-01", To("us"));
  REQUIRE(text.ok());
  CHECK(AssessmentSummary(*text).find(
            "covered by licence GL-7 (declared by cn, not issued by a regulator)") !=
        std::string::npos);
  // Both cover the shipment to jp: the issued one is named.
  CHECK(Judge(w, TestPolicy(), "2025-06-01", "jp")["covered_by"] == "L-IND");
}

TEST_CASE("licence: only the holder's, only under the assessed policy, none for a prohibition",
          "[licence]") {
  Web w = LicencedWeb();
  ledger::Licence other = MakeLicence("L-OTHER", "cn");
  other.policy = "SOME-OTHER-POLICY";
  w.Licence("mofcom", other);
  CHECK(Judge(w, TestPolicy(), "2025-06-01", "jp")["licences"].size() == 1);
  // Category scope: DYOX is re_oxide.
  ledger::Licence metals = MakeLicence("L-MET", "cn");
  metals.scope.categories = std::vector<std::string>{"re_metal"};
  w.Licence("mofcom", metals);
  json a = Judge(w, TestPolicy(), "2025-06-01", "us");
  CHECK(a["licences"][1]["reason"] == "category re_oxide is not in its scope (re_metal)");
  // Once jp holds the lot, cn's licences are not its holder's.
  w.Transfer("cn", "DYOX", "jp");
  CHECK(Judge(w, TestPolicy(), "2025-06-01", "us")["licences"].empty());
  // A prohibition: listed, never covering.
  Web v = LicencedWeb();
  Policy ban = TestPolicy();
  ban.effect = Effect::kProhibition;
  ban.id = "TEST-CN";
  json banned = Judge(v, ban, "2025-06-01", "jp");
  CHECK(banned["verdict"] == "prohibited");
  CHECK(banned["license_required"] == true);
  CHECK(banned["licences"][0]["covers"] == false);
  CHECK(banned["licences"][0]["reason"] == "the policy is a prohibition: no licence can cure it");
  CHECK(banned["covered_by"].is_null());
}

TEST_CASE("licence: a licence of a split parent covers its parts", "[licence]") {
  Web w = LicencedWeb();
  w.Split("cn", "DYOX", {{"DYOX-A", 4}});
  CHECK(Judge(w, TestPolicy(), "2025-06-01", "jp", "DYOX-A")["covered_by"] == "L-IND");
}

}  // namespace
}  // namespace rareledger::graph
