// The only translation unit that includes Boost.Graph (slow to compile).
#include "graph/provenance.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <deque>
#include <set>
#include <tuple>
#include <variant>

namespace rareledger::graph {
namespace {

using ledger::Result;
using ledger::Status;

// Vertex property: the lot id; edge property: position in derivations_.
using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, std::string, size_t>;
using Vertex = Graph::vertex_descriptor;

bool DerivationLess(const Derivation& a, const Derivation& b) {
  return std::tie(a.index, a.from, a.to) < std::tie(b.index, b.from, b.to);
}

// Collects the cone's lots, entries and derivations from the source.
class ConeLoader {
 public:
  ConeLoader(const ProvenanceSource& source, Direction dir) : source_(source), dir_(dir) {}

  Status Run(const std::string& root) {
    queue_.push_back(root);
    seen_.insert(root);
    while (!queue_.empty()) {
      std::string id = queue_.front();
      queue_.pop_front();
      RL_ASSIGN_OR_RETURN(ledger::LotRecord lot, source_.GetLot(id));
      lots_[id] = lot;
      RL_RETURN_IF_ERROR(dir_ == Direction::kUp ? Up(lot) : Down(id));
    }
    return Status::Ok();
  }

  std::map<std::string, ledger::LotRecord> lots_;
  std::map<uint64_t, ledger::Entry> entries_;
  std::vector<Derivation> edges_;

 private:
  Result<const ledger::Entry*> EntryAt(uint64_t index) {
    auto it = entries_.find(index);
    if (it == entries_.end()) {
      RL_ASSIGN_OR_RETURN(ledger::Entry e, source_.GetEntry(index));
      it = entries_.emplace(index, std::move(e)).first;
    }
    return &it->second;
  }

  void Visit(const std::string& id) {
    if (seen_.insert(id).second) queue_.push_back(id);
  }

  static std::optional<ledger::Fraction> Share(const ledger::Transform& t, const std::string& out) {
    if (!t.allocation) return std::nullopt;
    auto it = t.allocation->find(out);
    if (it == t.allocation->end()) return ledger::Fraction{0, 1};
    return it->second;
  }

  Status Up(const ledger::LotRecord& lot) {
    if (lot.created_by == ledger::EntryType::kCreateLot) return Status::Ok();
    RL_ASSIGN_OR_RETURN(const ledger::Entry* e, EntryAt(lot.created_at));
    const auto made = LotsMadeBy(*e);
    if (std::find(made.begin(), made.end(), lot.id) == made.end())
      return Status::Corruption("entry " + std::to_string(lot.created_at) + " does not make lot " +
                                lot.id);
    if (const auto* s = std::get_if<ledger::Split>(&e->body)) {
      edges_.push_back({s->lot, lot.id, lot.created_at, ledger::EntryType::kSplit, lot.mass_g, {}});
      Visit(s->lot);
    } else if (const auto* t = std::get_if<ledger::Transform>(&e->body)) {
      for (const auto& in : t->inputs) {
        edges_.push_back({in.lot, lot.id, lot.created_at, ledger::EntryType::kTransform, in.mass_g,
                          Share(*t, lot.id)});
        Visit(in.lot);
      }
    }
    return Status::Ok();
  }

  Status Down(const std::string& id) {
    RL_ASSIGN_OR_RETURN(std::vector<uint64_t> consumers, source_.ConsumersOf(id));
    for (uint64_t index : consumers) {
      RL_ASSIGN_OR_RETURN(const ledger::Entry* e, EntryAt(index));
      if (const auto* s = std::get_if<ledger::Split>(&e->body)) {
        if (s->lot != id) continue;
        for (const auto& part : s->parts) {
          edges_.push_back({id, part.lot, index, ledger::EntryType::kSplit, part.mass_g, {}});
          Visit(part.lot);
        }
      } else if (const auto* t = std::get_if<ledger::Transform>(&e->body)) {
        for (const auto& in : t->inputs) {
          if (in.lot != id) continue;
          for (const auto& out : t->outputs) {
            edges_.push_back(
                {id, out.lot, index, ledger::EntryType::kTransform, in.mass_g, Share(*t, out.lot)});
            Visit(out.lot);
          }
        }
      }
    }
    return Status::Ok();
  }

  const ProvenanceSource& source_;
  Direction dir_;
  std::deque<std::string> queue_;
  std::set<std::string> seen_;
};

}  // namespace

struct ProvenanceGraph::Impl {
  std::string root;
  Direction direction = Direction::kUp;
  std::map<std::string, ledger::LotRecord> lots;
  std::map<uint64_t, ledger::Entry> entries;
  std::vector<Derivation> derivations;  // sorted
  Graph graph;
  std::map<std::string, Vertex> vertex;
  std::vector<std::string> topo;

