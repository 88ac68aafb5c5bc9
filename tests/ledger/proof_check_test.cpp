// ledger/proof_check.h: printed proofs checked offline against signed
// checkpoints, on trees built by the RFC 9162 reference (no database).
#include "ledger/proof_check.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"
#include "tests/oracles/merkle_reference.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;
using nlohmann::json;

const std::string kOrigin = "proofs.example/log";

json HexList(const std::vector<Hash>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(HexEncode(h));
  return out;
}

// A log of `n` leaves "leaf-0", "leaf-1", ... and its operator.
struct Log {
  explicit Log(size_t n) : key(testing::SeedSigner(7)) {
    for (size_t i = 0; i < n; ++i) hashes.push_back(LeafHash("leaf-" + std::to_string(i)));
  }
  Hash Root(uint64_t size) const { return reference::RootOf(Prefix(size)); }
  std::span<const Hash> Prefix(uint64_t size) const { return {hashes.data(), size}; }
  std::string Note(uint64_t size, const Signer& by) const {
    auto note = SignCheckpoint(Checkpoint{kOrigin, size, Root(size)}, by);
    REQUIRE(note.ok());
    return *note;
  }
  std::string Note(uint64_t size) const { return Note(size, key); }
  std::string Vkey() const { return VerifierKey(kOrigin, key.public_key()); }
  // What `prove inclusion --index i --size size` prints.
  std::string Inclusion(uint64_t i, uint64_t size) const {
    return json{{"index", i}, {"size", size}, {"leaf_hash", HexEncode(hashes[i])},
                {"path", HexList(reference::InclusionPath(i, Prefix(size)))},
                {"root", HexEncode(Root(size))}}
        .dump();
  }
  // What `prove consistency --old m --new n` prints.
  std::string Consistency(uint64_t m, uint64_t n) const {
    return json{{"old", m}, {"new", n}, {"old_root", HexEncode(Root(m))},
                {"new_root", HexEncode(Root(n))},
                {"path", HexList(reference::ConsistencyProof(m, Prefix(n)))}}
        .dump();
  }
  std::vector<Hash> hashes;
  Signer key;
};

template <typename T>
void ExpectFails(const Result<T>& r, const std::string& names) {
  INFO("want a failure naming: " << names << "\ngot: " << r.status().ToString());
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Contains(names));
}

TEST_CASE("inclusion proofs verify against a signed checkpoint for every index", "[proof_check]") {
  Log log(13);
  for (uint64_t size : {1u, 2u, 7u, 8u, 13u}) {
    for (uint64_t i = 0; i < size; ++i) {
      auto cp = CheckInclusionProof(log.Note(size), log.Vkey(), log.hashes[i], i,
                                    log.Inclusion(i, size));
      INFO("index " << i << " size " << size << ": " << cp.status().ToString());
      REQUIRE(cp.ok());
      CHECK(cp->size == size);
      CHECK(cp->root == log.Root(size));
    }
  }
}

TEST_CASE("an inclusion proof fails on each thing that does not match", "[proof_check]") {
  Log log(13);
  const std::string note = log.Note(13), proof = log.Inclusion(5, 13);
  SECTION("a verifier key of another operator") {
    Signer other = testing::SeedSigner(8);
    ExpectFails(CheckInclusionProof(note, VerifierKey(kOrigin, other.public_key()), log.hashes[5],
                                    5, proof),
                "no signature by");
  }
  SECTION("a checkpoint signed by another key") {
    ExpectFails(CheckInclusionProof(log.Note(13, testing::SeedSigner(9)), log.Vkey(),
                                    log.hashes[5], 5, proof),
                "no signature by");
  }
  SECTION("a malformed verifier key") {
    ExpectFails(CheckInclusionProof(note, "not-a-vkey", log.hashes[5], 5, proof), "vkey");
  }
  SECTION("a tampered path") {
    json j = json::parse(proof);
    j["path"][1] = HexEncode(LeafHash("forged"));
    ExpectFails(CheckInclusionProof(note, log.Vkey(), log.hashes[5], 5, j.dump()),
                "inclusion proof does not verify");
  }
  SECTION("a path one hash short") {
    json j = json::parse(proof);
    j["path"].erase(j["path"].size() - 1);
    ExpectFails(CheckInclusionProof(note, log.Vkey(), log.hashes[5], 5, j.dump()),
                "does not verify");
  }
  SECTION("a proof for a different size than the checkpoint's") {
    ExpectFails(CheckInclusionProof(note, log.Vkey(), log.hashes[5], 5, log.Inclusion(5, 12)),
                "the proof is for a log of size 12, the checkpoint commits to size 13");
  }
  SECTION("a proof of another entry") {
    ExpectFails(CheckInclusionProof(note, log.Vkey(), log.hashes[5], 5, log.Inclusion(6, 13)),
                "the proof is for entry 6, not entry 5");
  }
  SECTION("another entry's leaf hash") {
    ExpectFails(CheckInclusionProof(note, log.Vkey(), log.hashes[6], 5, proof),
                "the entry's leaf hash is " + HexEncode(log.hashes[6]));
  }
  SECTION("a proof whose root is not the checkpoint's") {
    json j = json::parse(proof);
    j["root"] = HexEncode(log.Root(12));
    ExpectFails(CheckInclusionProof(note, log.Vkey(), log.hashes[5], 5, j.dump()),
                "is not the checkpoint's root");
  }
  SECTION("a proof that is not the JSON prove prints") {
    ExpectFails(CheckInclusionProof(note, log.Vkey(), log.hashes[5], 5, "{\"index\":5}"), "size");
    ExpectFails(CheckInclusionProof(note, log.Vkey(), log.hashes[5], 5, "[1,2]"), "not a JSON object");
    json j = json::parse(proof);
    j["path"][0] = "zz";
    ExpectFails(CheckInclusionProof(note, log.Vkey(), log.hashes[5], 5, j.dump()), "path[0]");
  }
}

