// Tests for ledger/merkle.h: published RFC 6962 vectors (transparency-dev/merkle,
// via tests/testdata/published-vectors.json), the fast path against the RFC
// reference over random trees, adversarial proof mutations, O(log n) reads.
#include "ledger/merkle.h"
#include "tests/oracles/merkle_reference.h"
#include "test_util.h"

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;
using json = nlohmann::json;

const json& Vectors() { return testing::PublishedVectors().at("rfc6962_merkle_tree"); }

Hash H(const json& hex) {
  Result<Hash> h = HashFromHex(hex.get<std::string>());
  REQUIRE(h.ok());
  return *h;
}

std::vector<Hash> Hashes(const json& list) {
  std::vector<Hash> out;
  for (const json& h : list) out.push_back(H(h));
  return out;
}

std::vector<Hash> PublishedLeafHashes() {
  std::vector<Hash> leaves;
  for (const json& in : Vectors()["leaf_inputs"]) {
    Result<std::string> bytes = HexDecode(in.get<std::string>());
    REQUIRE(bytes.ok());
    leaves.push_back(LeafHash(*bytes));
  }
  return leaves;
}

// A tree built through the fast path: a Frontier feeding a MemoryNodeStore.
struct Tree {
  explicit Tree(const std::vector<Hash>& leaves) {
    for (const Hash& leaf : leaves) store.Put(frontier.Append(leaf));
  }
  Frontier frontier;
  MemoryNodeStore store;
};

std::vector<Hash> RandomLeaves(uint64_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < n; ++i) leaves.push_back(LeafHash(std::to_string(rng())));
  return leaves;
}

std::span<const Hash> Prefix(const std::vector<Hash>& leaves, uint64_t n) {
  return std::span<const Hash>(leaves).first(n);
}

// Indices worth checking in a tree of size n: all of them when small, else the
// edges, powers of two and their neighbours, and random ones.
std::vector<uint64_t> SampleBelow(uint64_t n, std::mt19937_64& rng, int random_count) {
  std::set<uint64_t> s;
  if (n <= 80) {
    for (uint64_t i = 0; i < n; ++i) s.insert(i);
  } else {
    for (uint64_t p = 1; p < n; p <<= 1) {
      for (uint64_t q : {p - 1, p, p + 1}) {
        if (q < n) s.insert(q);
      }
    }
    s.insert({0, n - 2, n - 1});
    for (int i = 0; i < random_count; ++i) s.insert(rng() % n);
  }
  return {s.begin(), s.end()};
}

TEST_CASE("hashing matches the published RFC 6962 vectors", "[merkle]") {
  const json& v = Vectors();
  CHECK(EmptyRoot() == H(v["empty_tree_root"]));
  CHECK(reference::RootOf({}) == EmptyRoot());
  const std::vector<Hash> leaves = PublishedLeafHashes();
  CHECK(leaves == Hashes(v["leaf_hashes"]));
  const std::vector<Hash> level1 = Hashes(v["node_hashes_by_level"]["level1"]);
  for (size_t i = 0; i < level1.size(); ++i) {
    CHECK(NodeHash(leaves[2 * i], leaves[2 * i + 1]) == level1[i]);
  }
  for (const json& kat : v["hasher_known_answers"]) {
    if (kat["kind"] == "leaf")
      CHECK(LeafHash(kat["input_ascii"].get<std::string>()) == H(kat["expected"]));
  }
}

TEST_CASE("roots for sizes 1-8 match the published tree", "[merkle]") {
  const std::vector<Hash> leaves = PublishedLeafHashes();
  Tree tree(leaves);
  Frontier growing;
  for (uint64_t n = 1; n <= 8; ++n) {
    const Hash want = H(Vectors()["roots_by_tree_size"][std::to_string(n)]);
    growing.Append(leaves[n - 1]);
    CHECK(reference::RootOf(Prefix(leaves, n)) == want);
    CHECK(growing.Root() == want);
    Result<Hash> root = RootAt(tree.store, n);
    REQUIRE(root.ok());
    CHECK(*root == want);
  }
  Result<Hash> empty = RootAt(tree.store, 0);
  REQUIRE(empty.ok());
  CHECK(*empty == EmptyRoot());
  CHECK(Frontier().Root() == EmptyRoot());
}

