// Policies for graph tests: every rule always in force unless stated.
#ifndef RARELEDGER_TESTS_GRAPH_TEST_POLICY_H_
#define RARELEDGER_TESTS_GRAPH_TEST_POLICY_H_

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "graph/policy.h"

namespace rareledger::graph::testing {

// The rule `id` of an assessment's JSON; fails the test when it has none.
inline nlohmann::json Rule(const nlohmann::json& assessment, const std::string& id) {
  for (const auto& r : assessment["rules"])
    if (r["id"] == id) return r;
  FAIL("no rule " << id);
  return {};
}

// CN controls Dy, Tb, Sm in oxides, metals and alloys; a 1/1000 value-ratio
// limb on magnets and targets (comparator `cmp`), a technology limb and an
// origin-item limb, all in force from 2020-01-01.
inline Policy TestPolicy(const std::string& cmp = ">=") {
  std::string text = R"({
    "id": "TEST-CN", "controlling_country": "CN",
    "controlled_elements": ["Dy", "Tb", "Sm"],
    "controlled_categories": ["re_oxide", "re_metal", "re_alloy"],
    "rules": [
      {"id": "value-ratio", "kind": "value_ratio", "threshold": "1/1000", "comparator": "CMP",
       "subject_categories": ["re_magnet", "re_target"],
       "in_force": [{"from": "2020-01-01", "to": null}]},
      {"id": "technology", "kind": "technology",
       "processes": ["mining", "separation", "metal_smelting", "magnet_manufacturing", "recycling"],
       "subject_categories": ["re_oxide", "re_metal", "re_alloy", "re_magnet", "re_target"],
       "in_force": [{"from": "2020-01-01", "to": null}]},
      {"id": "origin-item", "kind": "origin_item",
       "in_force": [{"from": "2020-01-01", "to": null}]}]})";
  text.replace(text.find("CMP"), 3, cmp);
  auto p = ParsePolicy(text);
  REQUIRE(p.ok());
  return *p;
}

// TestPolicy's data with every state: the value-ratio limb in force from
// 2026-03-01, suspended [2026-07-01, 2026-10-01), unknown from 2026-10-01;
// the technology limb unknown over [2026-03-01, 2026-07-01) only; the
// origin-item limb in force until 2026-07-01, unknown from 2027-01-01.
inline Policy StatesPolicy() {
  auto p = ParsePolicy(R"({
    "id": "TEST-STATES", "controlling_country": "CN",
    "controlled_elements": ["Dy", "Tb", "Sm"],
    "controlled_categories": ["re_oxide", "re_metal", "re_alloy"],
    "rules": [
      {"id": "value-ratio", "kind": "value_ratio", "threshold": "1/1000",
       "subject_categories": ["re_magnet", "re_target", "component"],
       "in_force": [{"from": "2026-03-01", "to": null}],
       "suspended": [{"from": "2026-07-01", "to": "2026-10-01"}],
       "status_unknown": [{"from": "2026-10-01", "to": null, "checked": ["a search"]}]},
      {"id": "technology", "kind": "technology",
       "processes": ["mining", "separation", "metal_smelting", "magnet_manufacturing", "recycling"],
       "in_force": [{"from": "2020-01-01", "to": null}],
       "status_unknown": [{"from": "2026-03-01", "to": "2026-07-01"}]},
      {"id": "origin-item", "kind": "origin_item",
       "in_force": [{"from": "2020-01-01", "to": "2026-07-01"}],
       "status_unknown": [{"from": "2027-01-01", "to": null}]}]})");
  REQUIRE(p.ok());
  return *p;
}

// TestPolicy's data with screening: list "L" (P1 by name; "p 2" over
// [2026-01-01, 2027-01-01); party id p3; "Shell Co" for end_user texts);
// an end_user rule on magnets/components (unknown from 2027-01-01), an
// end_use rule (military, JP only), an origin-item rule, and a
// humanitarian exemption. `effect` is "licence" or "prohibition".
inline Policy ScreeningPolicy(const std::string& effect = "licence") {
  const std::string list = R"({"id": "L", "title": "test list", "source": "tests",
    "entries": [
      {"name": "P1", "country": "JP", "listed": "2020-01-01", "source": "t", "confidence": "confirmed"},
      {"name": "p 2", "country": "US", "listed": "2026-01-01", "delisted": "2027-01-01",
       "source": "t", "confidence": "unconfirmed"},
      {"name": "anything", "party": "p3", "country": "DE", "listed": "2020-01-01",
       "source": "t", "confidence": "confirmed"},
      {"name": "Shell Co", "country": "VN", "listed": "2020-01-01", "source": "t",
       "confidence": "confirmed"}]})";
  std::string text = R"({
    "id": "TEST-SCREEN", "controlling_country": "CN", "effect": "EFFECT",
    "controlled_elements": ["Dy", "Tb", "Sm"],
    "controlled_categories": ["re_oxide", "re_metal", "re_alloy"],
    "humanitarian_exemption": {"report": "report it within 10 working days"},
    "rules": [
      {"id": "listed", "kind": "end_user", "lists": ["L"],
       "subject_categories": ["re_magnet", "component"],
       "in_force": [{"from": "2020-01-01", "to": null}],
       "status_unknown": [{"from": "2027-01-01", "to": null}]},
      {"id": "military-jp", "kind": "end_use", "end_uses": ["military"], "destinations": ["JP"],
       "in_force": [{"from": "2020-01-01", "to": null}]},
      {"id": "origin-item", "kind": "origin_item",
       "in_force": [{"from": "2026-06-01", "to": null}]}]})";
  text.replace(text.find("EFFECT"), 6, effect);
  auto p = ParsePolicy(text, [list](const std::string& id) -> ledger::Result<ScreeningList> {
    auto l = ParseScreeningList(list);
    if (!l.ok() || l->id != id) return ledger::Status::NotFound("no list " + id);
    return l;
  });
  REQUIRE(p.ok());
  return *p;
}

inline Policy ShippedPolicy(const std::string& file) {
  auto p = LoadPolicy(std::string(RL_POLICIES_DIR) + "/" + file);
  REQUIRE(p.ok());
  return *p;
}

}  // namespace rareledger::graph::testing

#endif  // RARELEDGER_TESTS_GRAPH_TEST_POLICY_H_
