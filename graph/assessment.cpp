#include "graph/assessment.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <variant>

#include "graph/content.h"
#include "graph/provenance.h"
#include "graph/rules.h"

namespace rareledger::graph {
namespace {

using ledger::Result;
using ledger::Status;

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
  Result<ledger::PartyRecord> GetParty(const std::string& id) const override {
    return base_.GetParty(id);
  }

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
  const char* verdict = a.verdict == Verdict::kLicenceRequired ? "licence required"
                        : a.verdict == Verdict::kProhibited    ? "prohibited"
                        : a.verdict == Verdict::kUnknown       ? "licence may be required"
                                                               : "no licence required";
  return std::string(verdict) + ", " +
         (a.controlled_origin_item ? "a controlled origin item" : "not a controlled origin item") +
         ", ratio " + a.ratio.Fraction();
}

// The recipient's facts and the policy's screening hits on as_of.
Status FillShipment(const ProvenanceSource& source, const Policy& policy,
                    const std::optional<Shipment>& shipment, Assessment* a) {
  if (!shipment) return Status::Ok();
  auto to = source.GetParty(shipment->to);
  if (!to.ok()) return Status::NotFound("consignee " + shipment->to + " is not a registered party");
  a->to = shipment->to;
  a->to_name = to->name;
  a->to_country = to->country;
  a->end_user = shipment->end_user;
  a->end_use = shipment->end_use;
  a->screening = Screen(policy, *a);
  return Status::Ok();
}

Result<Assessment> AssessCone(const ProvenanceSource& source, const Policy& policy,
                              const std::string& lot, const std::string& as_of,
                              const std::optional<Shipment>& shipment) {
  RL_ASSIGN_OR_RETURN(ProvenanceGraph cone, ProvenanceGraph::Load(source, lot, Direction::kUp));
  const auto content = ComputeContent(cone, policy);
  const ledger::LotRecord& rec = cone.Lot(lot);
  const LotContent& mine = content.at(lot);
  Assessment a;
  a.lot = lot;
  a.category = rec.category;
  a.made_in = rec.made_in;
  a.policy = policy.id;
  a.policy_title = policy.title;
  a.policy_sha256 = policy.sha256;
  for (const auto& [id, list] : policy.lists) a.list_sha256[id] = list.sha256;
  a.caveats = policy.caveats;
  a.as_of = as_of;
  RL_RETURN_IF_ERROR(FillShipment(source, policy, shipment, &a));
  a.controlled_origin_item = mine.controlled_origin_item;
  if (!a.controlled_origin_item) a.not_origin_item_why = NotOriginItemWhy(rec, policy);
  a.foreign_made = rec.made_in != policy.controlling_country;
  a.mass_basis_g = MassBasis(rec);
  a.remaining_g = rec.remaining_g;
  const Rational vpg = ValuePerGramNow(rec);
  const Rational cpg = mine.TotalPerGram();
  a.lot_value = vpg * a.mass_basis_g;
  a.controlled_content = cpg * a.mass_basis_g;
  a.ratio = a.controlled_origin_item ? Ratio(Rational(1)) : Ratio::Of(cpg, vpg);
  FillContributors(cone, content, &a);
  EvaluateRules(cone, policy, &a);
  CollectCorrections(cone, &a);
  RL_ASSIGN_OR_RETURN(a.attestations, AttestationsOf(source, rec));
  return a;
}

}  // namespace

Result<Assessment> Assess(const ProvenanceSource& source, const Policy& policy,
                          const std::string& lot, const std::string& as_of,
                          const std::optional<Shipment>& shipment) {
  if (!IsValidDate(as_of))
    return Status::InvalidArgument("as-of date \"" + as_of + "\" is not a valid YYYY-MM-DD date");
  RL_ASSIGN_OR_RETURN(Assessment a, AssessCone(source, policy, lot, as_of, shipment));
  RL_ASSIGN_OR_RETURN(ledger::LotRecord rec, source.GetLot(lot));
  RL_RETURN_IF_ERROR(EvaluateLicences(source, policy, rec, shipment, &a));
  if (a.corrections.empty()) return a;
  RL_ASSIGN_OR_RETURN(Assessment before,
                      AssessCone(UncorrectedSource(source), policy, lot, as_of, shipment));
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
