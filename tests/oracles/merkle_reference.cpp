#include "tests/oracles/merkle_reference.h"

namespace rareledger::ledger {
namespace {

// RFC 9162 section 2.1.1: the largest power of two smaller than n (n > 1).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

}  // namespace

namespace reference {

Hash RootOf(std::span<const Hash> d) {
  if (d.empty()) return EmptyRoot();
  if (d.size() == 1) return d[0];
  const uint64_t k = SplitPoint(d.size());
  return NodeHash(RootOf(d.first(k)), RootOf(d.subspan(k)));
}

std::vector<Hash> InclusionPath(uint64_t m, std::span<const Hash> d) {
  if (d.size() <= 1) return {};
  const uint64_t k = SplitPoint(d.size());
  std::vector<Hash> path;
  if (m < k) {
    path = InclusionPath(m, d.first(k));
    path.push_back(RootOf(d.subspan(k)));
  } else {
    path = InclusionPath(m - k, d.subspan(k));
    path.push_back(RootOf(d.first(k)));
  }
  return path;
}

std::vector<Hash> ConsistencyProof(uint64_t m, std::span<const Hash> d) {
  return Subproof(m, d, true);
}

std::vector<Hash> Subproof(uint64_t m, std::span<const Hash> d, bool b) {
  if (m == d.size()) {
    if (b) return {};
    return {RootOf(d)};
  }
  const uint64_t k = SplitPoint(d.size());
  std::vector<Hash> proof;
  if (m <= k) {
    proof = Subproof(m, d.first(k), b);
    proof.push_back(RootOf(d.subspan(k)));
  } else {
    proof = Subproof(m - k, d.subspan(k), false);
    proof.push_back(RootOf(d.first(k)));
  }
  return proof;
}

}  // namespace reference

void MemoryNodeStore::Put(const std::vector<std::pair<NodeId, Hash>>& nodes) {
  for (const auto& [id, hash] : nodes) nodes_[id] = hash;
}

Result<std::vector<Hash>> MemoryNodeStore::GetNodes(const std::vector<NodeId>& ids) const {
  std::vector<Hash> out;
  out.reserve(ids.size());
  for (const NodeId& id : ids) {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) return Status::NotFound("merkle node " + ToString(id) + " not found");
    out.push_back(it->second);
  }
  return out;
}

}  // namespace rareledger::ledger