TEST_CASE("published inclusion proofs are built byte-identically and verify", "[merkle]") {
  Tree tree(PublishedLeafHashes());
  for (const json& p : Vectors()["inclusion_proofs"]) {
    const uint64_t index = p["leaf_index"];
    const uint64_t size = p["tree_size"];
    const std::vector<Hash> want = Hashes(p["proof"]);
    Result<std::vector<Hash>> got = InclusionProof(tree.store, index, size);
    REQUIRE(got.ok());
    CHECK(*got == want);
    CHECK(reference::InclusionPath(index, Prefix(PublishedLeafHashes(), size)) == want);
    Status s = VerifyInclusion(index, size, H(p["leaf_hash"]), want, H(p["root"]));
    CHECK(s.ok());
  }
}

TEST_CASE("published consistency proofs are built byte-identically and verify", "[merkle]") {
  Tree tree(PublishedLeafHashes());
  for (const json& p : Vectors()["consistency_proofs"]) {
    const uint64_t size1 = p["size1"];
    const uint64_t size2 = p["size2"];
    const std::vector<Hash> want = Hashes(p["proof"]);
    Result<std::vector<Hash>> got = ConsistencyProof(tree.store, size1, size2);
    REQUIRE(got.ok());
    CHECK(*got == want);
    CHECK(reference::ConsistencyProof(size1, Prefix(PublishedLeafHashes(), size2)) == want);
    Status s = VerifyConsistency(size1, size2, H(p["root1"]), H(p["root2"]), want);
    CHECK(s.ok());
  }
}

// Tree sizes checked within a tree of n leaves: all when small, else n, its
// neighbours and a few random ones (each check costs O(n) reference hashes).
std::vector<uint64_t> SampleSizes(uint64_t n, std::mt19937_64& rng) {
  if (n <= 80) return SampleBelow(n + 1, rng, 0);
  std::set<uint64_t> s = {1, 2, n - 1, n};
  for (int i = 0; i < 4; ++i) s.insert(1 + rng() % n);
  return {s.begin(), s.end()};
}

void CheckAgainstReference(uint64_t n, uint32_t seed) {
  INFO("tree size " << n << ", seed " << seed);
  const std::vector<Hash> leaves = RandomLeaves(n, seed);
  Tree tree(leaves);
  std::mt19937_64 rng(seed);
  // Every complete node is stored exactly once.
  uint64_t complete = 0;
  for (uint64_t w = 1; w <= n; w <<= 1) complete += n / w;
  CHECK(tree.store.node_count() == complete);
  CHECK(tree.frontier.Root() == reference::RootOf(leaves));

  for (uint64_t size : SampleSizes(n, rng)) {
    if (size == 0) continue;
    INFO("size " << size);
    const std::span<const Hash> d = Prefix(leaves, size);
    const Hash root = reference::RootOf(d);
    Result<Hash> fast_root = RootAt(tree.store, size);
    REQUIRE(fast_root.ok());
    REQUIRE(*fast_root == root);
    for (uint64_t index : SampleBelow(size, rng, 20)) {
      Result<std::vector<Hash>> path = InclusionProof(tree.store, index, size);
      REQUIRE(path.ok());
      REQUIRE(*path == reference::InclusionPath(index, d));
      REQUIRE(VerifyInclusion(index, size, leaves[index], *path, root).ok());
    }
    for (uint64_t old_size : SampleBelow(size + 1, rng, 20)) {
      if (old_size == 0) continue;
      Result<std::vector<Hash>> proof = ConsistencyProof(tree.store, old_size, size);
      REQUIRE(proof.ok());
      REQUIRE(*proof == reference::ConsistencyProof(old_size, d));
      const Hash old_root = reference::RootOf(Prefix(leaves, old_size));
      REQUIRE(VerifyConsistency(old_size, size, old_root, root, *proof).ok());
    }
  }
}

TEST_CASE("fast path equals the RFC reference on every small tree", "[merkle]") {
  // Every size up to 64, every index, every old size (a 64-leaf store holds
  // every smaller tree too).
  for (uint32_t seed : {7, 8}) CheckAgainstReference(64, seed);
  // The frontier's root after every append.
  const std::vector<Hash> leaves = RandomLeaves(300, 9);
  Frontier f;
  for (size_t n = 1; n <= leaves.size(); ++n) {
    f.Append(leaves[n - 1]);
    REQUIRE(f.Root() == reference::RootOf(Prefix(leaves, n)));
  }
}

TEST_CASE("fast path equals the RFC reference on random large trees", "[merkle]") {
  std::mt19937_64 rng(20240601);
  std::vector<uint64_t> sizes = {255, 256, 257, 1023, 1024, 1025};
  for (int i = 0; i < 4; ++i) sizes.push_back(100 + rng() % 1900);
  for (uint64_t n : sizes) CheckAgainstReference(n, static_cast<uint32_t>(n));
}

