// Tests for ledger/envelope.h (building and signing envelopes),
// ledger/envelope_input.h (framing submit input) and Ledger::ResolveSigner
// (which party signs with a key).
#include "ledger/envelope.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/envelope_input.h"
#include "ledger/ledger.h"
#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;
using testing::json;

std::vector<std::pair<std::string, size_t>> Frame(const std::string& text) {
  std::istringstream in(text);
  EnvelopeInput input(in);
  std::vector<std::pair<std::string, size_t>> out;
  std::string t;
  size_t n = 0;
  while (input.Next(&t, &n)) out.emplace_back(t, n);
  return out;
}

TEST_CASE("FillHeader fills only what the payload leaves out", "[envelope]") {
  json p = {{"type", "attest"}, {"seq", 7}};
  REQUIRE(FillHeader(&p, {"L1", "aud", 3, "2026-01-01T00:00:00Z"}).ok());
  CHECK(p["seq"] == 7);  // kept
  CHECK(p["ledger"] == "L1");
  CHECK(p["party"] == "aud");
  CHECK(p["time"] == "2026-01-01T00:00:00Z");
  json q = {{"type", "attest"}};
  REQUIRE(FillHeader(&q, {"", "", std::nullopt, ""}).ok());
  CHECK(q.size() == 1);
  json arr = json::array();
  CHECK(FillHeader(&arr, {}).code() == Code::kInvalidArgument);
}

TEST_CASE("SignEnvelope makes the canonical envelope the log accepts, and refuses bad fields",
          "[envelope]") {
  Signer key = testing::SeedSigner(9);
  json p = testing::Header("revoke_party", "L1", kOperatorId, 2);
  p["id"] = "x";
  p["reason"] = "test";
  auto env = SignEnvelope(p, key);
  REQUIRE(env.ok());
  auto entry = DecodeEnvelope(*env);
  REQUIRE(entry.ok());
  CHECK(entry->leaf == *env);  // already canonical
  auto verifier = Verifier::Create(key.public_key());
  REQUIRE(verifier.ok());
  CHECK(verifier->Verify(entry->signed_bytes, entry->sig).ok());
  CHECK(*SignEnvelopeText(p.dump(2), key) == *env);  // whitespace does not matter
  p["seq"] = 0;
  auto bad = SignEnvelope(p, key);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Contains("seq"));
  CHECK_FALSE(SignEnvelopeText("{\"a\": 1.5}", key).ok());
}

TEST_CASE("EnvelopeInput frames JSON Lines line by line, with their numbers", "[envelope]") {
  auto f = Frame("{\"a\":1}\n\n  \n{\"b\":2}\r\n{\"c\":3}");
  REQUIRE(f.size() == 3);
  CHECK(f[0] == std::make_pair(std::string("{\"a\":1}"), size_t{1}));
  CHECK(f[1].second == 4);
  CHECK(f[2] == std::make_pair(std::string("{\"c\":3}"), size_t{5}));
  CHECK(Frame("").empty());
  CHECK(Frame("\n \n").empty());
}

TEST_CASE("EnvelopeInput takes a pretty-printed document whole", "[envelope]") {
  auto f = Frame("\n{\n  \"payload\": {\"x\": 1},\n  \"sig\": \"AA==\"\n}\n");
  REQUIRE(f.size() == 1);
  CHECK(f[0].second == 2);
  CHECK(ParseStrict(f[0].first).ok());
}

TEST_CASE("EnvelopeInput falls back to lines when the input is not one document", "[envelope]") {
  // The first line is broken and the whole does not parse: lines, so the
  // first one fails on its own, naming line 1.
  auto f = Frame("{\"a\":\n{\"b\":2}\n");
  REQUIRE(f.size() == 2);
  CHECK(f[0] == std::make_pair(std::string("{\"a\":"), size_t{1}));
  CHECK(f[1] == std::make_pair(std::string("{\"b\":2}"), size_t{2}));
}

TEST_CASE("ResolveSigner names the party of a key and says why a key cannot sign", "[envelope]") {
  testing::TempDir dir;
  testing::Parties parties("L1");
  parties.Add(kOperatorId, testing::FreshSigner(), 1);
  auto ledger = testing::MustInit(dir.Sub("db"), "L1", parties.key(kOperatorId));
  Signer old_key = testing::SeedSigner(100);  // what Register gives "a" first
  std::vector<std::string> lines = {parties.Register("a", {"producer"}, "DE"),
                                    parties.Register("b", {"producer"}, "FR")};
  REQUIRE(testing::SubmitLines(*ledger, lines).error.ok());

  auto a = ledger->ResolveSigner(parties.key("a").public_key());
  REQUIRE(a.ok());
  CHECK(a->party == "a");
  CHECK(a->next_seq == 1);
  auto op = ledger->ResolveSigner(parties.key(kOperatorId).public_key());
  REQUIRE(op.ok());
  CHECK(op->next_seq == 4);

  auto wrong = ledger->ResolveSigner(parties.key("a").public_key(), "b");
  CHECK_THAT(wrong.status().message(), Contains("the key is party a's, not b's"));
  auto unknown = ledger->ResolveSigner(testing::SeedSigner(77).public_key());
  CHECK_THAT(unknown.status().message(), Contains("no registered party holds this key"));

  Signer new_key = testing::SeedSigner(55);
  std::vector<std::string> more = {
      parties.Env("a", "rotate_key", {{"pubkey", testing::B64Key(new_key)}})};
  parties.set_key("a", std::move(new_key));
  more.push_back(parties.Env(kOperatorId, "revoke_party", {{"id", "b"}, {"reason", "closed"}}));
  REQUIRE(testing::SubmitLines(*ledger, more).error.ok());
  auto rotated = ledger->ResolveSigner(old_key.public_key());
  CHECK_THAT(rotated.status().message(), Contains("was party a's until entry 3"));
  auto revoked = ledger->ResolveSigner(parties.key("b").public_key());
  CHECK_THAT(revoked.status().message(), Contains("party b was revoked at entry 4"));
  auto current = ledger->ResolveSigner(parties.key("a").public_key());
  REQUIRE(current.ok());
  CHECK(current->next_seq == 2);
}

}  // namespace
}  // namespace rareledger::ledger
