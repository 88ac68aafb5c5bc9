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
       {"cn-mofcom-2025-61.json", "cn-mofcom-2025-18.json", "us-ear-734-4-de-minimis.json",
        "cn-mofcom-2026-1.json", "cn-mofcom-2026-control-list.json",
        "us-dfars-252-225-7052.json"}) {
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
  REQUIRE(p->rules.size() == 4);
  CHECK(p->rules[3].kind == RuleKind::kEndUser);
  CHECK(p->humanitarian_report);
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
  // From 2026-11-11 nothing public says what followed No. 70: unknown, with
  // the sources that were checked, never a silent yes or no.
  for (const Rule* r : {&vr, &tech, &origin}) {
    CHECK(RuleStatus(*r, "2026-11-10") == InForce::kNo);
    CHECK(RuleStatus(*r, "2026-11-11") == InForce::kUnknown);
    CHECK(RuleStatus(*r, "2026-12-01") == InForce::kUnknown);
    CHECK(!RuleInForce(*r, "2026-12-01"));
    REQUIRE(UnknownWindowOn(*r, "2026-12-01") != nullptr);
    CHECK(UnknownWindowOn(*r, "2026-12-01")->checked.size() >= 3);
  }
  // Annex 1 Part 2 reaches magnet-containing parts; end products are open.
  CHECK(vr.AppliesToCategory("component"));
  CHECK(!vr.AppliesToCategory("product"));
  REQUIRE(vr.unconfirmed_subjects);
  CHECK(vr.unconfirmed_subjects->categories.count("product") == 1);
  CHECK(vr.threshold == Rational(1, 1000));
  auto p18 = LoadPolicy(std::string(RL_POLICIES_DIR) + "/cn-mofcom-2025-18.json");
  REQUIRE(p18.ok());
  CHECK(RuleInForce(p18->rules[0], "2025-04-04"));
  CHECK(RuleInForce(p18->rules[0], "2026-01-01"));
  CHECK(!RuleInForce(p18->rules[0], "2025-04-03"));
  CHECK(RuleStatus(p18->rules[0], "2026-12-01") == InForce::kYes);  // No. 18 stays in force
}

TEST_CASE("policy: every shipped rule names its source and confidence", "[policy]") {
  for (const char* name :
       {"cn-mofcom-2025-61.json", "cn-mofcom-2025-18.json", "us-ear-734-4-de-minimis.json",
        "cn-mofcom-2026-1.json", "cn-mofcom-2026-control-list.json",
        "us-dfars-252-225-7052.json"}) {
    auto p = LoadPolicy(std::string(RL_POLICIES_DIR) + "/" + name);
    REQUIRE(p.ok());
    for (const Rule& r : p->rules) {
      INFO(name << " rule " << r.id);
      CHECK(!r.source.empty());
      CHECK((r.confidence == "confirmed" || r.confidence == "unconfirmed"));
    }
    for (const auto& [id, list] : p->lists) {
      CHECK(!list.source.empty());
      CHECK(!list.entries.empty());
      for (const ListEntry& e : list.entries) {
        INFO(name << " list " << id << " entry " << e.name);
        CHECK(!e.source.empty());
        CHECK((e.confidence == "confirmed" || e.confidence == "unconfirmed"));
      }
    }
  }
}