// A tree of 13 leaves and proofs to tamper with.
struct Fixture {
  Fixture() : leaves(RandomLeaves(13, 1)), tree(leaves) {}
  std::vector<Hash> leaves;
  Tree tree;
  Hash Root(uint64_t n) const { return reference::RootOf(Prefix(leaves, n)); }
  std::vector<Hash> Inclusion(uint64_t i, uint64_t n) const {
    return reference::InclusionPath(i, Prefix(leaves, n));
  }
  std::vector<Hash> Consistency(uint64_t m, uint64_t n) const {
    return reference::ConsistencyProof(m, Prefix(leaves, n));
  }
};

void RequireFailure(const Status& s, const std::string& reason) {
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kVerificationFailed);
  REQUIRE_THAT(s.message(), Contains(reason));
}

TEST_CASE("inclusion verification rejects tampered proofs with a reason", "[merkle]") {
  Fixture f;
  const uint64_t i = 6;
  const uint64_t n = 13;
  const std::vector<Hash> good = f.Inclusion(i, n);
  REQUIRE(good.size() == 4);
  REQUIRE(VerifyInclusion(i, n, f.leaves[i], good, f.Root(n)).ok());

  for (size_t k = 0; k < good.size(); ++k) {  // a flipped bit in every node
    std::vector<Hash> bad = good;
    bad[k][k % 32] ^= 0x10;
    RequireFailure(VerifyInclusion(i, n, f.leaves[i], bad, f.Root(n)), "root mismatch: got ");
  }
  std::vector<Hash> swapped = good;
  std::swap(swapped[0], swapped[1]);
  RequireFailure(VerifyInclusion(i, n, f.leaves[i], swapped, f.Root(n)), "root mismatch");
  std::vector<Hash> truncated(good.begin(), good.end() - 1);
  RequireFailure(VerifyInclusion(i, n, f.leaves[i], truncated, f.Root(n)), "path too short");
  std::vector<Hash> extended = good;
  extended.push_back(f.Root(n));
  RequireFailure(VerifyInclusion(i, n, f.leaves[i], extended, f.Root(n)), "path too long");
  RequireFailure(VerifyInclusion(i + 1, n, f.leaves[i], good, f.Root(n)), "root mismatch");
  RequireFailure(VerifyInclusion(i, n, f.leaves[i + 1], good, f.Root(n)), "root mismatch");
  RequireFailure(VerifyInclusion(i, 7, f.leaves[i], good, f.Root(n)), "path too long");
  RequireFailure(
      VerifyInclusion(i, n, f.leaves[i], good, f.Root(n - 1)),
      "root mismatch: got " + HexEncode(f.Root(n)) + ", want " + HexEncode(f.Root(n - 1)));
  RequireFailure(VerifyInclusion(n, n, f.leaves[i], good, f.Root(n)), "index beyond size");
  RequireFailure(VerifyInclusion(0, 0, f.leaves[0], {}, EmptyRoot()), "index beyond size");
}

TEST_CASE("inclusion verification rejects every single-node mutation in every proof", "[merkle]") {
  Fixture f;
  for (uint64_t n = 1; n <= 13; ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      const std::vector<Hash> good = f.Inclusion(i, n);
      for (size_t k = 0; k < good.size(); ++k) {
        std::vector<Hash> bad = good;
        bad[k][31] ^= 1;
        CHECK_FALSE(VerifyInclusion(i, n, f.leaves[i], bad, f.Root(n)).ok());
      }
      Hash wrong_root = f.Root(n);
      wrong_root[0] ^= 1;
      CHECK_FALSE(VerifyInclusion(i, n, f.leaves[i], good, wrong_root).ok());
    }
  }
}

