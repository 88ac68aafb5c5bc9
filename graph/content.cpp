#include "graph/content.h"

#include <variant>

namespace rareledger::graph {
namespace {

using Contributions = std::map<std::string, Rational>;

void AddScaled(const Contributions& from, const Rational& factor, Contributions* to) {
  for (const auto& [lot, amount] : from) (*to)[lot] += amount * factor;
}

// Content per gram that consuming `lot` at entry `index` takes in.
Contributions Carried(const ledger::LotRecord& lot, const LotContent& content, uint64_t index) {
  if (content.controlled_origin_item) return {{lot.id, ValuePerGramBefore(lot, index)}};
  return content.per_gram;
}

Contributions FromTransform(const ProvenanceGraph& cone, const ledger::Transform& t, uint64_t index,
                            const ledger::LotRecord& out,
                            const std::map<std::string, LotContent>& done) {
  Contributions incoming;
  for (const auto& in : t.inputs) {
    AddScaled(Carried(cone.Lot(in.lot), done.at(in.lot), index), Rational(in.mass_g), &incoming);
  }
  Rational share;
  if (t.allocation) {
    auto it = t.allocation->find(out.id);
    share = it == t.allocation->end() ? Rational(0) : Rational(it->second.num, it->second.den);
  } else {
    int64_t total = 0;
    for (const auto& o : t.outputs) total += o.mass_g;
    share = Rational(out.mass_g, total);
  }
  Contributions result;
  AddScaled(incoming, share / out.mass_g, &result);
  return result;
}

}  // namespace

bool IsControlledOriginItem(const ledger::LotRecord& lot, const Policy& policy) {
  if (!policy.controlled_categories.count(lot.category)) return false;
  if (lot.made_in != policy.controlling_country) return false;
  if (!lot.elements || lot.elements->empty()) return true;
  // A split part contains its exact share of the declaration it inherits:
  // positive exactly when the declared grams are.
  for (const auto& [symbol, grams] : *lot.elements) {
    (void)grams;
    if (policy.controlled_elements.count(symbol) && lot.ContainsElement(symbol)) return true;
  }
  return false;
}

Rational ValuePerGramBefore(const ledger::LotRecord& lot, uint64_t index) {
  const ledger::ValueDeclaration& d = lot.ValueBefore(index);
  return Rational(d.value, d.mass_g);
}

Rational ValuePerGramNow(const ledger::LotRecord& lot) {
  const ledger::ValueDeclaration& d = lot.values.back();
  return Rational(d.value, d.mass_g);
}

int64_t MassBasis(const ledger::LotRecord& lot) {
  if (lot.remaining_g > 0) return lot.remaining_g;
  const ledger::ValueDeclaration& d = lot.values.back();
  return d.index > lot.created_at ? d.mass_g : lot.mass_g;
}

Rational LotContent::TotalPerGram() const {
  Rational total = 0;
  for (const auto& [lot, amount] : per_gram) total += amount;
  return total;
}

std::map<std::string, LotContent> ComputeContent(const ProvenanceGraph& cone,
                                                 const Policy& policy) {
  std::map<std::string, LotContent> done;
  for (const std::string& id : cone.TopologicalOrder()) {
    const ledger::LotRecord& lot = cone.Lot(id);
    LotContent c;
    c.controlled_origin_item = IsControlledOriginItem(lot, policy);
    if (c.controlled_origin_item) {
      c.per_gram[id] = ValuePerGramNow(lot);
    } else if (lot.created_by != ledger::EntryType::kCreateLot) {
      const ledger::Entry& e = cone.Entries().at(lot.created_at);
      if (const auto* t = std::get_if<ledger::Transform>(&e.body)) {
        c.per_gram = FromTransform(cone, *t, lot.created_at, lot, done);
      } else if (const auto* s = std::get_if<ledger::Split>(&e.body)) {
        c.per_gram = Carried(cone.Lot(s->lot), done.at(s->lot), lot.created_at);
      }
    }
    done.emplace(id, std::move(c));
  }
  return done;
}

}  // namespace rareledger::graph
