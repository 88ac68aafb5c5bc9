// Rule evaluation for Assess: each rule's in force / applies / triggered,
// with the reasons in words (docs/assessment.md "Rules").
#include "graph/rules.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <variant>

#include "graph/amount.h"

namespace rareledger::graph {
namespace {

// Transforms in the cone made outside the controlling country with its
// technology and one of `processes` (every process when null).
std::vector<TechnologyFinding> FindTechnology(const ProvenanceGraph& cone, const Policy& policy,
                                              const std::set<std::string>* processes) {
  std::vector<TechnologyFinding> out;
  for (const auto& [index, entry] : cone.Entries()) {
    const auto* t = std::get_if<ledger::Transform>(&entry.body);
    if (!t || t->facility_country == policy.controlling_country) continue;
    if (t->technology_origin != policy.controlling_country) continue;
    if (processes && !processes->count(t->process)) continue;
    TechnologyFinding f{index, t->process, t->facility_country, *t->technology_origin, {}};
    for (const auto& o : t->outputs) f.lots.push_back(o.lot);
    out.push_back(std::move(f));
  }
  return out;  // Entries() is ordered by index
}

// The day before a valid "YYYY-MM-DD" date.
std::string DayBefore(const std::string& date) {
  int y = std::stoi(date.substr(0, 4)), m = std::stoi(date.substr(5, 2)),
      d = std::stoi(date.substr(8, 2));
  if (--d == 0) {
    if (--m == 0) {
      m = 12;
      --y;
    }
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    d = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
  return buf;
}

// "2025-11-07 through 2026-11-10" (`to` is exclusive), or "since 2025-12-01".
std::string WindowText(const DateWindow& w) {
  if (!w.to) return "since " + w.from + ", open-ended";
  return w.from + " through " + DayBefore(*w.to);
}

std::string InForceWhy(const Rule& rule, const std::string& date) {
  if (const UnknownWindow* u = UnknownWindowOn(rule, date)) {
    std::string why = "status unconfirmed on " + date + " (unknown " + WindowText(u->window) +
                      ": the policy's sources do not say whether the rule is in force)";
    if (!u->checked.empty()) {
      why += "; sources checked:";
      for (size_t i = 0; i < u->checked.size(); ++i) why += (i ? "; " : " ") + u->checked[i];
    }
    return why;
  }
  for (const DateWindow& w : rule.suspended)
    if (w.Contains(date)) return "suspended on " + date + " (suspension " + WindowText(w) + ")";
  for (const DateWindow& w : rule.in_force)
    if (w.Contains(date)) return "in force on " + date + " (" + WindowText(w) + ")";
  if (rule.in_force.empty()) return "never in force (no in_force window)";
  for (const DateWindow& w : rule.in_force)
    if (date < w.from) return "not yet in force on " + date + " (from " + w.from + ")";
  return "no longer in force on " + date;
}

// Empty when the rule's subject test holds; else why not.
std::string SubjectWhy(const Rule& rule, const Assessment& a) {
  if (!a.foreign_made) return "the lot is made in " + a.made_in + ", not abroad";
  if (!rule.AppliesToCategory(a.category))
    return "category " + a.category + " is not a subject category";
  return "";
}

void SetApplies(const Rule& rule, const Assessment& a, RuleOutcome* o) {
  const std::string why = SubjectWhy(rule, a);
  o->applies = why.empty();
  o->applies_why = o->applies ? "applies (" + a.category + " made in " + a.made_in +
                                    ", a foreign-made subject of this rule)"
                              : "not applicable (" + why + ")";
}

std::string RatioText(const Ratio& r) {
  return r.infinite() ? "infinite (a lot of zero value that carries controlled content)"
                      : FormatPercent(r.value()) + " (exactly " + r.Fraction() + ")";
}

void EvaluateValueRatio(const Rule& rule, const Assessment& a, RuleOutcome* o) {
  o->threshold = FormatFraction(rule.threshold);
  o->comparator = rule.comparator();
  o->triggered = a.ratio.Reaches(rule.threshold, rule.strict);
  SetApplies(rule, a, o);
  const std::string verb = rule.strict ? "exceed" : "meet";
  const std::string how =
      o->triggered ? (o->applies ? verb + "s" : "would " + verb) : "does not " + verb;
  o->triggered_why = "the ratio " + RatioText(a.ratio) + " " + how + " the threshold " +
                     FormatPercent(rule.threshold) + " (" + o->threshold + ", " + o->comparator +
                     ")";
  std::string cmp = "ratio " + a.ratio.Fraction() + (o->triggered ? " meets " : " does not meet ") +
                    "the threshold " + o->threshold + " (" + o->comparator + ")";
  o->reason = o->applies ? cmp : "does not apply: " + SubjectWhy(rule, a) + "; " + cmp;
}

void EvaluateTechnology(const Rule& rule, const Assessment& a,
                        const std::vector<TechnologyFinding>& findings, RuleOutcome* o) {
  o->triggered = !findings.empty();
  SetApplies(rule, a, o);
  std::string found = o->triggered ? std::to_string(findings.size()) +
                                         " transform(s) abroad used controlling-country technology"
                                         " for a listed process (first: entry " +
                                         std::to_string(findings.front().index) + ", " +
                                         findings.front().process + " in " +
                                         findings.front().facility_country + ")"
                                   : "no transform at or upstream of the lot used "
                                     "controlling-country technology abroad for a listed process";
  o->triggered_why = found;
  o->reason = o->applies ? found : "does not apply: " + SubjectWhy(rule, a) + "; " + found;
}

void EvaluateOriginItem(const Assessment& a, RuleOutcome* o) {
  o->applies = o->triggered = a.controlled_origin_item;
  o->reason = a.controlled_origin_item
                  ? "the lot is a controlled origin item"
                  : "the lot is not a controlled origin item (needs a controlled category, a "
                    "controlled element and manufacture in the controlling country)";
  o->applies_why = a.controlled_origin_item
                       ? "applies (" + a.lot + " is a controlled origin item: " + a.category +
                             " made in " + a.made_in + ")"
                       : "not applicable (" + a.lot +
                             " is not a controlled origin item: " + a.not_origin_item_why + ")";
  o->triggered_why = o->applies_why;
}

// Empty when a screening rule reaches the shipment; else why not.
std::string ScreeningSubjectWhy(const Rule& rule, const Assessment& a) {
  if (!a.to) return "no recipient given (assess --to PARTY)";
  if (!rule.destinations.empty() && !rule.destinations.count(a.to_country))
    return "the recipient " + *a.to + " is in " + a.to_country + ", not a listed destination";
  if (a.controlled_origin_item) return "";
  if (rule.subject_categories && a.foreign_made && rule.AppliesToCategory(a.category)) return "";
  return a.lot + " is not a controlled origin item" +
         std::string(rule.subject_categories ? " nor a foreign-made subject category" : "");
}

void EvaluateScreening(const Rule& rule, const Assessment& a, RuleOutcome* o) {
  const std::string why = ScreeningSubjectWhy(rule, a);
  o->applies = why.empty();
  o->applies_why = o->applies ? "applies (the shipment of " + a.lot + " to " + *a.to + ", " +
                                    a.to_country + ")"
                              : "not applicable (" + why + ")";
  if (rule.kind == RuleKind::kEndUser) {
    const ScreeningHit* hit = nullptr;
    for (const ScreeningHit& h : a.screening)
      if (!hit && std::find(rule.lists.begin(), rule.lists.end(), h.list) != rule.lists.end())
        hit = &h;
    o->triggered = hit != nullptr;
    o->triggered_why =
        hit ? "the recipient matches \"" + hit->name + "\" on " + hit->list + " (listed " +
                  hit->listed + ", by " + hit->matched_by + ", " + hit->confidence + ")"
            : (a.to ? "the recipient is on none of the lists on " + a.as_of : "no recipient");
  } else {
    o->triggered = a.end_use && rule.end_uses.count(*a.end_use);
    o->triggered_why = !a.end_use ? "no end use given (assess --end-use)"
                       : o->triggered ? "end use " + *a.end_use + " is a listed end use"
                                      : "end use " + *a.end_use + " is not a listed end use";
  }
  o->reason = o->applies ? o->triggered_why : o->applies_why + "; " + o->triggered_why;
}

std::string ShareText(const Rational& r) {
  return FormatPercent(r) + " (exactly " + FormatFraction(r) + ")";
}

void EvaluateProcessLocation(const Rule& rule, const Assessment& a,
                             const std::vector<ProcessFinding>& findings, RuleOutcome* o) {
  const Rational share = a.covered_mass_share.value_or(Rational(0));
  const std::string mass = "covered material is " + ShareText(share) + " of the lot's mass";
  if (share == 0) {
    o->applies_why = "not applicable (the lot holds no covered material)";
  } else if (!rule.AppliesToCategory(a.category)) {
    o->applies_why = "not applicable (category " + a.category + " is not a subject category)";
  } else if (rule.exempt_below_mass_share && share < *rule.exempt_below_mass_share) {
    o->applies_why = "not applicable (" + mass + ", below " +
                     ShareText(*rule.exempt_below_mass_share) + ": exempt)";
  } else {
    o->applies = true;
    o->applies_why = "applies (" + mass +
                     (rule.exempt_below_mass_share
                          ? ", at or above the exemption line " +
                                FormatFraction(*rule.exempt_below_mass_share)
                          : std::string()) +
                     ")";
  }
  o->triggered = !findings.empty();
  o->triggered_why = o->triggered
                         ? std::to_string(findings.size()) +
                               " entr" + (findings.size() == 1 ? "y" : "ies") +
                               " at or upstream of the lot ran a listed process in a listed "
                               "country (first: entry " + std::to_string(findings.front().index) +
                               ", " + findings.front().process + " in " +
                               findings.front().country + ")"
                         : "no listed process ran in a listed country at or upstream of the lot";
  o->reason = o->applies ? o->triggered_why : o->applies_why + "; " + o->triggered_why;
}

void MergeProcessFindings(std::vector<ProcessFinding> more, std::vector<ProcessFinding>* all) {
  for (auto& f : more) {
    auto it = std::find_if(all->begin(), all->end(),
                           [&](const ProcessFinding& g) { return g.index == f.index; });
    if (it == all->end())
      all->push_back(std::move(f));
    else
      it->rules.push_back(f.rules.front());
  }
  std::sort(all->begin(), all->end(), [](const auto& x, const auto& y) { return x.index < y.index; });
}

// Why a rule that applies and triggers requires (or would require) a licence.
std::string BiteWhy(const Assessment& a, const RuleOutcome& o) {
  if (o.kind == RuleKind::kOriginItem)
    return a.lot + " is a controlled origin item (" + a.category + " made in " + a.made_in + ")";
  if (o.kind == RuleKind::kEndUser || o.kind == RuleKind::kEndUse)
    return o.triggered_why + " (presumption of denial)";
  if (o.kind == RuleKind::kValueRatio && a.ratio.infinite())
    return "the lot has zero value but carries controlled content (ratio 1/0), above any "
           "threshold";
  if (o.kind == RuleKind::kValueRatio)
    return "controlled content is " + RatioText(a.ratio) + " of the lot's value, " +
           (o.comparator == ">" ? "above" : "at or above") + " the threshold " +
           FormatPercent(*ParseRational(o.threshold));
  return o.triggered_why;
}

// The part that decides the rule: the first of applies, triggered, in force
// that fails; when none fails, why it requires a licence.
void SetShortWhy(const Assessment& a, RuleOutcome* o) {
  if (!o->applies) {
    o->short_why = o->kind == RuleKind::kOriginItem
                       ? "not applicable (" + a.lot +
                             " is not a controlled origin item: " + a.not_origin_item_why + ")"
                       : o->applies_why;
    // A ratio that would trigger is worth knowing even where the rule does
    // not apply: the lot is close to a line someone may redraw.
    if (o->kind == RuleKind::kValueRatio && o->triggered)
      o->short_why += ", though " + o->triggered_why;
  } else if (!o->triggered) {
    o->short_why = "not triggered: " + o->triggered_why;
  } else if (o->status_unknown) {
    o->short_why = "licence may be required: the rule's status is unconfirmed since " +
                   o->unknown_since + " (were it in force: " + BiteWhy(a, *o) + ")";
  } else if (!o->in_force) {
    o->short_why = o->in_force_why;
  } else {
    o->short_why = BiteWhy(a, *o);
  }
}

// One warning for every rule past its review date, grouped by date.
void ReviewWarning(const Policy& policy, Assessment* a) {
  std::map<std::string, std::vector<std::string>> by_date;
  for (const Rule& rule : policy.rules)
    if (ReviewDue(rule, a->as_of)) by_date[*rule.review_after].push_back(rule.id);
  if (by_date.empty()) return;
  std::string w = "on or after the review date of ";
  bool first = true;
  for (const auto& [date, ids] : by_date) {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    w += (first ? "" : "; ") + date + " (rule" + (ids.size() > 1 ? "s " : " ") + list + ")";
    first = false;
  }
  w += ": a person must check that the status this policy file gives is still current";
  a->warnings.push_back(std::move(w));
}

void MergeFindings(std::vector<TechnologyFinding> more, std::vector<TechnologyFinding>* all) {
  for (auto& f : more) {
    auto same = [&](const TechnologyFinding& g) { return g.index == f.index; };
    if (std::none_of(all->begin(), all->end(), same)) all->push_back(std::move(f));
  }
  std::sort(all->begin(), all->end(),
            [](const auto& x, const auto& y) { return x.index < y.index; });
}

// A caveat when the lot's category is one whose place in the rule's scope
// the sources leave open: assessed as not a subject, and what it would be.
void UnconfirmedScopeCaveat(const Rule& rule, const RuleOutcome& o, Assessment* a) {
  if (!rule.unconfirmed_subjects || !rule.unconfirmed_subjects->categories.count(a->category))
    return;
  std::string would = !a->foreign_made ? "it would not apply anyway (made in " + a->made_in + ")"
                      : o.triggered    ? "were it a subject, the rule would trigger"
                                       : "were it a subject, the rule would still not trigger";
  a->caveats.push_back("rule " + rule.id + ": whether a " + a->category +
                       " is a subject is UNCONFIRMED (" + rule.unconfirmed_subjects->note +
                       "); assessed as not a subject, and " + would);
}

void SetVerdict(const Policy& policy, Assessment* a) {
  bool unknown = false;
  for (const RuleOutcome& o : a->rules) {
    if (!o.applies || !o.triggered) continue;
    a->license_required = a->license_required || o.in_force;
    unknown = unknown || o.status_unknown;
  }
  if (a->license_required)
    a->verdict = policy.effect == Effect::kProhibition ? Verdict::kProhibited
                                                       : Verdict::kLicenceRequired;
  else
    a->verdict = unknown ? Verdict::kUnknown : Verdict::kNotRequired;
  if (a->verdict == Verdict::kNotRequired || !policy.humanitarian_report ||
      a->end_use != std::optional<std::string>("humanitarian"))
    return;
  a->warnings.push_back("humanitarian exemption: no licence is needed for this humanitarian "
                        "end use (it would otherwise be " +
                        std::string(VerdictName(a->verdict)) + "), but " +
                        *policy.humanitarian_report);
  a->exemption = "humanitarian";
  a->license_required = false;
  a->verdict = Verdict::kNotRequired;
}

}  // namespace

// Which of the three conditions of a controlled origin item `lot` fails.
std::string NotOriginItemWhy(const ledger::LotRecord& lot, const Policy& policy) {
  std::vector<std::string> why;
  if (!policy.controlled_categories.count(lot.category))
    why.push_back("category " + lot.category + " is not controlled");
  bool element = !lot.elements || lot.elements->empty();
  for (const auto& [symbol, grams] : lot.elements.value_or(ledger::Elements{}))
    element = element || (grams > 0 && policy.controlled_elements.count(symbol) > 0);
  if (!element) why.push_back("it declares no controlled element");
  if (lot.made_in != policy.controlling_country)
    why.push_back("it was made in " + lot.made_in + ", not " + policy.controlling_country);
  std::string out;
  for (size_t i = 0; i < why.size(); ++i)
    out += (i == 0 ? "" : (i + 1 == why.size() ? " and " : ", ")) + why[i];
  return out;
}

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kNotRequired:
      return "not_required";
    case Verdict::kLicenceRequired:
      return "licence_required";
    case Verdict::kProhibited:
      return "prohibited";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "?";
}

void EvaluateRules(const ProvenanceGraph& cone, const Policy& policy, Assessment* a) {
  for (const Rule& rule : policy.rules) {
    if (rule.kind == RuleKind::kProcessLocation && !a->covered_mass_share)
      a->covered_mass_share = CoveredMassShare(cone, policy).at(a->lot);
  }
  for (const Rule& rule : policy.rules) {
    RuleOutcome o;
    o.id = rule.id;
    o.kind = rule.kind;
    o.source = rule.source;
    o.confidence = rule.confidence;
    o.in_force = RuleInForce(rule, a->as_of);
    if (const UnknownWindow* u = UnknownWindowOn(rule, a->as_of)) {
      o.status_unknown = true;
      o.unknown_since = u->window.from;
      o.status_checked = u->checked;
    }
    o.review_after = rule.review_after;
    o.review_due = ReviewDue(rule, a->as_of);
    o.in_force_why = InForceWhy(rule, a->as_of);
    if (rule.kind == RuleKind::kValueRatio) {
      EvaluateValueRatio(rule, *a, &o);
    } else if (rule.kind == RuleKind::kTechnology) {
      auto findings = FindTechnology(cone, policy, &rule.processes);
      EvaluateTechnology(rule, *a, findings, &o);
      MergeFindings(std::move(findings), &a->technology_findings);
    } else if (rule.kind == RuleKind::kEndUser || rule.kind == RuleKind::kEndUse) {
      EvaluateScreening(rule, *a, &o);
    } else if (rule.kind == RuleKind::kProcessLocation) {
      auto findings = FindProcessLocations(cone, rule);
      EvaluateProcessLocation(rule, *a, findings, &o);
      MergeProcessFindings(std::move(findings), &a->process_findings);
    } else {
      EvaluateOriginItem(*a, &o);
    }
    UnconfirmedScopeCaveat(rule, o, a);
    SetShortWhy(*a, &o);
    a->rules.push_back(std::move(o));
  }
  SetVerdict(policy, a);
  ReviewWarning(policy, a);
}

}  // namespace rareledger::graph