TEST_CASE("consistency verification rejects tampered proofs with a reason", "[merkle]") {
  Fixture f;
  const uint64_t m = 5;
  const uint64_t n = 13;
  const std::vector<Hash> good = f.Consistency(m, n);
  REQUIRE(good.size() >= 3);
  REQUIRE(VerifyConsistency(m, n, f.Root(m), f.Root(n), good).ok());

  for (size_t k = 0; k < good.size(); ++k) {
    std::vector<Hash> bad = good;
    bad[k][0] ^= 0x80;
    RequireFailure(VerifyConsistency(m, n, f.Root(m), f.Root(n), bad), "root mismatch: got ");
  }
  std::vector<Hash> swapped = good;
  std::swap(swapped[1], swapped[2]);
  RequireFailure(VerifyConsistency(m, n, f.Root(m), f.Root(n), swapped), "root mismatch");
  std::vector<Hash> truncated(good.begin(), good.end() - 1);
  RequireFailure(VerifyConsistency(m, n, f.Root(m), f.Root(n), truncated), "path too short");
  std::vector<Hash> extended = good;
  extended.push_back(good[0]);
  RequireFailure(VerifyConsistency(m, n, f.Root(m), f.Root(n), extended), "path too long");
  RequireFailure(VerifyConsistency(m, n, f.Root(m + 1), f.Root(n), good), "old root mismatch");
  RequireFailure(VerifyConsistency(m, n, f.Root(m), f.Root(n - 1), good), "new root mismatch");
  RequireFailure(VerifyConsistency(m + 1, n, f.Root(m), f.Root(n), good), "path too");
  RequireFailure(VerifyConsistency(m, 8, f.Root(m), f.Root(n), good), "path too");
  RequireFailure(VerifyConsistency(n, m, f.Root(n), f.Root(m), good), "old size > new size");
  RequireFailure(VerifyConsistency(n, n, f.Root(n), f.Root(n), {f.Root(n)}), "path too long");
  RequireFailure(VerifyConsistency(n, n, f.Root(n), f.Root(m), {}), "new root mismatch");
  REQUIRE(VerifyConsistency(n, n, f.Root(n), f.Root(n), {}).ok());
  CHECK(VerifyConsistency(0, n, EmptyRoot(), f.Root(n), {}).code() == Code::kInvalidArgument);
  // A power-of-two old size: its root is implied, not sent.
  const std::vector<Hash> pow2 = f.Consistency(4, n);
  REQUIRE(VerifyConsistency(4, n, f.Root(4), f.Root(n), pow2).ok());
  RequireFailure(VerifyConsistency(4, n, f.Root(3), f.Root(n), pow2), "root mismatch");
}

TEST_CASE("consistency verification rejects every single-node mutation", "[merkle]") {
  Fixture f;
  for (uint64_t n = 2; n <= 13; ++n) {
    for (uint64_t m = 1; m < n; ++m) {
      const std::vector<Hash> good = f.Consistency(m, n);
      for (size_t k = 0; k < good.size(); ++k) {
        std::vector<Hash> bad = good;
        bad[k][5] ^= 4;
        CHECK_FALSE(VerifyConsistency(m, n, f.Root(m), f.Root(n), bad).ok());
      }
    }
  }
}

TEST_CASE("proof builders check their preconditions first", "[merkle]") {
  Fixture f;
  Result<std::vector<Hash>> r = InclusionProof(f.tree.store, 13, 13);
  REQUIRE(r.status().code() == Code::kInvalidArgument);
  CHECK_THAT(r.status().message(), Contains("leaf index 13") && Contains("want < tree size 13"));
  CHECK(InclusionProof(f.tree.store, 0, 0).status().code() == Code::kInvalidArgument);
  Result<std::vector<Hash>> c = ConsistencyProof(f.tree.store, 0, 5);
  REQUIRE(c.status().code() == Code::kInvalidArgument);
  CHECK_THAT(c.status().message(), Contains("old size 0") && Contains("want 0 < old size"));
  CHECK(ConsistencyProof(f.tree.store, 6, 5).status().code() == Code::kInvalidArgument);
  Result<std::vector<Hash>> same = ConsistencyProof(f.tree.store, 5, 5);
  REQUIRE(same.ok());
  CHECK(same->empty());
  // Beyond the stored tree: the missing node is named.
  Result<Hash> beyond = RootAt(f.tree.store, 14);
  REQUIRE(beyond.status().code() == Code::kNotFound);
  CHECK_THAT(beyond.status().message(), Contains("(level 1, index 6) not found"));
}

// Synthesises a hash for any node and counts what it is asked for.
class CountingReader : public NodeReader {
 public:
  Result<std::vector<Hash>> GetNodes(const std::vector<NodeId>& ids) const override {
    ++calls;
    nodes += ids.size();
    std::vector<Hash> out;
    for (const NodeId& id : ids) out.push_back(Sha256(ToString(id)));
    return out;
  }
  mutable int calls = 0;
  mutable size_t nodes = 0;
};

