#include "ledger/merkle.h"

#include <algorithm>
#include <bit>

namespace rareledger::ledger {
namespace {

constexpr char kLeafPrefix[] = {'\x00'};
constexpr char kNodePrefix[] = {'\x01'};

// The largest power of two strictly smaller than n (RFC 9162 "k"). n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// Appends the perfect subtrees covering leaves [begin, end), largest first.
// Every subtree of the RFC tree shape satisfies the precondition that begin is
// a multiple of bit_ceil(end - begin), so the cover is one node per set bit.
void AppendCover(uint64_t begin, uint64_t end, std::vector<NodeId>* out) {
  const uint64_t n = end - begin;
  for (int level = 63; level >= 0; --level) {
    if ((n >> level) & 1) {
      out->push_back(NodeId{static_cast<uint8_t>(level), begin >> level});
      begin += uint64_t{1} << level;
    }
  }
}

// MTH of a cover (largest subtree first): fold from the right.
Hash FoldCover(const Hash* first, const Hash* last) {
  Hash root = *(last - 1);
  for (const Hash* h = last - 1; h != first;) {
    --h;
    root = NodeHash(*h, root);
  }
  return root;
}

// A list of subtree ranges whose hashes form a proof, and the stored nodes
// they need. All nodes are read in one GetNodes call.
class ProofPlan {
 public:
  void AddRange(uint64_t begin, uint64_t end) {
    AppendCover(begin, end, &ids_);
    ends_.push_back(ids_.size());
  }
  // Ranges were added root-side first; proofs list them leaf-side first.
  Result<std::vector<Hash>> ExecuteReversed(const NodeReader& reader) const {
    std::vector<Hash> proof;
    if (ids_.empty()) return proof;
    RL_ASSIGN_OR_RETURN(std::vector<Hash> hashes, reader.GetNodes(ids_));
    if (hashes.size() != ids_.size()) {
      return Status::Corruption("node reader returned " + std::to_string(hashes.size()) +
                                " hashes for " + std::to_string(ids_.size()) + " ids");
    }
    size_t begin = 0;
    for (size_t end : ends_) {
      proof.push_back(FoldCover(hashes.data() + begin, hashes.data() + end));
      begin = end;
    }
    std::reverse(proof.begin(), proof.end());
    return proof;
  }

 private:
  std::vector<NodeId> ids_;
  std::vector<size_t> ends_;  // range i is ids_[ends_[i-1], ends_[i])
};

std::string HashHex(const Hash& h) { return HexEncode(h); }

Status CheckPathLength(size_t got, uint64_t want) {
  if (got == want) return Status::Ok();
  return Status::VerificationFailed(std::string(got > want ? "path too long" : "path too short") +
                                    ": got " + std::to_string(got) + " nodes, want " +
                                    std::to_string(want));
}

Status CheckRoot(const char* what, const Hash& got, const Hash& want) {
  if (got == want) return Status::Ok();
  return Status::VerificationFailed(std::string(what) + ": got " + HashHex(got) + ", want " +
                                    HashHex(want));
}

// Right-shifts fn and sn together until fn is odd or zero (RFC 9162 step).
void ShiftUntilOddOrZero(uint64_t* fn, uint64_t* sn) {
  while ((*fn & 1) == 0 && *fn != 0) {
    *fn >>= 1;
    *sn >>= 1;
  }
}

}  // namespace

Hash LeafHash(std::string_view leaf) {
  return Sha256Parts({std::string_view(kLeafPrefix, 1), leaf});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  return Sha256Parts({std::string_view(kNodePrefix, 1), AsBytes(left), AsBytes(right)});
}

Hash EmptyRoot() { return Sha256(""); }


std::string ToString(const NodeId& id) {
  return "(level " + std::to_string(id.level) + ", index " + std::to_string(id.index) + ")";
}

NodeReader::~NodeReader() = default;

std::vector<std::pair<NodeId, Hash>> Frontier::Append(const Hash& leaf_hash) {
  std::vector<std::pair<NodeId, Hash>> completed;
  completed.push_back({NodeId{0, size_}, leaf_hash});
  Hash carry = leaf_hash;
  uint64_t index = size_;
  uint8_t level = 0;
  while (index & 1) {  // the new leaf closes a perfect subtree: merge left
    carry = NodeHash(hashes_.back(), carry);
    hashes_.pop_back();
    index >>= 1;
    ++level;
    completed.push_back({NodeId{level, index}, carry});
  }
  hashes_.push_back(carry);
  ++size_;
  return completed;
}

Hash Frontier::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  return FoldCover(hashes_.data(), hashes_.data() + hashes_.size());
}

std::vector<std::pair<NodeId, Hash>> Frontier::Nodes() const {
  std::vector<NodeId> ids;
  AppendCover(0, size_, &ids);
  std::vector<std::pair<NodeId, Hash>> nodes;
  for (size_t i = 0; i < ids.size(); ++i) nodes.push_back({ids[i], hashes_[i]});
  return nodes;
}

std::string Frontier::Serialize() const {
  std::string out;
  out.reserve(8 + 32 * hashes_.size());
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size_ >> shift));
  for (const Hash& h : hashes_) out.append(AsBytes(h));
  return out;
}

