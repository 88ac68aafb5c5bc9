// process_location rules (SPEC "Policies: more kinds and states"; DFARS
// 252.225-7052): where covered material was mined, separated, melted or
// produced, and how much of a lot's mass it is.
#include <algorithm>
#include <variant>

#include "graph/content.h"
#include "graph/rules.h"

namespace rareledger::graph {
namespace {

// Covered material: a controlled category holding a controlled element (or
// declaring none), wherever it was made.
bool IsCovered(const ledger::LotRecord& lot, const Policy& policy) {
  if (!policy.controlled_categories.count(lot.category)) return false;
  if (!lot.elements || lot.elements->empty()) return true;
  for (const auto& [symbol, grams] : *lot.elements) {
    (void)grams;
    if (policy.controlled_elements.count(symbol) && lot.ContainsElement(symbol)) return true;
  }
  return false;
}

Rational OutputShare(const ledger::Transform& t, const ledger::LotRecord& out) {
  if (t.allocation) {
    auto it = t.allocation->find(out.id);
    return it == t.allocation->end() ? Rational(0) : Rational(it->second.num, it->second.den);
  }
  int64_t total = 0;
  for (const auto& o : t.outputs) total += o.mass_g;
  return Rational(out.mass_g, total);
}

}  // namespace

std::map<std::string, Rational> CoveredMassShare(const ProvenanceGraph& cone,
                                                 const Policy& policy) {
  std::map<std::string, Rational> done;  // lot -> covered grams per gram
  for (const std::string& id : cone.TopologicalOrder()) {
    const ledger::LotRecord& lot = cone.Lot(id);
    Rational share = 0;
    if (IsCovered(lot, policy)) {
      share = 1;
    } else if (lot.created_by != ledger::EntryType::kCreateLot) {
      const ledger::Entry& e = cone.Entries().at(lot.created_at);
      if (const auto* t = std::get_if<ledger::Transform>(&e.body)) {
        Rational grams = 0;
        for (const auto& in : t->inputs) grams += done.at(in.lot) * in.mass_g;
        share = grams * OutputShare(*t, lot) / lot.mass_g;
      } else if (const auto* s = std::get_if<ledger::Split>(&e.body)) {
        share = done.at(s->lot);
      }
    }
    done.emplace(id, share);
  }
  return done;
}

std::vector<ProcessFinding> FindProcessLocations(const ProvenanceGraph& cone, const Rule& rule) {
  std::vector<ProcessFinding> out;
  for (const auto& [index, entry] : cone.Entries()) {
    const auto* t = std::get_if<ledger::Transform>(&entry.body);
    if (!t || !rule.processes.count(t->process) || !rule.countries.count(t->facility_country))
      continue;
    ProcessFinding f{index, t->process, t->facility_country, {}, {rule.id}};
    for (const auto& o : t->outputs) f.lots.push_back(o.lot);
    out.push_back(std::move(f));
  }
  // The cone holds no create_lot entries: their lots' records say where.
  if (rule.processes.count("mining")) {
    for (const std::string& id : cone.TopologicalOrder()) {
      const ledger::LotRecord& lot = cone.Lot(id);
      if (lot.created_by == ledger::EntryType::kCreateLot && rule.countries.count(lot.made_in))
        out.push_back({lot.created_at, "mining", lot.made_in, {id}, {rule.id}});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.index < y.index; });
  return out;
}

}  // namespace rareledger::graph
