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
#include <map>
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

// SPEC "Policies: more kinds and states": what a determination says.
enum class Verdict { kNotRequired, kLicenceRequired, kProhibited, kUnknown };
const char* VerdictName(Verdict v);  // "not_required", "licence_required", ...

struct RuleOutcome {
  std::string id;
  RuleKind kind = RuleKind::kOriginItem;
  bool in_force = false;  // known to be in force on as_of
  // The rule's status on as_of is unknown (a status_unknown window): then
  // in_force is false, JSON prints "unknown", and `unknown_since` is the
  // window's start and `status_checked` the sources searched.
  bool status_unknown = false;
  std::string unknown_since;
  std::vector<std::string> status_checked;
  std::string source, confidence;  // the rule's, from the policy
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

// An entry at or upstream of the lot where a process_location rule's
// process ran in one of its countries: a transform (its facility), or a
// create_lot (process "mining", its origin).
struct ProcessFinding {
  uint64_t index = 0;
  std::string process;
  std::string country;
  std::vector<std::string> lots;  // what the entry made
  std::vector<std::string> rules;  // the process_location rules it triggers
};

// A correct_lot entry that changed a lot of the assessed cone.
struct CorrectionNote {
  std::string lot;            // the cone's lot it changed
  uint64_t index = 0;         // the correct_lot entry
  std::string corrected_lot;  // the lot the entry names (lot, or its split ancestor)
  std::string reason;
  std::vector<ledger::FieldChange> changes;
};

// A licence held by the lot's holder under the assessed policy (SPEC
// "Licences and screening"), and whether it covers this shipment on as_of.
struct LicenceNote {
  std::string licence;
  std::string issuer;  // the party that signed it
  uint64_t index = 0;  // its licence entry
  bool issued = false;  // signed by a regulator; false: declared by the licensee
  std::string kind;     // individual or general
  std::string authority;
  std::string valid_from, valid_to;  // [from, to)
  std::optional<std::string> document_sha256;
  bool covers = false;
  std::string reason;  // why it covers, or the first reason it does not
};

// The shipment assessed (`assess --to`): the lot going from its holder to
// `to`, as a transfer to it would.
struct Shipment {
  std::string to;  // party id
  std::optional<std::string> end_user;  // free text, as a transfer's end_user
  std::optional<std::string> end_use;   // civil, military, humanitarian, research, unknown
};

// A screening-list entry the recipient matches on as_of.
struct ScreeningHit {
  std::string list;  // list id
  std::string name;  // the entry's name
  std::string listed;
  std::string matched_by;  // "party id", "registered name" or "end_user"
  std::string source, confidence;
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
  std::map<std::string, std::string> list_sha256;  // screening list id -> SHA-256 of its file
  std::string as_of;
  bool controlled_origin_item = false;
  std::string not_origin_item_why;  // when not: which condition fails
  bool foreign_made = false;
  int64_t mass_basis_g = 0;  // remaining, or mass at last declaration
  int64_t remaining_g = 0;
  Rational lot_value = 0;
  Rational controlled_content = 0;
  Ratio ratio;
  // True when some rule is in force, applies and triggers (verdict
  // licence_required or prohibited). When none is but a rule of unknown
  // status applies and triggers, the verdict is kUnknown and JSON prints
  // license_required "unknown".
  bool license_required = false;
  Verdict verdict = Verdict::kNotRequired;
  std::vector<RuleOutcome> rules;                      // policy order
  std::vector<Contributor> contributors;               // by lot id
  std::vector<TechnologyFinding> technology_findings;  // by index
  std::vector<ProcessFinding> process_findings;        // by index
  // Covered material's share of the lot's mass (process_location rules:
  // lots of a controlled category holding a controlled element, wherever
  // made, carried by mass like content by value); set when the policy has
  // a process_location rule.
  std::optional<Rational> covered_mass_share;
  std::vector<std::string> warnings;
  std::vector<std::string> caveats;  // the policy's unconfirmed points
  std::optional<Binding> binding;    // set by the caller before printing
  // Corrections of lots in the upstream cone, by (index, lot). The
  // determination reads the corrected records; when the uncorrected ones
  // would give another outcome, `warnings` says what it was.
  std::vector<CorrectionNote> corrections;
  // Auditors' attestations about the assessed lot itself, in log order.
  std::vector<AttestationNote> attestations;
  std::string holder;                  // the lot's holder (the licensee a licence must name)
  std::optional<std::string> to;       // the consignee, with a Shipment
  std::string to_name, to_country;     // its registered name and country
  std::optional<std::string> end_user, end_use;  // the shipment's
  std::vector<ScreeningHit> screening;  // the recipient on this policy's lists, on as_of
  // "humanitarian" when the policy's humanitarian exemption lifted the
  // licence requirement (the reporting duty is then in `warnings`).
  std::optional<std::string> exemption;
  std::vector<LicenceNote> licences;   // the holder's under this policy, log order
  // The licence that covers the shipment, when the verdict needs one
  // (licence_required or unknown): issued licences first, then declared.
  std::optional<std::string> covered_by;
};

// Assesses `lot` under `policy` on `as_of` ("YYYY-MM-DD"), reading every
// lot as corrected; when a correction in the cone changes the outcome (licence
// required, controlled origin item, ratio), a warning names the correcting
// entries and the outcome before them. InvalidArgument
// for a bad date, NotFound for an unknown lot, Corruption when the source
// contradicts itself.
//
// With a `shipment`, licences are checked for the shipment to that party
// (NotFound when it is not registered); without one, a licence limited to
// consignees does not cover, and its reason names them.
ledger::Result<Assessment> Assess(const ProvenanceSource& source, const Policy& policy,
                                  const std::string& lot, const std::string& as_of,
                                  const std::optional<Shipment>& shipment = std::nullopt);

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
