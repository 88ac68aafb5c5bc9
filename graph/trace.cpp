#include "graph/trace.h"

#include <algorithm>
#include <map>
#include <variant>

#include "graph/content.h"

namespace rareledger::graph {
namespace {

using ledger::Result;
using ledger::Status;

TracedLot Describe(const ledger::LotRecord& rec) {
  TracedLot t;
  t.id = rec.id;
  t.material = rec.material;
  t.category = rec.category;
  t.made_in = rec.made_in;
  t.holder = rec.holder;
  t.created_at = rec.created_at;
  t.created_by = ledger::EntryTypeName(rec.created_by);
  t.mass_g = rec.mass_g;
  t.remaining_g = rec.remaining_g;
  t.mass_basis_g = MassBasis(rec);
  t.value = ValuePerGramNow(rec) * t.mass_basis_g;
  t.corrections = rec.corrections;
  return t;
}

// The content facts of `lot` from its own upstream cone (or `cached`).
Result<LotContent> ContentOf(const ProvenanceSource& source, const Policy& policy,
                             const std::string& lot,
                             const std::map<std::string, LotContent>* cached) {
  if (cached) return cached->at(lot);
  RL_ASSIGN_OR_RETURN(ProvenanceGraph up, ProvenanceGraph::Load(source, lot, Direction::kUp));
  return ComputeContent(up, policy).at(lot);
}

TracedDerivation DescribeDerivation(const ProvenanceGraph& cone, const Derivation& d) {
  TracedDerivation t{d, "", "", "", false};
  const ledger::Entry& e = cone.Entries().at(d.index);
  if (const auto* x = std::get_if<ledger::Transform>(&e.body)) {
    t.process = x->process;
    t.facility_country = x->facility_country;
    t.technology_origin = x->technology_origin.value_or("");
  }
  return t;
}

}  // namespace

Result<Trace> TraceLot(const ProvenanceSource& source, const std::string& lot, Direction direction,
                       const Policy* policy) {
  RL_ASSIGN_OR_RETURN(ProvenanceGraph cone, ProvenanceGraph::Load(source, lot, direction));
  Trace trace;
  trace.root = lot;
  trace.direction = direction;
  std::map<std::string, LotContent> content;
  if (policy) {
    trace.policy = policy->id;
    if (direction == Direction::kUp) content = ComputeContent(cone, *policy);
    const auto* cached = direction == Direction::kUp ? &content : nullptr;
    for (const std::string& id : cone.TopologicalOrder()) {
      RL_ASSIGN_OR_RETURN(LotContent c, ContentOf(source, *policy, id, cached));
      content[id] = std::move(c);
    }
  }
  for (const std::string& id : cone.TopologicalOrder()) {
    TracedLot t = Describe(cone.Lot(id));
    RL_ASSIGN_OR_RETURN(t.attestations, AttestationsOf(source, cone.Lot(id)));
    if (auto it = content.find(id); it != content.end()) {
      t.controlled_origin_item = it->second.controlled_origin_item;
      t.content = it->second.TotalPerGram() * t.mass_basis_g;
    }
    trace.lots.push_back(std::move(t));
  }
  std::sort(trace.lots.begin(), trace.lots.end(), [](const TracedLot& a, const TracedLot& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  for (const Derivation& d : cone.Derivations()) {
    TracedDerivation t = DescribeDerivation(cone, d);
    if (policy) {
      const LotContent& from = content.at(d.from);
      const bool to_coi = content.at(d.to).controlled_origin_item;
      const Rational from_cpg = from.controlled_origin_item
                                    ? ValuePerGramBefore(cone.Lot(d.from), d.index)
                                    : from.TotalPerGram();
      const bool zero_share = d.mass_g == 0 || (d.allocation && d.allocation->num == 0);
      t.carries_content = from_cpg > 0 && !zero_share && !to_coi;
      t.controlled_split = d.kind == ledger::EntryType::kSplit && from.controlled_origin_item;
    }
    trace.derivations.push_back(std::move(t));
  }
  return trace;
}

}  // namespace rareledger::graph
