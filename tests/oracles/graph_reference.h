// A test oracle (compiled into the tests only): a slow reference engine,
// written straight from SPEC "Assessment", to check
// the fast engine (Assess) against in property tests.
//
// It replays the whole log naively in log order with its own maps: no
// Boost.Graph, no ProvenanceSource, no code shared with assessment.cpp or
// content.cpp beyond rational printing. It assumes the entries were accepted
// by the log (it checks no rule). Quadratic and memory-hungry by design.
#ifndef RARELEDGER_TESTS_ORACLES_GRAPH_REFERENCE_H_
#define RARELEDGER_TESTS_ORACLES_GRAPH_REFERENCE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/policy.h"
#include "ledger/entry.h"

namespace rareledger::graph {

struct ReferenceVerdict {
  bool controlled_origin_item = false;
  bool foreign_made = false;
  std::string lot_value;           // "n/d"
  std::string controlled_content;  // "n/d"
  std::string ratio;               // "n/d" or "1/0"
  bool license_required = false;
  // SPEC "Policies: more kinds and states": not_required, licence_required,
  // prohibited or unknown (a rule of unknown status would bite).
  std::string verdict;
  std::map<std::string, std::string> contributors;        // lot -> content "n/d"
  std::map<std::string, std::vector<std::string>> paths;  // lot -> path
  std::vector<uint64_t> technology_indexes;               // every qualifying transform
  std::map<std::string, bool> rule_triggered;             // rule id -> triggered
};

// A shipment of every lot to `to` (a registered party), as assess --to.
struct ReferenceShipment {
  std::string to;
  std::optional<std::string> end_user, end_use;
};

// Every lot created in `entries`, keyed by lot id. `policy` supplies the
// data only (its rule windows, lists and screening are re-evaluated here
// independently). Without a shipment no end_user/end_use rule applies.
std::map<std::string, ReferenceVerdict> ReferenceAssessAll(
    const std::vector<ledger::Entry>& entries, const Policy& policy, const std::string& as_of,
    const ReferenceShipment* shipment = nullptr);

}  // namespace rareledger::graph

#endif  // RARELEDGER_TESTS_ORACLES_GRAPH_REFERENCE_H_
