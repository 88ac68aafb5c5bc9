// Policies: versioned JSON files under policies/ (SPEC "Assessment";
// the form and every field are documented in docs/policies.md).
//
// ParsePolicy validates everything an assessment relies on and fails with
// one InvalidArgument line naming the field: unknown rule kind, a threshold
// that is not an exact "n/d", missing fields, invalid dates, windows with
// from >= to, overlapping in_force or overlapping suspended windows, unknown
// categories or processes, a bad comparator. After validation, dates are
// "YYYY-MM-DD" strings and compare correctly as strings.
#ifndef RARELEDGER_GRAPH_POLICY_H_
#define RARELEDGER_GRAPH_POLICY_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "graph/rational.h"
#include "ledger/status.h"

namespace rareledger::graph {

// [from, to): from inclusive, to exclusive, no `to` = open-ended.
struct DateWindow {
  std::string from;
  std::optional<std::string> to;

  bool Contains(const std::string& date) const { return from <= date && (!to || date < *to); }
};

enum class RuleKind { kValueRatio, kTechnology, kOriginItem };
const char* RuleKindName(RuleKind kind);  // "value_ratio", ...

struct Rule {
  std::string id;
  RuleKind kind = RuleKind::kOriginItem;
  Rational threshold = 0;                                   // value_ratio only
  bool strict = false;                                      // comparator ">" (else ">=")
  std::optional<std::set<std::string>> subject_categories;  // none = all
  std::set<std::string> processes;                          // technology only
  std::vector<DateWindow> in_force;
  std::vector<DateWindow> suspended;
  std::optional<std::string> review_after;

  bool AppliesToCategory(const std::string& category) const {
    return !subject_categories || subject_categories->count(category) > 0;
  }
  const char* comparator() const { return strict ? ">" : ">="; }
};

struct Policy {
  std::string id;
  std::string title;
  std::string controlling_country;  // ISO 3166-1 alpha-2
  std::set<std::string> controlled_elements;
  std::set<std::string> controlled_categories;
  std::set<std::string> categories;  // vocabulary (policy's or SPEC's)
  std::vector<Rule> rules;           // in file order
  // Points the policy's authors could not confirm (`caveats`): shown with
  // every assessment under it.
  std::vector<std::string> caveats;
  // SHA-256 (hex) of the exact bytes parsed: an assessment's
  // `policy_sha256`, binding it to this file.
  std::string sha256;
};

// SPEC's category vocabulary, used when a policy has no `categories`.
const std::set<std::string>& DefaultCategories();
// SPEC's transform process vocabulary.
const std::set<std::string>& KnownProcesses();

// True for a real calendar date written "YYYY-MM-DD".
bool IsValidDate(std::string_view date);

ledger::Result<Policy> ParsePolicy(std::string_view json_text);
// Reads and parses a file; errors are prefixed with the path.
ledger::Result<Policy> LoadPolicy(const std::string& path);

// Inside one in_force window and outside every suspended window.
bool RuleInForce(const Rule& rule, const std::string& date);
// The rule has review_after and date >= it.
bool ReviewDue(const Rule& rule, const std::string& date);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_POLICY_H_
