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
  // The same, in parts, for people: "suspended on 2026-06-01 (...)",
  // "not applicable (the lot is made in CN)", "the ratio ... would meet the
  // threshold"; `short_why` is the one that decides the rule's outcome.
  std::string in_force_why, applies_why, triggered_why, short_why;
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

// The latest signed checkpoint of the log an assessment read.
struct LogCheckpoint {
  uint64_t size = 0;
  std::string note;  // the signed note's full text
};

// What an assessment was computed from (SPEC "Commands: additions"), filled
// by the caller that opened the log (a database, or a verified bundle):
// graph never opens one. The policy's part (id, sha256) comes from Policy.
struct Binding {
  std::string ledger;                       // ledger id
  std::string currency;                     // ISO 4217 of every value; empty when not known
  uint64_t size = 0;                        // entries of the log read
  std::string root;                         // Merkle root at `size`, hex
  std::optional<LogCheckpoint> checkpoint;  // its size may be below `size`
  std::string tool;                         // "rareledger X.Y.Z"
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

struct Assessment;
nlohmann::json AttestationsJson(const std::vector<AttestationNote>& notes);

struct Assessment {
  std::string lot;
  std::string category;
  std::string made_in;
  std::string policy;         // policy id
  std::string policy_title;   // may be empty
  std::string policy_sha256;  // of the policy file's bytes
  std::string as_of;
  bool controlled_origin_item = false;
  std::string not_origin_item_why;  // when not: which condition fails
  bool foreign_made = false;
  int64_t mass_basis_g = 0;  // remaining, or mass at last declaration
  int64_t remaining_g = 0;
  Rational lot_value = 0;
  Rational controlled_content = 0;
  Ratio ratio;
  bool license_required = false;
  std::vector<RuleOutcome> rules;                      // policy order
  std::vector<Contributor> contributors;               // by lot id
  std::vector<TechnologyFinding> technology_findings;  // by index
  std::vector<std::string> warnings;
  std::vector<std::string> caveats;  // the policy's unconfirmed points
  std::optional<Binding> binding;    // set by the caller before printing
  // Corrections of lots in the upstream cone, by (index, lot). The
  // determination reads the corrected records; when the uncorrected ones
  // would give another outcome, `warnings` says what it was.
  std::vector<CorrectionNote> corrections;
  // Auditors' attestations about the assessed lot itself, in log order.
  std::vector<AttestationNote> attestations;
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

// SPEC's JSON form (fields in docs/assessment.md), with the binding fields
// when `a.binding` is set.
nlohmann::json AssessmentJson(const Assessment& a);
// One line: "POLICY: VERDICT — reason", e.g. "CN-MOFCOM-2025-18: LICENCE
// REQUIRED — MAG-1 is a controlled origin item (re_magnet made in CN)"; a
// "no licence required" line says, rule by rule, what keeps each from
// requiring one. No newline.
std::string AssessmentSummary(const Assessment& a);
// A readable explanation: verdict first, then each rule, the value, content
// and ratio, contributors with paths, technology findings, warnings,
// caveats and (with a binding) what it was computed from.
std::string AssessmentText(const Assessment& a);
// Several assessments of one lot: the summary lines first, one per
// assessment in order, then each explanation.
std::string AssessmentsText(const std::vector<Assessment>& all);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_ASSESSMENT_H_
