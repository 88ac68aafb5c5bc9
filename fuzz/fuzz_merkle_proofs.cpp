// VerifyInclusion / VerifyConsistency on fuzzed proofs (ledger/merkle.h),
// with the proof builders checked against the RFC 9162 reference.
//
// The first input byte picks a mode:
//   0  raw: index, sizes, hashes and a path taken straight from the input.
//      Nothing may crash; an accepted inclusion needs index < size and an
//      accepted consistency needs old <= new.
//   1  inclusion: a tree of 1..300 leaves, a real proof for a leaf, from both
//      the reference and the stored-node builder (must agree and verify);
//      then the proof is damaged as the input says (bit flips, truncation,
//      an extra hash, another index) and must fail unless it is unchanged.
//   2  consistency: as 1 for PROOF(m, D[n]).
// An input starting with '{' is instead a proof in the JSON form that
// `rareledger prove inclusion|consistency` prints (the seed corpus holds
// real ones); it is verified as given and must not crash.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_util.h"
#include "ledger/canonical_json.h"
#include "ledger/merkle.h"
#include "tests/oracles/merkle_reference.h"

using namespace rareledger::ledger;

namespace {

Hash TakeHash(FuzzedDataProvider& in) {
  Hash h{};
  auto bytes = in.ConsumeBytes<uint8_t>(h.size());
  for (size_t i = 0; i < bytes.size(); ++i) h[i] = bytes[i];
  return h;
}

std::vector<Hash> TakePath(FuzzedDataProvider& in) {
  std::vector<Hash> path(in.ConsumeIntegralInRange<size_t>(0, 70));
  for (Hash& h : path) h = TakeHash(in);
  return path;
}

// One tree of kMaxLeaves leaves, built once: the tree of n leaves is its
// prefix (the stored complete subtrees inside [0, n) are the same nodes).
constexpr uint64_t kMaxLeaves = 300;

struct Tree {
  std::vector<Hash> leaves;
  MemoryNodeStore store;
  std::vector<Hash> roots;  // roots[n] = MTH of the first n leaves
};

const Tree& TheTree() {
  static const Tree* tree = [] {
    auto* t = new Tree;
    Frontier f;
    t->roots.push_back(f.Root());
    for (uint64_t i = 0; i < kMaxLeaves; ++i) {
      Hash h = LeafHash("leaf " + std::to_string(i));
      t->leaves.push_back(h);
      t->store.Put(f.Append(h));
      t->roots.push_back(f.Root());
      RL_FUZZ_CHECK(t->roots.back() == reference::RootOf(t->leaves), "Frontier root != reference");
    }
    return t;
  }();
  return *tree;
}

std::span<const Hash> Prefix(const Tree& t, uint64_t n) {
  return std::span<const Hash>(t.leaves.data(), n);
}

// Damages `path` as the input says; returns the damaged copy.
std::vector<Hash> Damage(FuzzedDataProvider& in, std::vector<Hash> path) {
  int ops = in.ConsumeIntegralInRange<int>(1, 4);
  for (int k = 0; k < ops && in.remaining_bytes() > 0; ++k) {
    switch (in.ConsumeIntegralInRange<int>(0, 4)) {
      case 0:
      case 1:
        if (!path.empty()) {
          size_t i = in.ConsumeIntegralInRange<size_t>(0, path.size() - 1);
          size_t b = in.ConsumeIntegralInRange<size_t>(0, 31);
          path[i][b] ^= static_cast<uint8_t>(1u << in.ConsumeIntegralInRange<int>(0, 7));
        }
        break;
      case 2:
        if (!path.empty()) path.pop_back();
        break;
      case 3:
        path.push_back(TakeHash(in));
        break;
      case 4:
        if (!path.empty()) path.erase(path.begin());
        break;
    }
  }
  return path;
}

void RawMode(FuzzedDataProvider& in) {
  uint64_t index = in.ConsumeIntegral<uint64_t>();
  uint64_t size = in.ConsumeIntegral<uint64_t>();
  if (in.ConsumeBool()) {  // small numbers reach the interesting branches
    index &= 0xffff;
    size &= 0xffff;
  }
  Hash leaf = TakeHash(in), root = TakeHash(in), root2 = TakeHash(in);
  std::vector<Hash> path = TakePath(in);
  Status s;
  // Sizes over 2^63 once made VerifyInclusion/VerifyConsistency shift by 64
  // (fuzz/crashes/README.md); they are fuzzed like any other.
  s = VerifyInclusion(index, size, leaf, path, root);
  if (s.ok()) RL_FUZZ_CHECK(index < size, "inclusion accepted with index >= size");
  else RL_FUZZ_CHECK(s.code() == Code::kVerificationFailed, s.ToString().c_str());
  s = VerifyConsistency(index, size, root, root2, path);
  if (s.ok()) {
    RL_FUZZ_CHECK(index > 0 && index <= size, "consistency accepted with bad sizes");
    if (index == size) RL_FUZZ_CHECK(path.empty() && root == root2, "equal sizes need equal roots");
  } else {
    RL_FUZZ_CHECK(s.code() == Code::kVerificationFailed ||
                      (index == 0 && s.code() == Code::kInvalidArgument),
                  s.ToString().c_str());
  }
}

void InclusionMode(FuzzedDataProvider& in) {
  uint64_t n = in.ConsumeIntegralInRange<uint64_t>(1, kMaxLeaves);
  uint64_t m = in.ConsumeIntegralInRange<uint64_t>(0, n - 1);
  const Tree& t = TheTree();
  const Hash root = t.roots[n];
  auto root_at = RootAt(t.store, n);
  RL_FUZZ_CHECK(root_at.ok() && *root_at == root, "RootAt != reference root");
  std::vector<Hash> path = reference::InclusionPath(m, Prefix(t, n));
  auto built = InclusionProof(t.store, m, n);
  RL_FUZZ_CHECK(built.ok() && *built == path, "InclusionProof != reference PATH");
  Status s = VerifyInclusion(m, n, t.leaves[m], path, root);
  RL_FUZZ_CHECK(s.ok(), s.message().c_str());

  std::vector<Hash> bad = Damage(in, path);
  uint64_t bad_m = m;
  if (in.ConsumeBool()) bad_m = in.ConsumeIntegralInRange<uint64_t>(0, n + 2);
  s = VerifyInclusion(bad_m, n, t.leaves[m], bad, root);
  if (bad == path && bad_m == m) RL_FUZZ_CHECK(s.ok(), "unchanged proof failed");
  else RL_FUZZ_CHECK(!s.ok(), "damaged inclusion proof verified");
  // A different leaf with the real proof must fail.
  if (n > 1) {
    s = VerifyInclusion(m, n, t.leaves[(m + 1) % n], path, root);
    RL_FUZZ_CHECK(!s.ok(), "inclusion proof verified for the wrong leaf");
  }
}

void ConsistencyMode(FuzzedDataProvider& in) {
  uint64_t n = in.ConsumeIntegralInRange<uint64_t>(1, kMaxLeaves);
  uint64_t m = in.ConsumeIntegralInRange<uint64_t>(1, n);
  const Tree& t = TheTree();
  const Hash new_root = t.roots[n];
  const Hash old_root = t.roots[m];
  auto old_at = RootAt(t.store, m);
  RL_FUZZ_CHECK(old_at.ok() && *old_at == old_root, "RootAt(old) != reference root");
  std::vector<Hash> proof = reference::ConsistencyProof(m, Prefix(t, n));
  auto built = ConsistencyProof(t.store, m, n);
  RL_FUZZ_CHECK(built.ok() && *built == proof, "ConsistencyProof != reference PROOF");
  Status s = VerifyConsistency(m, n, old_root, new_root, proof);
  RL_FUZZ_CHECK(s.ok(), s.message().c_str());

  std::vector<Hash> bad = Damage(in, proof);
  s = VerifyConsistency(m, n, old_root, new_root, bad);
  if (bad == proof) RL_FUZZ_CHECK(s.ok(), "unchanged proof failed");
  else RL_FUZZ_CHECK(!s.ok(), "damaged consistency proof verified");
  // Swapped roots, or a root of another size, must fail.
  if (m < n) {
    s = VerifyConsistency(m, n, new_root, old_root, proof);
    RL_FUZZ_CHECK(!s.ok(), "consistency verified with swapped roots");
  }
}

// A proof as `rareledger prove` prints it (hashes in hex):
//   {"index", "size", "leaf_hash", "path", "root"}  or
//   {"old", "new", "old_root", "new_root", "path"}.
void JsonMode(std::string_view text) {
  auto doc = ParseStrict(text);
  if (!doc.ok() || !doc->is_object()) return;
  const nlohmann::json& j = *doc;
  auto u64 = [&](const char* k, uint64_t* out) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_number_integer() || it->get<int64_t>() < 0) return false;
    *out = static_cast<uint64_t>(it->get<int64_t>());
    return true;
  };
  auto hash = [&](const char* k, Hash* out) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) return false;
    auto h = HashFromHex(it->get<std::string>());
    if (!h.ok()) return false;
    *out = *h;
    return true;
  };
  std::vector<Hash> path;
  auto p = j.find("path");
  if (p == j.end() || !p->is_array()) return;
  for (const auto& e : *p) {
    if (!e.is_string()) return;
    auto h = HashFromHex(e.get<std::string>());
    if (!h.ok()) return;
    path.push_back(*h);
  }
  uint64_t a = 0, b = 0;
  Hash h1{}, h2{};
  if (u64("index", &a) && u64("size", &b) && hash("leaf_hash", &h1) && hash("root", &h2)) {
    Status s = VerifyInclusion(a, b, h1, path, h2);
    if (s.ok()) RL_FUZZ_CHECK(a < b, "inclusion accepted with index >= size");
    // The real leaves of the fuzz tree must agree with the reference.
    if (s.ok() && b <= kMaxLeaves && h2 == TheTree().roots[b])
      RL_FUZZ_CHECK(h1 == TheTree().leaves[a], "inclusion proof accepted for a leaf not in the tree");
  }
  if (u64("old", &a) && u64("new", &b) && hash("old_root", &h1) && hash("new_root", &h2)) {
    Status s = VerifyConsistency(a, b, h1, h2, path);
    if (s.ok()) RL_FUZZ_CHECK(a > 0 && a <= b, "consistency accepted with bad sizes");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 0 && data[0] == '{') {
    JsonMode(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
  }
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegral<uint8_t>() % 3) {
    case 0: RawMode(in); break;
    case 1: InclusionMode(in); break;
    default: ConsistencyMode(in); break;
  }
  return 0;
}