TEST_CASE("policy: end_user rules name lists that exist, screening lists are validated",
          "[policy]") {
  using Catch::Matchers::Contains;
  auto p = LoadPolicy(std::string(RL_POLICIES_DIR) + "/cn-mofcom-2026-control-list.json");
  REQUIRE(p.ok());
  CHECK(p->effect == Effect::kProhibition);
  REQUIRE(p->lists.count("CN-MOFCOM-CONTROL-LIST") == 1);
  CHECK(p->lists.at("CN-MOFCOM-CONTROL-LIST").entries.size() == 19);
  const std::string rule =
      R"({"id": "S", "controlling_country": "CN", "controlled_elements": ["Dy"],
          "controlled_categories": ["re_oxide"],
          "rules": [{"id": "eu", "kind": "end_user", "lists": ["NOPE"],
                     "in_force": [{"from": "2020-01-01", "to": null}]}]})";
  CHECK_THAT(ErrorOf(rule), Contains("rule eu.lists: no screening list \"NOPE\""));
  CHECK_THAT(ErrorOf(Edit("\"kind\": \"origin_item\"", "\"kind\": \"origin_item\", \"lists\": [\"X\"]")),
             Contains("\"lists\" is only for end_user rules"));
  CHECK_THAT(ErrorOf(Edit("\"kind\": \"origin_item\"", "\"kind\": \"end_use\", \"end_uses\": [\"war\"]")),
             Contains("unknown end use \"war\""));
  auto list = [](const std::string& entry) {
    auto l = ParseScreeningList(R"({"id": "L", "title": "t", "source": "s", "entries": [)" +
                                entry + "]}");
    REQUIRE(!l.ok());
    return l.status().message();
  };
  CHECK_THAT(list(R"({"name": "A", "country": "JP", "listed": "2026-02-24", "source": "s"})"),
             Contains("L.entries[0]: missing field \"confidence\""));
  CHECK_THAT(list(R"({"name": "A", "country": "JP", "listed": "2026-02-24", "source": "s",
                      "confidence": "likely"})"),
             Contains("\"likely\" (want confirmed or unconfirmed)"));
  CHECK_THAT(list(R"({"name": "A", "country": "JP", "listed": "2026-02-24",
                      "delisted": "2026-02-24", "source": "s", "confidence": "confirmed"})"),
             Contains("delisted: \"2026-02-24\" is not a date after 2026-02-24"));
  CHECK_THAT(list(R"({"name": "A", "country": "JP", "listed": "2026-02-24", "source": "s",
                      "confidence": "confirmed"}, {"name": " a", "country": "JP",
                      "listed": "2026-02-24", "source": "s", "confidence": "confirmed"})"),
             Contains("\" a\" is listed twice on 2026-02-24"));
  CHECK(NameKey("IHI  Aerospace\tCo.") == "ihiaerospaceco.");
}

TEST_CASE("policy: process_location rules need processes and countries, a share at most 1",
          "[policy]") {
  using Catch::Matchers::Contains;
  const std::string pl = "\"kind\": \"process_location\", \"processes\": [\"mining\"], "
                         "\"countries\": [\"CN\"]";
  auto ok = ParsePolicy(Edit("\"kind\": \"origin_item\"", pl + ", \"exempt_below_mass_share\": \"1/2\""));
  REQUIRE(ok.ok());
  CHECK(ok->rules[1].kind == RuleKind::kProcessLocation);
  CHECK(ok->rules[1].exempt_below_mass_share == Rational(1, 2));
  CHECK_THAT(ErrorOf(Edit("\"kind\": \"origin_item\"", pl + ", \"exempt_below_mass_share\": \"3/2\"")),
             Contains("\"3/2\" is above 1"));
  CHECK_THAT(ErrorOf(Edit("\"kind\": \"origin_item\"", "\"kind\": \"process_location\", \"processes\": [\"mining\"]")),
             Contains("missing field \"countries\""));
  CHECK_THAT(ErrorOf(Edit("\"kind\": \"origin_item\"", "\"kind\": \"origin_item\", \"countries\": [\"CN\"]")),
             Contains("\"countries\" is only for process_location rules"));
  auto dfars = LoadPolicy(std::string(RL_POLICIES_DIR) + "/us-dfars-252-225-7052.json");
  REQUIRE(dfars.ok());
  CHECK(dfars->effect == Effect::kProhibition);
  CHECK(RuleInForce(dfars->rules[0], "2026-12-31"));
  CHECK(!RuleInForce(dfars->rules[0], "2027-01-01"));
  CHECK(RuleInForce(dfars->rules[1], "2027-01-01"));
  CHECK(dfars->rules[1].review_after == std::optional<std::string>("2026-12-01"));
}

