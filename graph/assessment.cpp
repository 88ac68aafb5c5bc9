#include "graph/assessment.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <variant>

#include "graph/content.h"
#include "graph/provenance.h"

namespace rareledger::graph {
namespace {

using ledger::Result;
using ledger::Status;

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

std::string SubjectWhy(const Rule& rule, const Assessment& a) {
  if (!a.foreign_made) return "the lot was made in the controlling country, not abroad";
  if (!rule.AppliesToCategory(a.category))
    return "category " + a.category + " is not a subject of this rule";
  return "";
}

void EvaluateValueRatio(const Rule& rule, const Assessment& a, RuleOutcome* o) {
  o->threshold = FormatFraction(rule.threshold);
  o->comparator = rule.comparator();
  o->triggered = a.ratio.Reaches(rule.threshold, rule.strict);
  std::string cmp = "ratio " + a.ratio.Fraction() + (o->triggered ? " meets " : " does not meet ") +
                    "the threshold " + o->threshold + " (" + o->comparator + ")";
  std::string why = SubjectWhy(rule, a);
  o->applies = why.empty();
  o->reason = o->applies ? cmp : "does not apply: " + why + "; " + cmp;
}

void EvaluateTechnology(const Rule& rule, const Assessment& a,
                        const std::vector<TechnologyFinding>& findings, RuleOutcome* o) {
  o->triggered = !findings.empty();
  std::string found = o->triggered ? std::to_string(findings.size()) +
                                         " transform(s) abroad used controlling-country technology"
                                         " for a listed process (first: entry " +
                                         std::to_string(findings.front().index) + ", " +
                                         findings.front().process + ")"
                                   : "no transform at or upstream of the lot used "
                                     "controlling-country technology abroad for a listed process";
  std::string why = SubjectWhy(rule, a);
  o->applies = why.empty();
  o->reason = o->applies ? found : "does not apply: " + why + "; " + found;
}

void EvaluateOriginItem(const Assessment& a, RuleOutcome* o) {
  o->applies = o->triggered = a.controlled_origin_item;
  o->reason = a.controlled_origin_item
                  ? "the lot is a controlled origin item"
                  : "the lot is not a controlled origin item (needs a controlled category, a "
                    "controlled element and manufacture in the controlling country)";
}

void MergeFindings(std::vector<TechnologyFinding> more, std::vector<TechnologyFinding>* all) {
  for (auto& f : more) {
    auto same = [&](const TechnologyFinding& g) { return g.index == f.index; };
    if (std::none_of(all->begin(), all->end(), same)) all->push_back(std::move(f));
  }
  std::sort(all->begin(), all->end(),
            [](const auto& x, const auto& y) { return x.index < y.index; });
}

void EvaluateRules(const ProvenanceGraph& cone, const Policy& policy, Assessment* a) {
  for (const Rule& rule : policy.rules) {
    RuleOutcome o;
    o.id = rule.id;
    o.kind = rule.kind;
    o.in_force = RuleInForce(rule, a->as_of);
    o.review_after = rule.review_after;
    o.review_due = ReviewDue(rule, a->as_of);
    if (rule.kind == RuleKind::kValueRatio) {
      EvaluateValueRatio(rule, *a, &o);
    } else if (rule.kind == RuleKind::kTechnology) {
      auto findings = FindTechnology(cone, policy, &rule.processes);
      EvaluateTechnology(rule, *a, findings, &o);
      MergeFindings(std::move(findings), &a->technology_findings);
    } else {
      EvaluateOriginItem(*a, &o);
    }
    if (o.in_force && o.applies && o.triggered) a->license_required = true;
    if (o.review_due)
      a->warnings.push_back("rule " + rule.id + ": on or after its review date " +
                            *rule.review_after + "; a person must check whether it is still " +
                            (o.in_force ? "in force" : "out of force"));
    a->rules.push_back(std::move(o));
  }
}

void FillContributors(const ProvenanceGraph& cone, const std::map<std::string, LotContent>& content,
                      Assessment* a) {
  const Rational basis(a->mass_basis_g);
  auto through = [&](const std::string& id) { return !content.at(id).controlled_origin_item; };
  for (const auto& [origin_lot, per_gram] : content.at(a->lot).per_gram) {
    Contributor c;
    c.lot = origin_lot;
    c.origin = cone.Lot(origin_lot).made_in;
    c.content = per_gram * basis;
    c.path = cone.SmallestPath(origin_lot, a->lot, through).value_or(std::vector<std::string>{});
    a->contributors.push_back(std::move(c));
  }
}

// The source with every lot as it was before any correction.
class UncorrectedSource : public ProvenanceSource {
 public:
  explicit UncorrectedSource(const ProvenanceSource& base) : base_(base) {}
  Result<ledger::LotRecord> GetLot(const std::string& id) const override {
    RL_ASSIGN_OR_RETURN(ledger::LotRecord rec, base_.GetLot(id));
    return rec.Uncorrected();
  }
  Result<ledger::Entry> GetEntry(uint64_t index) const override { return base_.GetEntry(index); }
  Result<std::vector<uint64_t>> ConsumersOf(const std::string& lot) const override {
    return base_.ConsumersOf(lot);
  }
  uint64_t Size() const override { return base_.Size(); }

