// What a compliance officer reads: summary lines with their reasons, rule
// lines in words, amounts in the ledger's currency, the binding to the log
// and the policy file, caveats.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "graph/assessment.h"
#include "ledger/crypto.h"
#include "tests/graph/test_policy.h"
#include "tests/graph/web.h"

namespace rareledger::graph {
namespace {

using json = nlohmann::json;
using testing::Out;
using testing::TestPolicy;
using testing::Web;

bool Has(const std::string& text, const std::string& part) {
  INFO(text);
  return text.find(part) != std::string::npos;
}

// CN Dy oxide DYOX: 10 g for 1000 (vpg 100). JP magnet MAG from 1 g of it
// and 500 g of JP NdPr oxide: content 100 on 400 g; ratio 100 / V. A JP
// product PROD from 100 g of the magnet (value 1000): content 25, ratio 1/40.
Web ChainWeb(int64_t magnet_value) {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Create("cn", "DYOX", "re_oxide", 10, 1000, "CN", ledger::Elements{{"Dy", 8}});
  w.Transfer("cn", "DYOX", "jp");
  w.Create("jp", "NDPR", "re_oxide", 500, 20000, "JP", ledger::Elements{{"Nd", 300}});
  w.Transform("jp", "magnet_manufacturing", "JP", std::nullopt, {{"DYOX", 1}, {"NDPR", 500}},
              {Out{"MAG", "re_magnet", 400, magnet_value}});
  w.Transform("jp", "assembly", "JP", std::nullopt, {{"MAG", 100}},
              {Out{"PROD", "product", 100, 1000}});
  return w;
}

Assessment Judge(const Web& w, const Policy& p, const std::string& lot,
                 const std::string& as_of = "2025-06-01") {
  auto a = Assess(w.source(), p, lot, as_of);
  REQUIRE(a.ok());
  return *std::move(a);
}

Binding EurBinding() {
  return {"test-ledger",
          "EUR",
          9,
          std::string(64, 'a'),
          LogCheckpoint{7, "test-ledger\n7\nAAAA\n\n— test-ledger BBBB\n"},
          "rareledger 9.8.7"};
}

TEST_CASE("explain: a licence summary names the one rule's reason", "[explain]") {
  Web w = ChainWeb(100000);
  CHECK(AssessmentSummary(Judge(w, TestPolicy(), "DYOX")) ==
        "TEST-CN: LICENCE REQUIRED — DYOX is a controlled origin item (re_oxide made in CN)");
  // MAG: ratio exactly 1/1000 meets the >= threshold.
  CHECK(AssessmentSummary(Judge(w, TestPolicy(), "MAG")) ==
        "TEST-CN: LICENCE REQUIRED — controlled content is 0.1000 % (exactly 1/1000) of the "
        "lot's value, at or above the threshold 0.1000 %");
}

TEST_CASE("explain: a no-licence summary gives every rule's reason", "[explain]") {
  Web w = ChainWeb(100001);  // 100/100001: below 1/1000
  const std::string s = AssessmentSummary(Judge(w, TestPolicy(), "MAG"));
  CHECK(s.rfind("TEST-CN: no licence required — ", 0) == 0);
  CHECK(Has(s,
            "value-ratio: not triggered: the ratio 0.1000 % (exactly 100/100001) does not "
            "meet the threshold 0.1000 % (1/1000, >=)"));
  CHECK(Has(s, "technology: not triggered: no transform"));
  CHECK(Has(s,
            "origin-item: not applicable (MAG is not a controlled origin item: category "
            "re_magnet is not controlled and it was made in JP, not CN)"));
  // A product with a ratio above the threshold: not a subject, said so.
  const Assessment prod = Judge(ChainWeb(100000), TestPolicy(), "PROD");
  CHECK(prod.ratio.Fraction() == "1/40");
  const std::string p = AssessmentSummary(prod);
  CHECK(Has(p,
            "value-ratio: not applicable (category product is not a subject category), though "
            "the ratio 2.5000 % (exactly 1/40) would meet the threshold 0.1000 % (1/1000, >=); "
            "technology: not applicable (category product is not a subject category); "));
  const std::string text = AssessmentText(prod);
  CHECK(Has(text,
            "not applicable (category product is not a subject category)\n"
            "    the ratio 2.5000 % (exactly 1/40) would meet the threshold"));
}

TEST_CASE("explain: rules with the same reason share one clause", "[explain]") {
  Web w = ChainWeb(100000);
  w.Transform("jp", "assembly", "JP", std::nullopt, {{"PROD", 100}},
              {Out{"CAR", "product", 100, 100000000}});  // content 25: far below
  CHECK(AssessmentSummary(Judge(w, TestPolicy(), "CAR")) ==
        "TEST-CN: no licence required — value-ratio, technology: not applicable (category "
        "product is not a subject category); origin-item: not applicable (CAR is not a "
        "controlled origin item: category product is not controlled and it was made in JP, not "
        "CN)");
}

TEST_CASE("explain: a zero-value lot with content reads as above any threshold", "[explain]") {
  Web w = ChainWeb(0);  // the magnet declares value 0: ratio 1/0
  const Assessment a = Judge(w, TestPolicy(), "MAG");
  CHECK(a.ratio.infinite());
  CHECK(AssessmentSummary(a) ==
        "TEST-CN: LICENCE REQUIRED — the lot has zero value but carries controlled content "
        "(ratio 1/0), above any threshold");
  CHECK(Has(AssessmentText(a), "ratio:              infinite (1/0: zero value, some content)"));
}

TEST_CASE("explain: suspension and review date are said once, in words", "[explain]") {
  Web w = ChainWeb(100000);
  Policy p61 = testing::ShippedPolicy("cn-mofcom-2025-61.json");
  const Assessment during = Judge(w, p61, "MAG", "2026-06-01");
  CHECK(Has(AssessmentSummary(during),
            "61-1-1-value-ratio: suspended on 2026-06-01 (suspension 2025-11-07 through "
            "2026-11-10)"));
  CHECK(during.warnings.empty());
  const Assessment after = Judge(w, p61, "MAG", "2026-12-01");
  REQUIRE(after.warnings.size() == 1);
  const std::string text = AssessmentText(after);
  CHECK(Has(text, "status unconfirmed on 2026-12-01 (unknown since 2026-11-11, open-ended: the "
                  "policy's sources do not say whether the rule is in force); sources checked: "));
  CHECK(!Has(text, "applies: "));
  CHECK(!Has(text, "triggered: "));
}

TEST_CASE("explain: amounts in the ledger currency, mass in words", "[explain]") {
  Web w = ChainWeb(110000000);
  Assessment a = Judge(w, TestPolicy(), "MAG");
  a.binding = EurBinding();
  const std::string text = AssessmentText(a);
  // 300 g remain of 400: value 300 x 110000000/400 minor units.
  CHECK(Has(text, "on 300 g of remaining mass"));
  CHECK(Has(text, "lot value:          EUR 825,000.00"));
  CHECK(Has(text, "controlled content: EUR 0.75"));
  CHECK(Has(text, "DYOX (made in CN): EUR 0.75 of the content"));
  CHECK(Has(text, "counts at the whole of its value"));
  CHECK(Has(text, "rounded half-up to 4 places"));
  // Without a currency the text says minor units, never a guessed currency.
  a.binding->currency.clear();
  CHECK(Has(AssessmentText(a), "lot value:          82,500,000 minor units"));
}

TEST_CASE("explain: the binding in JSON and text", "[explain]") {
  Web w = ChainWeb(100000);
  Assessment a = Judge(w, TestPolicy(), "MAG");
  json unbound = AssessmentJson(a);
  CHECK(!unbound.contains("ledger"));
  CHECK(unbound["policy_sha256"].get<std::string>().size() == 64);
  a.binding = EurBinding();
  json j = AssessmentJson(a);
  CHECK(j["ledger"] == "test-ledger");
  CHECK(j["size"] == 9);
  CHECK(j["root"] == std::string(64, 'a'));
  CHECK(j["checkpoint"] ==
        json{{"size", 7}, {"note", "test-ledger\n7\nAAAA\n\n— test-ledger BBBB\n"}});
  CHECK(j["tool"] == "rareledger 9.8.7");
  CHECK(j["policy"] == "TEST-CN");
  CHECK(j["currency"] == "EUR");
  const std::string text = AssessmentText(a);
  CHECK(Has(text, "latest signed checkpoint: size 7 (2 later entries are not covered yet)"));
  CHECK(Has(text, "    | — test-ledger BBBB\n"));
  CHECK(Has(text, "rareledger 9.8.7"));
  a.binding->checkpoint.reset();
  CHECK(AssessmentJson(a)["checkpoint"].is_null());
  CHECK(Has(AssessmentText(a), "no signed checkpoint"));
}

TEST_CASE("explain: policy_sha256 is the SHA-256 of the file's bytes", "[explain]") {
  const std::string path = std::string(RL_POLICIES_DIR) + "/cn-mofcom-2025-18.json";
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto p = LoadPolicy(path);
  REQUIRE(p.ok());
  CHECK(p->sha256 == ledger::HexEncode(ledger::Sha256(bytes.str())));
  // One more space is another file.
  auto q = ParsePolicy(bytes.str() + " ", ListDirectory(std::string(RL_POLICIES_DIR) + "/lists"));
  REQUIRE(q.ok());
  CHECK(q->sha256 != p->sha256);
}

TEST_CASE("explain: caveats are parsed, checked and shown", "[explain]") {
  const std::string base = R"({"id": "C", "controlling_country": "CN",
      "controlled_elements": ["Dy"], "controlled_categories": ["re_oxide"], CAVEATS
      "rules": [{"id": "o", "kind": "origin_item", "in_force": [{"from": "2020-01-01", "to": null}]}]})";
  auto with = [&](const std::string& c) {
    std::string t = base;
    t.replace(t.find("CAVEATS"), 7, c);
    return ParsePolicy(t);
  };
  auto p = with(R"("caveats": ["the end date is UNCONFIRMED"],)");
  REQUIRE(p.ok());
  CHECK(p->caveats == std::vector<std::string>{"the end date is UNCONFIRMED"});
  CHECK(!with(R"("caveats": "one string",)").ok());
  CHECK(!with(R"("caveats": [""],)").ok());
  CHECK(!with(R"("caveats": [3],)").ok());
  Web w = ChainWeb(100000);
  Assessment a = Judge(w, *p, "DYOX");
  CHECK(AssessmentJson(a)["caveats"] == json::array({"the end date is UNCONFIRMED"}));
  CHECK(Has(AssessmentText(a),
            "Caveats (points of this policy its authors could not confirm):\n"
            "  - the end date is UNCONFIRMED\n"));
}