Result<Frontier> Frontier::Deserialize(std::string_view bytes) {
  if (bytes.size() < 8) {
    return Status::Corruption("frontier: got " + std::to_string(bytes.size()) +
                              " bytes, want at least 8");
  }
  uint64_t size = 0;
  for (int i = 0; i < 8; ++i) size = (size << 8) | static_cast<uint8_t>(bytes[i]);
  const uint64_t count = std::popcount(size);
  if (bytes.size() != 8 + 32 * count) {
    return Status::Corruption("frontier of size " + std::to_string(size) + ": got " +
                              std::to_string(bytes.size()) + " bytes, want " +
                              std::to_string(8 + 32 * count));
  }
  Frontier f;
  f.size_ = size;
  f.hashes_.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::copy_n(bytes.data() + 8 + 32 * i, 32, reinterpret_cast<char*>(f.hashes_[i].data()));
  }
  return f;
}

Result<Hash> RootAt(const NodeReader& reader, uint64_t size) {
  if (size == 0) return EmptyRoot();
  ProofPlan plan;
  plan.AddRange(0, size);
  RL_ASSIGN_OR_RETURN(std::vector<Hash> root, plan.ExecuteReversed(reader));
  return root[0];
}

Result<std::vector<Hash>> InclusionProof(const NodeReader& reader, uint64_t index, uint64_t size) {
  if (index >= size) {
    return Status::InvalidArgument("inclusion proof: leaf index " + std::to_string(index) +
                                   ", want < tree size " + std::to_string(size));
  }
  // PATH(m, D[n]) walked from the root down: each step records the sibling.
  ProofPlan plan;
  uint64_t lo = 0;
  uint64_t hi = size;
  while (hi - lo > 1) {
    const uint64_t mid = lo + SplitPoint(hi - lo);
    if (index < mid) {
      plan.AddRange(mid, hi);
      hi = mid;
    } else {
      plan.AddRange(lo, mid);
      lo = mid;
    }
  }
  return plan.ExecuteReversed(reader);
}

Result<std::vector<Hash>> ConsistencyProof(const NodeReader& reader, uint64_t old_size,
                                           uint64_t new_size) {
  if (old_size == 0 || old_size > new_size) {
    return Status::InvalidArgument("consistency proof: old size " + std::to_string(old_size) +
                                   ", want 0 < old size <= new size " + std::to_string(new_size));
  }
  // SUBPROOF(m, D[n], b) walked from the root down over the subtree [lo, hi).
  ProofPlan plan;
  uint64_t lo = 0;
  uint64_t hi = new_size;
  bool b = true;
  while (old_size != hi) {
    const uint64_t mid = lo + SplitPoint(hi - lo);
    if (old_size <= mid) {
      plan.AddRange(mid, hi);
      hi = mid;
    } else {
      plan.AddRange(lo, mid);
      lo = mid;
      b = false;
    }
  }
  if (!b) plan.AddRange(lo, hi);
  return plan.ExecuteReversed(reader);
}

namespace {
// x >> n, defined for every n: sizes near 2^64 come from outside (a bundle,
// a proof a client was sent) and give n == 64, where >> is undefined.
uint64_t ShiftRight(uint64_t x, uint64_t n) { return n >= 64 ? 0 : x >> n; }
}  // namespace

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       const std::vector<Hash>& path, const Hash& root) {
  if (index >= size) {
    return Status::VerificationFailed("index beyond size: index " + std::to_string(index) +
                                      ", size " + std::to_string(size));
  }
  // Path length = levels below the split from the right border + border nodes.
  const uint64_t inner = std::bit_width(index ^ (size - 1));
  const uint64_t border = std::popcount(ShiftRight(index, inner));
  RL_RETURN_IF_ERROR(CheckPathLength(path.size(), inner + border));

  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : path) {
    if (sn == 0) return Status::VerificationFailed("path too long");
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      ShiftUntilOddOrZero(&fn, &sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::VerificationFailed("path too short");
  return CheckRoot("root mismatch", r, root);
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, const std::vector<Hash>& path) {
  if (old_size == 0) {
    return Status::InvalidArgument("consistency from old size 0: want old size > 0");
  }
  if (old_size > new_size) {
    return Status::VerificationFailed("old size > new size: old size " + std::to_string(old_size) +
                                      ", new size " + std::to_string(new_size));
  }
  if (old_size == new_size) {
    RL_RETURN_IF_ERROR(CheckPathLength(path.size(), 0));
    return CheckRoot("new root mismatch", old_root, new_root);
  }
  // Expected length (as in transparency-dev/merkle): the inclusion path of
  // leaf old_size-1 in new_size, minus the levels inside the old tree's last
  // perfect subtree, plus that subtree's hash unless it is the whole old tree.
  const uint64_t shift = std::countr_zero(old_size);
  const uint64_t full_inner = std::bit_width((old_size - 1) ^ (new_size - 1));
  const uint64_t border = std::popcount(ShiftRight(old_size - 1, full_inner));
  const bool old_is_perfect = old_size == (uint64_t{1} << shift);
  RL_RETURN_IF_ERROR(
      CheckPathLength(path.size(), (old_is_perfect ? 0 : 1) + (full_inner - shift) + border));

  // RFC 9162 section 2.1.4.2, with old_root prepended when old_size is 2^k.
  std::vector<Hash> p;
  p.reserve(path.size() + 1);
  if (old_is_perfect) p.push_back(old_root);
  p.insert(p.end(), path.begin(), path.end());

  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = p[0];
  Hash sr = p[0];
  for (size_t i = 1; i < p.size(); ++i) {
    if (sn == 0) return Status::VerificationFailed("path too long");
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(p[i], fr);
      sr = NodeHash(p[i], sr);
      ShiftUntilOddOrZero(&fn, &sn);
    } else {
      sr = NodeHash(sr, p[i]);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::VerificationFailed("path too short");
  RL_RETURN_IF_ERROR(CheckRoot("old root mismatch", fr, old_root));
  return CheckRoot("new root mismatch", sr, new_root);
}

}  // namespace rareledger::ledger
