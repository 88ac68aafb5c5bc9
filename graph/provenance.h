// The provenance model: the cone of a lot as a graph of lots and derivations.
//
// Vertices are lots; an edge (a Derivation) says the entry at `index` made
// `to` from `from`: a split (parent -> part) or a transform (each input ->
// each output). The upstream cone of X is X and every lot it was made from,
// transitively; the downstream cone is X and every lot made from it. Loading
// reads only the cone from the ProvenanceSource.
//
// The graph is a Boost.Graph adjacency_list, private to graph/provenance.cpp;
// callers see lots, derivations, orders and paths only. A ProvenanceGraph is
// immutable after Load and safe to read from several threads.
#ifndef RARELEDGER_GRAPH_PROVENANCE_H_
#define RARELEDGER_GRAPH_PROVENANCE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/source.h"
#include "ledger/entry.h"
#include "ledger/state.h"
#include "ledger/status.h"

namespace rareledger::graph {

enum class Direction { kUp, kDown };
const char* DirectionName(Direction d);  // "up" / "down"

struct Derivation {
  std::string from;
  std::string to;
  uint64_t index = 0;  // the split/transform entry
  ledger::EntryType kind = ledger::EntryType::kSplit;
  int64_t mass_g = 0;                          // grams of `from` consumed (split: the part's mass)
  std::optional<ledger::Fraction> allocation;  // transform share of `to`
};

class ProvenanceGraph {
 public:
  // Loads the cone of `lot`. NotFound if the lot does not exist; Corruption
  // if the source contradicts itself (a creating entry that does not make
  // the lot, a cycle).
  static ledger::Result<ProvenanceGraph> Load(const ProvenanceSource& source,
                                              const std::string& lot, Direction direction);

  ProvenanceGraph(ProvenanceGraph&&) noexcept;
  ProvenanceGraph& operator=(ProvenanceGraph&&) noexcept;
  ~ProvenanceGraph();

  const std::string& root() const;
  Direction direction() const;
  size_t LotCount() const;
  bool Contains(const std::string& lot) const;
  // Precondition: Contains(lot).
  const ledger::LotRecord& Lot(const std::string& lot) const;
  // The split/transform entries of the cone's derivations, by index.
  const std::map<uint64_t, ledger::Entry>& Entries() const;

  // Every lot of the cone, each after all lots it was made from.
  std::vector<std::string> TopologicalOrder() const;
  // Derivations into / out of a lot inside the cone, by (index, from, to).
  std::vector<Derivation> Into(const std::string& lot) const;
  std::vector<Derivation> OutOf(const std::string& lot) const;
  std::vector<Derivation> Derivations() const;

  // The lexicographically smallest sequence of lot ids forming a path
  // from -> ... -> to in the cone whose intermediate lots all satisfy
  // `through`; nullopt when there is none. from == to gives {from}.
  std::optional<std::vector<std::string>> SmallestPath(
      const std::string& from, const std::string& to,
      const std::function<bool(const std::string&)>& through) const;

 private:
  struct Impl;
  explicit ProvenanceGraph(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_PROVENANCE_H_
