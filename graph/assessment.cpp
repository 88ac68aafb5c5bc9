#include "graph/assessment.h"

#include <map>

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

}  // namespace

Result<Assessment> Assess(const ProvenanceSource& source, const Policy& policy,
                          const std::string& lot, const std::string& as_of) {
  if (!IsValidDate(as_of))
    return Status::InvalidArgument("as-of date \"" + as_of + "\" is not a valid YYYY-MM-DD date");
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
  a.caveats = policy.caveats;
  a.as_of = as_of;
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
