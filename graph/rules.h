// Rule evaluation for Assess (internal to graph/): fills an Assessment's
// rules, license_required, technology findings and the review warning.
#ifndef RARELEDGER_GRAPH_RULES_H_
#define RARELEDGER_GRAPH_RULES_H_

#include <map>
#include <string>
#include <vector>

#include "graph/assessment.h"
#include "graph/policy.h"
#include "graph/provenance.h"
#include "graph/source.h"
#include "ledger/state.h"

namespace rareledger::graph {

// Evaluates every rule of `policy` on `a->as_of`, in policy order. Needs
// the lot facts, ratio and contributors of `a` already filled.
void EvaluateRules(const ProvenanceGraph& cone, const Policy& policy, Assessment* a);

// Covered grams per gram of every lot of an upstream cone (process_location).
std::map<std::string, Rational> CoveredMassShare(const ProvenanceGraph& cone, const Policy& policy);
// Transforms (and create_lots, for mining) in the cone that `rule` names.
std::vector<ProcessFinding> FindProcessLocations(const ProvenanceGraph& cone, const Rule& rule);

// The recipient (a->to, to_name, end_user) on every list of `policy`,
// listed on a->as_of, in list then entry order.
std::vector<ScreeningHit> Screen(const Policy& policy, const Assessment& a);

// Fills a->licences and a->covered_by: every licence the lot's holder
// holds under `policy`, whether it covers on a->as_of. Needs the verdict.
ledger::Status EvaluateLicences(const ProvenanceSource& source, const Policy& policy,
                                const ledger::LotRecord& lot,
                                const std::optional<Shipment>& shipment, Assessment* a);

// Which conditions of a controlled origin item `lot` fails, in words
// ("category product is not controlled and it was made in US, not CN").
std::string NotOriginItemWhy(const ledger::LotRecord& lot, const Policy& policy);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_RULES_H_