TEST_CASE(
    "explain: shipped policies mark UNCONFIRMED points as caveats and cite no local "
    "paths",
    "[explain][policy]") {
  namespace fs = std::filesystem;
  int files = 0;
  for (const auto& e : fs::directory_iterator(RL_POLICIES_DIR)) {
    if (e.path().extension() != ".json") continue;
    ++files;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string text = bytes.str();
    INFO(e.path());
    CHECK(text.find("/work/") == std::string::npos);
    CHECK(text.find("../") == std::string::npos);
    CHECK(text.find("shared/") == std::string::npos);
    json doc = json::parse(text);
    for (const auto& note : doc.value("notes", json::array()))
      CHECK(note.get<std::string>().find("UNCONFIRMED") == std::string::npos);
    auto p = LoadPolicy(e.path().string());
    REQUIRE(p.ok());
  }
  CHECK(files >= 3);
  CHECK(!testing::ShippedPolicy("cn-mofcom-2025-61.json").caveats.empty());
}

TEST_CASE("explain: several assessments start with one summary line each", "[explain]") {
  Web w = ChainWeb(100000);
  Policy p61 = testing::ShippedPolicy("cn-mofcom-2025-61.json");
  Policy p18 = testing::ShippedPolicy("cn-mofcom-2025-18.json");
  const std::string text =
      AssessmentsText({Judge(w, p61, "DYOX", "2026-06-01"), Judge(w, p18, "DYOX", "2026-06-01")});
  std::istringstream lines(text);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(first.rfind("CN-MOFCOM-2025-61: no licence required — ", 0) == 0);
  CHECK(second ==
        "CN-MOFCOM-2025-18: LICENCE REQUIRED — DYOX is a controlled origin item (re_oxide made "
        "in CN)");
  CHECK(Has(text, "\nLot DYOX under CN-MOFCOM-2025-61 on 2026-06-01"));
  CHECK(Has(text, "\nLot DYOX under CN-MOFCOM-2025-18 on 2026-06-01"));
}

}  // namespace
}  // namespace rareledger::graph
