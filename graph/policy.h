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

#include <functional>
#include <map>
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

// A window of `status_unknown`: the policy's authors could not find what
// the rule's status is over it; `checked` lists the sources they searched.
struct UnknownWindow {
  DateWindow window;
  std::vector<std::string> checked;
};

// Categories whose place in a rule's scope the sources leave open
// (`unconfirmed_subjects`): they are assessed as not subjects, and an
// assessment of such a lot carries `note` as a caveat.
struct UnconfirmedScope {
  std::set<std::string> categories;
  std::string note;
};

// One entry of a screening list (SPEC "Licences and screening"): a party
// listed from `listed` (inclusive) until `delisted` (exclusive, if any).
struct ListEntry {
  std::string name;
  std::string key;  // name lower-cased with all whitespace removed (NameKey)
  std::optional<std::string> party;  // a party id, when the list names one
  std::string country;
  std::string listed;
  std::optional<std::string> delisted;
  std::string source, confidence;

  bool ListedOn(const std::string& date) const {
    return listed <= date && (!delisted || date < *delisted);
  }
};

// A screening list: dated policy data under policies/lists/.
struct ScreeningList {
  std::string id, title, source;
  std::vector<ListEntry> entries;
  std::string sha256;  // of the file's exact bytes
};

// How names are compared: ASCII letters lower-cased, whitespace removed.
std::string NameKey(std::string_view name);

ledger::Result<ScreeningList> ParseScreeningList(std::string_view json_text);

// Finds the screening list with this id (for policies whose rules name
// lists); NotFound when there is none.
using ListLoader = std::function<ledger::Result<ScreeningList>(const std::string& id)>;

enum class RuleKind { kValueRatio, kTechnology, kOriginItem, kEndUser, kEndUse, kProcessLocation };
const char* RuleKindName(RuleKind kind);  // "value_ratio", ...

struct Rule {
  std::string id;
  RuleKind kind = RuleKind::kOriginItem;
  Rational threshold = 0;                                   // value_ratio only
  bool strict = false;                                      // comparator ">" (else ">=")
  std::optional<std::set<std::string>> subject_categories;  // none = all
  std::set<std::string> processes;                          // technology, process_location
  std::set<std::string> countries;                          // process_location: where not
  std::optional<Rational> exempt_below_mass_share;          // process_location
  std::vector<std::string> lists;     // end_user only: screening list ids
  std::set<std::string> end_uses;     // end_use only
  std::set<std::string> destinations;  // end_user, end_use: recipient countries (empty: any)
  std::vector<DateWindow> in_force;
  std::vector<DateWindow> suspended;
  // Dates on which the rule's status is unknown (SPEC "Policies: more kinds
  // and states"); they never overlap a suspended window.
  std::vector<UnknownWindow> status_unknown;
  std::optional<UnconfirmedScope> unconfirmed_subjects;
  std::optional<std::string> review_after;
  std::string source;      // documentation, printed with the rule's outcome
  std::string confidence;  // "confirmed" or "unconfirmed" (empty when not given)

  bool AppliesToCategory(const std::string& category) const {
    return !subject_categories || subject_categories->count(category) > 0;
  }
  const char* comparator() const { return strict ? ">" : ">="; }
};

// What a determination under the policy means when a rule bites: a
// licence can cure it (`licence`, the default) or not (`prohibition`).
enum class Effect { kLicence, kProhibition };

struct Policy {
  std::string id;
  Effect effect = Effect::kLicence;
  std::string title;
  std::string controlling_country;  // ISO 3166-1 alpha-2
  std::set<std::string> controlled_elements;
  std::set<std::string> controlled_categories;
  std::set<std::string> categories;  // vocabulary (policy's or SPEC's)
  std::vector<Rule> rules;           // in file order
  // Points the policy's authors could not confirm (`caveats`): shown with
  // every assessment under it.
  std::vector<std::string> caveats;
  // Every screening list an end_user rule names, by id.
  std::map<std::string, ScreeningList> lists;
  // `humanitarian_exemption`: a shipment for humanitarian end use needs no
  // licence under this policy, but carries this reporting duty as a warning.
  std::optional<std::string> humanitarian_report;
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
// Today in UTC, "YYYY-MM-DD": the default as_of of an assessment.
std::string TodayUtc();

// The loader LoadPolicy uses: the *.json files directly under `dir`, in
// file-name order, the first whose id is wanted.
ListLoader ListDirectory(const std::string& dir);

// `lists` resolves the ids end_user rules name; without it such a rule is
// an error.
ledger::Result<Policy> ParsePolicy(std::string_view json_text, const ListLoader& lists = {});
// Reads and parses a file, its lists from the `lists/` directory beside it
// (any *.json there with the wanted id); errors are prefixed with the path.
ledger::Result<Policy> LoadPolicy(const std::string& path);

// A rule's status on a date.
enum class InForce { kNo, kYes, kUnknown };

// kUnknown inside a status_unknown window; else kYes inside one in_force
// window and outside every suspended window; else kNo.
InForce RuleStatus(const Rule& rule, const std::string& date);
// RuleStatus(rule, date) == InForce::kYes.
bool RuleInForce(const Rule& rule, const std::string& date);
// The status_unknown window containing `date`, or null.
const UnknownWindow* UnknownWindowOn(const Rule& rule, const std::string& date);
// The rule has review_after and date >= it.
bool ReviewDue(const Rule& rule, const std::string& date);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_POLICY_H_
