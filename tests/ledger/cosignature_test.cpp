// Tests for ledger/cosignature.h against the worked example of
// docs/witnesses.md (made with tests/witness/ed25519_ref.py, an Ed25519
// written from RFC 8032, and checked there with openssl).
#include "ledger/cosignature.h"

#include <catch2/catch.hpp>

#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;

const char* kText = "witness.example/log\n4\nrQskzlpRhoXqsB7eRBj6z1pEbb2XHzv+qHJSvYjkzUo=\n";
const char* kVkey = "w1.example/w+b362c606+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
const char* kLine =
    "\xE2\x80\x94 w1.example/w s2LGBgAAAABrDg4ABBjS/1QSCXbTEmB1dyBYQ6fSJpEC8Nw/MpM3x+vKrQrerEJOE1cbcq5oDxg7"
    "r2bowyLfyiYK5BKvOi9z1q+FCQ==\n";
constexpr uint64_t kTime = 1796083200;

Signer ExampleSigner() {
  std::string seed;
  for (int i = 0; i < 32; ++i) seed.push_back(static_cast<char>(i));
  auto s = Signer::FromSeed(seed);
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::string Note(const Signer& op) {
  auto note = SignNote(kText, "witness.example/log", op);
  REQUIRE(note.ok());
  return *note;
}

TEST_CASE("the worked example: key id, verifier key, cosignature line", "[cosignature]") {
  Signer w = ExampleSigner();
  CHECK(CosignerVerifierKey("w1.example/w", w.public_key()) == kVkey);
  auto parsed = ParseCosignerKey(kVkey);
  REQUIRE(parsed.ok());
  CHECK(parsed->name == "w1.example/w");
  const std::string note = Note(testing::FreshSigner());
  auto line = Cosign(note, "w1.example/w", w, kTime);
  REQUIRE(line.ok());
  CHECK(*line == kLine);  // Ed25519 is deterministic
  CHECK(CosignedMessage(kText, kTime) == std::string("cosignature/v1\ntime 1796083200\n") + kText);
  auto ts = VerifyCosignature(note + kLine, *parsed);
  REQUIRE(ts.ok());
  CHECK(*ts == kTime);
}

TEST_CASE("a cosignature fails when anything it covers changes", "[cosignature]") {
  auto key = ParseCosignerKey(kVkey);
  REQUIRE(key.ok());
  const std::string note = Note(testing::FreshSigner());
  std::string other_text = note;
  other_text[other_text.find('4')] = '5';  // another size
  CHECK_THAT(VerifyCosignature(other_text + kLine, *key).status().message(), Contains("does not verify"));
  std::string line = kLine;
  line[line.size() - 5] = line[line.size() - 5] == 'A' ? 'B' : 'A';
  CHECK(VerifyCosignature(note + line, *key).status().code() == Code::kVerificationFailed);
  CHECK_THAT(VerifyCosignature(note, *key).status().message(), Contains("no cosignature by w1.example/w+b362c606"));
  // An operator's Ed25519 (type 0x01) key is not a cosigner key.
  CHECK_FALSE(ParseCosignerKey(VerifierKey("w1.example/w", ExampleSigner().public_key())).ok());
  CHECK_FALSE(ParseCosignerKey("w1.example/w+00000000+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4").ok());
}

TEST_CASE("a quorum counts distinct valid cosignatures and names what is missing", "[cosignature]") {
  Signer a = testing::FreshSigner(), b = testing::FreshSigner();
  std::vector<CosignerKey> keys = {{"a.example/w", a.public_key()}, {"b.example/w", b.public_key()}};
  const std::string note = Note(testing::FreshSigner());
  auto la = Cosign(note, "a.example/w", a, 1);
  REQUIRE(la.ok());
  CHECK(CheckWitnessQuorum(note + *la, keys, 1).ok());
  auto two = CheckWitnessQuorum(note + *la, keys, 2);
  CHECK(two.code() == Code::kVerificationFailed);
  CHECK_THAT(two.message(), Contains("1 valid") && Contains("no cosignature by b.example/w"));
  // The same key twice is one witness.
  CHECK_FALSE(CheckWitnessQuorum(note + *la, {keys[0], keys[0]}, 2).ok());
  CHECK(Cosign(note, "bad name", a, 1).status().code() == Code::kInvalidArgument);
  CHECK(Cosign(note, "a.example/w", a, uint64_t{1} << 63).status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace rareledger::ledger
