// The ledger's Merkle tree: RFC 9162 section 2 hashing, tree shape, inclusion
// and consistency proofs, with a storage-facing fast path.
//
// Vocabulary (see docs/merkle.md):
//   leaf hash   SHA-256(0x00 || leaf bytes)
//   node hash   SHA-256(0x01 || left || right)
//   MTH         the RFC 9162 Merkle Tree Hash of a list of leaves; the root of
//               the empty tree is SHA-256("").
//   NodeId      (level, index): the MTH of the complete (perfect) subtree over
//               leaves [index * 2^level, (index + 1) * 2^level). Level 0 is a
//               leaf hash. Only complete subtrees are ever stored.
//   Frontier    the perfect subtrees that cover [0, size), largest first; enough
//               to append leaves and compute the root without reading storage.
//
// Proof building (RootAt, InclusionProof, ConsistencyProof) reads O(log n)
// stored nodes through a NodeReader in a single GetNodes call; a proof node
// that is not a complete subtree (on the tree's right border) is rebuilt from
// the complete subtrees that make it up. Verification (VerifyInclusion,
// VerifyConsistency) is separate, never touches storage, and says why it
// failed.
//
// The slow reference written straight from the RFC, which checks this fast
// path, is a test oracle: tests/oracles/merkle_reference.h.
//
// Thread safety: free functions are thread-safe if the NodeReader is.
// Frontier is a plain value: external synchronisation.
#ifndef RARELEDGER_LEDGER_MERKLE_H_
#define RARELEDGER_LEDGER_MERKLE_H_

#include <compare>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace rareledger::ledger {

// SHA-256(0x00 || leaf).
Hash LeafHash(std::string_view leaf);
// SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256(""): the root of the tree of size 0.
Hash EmptyRoot();


// A complete subtree: leaves [index << level, (index + 1) << level).
// Ordered by (level, index).
struct NodeId {
  uint8_t level = 0;
  uint64_t index = 0;
  auto operator<=>(const NodeId&) const = default;
};
// "(level 3, index 5)", for messages.
std::string ToString(const NodeId& id);

// Read access to stored complete-subtree hashes.
class NodeReader {
 public:
  virtual ~NodeReader();
  // Returns the hashes of `ids`, in the same order and of the same count.
  // Fails with NotFound if any node is missing (and with the store's own
  // error otherwise). Implementations should batch (RocksDB: one MultiGet).
  virtual Result<std::vector<Hash>> GetNodes(const std::vector<NodeId>& ids) const = 0;
};


// The compact range [0, size): the hashes of the perfect subtrees that cover
// it, one per set bit of size, largest (leftmost) first.
//
// Serialized byte format (see docs/merkle.md):
//   be64(size) || hash(largest subtree) || ... || hash(smallest subtree)
// so its length is exactly 8 + 32 * popcount(size).
class Frontier {
 public:
  Frontier() = default;

  uint64_t size() const { return size_; }

  // Appends one leaf (its leaf hash) and returns every node that became
  // complete because of it, smallest first: always (level 0, index = old
  // size) = leaf_hash, then one node per level the carry climbed. The caller
  // persists them. O(1) amortised, O(log n) worst case; no tree recomputation.
  std::vector<std::pair<NodeId, Hash>> Append(const Hash& leaf_hash);

  // MTH of [0, size); EmptyRoot() for size 0. O(log n) hashes, no storage.
  Hash Root() const;

  // The perfect subtrees (id and hash), largest first.
  std::vector<std::pair<NodeId, Hash>> Nodes() const;

  std::string Serialize() const;
  // Rejects (Corruption) any input whose length is not 8 + 32*popcount(size).
  static Result<Frontier> Deserialize(std::string_view bytes);

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;  // largest subtree first
};

// MTH of the first `size` leaves. size 0 gives EmptyRoot() without reading.
// Reads popcount(size) nodes in one GetNodes call. The caller ensures the
// store holds a tree of at least `size` leaves.
Result<Hash> RootAt(const NodeReader& reader, uint64_t size);

// PATH(index, D[size]) of RFC 9162, leaf-side first. Precondition (checked,
// InvalidArgument): index < size. Reads at most 2*ceil(log2(size)) nodes in one
// GetNodes call.
Result<std::vector<Hash>> InclusionProof(const NodeReader& reader, uint64_t index, uint64_t size);

// PROOF(old_size, D[new_size]) of RFC 9162. Precondition (checked,
// InvalidArgument): 0 < old_size <= new_size. old_size == new_size gives an
// empty proof without reading. Otherwise reads O(log new_size) nodes in one
// GetNodes call.
Result<std::vector<Hash>> ConsistencyProof(const NodeReader& reader, uint64_t old_size,
                                           uint64_t new_size);

// RFC 9162 section 2.1.3.2. Ok iff `path` proves that `leaf_hash` is leaf
// `index` of the tree of `size` leaves with root `root`. Otherwise
// VerificationFailed with the reason: "index beyond size", "path too long",
// "path too short", "root mismatch: got <computed>, want <root>".
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       const std::vector<Hash>& path, const Hash& root);

// RFC 9162 section 2.1.4.2. Ok iff `path` proves the tree of old_size leaves
// with old_root is a prefix of the tree of new_size leaves with new_root.
// old_size == new_size needs an empty path and equal roots. old_size == 0 is
// InvalidArgument (nothing to prove); every other failure is
// VerificationFailed with the reason ("old size > new size", "path too long",
// "path too short", "old root mismatch: got …, want …", "new root mismatch:
// got …, want …").
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, const std::vector<Hash>& path);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_MERKLE_H_
