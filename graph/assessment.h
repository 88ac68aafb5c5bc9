// The export-control determination of SPEC "Assessment".
//
// Assess loads the upstream cone of one lot (ProvenanceGraph), computes
// content by value through every transform and split (content.h), and
// evaluates each policy rule on `as_of`. Everything is exact and
// deterministic: the same ledger and policy give byte-identical JSON and
// text on every machine. docs/assessment.md gives the semantics in full.
#ifndef RARELEDGER_GRAPH_ASSESSMENT_H_
#define RARELEDGER_GRAPH_ASSESSMENT_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "graph/policy.h"
#include "graph/rational.h"
#include "graph/source.h"
#include "ledger/status.h"

namespace rareledger::graph {

struct RuleOutcome {
  std::string id;
  RuleKind kind = RuleKind::kOriginItem;
  bool in_force = false;
  bool applies = false;
  bool triggered = false;
  std::string reason;  // one plain sentence: why it applies/triggers or not
  std::optional<std::string> review_after;
  bool review_due = false;
  std::string threshold;   // value_ratio only: "n/d"
  std::string comparator;  // value_ratio only: ">=" or ">"
};

struct Contributor {
  std::string lot;                // a controlled origin item
  std::string origin;             // its made_in
  Rational content;               // its share of the assessed lot's controlled_content
  std::vector<std::string> path;  // lot ids from `lot` down to the assessed lot
};

// A transform outside the controlling country using its technology.
struct TechnologyFinding {
  uint64_t index = 0;
  std::string process;
  std::string facility_country;
  std::string technology_origin;
  std::vector<std::string> lots;  // the transform's outputs, entry order
};

// A correct_lot entry that changed a lot of the assessed cone.
struct CorrectionNote {
  std::string lot;            // the cone's lot it changed
  uint64_t index = 0;         // the correct_lot entry
  std::string corrected_lot;  // the lot the entry names (lot, or its split ancestor)
  std::string reason;
  std::vector<ledger::FieldChange> changes;
};

struct Assessment {
  std::string lot;
  std::string category;
  std::string made_in;
  std::string policy;  // policy id
  std::string as_of;
  bool controlled_origin_item = false;
  bool foreign_made = false;
  int64_t mass_basis_g = 0;  // remaining, or mass at last declaration
  Rational lot_value = 0;
  Rational controlled_content = 0;
  Ratio ratio;
  bool license_required = false;
  std::vector<RuleOutcome> rules;                      // policy order
  std::vector<Contributor> contributors;               // by lot id
  std::vector<TechnologyFinding> technology_findings;  // by index
  std::vector<std::string> warnings;
  // Corrections of lots in the upstream cone, by (index, lot). The
  // determination reads the corrected records; when the uncorrected ones
  // would give another outcome, `warnings` says what it was.
  std::vector<CorrectionNote> corrections;
};

// Assesses `lot` under `policy` on `as_of` ("YYYY-MM-DD"), reading every
// lot as corrected; when a correction in the cone changes the outcome (licence
// required, controlled origin item, ratio), a warning names the correcting
// entries and the outcome before them. InvalidArgument
// for a bad date, NotFound for an unknown lot, Corruption when the source
// contradicts itself.
ledger::Result<Assessment> Assess(const ProvenanceSource& source, const Policy& policy,
                                  const std::string& lot, const std::string& as_of);

struct AssessAllOptions {
  std::optional<std::set<std::string>> categories;  // only lots of these
};

// Assesses every lot in the order the log created them, calling `each` once
// per lot; a non-ok Status from `each` stops the walk and is returned. Each
// lot is assessed on its own upstream cone (memory stays bounded by the
// largest cone; time is the sum of the cones).
ledger::Status AssessAll(const ProvenanceSource& source, const Policy& policy,
                         const std::string& as_of, const AssessAllOptions& options,
                         const std::function<ledger::Status(const Assessment&)>& each);

// SPEC's JSON form (fields in docs/assessment.md).
nlohmann::json AssessmentJson(const Assessment& a);
// A readable explanation: verdict first, then each rule, the ratio,
// contributors with paths, technology findings and warnings.
std::string AssessmentText(const Assessment& a);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_ASSESSMENT_H_
