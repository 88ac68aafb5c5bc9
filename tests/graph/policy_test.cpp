#include "graph/policy.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

namespace rareledger::graph {
namespace {

const char* kGood = R"({
  "id": "P", "controlling_country": "CN",
  "controlled_elements": ["Dy"], "controlled_categories": ["re_oxide"],
  "rules": [
    {"id": "vr", "kind": "value_ratio", "threshold": "1/1000",
     "subject_categories": ["re_magnet"],
     "in_force": [{"from": "2025-12-01", "to": null}],
     "suspended": [{"from": "2025-11-07", "to": "2026-11-11"}],
     "review_after": "2026-11-11"},
    {"id": "oi", "kind": "origin_item", "in_force": [{"from": "2025-10-09", "to": null}]}]})";

// kGood with `from` replaced by `to` (first occurrence).
std::string Edit(const std::string& from, const std::string& to) {
  std::string s = kGood;
  size_t p = s.find(from);
  REQUIRE(p != std::string::npos);
  return s.replace(p, from.size(), to);
}

std::string ErrorOf(const std::string& text) {
  auto p = ParsePolicy(text);
  REQUIRE(!p.ok());
  return p.status().message();
}

TEST_CASE("policy: a valid policy loads with defaults", "[policy]") {
  auto p = ParsePolicy(kGood);
  REQUIRE(p.ok());
  CHECK(p->rules.size() == 2);
  CHECK(p->rules[0].threshold == Rational(1, 1000));
  CHECK(!p->rules[0].strict);
  CHECK(!p->rules[1].subject_categories);
  CHECK(p->categories.count("re_target") == 1);
}