  std::vector<Derivation> Collect(const std::string& lot, bool in) const {
    std::vector<Derivation> out;
    auto v = vertex.find(lot);
    if (v == vertex.end()) return out;
    if (in) {
      for (auto [it, end] = boost::in_edges(v->second, graph); it != end; ++it)
        out.push_back(derivations[graph[*it]]);
    } else {
      for (auto [it, end] = boost::out_edges(v->second, graph); it != end; ++it)
        out.push_back(derivations[graph[*it]]);
    }
    std::sort(out.begin(), out.end(), DerivationLess);
    return out;
  }
};

Result<ProvenanceGraph> ProvenanceGraph::Load(const ProvenanceSource& source,
                                              const std::string& lot, Direction direction) {
  ConeLoader loader(source, direction);
  RL_RETURN_IF_ERROR(loader.Run(lot));
  auto impl = std::make_unique<Impl>();
  impl->root = lot;
  impl->direction = direction;
  impl->lots = std::move(loader.lots_);
  impl->entries = std::move(loader.entries_);
  impl->derivations = std::move(loader.edges_);
  std::sort(impl->derivations.begin(), impl->derivations.end(), DerivationLess);
  // Vertices in creation order, so the Boost traversal order is a function
  // of the ledger only.
  std::vector<const ledger::LotRecord*> by_creation;
  for (const auto& [id, rec] : impl->lots) by_creation.push_back(&rec);
  std::stable_sort(by_creation.begin(), by_creation.end(),
                   [](auto* a, auto* b) { return a->created_at < b->created_at; });
  for (const auto* rec : by_creation)
    impl->vertex[rec->id] = boost::add_vertex(rec->id, impl->graph);
  for (size_t i = 0; i < impl->derivations.size(); ++i) {
    const Derivation& d = impl->derivations[i];
    boost::add_edge(impl->vertex.at(d.from), impl->vertex.at(d.to), i, impl->graph);
  }
  std::vector<Vertex> reversed;
  try {
    boost::topological_sort(impl->graph, std::back_inserter(reversed));
  } catch (const boost::not_a_dag&) {
    return Status::Corruption("the provenance of lot " + lot + " has a cycle");
  }
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it)
    impl->topo.push_back(impl->graph[*it]);
  return ProvenanceGraph(std::move(impl));
}

ProvenanceGraph::ProvenanceGraph(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProvenanceGraph::ProvenanceGraph(ProvenanceGraph&&) noexcept = default;
ProvenanceGraph& ProvenanceGraph::operator=(ProvenanceGraph&&) noexcept = default;
ProvenanceGraph::~ProvenanceGraph() = default;

const std::string& ProvenanceGraph::root() const { return impl_->root; }
Direction ProvenanceGraph::direction() const { return impl_->direction; }
size_t ProvenanceGraph::LotCount() const { return impl_->lots.size(); }
bool ProvenanceGraph::Contains(const std::string& lot) const { return impl_->lots.count(lot) > 0; }
const ledger::LotRecord& ProvenanceGraph::Lot(const std::string& lot) const {
  return impl_->lots.at(lot);
}
const std::map<uint64_t, ledger::Entry>& ProvenanceGraph::Entries() const { return impl_->entries; }
std::vector<std::string> ProvenanceGraph::TopologicalOrder() const { return impl_->topo; }
std::vector<Derivation> ProvenanceGraph::Into(const std::string& lot) const {
  return impl_->Collect(lot, true);
}
std::vector<Derivation> ProvenanceGraph::OutOf(const std::string& lot) const {
  return impl_->Collect(lot, false);
}
std::vector<Derivation> ProvenanceGraph::Derivations() const { return impl_->derivations; }

std::optional<std::vector<std::string>> ProvenanceGraph::SmallestPath(
    const std::string& from, const std::string& to,
    const std::function<bool(const std::string&)>& through) const {
  if (!Contains(from) || !Contains(to)) return std::nullopt;
  if (from == to) return std::vector<std::string>{from};
  // good: lots that reach `to` through allowed intermediates (and `to`).
  std::set<std::string> good = {to};
  std::deque<std::string> queue = {to};
  while (!queue.empty()) {
    std::string v = queue.front();
    queue.pop_front();
    for (const Derivation& d : Into(v)) {
      if (d.from != from && through(d.from) && good.insert(d.from).second) queue.push_back(d.from);
    }
  }
  std::vector<std::string> path = {from};
  while (path.back() != to) {
    std::optional<std::string> next;
    for (const Derivation& d : OutOf(path.back())) {
      if (good.count(d.to) && (!next || d.to < *next)) next = d.to;
    }
    if (!next) return std::nullopt;
    path.push_back(*next);
  }
  return path;
}

const char* DirectionName(Direction d) { return d == Direction::kUp ? "up" : "down"; }

}  // namespace rareledger::graph