 private:
  const ProvenanceSource& base_;
};

void CollectCorrections(const ProvenanceGraph& cone, Assessment* a) {
  for (const std::string& id : cone.TopologicalOrder()) {
    for (const auto& c : cone.Lot(id).corrections) {
      a->corrections.push_back({id, c.index, c.lot, c.reason, c.changes});
      std::string what;
      for (const auto& f : c.changes)
        what += (what.empty() ? "" : ", ") + f.field + " " +
                (f.before.is_string() ? f.before.get<std::string>() : f.before.dump()) + " -> " +
                (f.after.is_string() ? f.after.get<std::string>() : f.after.dump());
      a->warnings.push_back("lot " + id + " as corrected by entry " + std::to_string(c.index) +
                            (c.lot == id ? "" : " (a correction of " + c.lot + ")") + ": " + what +
                            " (reason: " + c.reason + ")");
    }
  }
  std::sort(a->corrections.begin(), a->corrections.end(), [](const auto& x, const auto& y) {
    return std::tie(x.index, x.lot) < std::tie(y.index, y.lot);
  });
}

std::string Outcome(const Assessment& a) {
  return std::string(a.license_required ? "licence required" : "no licence required") + ", " +
         (a.controlled_origin_item ? "a controlled origin item" : "not a controlled origin item") +
         ", ratio " + a.ratio.Fraction();
}

Result<Assessment> AssessCone(const ProvenanceSource& source, const Policy& policy,
                              const std::string& lot, const std::string& as_of) {
  RL_ASSIGN_OR_RETURN(ProvenanceGraph cone, ProvenanceGraph::Load(source, lot, Direction::kUp));
  const auto content = ComputeContent(cone, policy);
  const ledger::LotRecord& rec = cone.Lot(lot);
  const LotContent& mine = content.at(lot);
  Assessment a;
  a.lot = lot;
  a.category = rec.category;
  a.made_in = rec.made_in;
  a.policy = policy.id;
  a.as_of = as_of;
  a.controlled_origin_item = mine.controlled_origin_item;
  a.foreign_made = rec.made_in != policy.controlling_country;
  a.mass_basis_g = MassBasis(rec);
  const Rational vpg = ValuePerGramNow(rec);
  const Rational cpg = mine.TotalPerGram();
  a.lot_value = vpg * a.mass_basis_g;
  a.controlled_content = cpg * a.mass_basis_g;
  a.ratio = a.controlled_origin_item ? Ratio(Rational(1)) : Ratio::Of(cpg, vpg);
  FillContributors(cone, content, &a);
  EvaluateRules(cone, policy, &a);
  CollectCorrections(cone, &a);
  return a;
}

}  // namespace

Result<Assessment> Assess(const ProvenanceSource& source, const Policy& policy,
                          const std::string& lot, const std::string& as_of) {
  if (!IsValidDate(as_of))
    return Status::InvalidArgument("as-of date \"" + as_of + "\" is not a valid YYYY-MM-DD date");
  RL_ASSIGN_OR_RETURN(Assessment a, AssessCone(source, policy, lot, as_of));
  if (a.corrections.empty()) return a;
  RL_ASSIGN_OR_RETURN(Assessment before, AssessCone(UncorrectedSource(source), policy, lot, as_of));
  if (Outcome(before) != Outcome(a)) {
    std::string entries;
    std::set<uint64_t> seen;
    for (const auto& c : a.corrections)
      if (seen.insert(c.index).second)
        entries += (entries.empty() ? "" : ", ") + std::to_string(c.index);
    a.warnings.push_back("the correction(s) at entry " + entries +
                         " changed this determination: before them it was " + Outcome(before) +
                         "; now " + Outcome(a));
  }
  return a;
}

Status AssessAll(const ProvenanceSource& source, const Policy& policy, const std::string& as_of,
                 const AssessAllOptions& options,
                 const std::function<Status(const Assessment&)>& each) {
  if (!IsValidDate(as_of))
    return Status::InvalidArgument("as-of date \"" + as_of + "\" is not a valid YYYY-MM-DD date");
  for (uint64_t index = 0; index < source.Size(); ++index) {
    RL_ASSIGN_OR_RETURN(ledger::Entry entry, source.GetEntry(index));
    for (const std::string& id : LotsMadeBy(entry)) {
      if (options.categories) {
        RL_ASSIGN_OR_RETURN(ledger::LotRecord rec, source.GetLot(id));
        if (!options.categories->count(rec.category)) continue;
      }
      RL_ASSIGN_OR_RETURN(Assessment a, Assess(source, policy, id, as_of));
      RL_RETURN_IF_ERROR(each(a));
    }
  }
  return Status::Ok();
}

}  // namespace rareledger::graph
