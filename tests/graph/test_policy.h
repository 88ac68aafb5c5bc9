// Policies for graph tests: every rule always in force unless stated.
#ifndef RARELEDGER_TESTS_GRAPH_TEST_POLICY_H_
#define RARELEDGER_TESTS_GRAPH_TEST_POLICY_H_

#include <catch2/catch.hpp>
#include <string>

#include "graph/policy.h"

namespace rareledger::graph::testing {

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

inline Policy ShippedPolicy(const std::string& file) {
  auto p = LoadPolicy(std::string(RL_POLICIES_DIR) + "/" + file);
  REQUIRE(p.ok());
  return *p;
}

}  // namespace rareledger::graph::testing

#endif  // RARELEDGER_TESTS_GRAPH_TEST_POLICY_H_
