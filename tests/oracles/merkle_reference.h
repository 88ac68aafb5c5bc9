// Test oracles for ledger/merkle.h, compiled into the tests and fuzz targets
// only, never into the shipped library.
//
// `reference`: RFC 9162 section 2.1 transcribed as written (MTH, PATH,
// PROOF/SUBPROOF), recursive and slow, sharing nothing with the fast path
// but the two hash functions. MemoryNodeStore: a NodeReader over a map.
#ifndef RARELEDGER_TESTS_ORACLES_MERKLE_REFERENCE_H_
#define RARELEDGER_TESTS_ORACLES_MERKLE_REFERENCE_H_

#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "ledger/merkle.h"

namespace rareledger::ledger {

// Inputs are leaf hashes (not leaf bytes); the tree is the whole vector.
namespace reference {
// MTH(D[n]). MTH of an empty list is EmptyRoot().
Hash RootOf(std::span<const Hash> leaf_hashes);
// PATH(m, D[n]) (section 2.1.3.1). Requires m < leaf_hashes.size().
std::vector<Hash> InclusionPath(uint64_t m, std::span<const Hash> leaf_hashes);
// PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (section 2.1.4.1).
// Requires 0 < m <= leaf_hashes.size().
std::vector<Hash> ConsistencyProof(uint64_t m, std::span<const Hash> leaf_hashes);
// SUBPROOF(m, D[n], b).
std::vector<Hash> Subproof(uint64_t m, std::span<const Hash> leaf_hashes, bool b);
}  // namespace reference

// An in-memory NodeReader that also accepts writes: the stored tree of the
// tests and fuzz targets. Not thread-safe for writes.
class MemoryNodeStore : public NodeReader {
 public:
  // Stores (overwrites) one node.
  void Put(const NodeId& id, const Hash& hash) { nodes_[id] = hash; }
  // Stores every node, e.g. the result of Frontier::Append.
  void Put(const std::vector<std::pair<NodeId, Hash>>& nodes);
  size_t node_count() const { return nodes_.size(); }

  Result<std::vector<Hash>> GetNodes(const std::vector<NodeId>& ids) const override;

 private:
  std::map<NodeId, Hash> nodes_;
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_TESTS_ORACLES_MERKLE_REFERENCE_H_