TEST_CASE("consistency proofs verify between signed checkpoints", "[proof_check]") {
  Log log(21);
  for (uint64_t m : {1u, 4u, 7u, 13u, 21u}) {
    auto r = CheckConsistencyProof(log.Note(m), log.Note(21), log.Vkey(), log.Consistency(m, 21));
    INFO("old " << m << ": " << r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->old_checkpoint.size == m);
    CHECK(r->new_checkpoint.size == 21);
  }
}

TEST_CASE("a consistency proof fails on each thing that does not match", "[proof_check]") {
  Log log(21);
  const std::string old_note = log.Note(7), note = log.Note(21), proof = log.Consistency(7, 21);
  SECTION("an old checkpoint signed by another key") {
    ExpectFails(CheckConsistencyProof(log.Note(7, testing::SeedSigner(9)), note, log.Vkey(), proof),
                "old checkpoint: no signature by");
  }
  SECTION("a proof between other sizes") {
    ExpectFails(CheckConsistencyProof(old_note, note, log.Vkey(), log.Consistency(8, 21)),
                "the proof is from size 8 to 21, the checkpoints commit to sizes 7 and 21");
  }
  SECTION("a tampered path") {
    json j = json::parse(proof);
    j["path"][0] = HexEncode(LeafHash("forged"));
    ExpectFails(CheckConsistencyProof(old_note, note, log.Vkey(), j.dump()),
                "consistency proof does not verify");
  }
  SECTION("a forked log: the old checkpoint's root is of other leaves") {
    Log fork(21);
    fork.hashes[3] = LeafHash("rewritten");
    json j = json::parse(fork.Consistency(7, 21));
    j["new_root"] = HexEncode(log.Root(21));
    ExpectFails(CheckConsistencyProof(fork.Note(7), note, log.Vkey(), j.dump()),
                "consistency proof does not verify");
  }
  SECTION("the checkpoints given the wrong way round") {
    ExpectFails(CheckConsistencyProof(note, old_note, log.Vkey(), proof), "the proof is from size 7");
  }
}

TEST_CASE("an entry file gives the leaf hash of its canonical envelope", "[proof_check]") {
  Signer k = testing::SeedSigner(3);
  json payload = testing::Header("attest", "x", "aud", 1);
  payload["subject"] = {{"lot", "L"}};
  payload["claim"] = "seen";
  const std::string leaf = testing::SignedEnvelope(payload, k);
  auto h = EntryLeafHash(leaf + "\n");
  REQUIRE(h.ok());
  CHECK(*h == LeafHash(leaf));
  auto spaced = EntryLeafHash(json::parse(leaf).dump(2));  // whitespace does not matter
  REQUIRE(spaced.ok());
  CHECK(*spaced == LeafHash(leaf));
  ExpectFails(EntryLeafHash("{\"payload\":1}"), "entry");
}

TEST_CASE("a key fingerprint is SHA-256 of the raw key in hex", "[proof_check]") {
  Signer k = testing::SeedSigner(3);
  const std::string fp = KeyFingerprint(k.public_key().raw());
  CHECK(fp == HexEncode(Sha256(k.public_key().raw())));
  CHECK(fp.size() == 64);
}

}  // namespace
}  // namespace rareledger::ledger