TEST_CASE("policy: each validation failure has its message", "[policy]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(ErrorOf("{"), Contains("invalid JSON at line 1, column 2"));
  CHECK_THAT(ErrorOf("{\n  \"id\": \"x\",\n  \"rules\": [1.5]\n}"),
             Contains("rules[0]: fraction or exponent in number"));
  CHECK_THAT(ErrorOf(Edit("\"value_ratio\"", "\"ratio\"")),
             Contains("unknown rule kind \"ratio\""));
  CHECK_THAT(ErrorOf(Edit("\"1/1000\"", "\"0.001\"")),
             Contains("rule vr.threshold: \"0.001\" is not an exact fraction"));
  CHECK_THAT(ErrorOf(Edit("\"1/1000\"", "\"1/0\"")), Contains("is not an exact fraction"));
  CHECK_THAT(ErrorOf(Edit("\"threshold\": \"1/1000\",", "")),
             Contains("missing field \"threshold\""));
  CHECK_THAT(ErrorOf(Edit("\"controlling_country\": \"CN\",", "")),
             Contains("missing field \"controlling_country\""));
  CHECK_THAT(ErrorOf(Edit("\"in_force\": [{\"from\": \"2025-12-01\", \"to\": null}],", "")),
             Contains("rule vr: missing field \"in_force\""));
  CHECK_THAT(ErrorOf(Edit("2025-12-01", "2025-02-30")), Contains("invalid date \"2025-02-30\""));
  CHECK_THAT(ErrorOf(Edit("2025-12-01", "2025-12-1")), Contains("invalid date"));
  CHECK_THAT(ErrorOf(Edit("\"to\": \"2026-11-11\"", "\"to\": \"2025-11-07\"")),
             Contains("from >= to"));
  CHECK_THAT(ErrorOf(Edit("\"suspended\": [",
                          "\"suspended\": [{\"from\": \"2026-01-01\", \"to\": \"2027-01-01\"},")),
             Contains("overlaps"));
  CHECK_THAT(
      ErrorOf(Edit(
          "[{\"from\": \"2025-12-01\", \"to\": null}]",
          "[{\"from\": \"2025-12-01\", \"to\": null}, {\"from\": \"2030-01-01\", \"to\": null}]")),
      Contains("rule vr.in_force[1]: overlaps"));
  CHECK_THAT(ErrorOf(Edit("[\"re_magnet\"]", "[\"re_magnets\"]")),
             Contains("unknown category \"re_magnets\""));
  CHECK_THAT(ErrorOf(Edit("[\"re_oxide\"]", "[\"oxide\"]")),
             Contains("unknown category \"oxide\""));
  CHECK_THAT(ErrorOf(Edit("\"threshold\"", "\"comparator\": \"=>\", \"threshold\"")),
             Contains("bad comparator \"=>\""));
  CHECK_THAT(ErrorOf(Edit("\"review_after\": \"2026-11-11\"", "\"review_after\": \"soon\"")),
             Contains("rule vr.review_after: invalid date"));
  CHECK_THAT(ErrorOf(Edit("\"kind\": \"origin_item\"",
                          "\"kind\": \"origin_item\", \"threshold\": \"1/2\"")),
             Contains("only for value_ratio"));
  CHECK_THAT(ErrorOf(Edit("\"id\": \"oi\"", "\"id\": \"vr\"")), Contains("duplicate rule id"));
  CHECK_THAT(ErrorOf(Edit("\"subject_categories\"", "\"subject_category\"")),
             Contains("unknown field \"subject_category\""));
  CHECK_THAT(ErrorOf(Edit("\"CN\"", "\"China\"")), Contains("not an ISO 3166-1 alpha-2"));
}

TEST_CASE("policy: technology rules need known processes", "[policy]") {
  using Catch::Matchers::Contains;
  std::string tech =
      Edit("{\"id\": \"oi\"",
           "{\"id\": \"t\", \"kind\": \"technology\", \"processes\": [\"smelting\"], "
           "\"in_force\": []}, {\"id\": \"oi\"");
  CHECK_THAT(ErrorOf(tech), Contains("unknown process \"smelting\""));
  std::string none =
      Edit("{\"id\": \"oi\"",
           "{\"id\": \"t\", \"kind\": \"technology\", \"in_force\": []}, {\"id\": \"oi\"");
  CHECK_THAT(ErrorOf(none), Contains("missing field \"processes\""));
}

TEST_CASE("policy: a custom category vocabulary replaces SPEC's", "[policy]") {
  std::string custom = Edit("\"controlled_elements\"",
                            "\"categories\": [\"re_oxide\", \"ingot\"], \"controlled_elements\"");
  CHECK_THAT(ErrorOf(custom), Catch::Matchers::Contains("unknown category \"re_magnet\""));
  std::string ok = Edit("[\"re_magnet\"]", "[\"ingot\"]");
  ok = ok.replace(ok.find("\"controlled_elements\""), 21,
                  "\"categories\": [\"re_oxide\", \"ingot\"], \"controlled_elements\"");
  CHECK(ParsePolicy(ok).ok());
}

TEST_CASE("policy: in force across windows and suspensions", "[policy]") {
  auto p = ParsePolicy(kGood);
  REQUIRE(p.ok());
  const Rule& vr = p->rules[0];
  CHECK(!RuleInForce(vr, "2025-11-30"));  // before from
  CHECK(!RuleInForce(vr, "2025-12-01"));  // from, but suspended
  CHECK(!RuleInForce(vr, "2026-11-10"));  // last suspended day
  CHECK(RuleInForce(vr, "2026-11-11"));   // `to` is exclusive
  CHECK(!ReviewDue(vr, "2026-11-10"));
  CHECK(ReviewDue(vr, "2026-11-11"));
  const Rule& oi = p->rules[1];
  CHECK(!RuleInForce(oi, "2025-10-08"));
  CHECK(RuleInForce(oi, "2025-10-09"));
  CHECK(RuleInForce(oi, "2099-01-01"));
}

TEST_CASE("policy: dates are checked against the calendar", "[policy]") {
  CHECK(IsValidDate("2024-02-29"));
  CHECK(!IsValidDate("2025-02-29"));
  CHECK(!IsValidDate("1900-02-29"));
  CHECK(IsValidDate("2000-02-29"));
  CHECK(!IsValidDate("2025-13-01"));
  CHECK(!IsValidDate("2025-00-10"));
  CHECK(!IsValidDate("2025-04-31"));
  CHECK(!IsValidDate("25-04-01"));
}

TEST_CASE("policy: every shipped policy loads", "[policy]") {
  for (const char* name :
       {"cn-mofcom-2025-61.json", "cn-mofcom-2025-18.json", "us-ear-734-4-de-minimis.json"}) {
    INFO(name);
    auto p = LoadPolicy(std::string(RL_POLICIES_DIR) + "/" + name);
    REQUIRE(p.ok());
    CHECK(!p->rules.empty());
  }
  auto missing = LoadPolicy(std::string(RL_POLICIES_DIR) + "/nope.json");
  REQUIRE(!missing.ok());
  CHECK(missing.status().code() == ledger::Code::kNotFound);
}

TEST_CASE("policy: MOFCOM 61 limbs follow the brief's timeline", "[policy]") {
  auto p = LoadPolicy(std::string(RL_POLICIES_DIR) + "/cn-mofcom-2025-61.json");
  REQUIRE(p.ok());
  REQUIRE(p->rules.size() == 3);
  const Rule& vr = p->rules[0];
  const Rule& tech = p->rules[1];
  const Rule& origin = p->rules[2];
  CHECK(RuleInForce(origin, "2025-10-09"));
  CHECK(RuleInForce(origin, "2025-11-06"));
  CHECK(!RuleInForce(origin, "2025-11-07"));
  for (const char* d : {"2025-11-30", "2025-12-01", "2026-06-01", "2026-11-10"}) {
    CHECK(!RuleInForce(vr, d));
    CHECK(!RuleInForce(tech, d));
  }
  CHECK(RuleInForce(vr, "2026-11-11"));
  CHECK(RuleInForce(tech, "2026-11-11"));
  CHECK(RuleInForce(origin, "2026-11-11"));
  CHECK(vr.threshold == Rational(1, 1000));
  auto p18 = LoadPolicy(std::string(RL_POLICIES_DIR) + "/cn-mofcom-2025-18.json");
  REQUIRE(p18.ok());
  CHECK(RuleInForce(p18->rules[0], "2025-04-04"));
  CHECK(RuleInForce(p18->rules[0], "2026-01-01"));
  CHECK(!RuleInForce(p18->rules[0], "2025-04-03"));
}

}  // namespace
}  // namespace rareledger::graph

// Found by fuzz_policy: a key with an escaped newline made a two-line error.
TEST_CASE("policy: errors stay on one line when the file holds control characters", "[policy]") {
  std::ifstream in(std::string(RL_TESTDATA_DIR) + "/../../policies/cn-mofcom-2025-61.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(rareledger::graph::ParsePolicy(text).ok());
  text.replace(text.find("\"controlling_country\""), 21, "\"controlling_cou\\ntry\"");
  auto p = rareledger::graph::ParsePolicy(text);
  REQUIRE_FALSE(p.ok());
  INFO(p.status().message());
  CHECK(p.status().message().find('\n') == std::string::npos);
  CHECK(p.status().message().find("controlling_cou\\ntry") != std::string::npos);
}
