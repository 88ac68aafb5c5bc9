// Controlled content over an upstream cone (SPEC "Assessment"): which lots
// are controlled origin items, and how much controlled content per gram
// every lot of the cone carries, split by the contributing origin item.
//
// Used by Assess and TraceLot; the slow reference in tests/oracles/graph_reference.h shares
// none of this code on purpose.
#ifndef RARELEDGER_GRAPH_CONTENT_H_
#define RARELEDGER_GRAPH_CONTENT_H_

#include <cstdint>
#include <map>
#include <string>

#include "graph/policy.h"
#include "graph/provenance.h"
#include "graph/rational.h"
#include "ledger/state.h"

namespace rareledger::graph {

// Category controlled, contains a controlled element (grams > 0; no or empty
// `elements` counts as containing one) and made in the controlling country.
// Reads the lot's current record: a corrected lot as corrected.
bool IsControlledOriginItem(const ledger::LotRecord& lot, const Policy& policy);

// Value per gram of the declaration in force just before entry `index`.
Rational ValuePerGramBefore(const ledger::LotRecord& lot, uint64_t index);
// Value per gram of the lot's last declaration (end of the log).
Rational ValuePerGramNow(const ledger::LotRecord& lot);
// The mass lot_value and controlled_content are computed on: what remains,
// or, when nothing remains, the mass at the lot's last own declaration (a
// split part that never declared its own value: its mass at creation).
int64_t MassBasis(const ledger::LotRecord& lot);

struct LotContent {
  bool controlled_origin_item = false;
  // Contributing origin item -> content per gram. For an origin item itself:
  // {itself: value per gram now}. Zero shares are kept: the item's material
  // reaches the lot even when no value does.
  std::map<std::string, Rational> per_gram;

  Rational TotalPerGram() const;
};

// Computes LotContent for every lot of an upstream cone.
// Precondition: cone.direction() == Direction::kUp.
std::map<std::string, LotContent> ComputeContent(const ProvenanceGraph& cone, const Policy& policy);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_CONTENT_H_