TEST_CASE("proofs read O(log n) nodes in one batch", "[merkle]") {
  const uint64_t n = 1'000'000;
  const double bound = 2 * std::log2(static_cast<double>(n)) + 2;
  std::mt19937_64 rng(99);
  for (uint64_t index : SampleBelow(n, rng, 200)) {
    CountingReader reader;
    Result<std::vector<Hash>> path = InclusionProof(reader, index, n);
    REQUIRE(path.ok());
    INFO("index " << index << ": " << reader.nodes << " nodes");
    CHECK(reader.calls == 1);
    CHECK(reader.nodes <= bound);
  }
  for (uint64_t old_size : SampleBelow(n, rng, 200)) {
    if (old_size == 0) continue;
    CountingReader reader;
    Result<std::vector<Hash>> proof = ConsistencyProof(reader, old_size, n);
    REQUIRE(proof.ok());
    INFO("old size " << old_size << ": " << reader.nodes << " nodes");
    CHECK(reader.calls == 1);
    CHECK(reader.nodes <= bound);
  }
  CountingReader reader;
  REQUIRE(RootAt(reader, n).ok());
  CHECK(reader.calls == 1);
  CHECK(reader.nodes == static_cast<size_t>(std::popcount(n)));
}

TEST_CASE("frontier appends report the completed nodes", "[merkle]") {
  Frontier f;
  const std::vector<Hash> leaves = RandomLeaves(8, 3);
  for (int i = 0; i < 7; ++i) f.Append(leaves[i]);
  const auto completed = f.Append(leaves[7]);
  REQUIRE(completed.size() == 4);
  CHECK(completed[0] == std::pair<NodeId, Hash>{NodeId{0, 7}, leaves[7]});
  CHECK(completed[1].first == NodeId{1, 3});
  CHECK(completed[2].first == NodeId{2, 1});
  CHECK(completed[3] == std::pair<NodeId, Hash>{NodeId{3, 0}, reference::RootOf(leaves)});
  CHECK(f.Nodes().size() == 1);
}

TEST_CASE("frontier serialization round-trips and rejects corrupt input", "[merkle]") {
  const std::vector<Hash> leaves = RandomLeaves(300, 5);
  Frontier f;
  for (uint64_t n = 0; n <= leaves.size(); ++n) {
    const std::string bytes = f.Serialize();
    REQUIRE(bytes.size() == 8 + 32 * static_cast<size_t>(std::popcount(n)));
    Result<Frontier> back = Frontier::Deserialize(bytes);
    REQUIRE(back.ok());
    CHECK(back->size() == n);
    CHECK(back->Root() == f.Root());
    CHECK(back->Serialize() == bytes);
    if (n < leaves.size()) {  // appending after a restore matches an uninterrupted one
      back->Append(leaves[n]);
      f.Append(leaves[n]);
      CHECK(back->Root() == f.Root());
    }
  }
  const std::string good = f.Serialize();  // size 300: 4 subtrees
  CHECK(good.substr(0, 8) == std::string("\0\0\0\0\0\0\x01\x2c", 8));
  CHECK(Frontier::Deserialize("").status().code() == Code::kCorruption);
  CHECK(Frontier::Deserialize(good.substr(0, 7)).status().code() == Code::kCorruption);
  Result<Frontier> truncated = Frontier::Deserialize(good.substr(0, good.size() - 1));
  REQUIRE(truncated.status().code() == Code::kCorruption);
  CHECK_THAT(truncated.status().message(), Contains("want 136"));
  CHECK(Frontier::Deserialize(good + "x").status().code() == Code::kCorruption);
  std::string wrong_size = good;
  wrong_size[7] = '\x2d';  // 301 has 5 set bits
  CHECK(Frontier::Deserialize(wrong_size).status().code() == Code::kCorruption);
}

}  // namespace
}  // namespace rareledger::ledger

namespace rareledger::ledger {
namespace {

// Found by fuzz_merkle_proofs: sizes above 2^63 made the expected path
// length a shift by 64 (undefined). They must be rejected cleanly.
TEST_CASE("merkle: verifiers reject sizes near 2^64 without undefined shifts", "[merkle]") {
  const Hash h{};
  const uint64_t huge = 18446744073709551370ull;
  Status s = VerifyInclusion(27144743632400127ull, huge, h, {}, h);
  CHECK_FALSE(s.ok());
  CHECK(s.code() == Code::kVerificationFailed);
  s = VerifyConsistency(3, huge, h, h, {h, h});
  CHECK_FALSE(s.ok());
  CHECK(s.code() == Code::kVerificationFailed);
}

}  // namespace
}  // namespace rareledger::ledger