TEST_CASE("policy: status_unknown windows, effect and unconfirmed subjects", "[policy]") {
  using Catch::Matchers::Contains;
  const std::string unknown =
      "\"review_after\": \"2026-11-11\", \"status_unknown\": [{\"from\": \"2026-11-11\", "
      "\"to\": null, \"checked\": [\"MOFCOM site\"], \"note\": \"not found\"}],";
  auto p = ParsePolicy(Edit("\"review_after\": \"2026-11-11\"", unknown.substr(0, unknown.size() - 1)));
  REQUIRE(p.ok());
  const Rule& vr = p->rules[0];
  CHECK(RuleStatus(vr, "2026-11-10") == InForce::kNo);       // suspended, last day
  CHECK(RuleStatus(vr, "2026-11-11") == InForce::kUnknown);  // first unknown day
  CHECK(UnknownWindowOn(vr, "2030-01-01")->checked == std::vector<std::string>{"MOFCOM site"});
  CHECK(p->effect == Effect::kLicence);
  // An unknown window may not overlap a suspension, nor another unknown one.
  CHECK_THAT(ErrorOf(Edit("\"review_after\"",
                          "\"status_unknown\": [{\"from\": \"2026-11-01\", \"to\": null}], "
                          "\"review_after\"")),
             Contains("rule vr.status_unknown[0]: overlaps the suspended window from 2025-11-07"));
  CHECK_THAT(ErrorOf(Edit("\"review_after\"",
                          "\"status_unknown\": [{\"from\": \"2027-01-01\", \"to\": null}, "
                          "{\"from\": \"2028-01-01\", \"to\": null}], \"review_after\"")),
             Contains("status_unknown[1]: overlaps the window from 2027-01-01"));
  CHECK_THAT(ErrorOf(Edit("\"review_after\"",
                          "\"status_unknown\": [{\"from\": \"2027-01-01\", \"to\": null, "
                          "\"why\": \"x\"}], \"review_after\"")),
             Contains("unknown field \"why\""));
  auto prohibition = ParsePolicy(Edit("\"id\": \"P\",", "\"id\": \"P\", \"effect\": \"prohibition\","));
  REQUIRE(prohibition.ok());
  CHECK(prohibition->effect == Effect::kProhibition);
  CHECK_THAT(ErrorOf(Edit("\"id\": \"P\",", "\"id\": \"P\", \"effect\": \"ban\",")),
             Contains("unknown effect \"ban\""));
  CHECK_THAT(ErrorOf(Edit("\"review_after\"",
                          "\"unconfirmed_subjects\": {\"categories\": [\"re_magnet\"], "
                          "\"note\": \"n\"}, \"review_after\"")),
             Contains("\"re_magnet\" is already a subject category"));
  CHECK_THAT(ErrorOf(Edit("\"review_after\"",
                          "\"unconfirmed_subjects\": {\"categories\": [\"gadget\"], "
                          "\"note\": \"n\"}, \"review_after\"")),
             Contains("unknown category \"gadget\""));
  CHECK_THAT(ErrorOf(Edit("\"review_after\"", "\"confidence\": \"high\", \"review_after\"")),
             Contains("rule vr.confidence: \"high\" (want confirmed or unconfirmed)"));
}

}  // namespace
}  // namespace rareledger::graph

// Found by fuzz_policy: a key with an escaped newline made a two-line error.
TEST_CASE("policy: errors stay on one line when the file holds control characters", "[policy]") {
  std::ifstream in(std::string(RL_TESTDATA_DIR) + "/../../policies/cn-mofcom-2025-61.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto lists =
      rareledger::graph::ListDirectory(std::string(RL_TESTDATA_DIR) + "/../../policies/lists");
  REQUIRE(rareledger::graph::ParsePolicy(text, lists).ok());
  text.replace(text.find("\"controlling_country\""), 21, "\"controlling_cou\\ntry\"");
  auto p = rareledger::graph::ParsePolicy(text);
  REQUIRE_FALSE(p.ok());
  INFO(p.status().message());
  CHECK(p.status().message().find('\n') == std::string::npos);
  CHECK(p.status().message().find("controlling_cou\\ntry") != std::string::npos);
}
