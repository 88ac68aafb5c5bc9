// Tests for ledger/entry.h: every payload type decodes, and every malformed
// envelope is rejected with InvalidArgument naming the field.
#include "ledger/entry.h"

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;
using testing::Header;
using testing::json;
using testing::SeedSigner;
using testing::UnsignedEnvelope;

const std::string kLedger = "L1";

json RegisterPayload() {
  json p = Header("register_party", kLedger, "operator", 2);
  p["id"] = "mine-a";
  p["name"] = "Mine A";
  p["country"] = "CN";
  p["roles"] = {"producer", "processor"};
  p["pubkey"] = testing::B64Key(SeedSigner(7));
  return p;
}
json CreateLotPayload() {
  json p = Header("create_lot", kLedger, "mine-a", 1);
  p["lot"] = "ore-1";
  p["material"] = "bastnaesite ore";
  p["category"] = "re_ore";
  p["mass_g"] = 1000;
  p["value"] = 5000;
  p["origin"] = "CN";
  p["elements"] = {{"Nd", 100}, {"Pr", 30}};
  p["hs"] = "2530.90";
  return p;
}
json TransferPayload() {
  json p = Header("transfer", kLedger, "mine-a", 2);
  p["lot"] = "ore-1";
  p["to"] = "sep-b";
  p["value"] = 7000;
  return p;
}
json SplitPayload() {
  json p = Header("split", kLedger, "mine-a", 3);
  p["lot"] = "ore-1";
  p["parts"] = {{{"lot", "ore-1a"}, {"mass_g", 300}}, {{"lot", "ore-1b"}, {"mass_g", 200}}};
  return p;
}
json TransformPayload() {
  json p = Header("transform", kLedger, "sep-b", 1);
  p["process"] = "separation";
  p["facility_country"] = "MY";
  p["technology_origin"] = "CN";
  p["inputs"] = {{{"lot", "ore-1"}, {"mass_g", 1000}}};
  p["outputs"] = {
      {{"lot", "ox-1"}, {"material", "NdPr oxide"}, {"category", "re_oxide"}, {"mass_g", 120},
       {"value", 9000}, {"elements", {{"Nd", 80}}}},
      {{"lot", "tail-1"}, {"material", "tailings"}, {"category", "other"}, {"mass_g", 800},
       {"value", 0}}};
  p["allocation"] = {{"ox-1", "9/10"}, {"tail-1", "1/10"}};
  return p;
}
json AttestPayload(bool lot) {
  json p = Header("attest", kLedger, "aud", 1);
  p["subject"] = lot ? json{{"lot", "ox-1"}} : json{{"entry", 4}};
  p["claim"] = "origin verified";
  p["detail"] = "site visit";
  return p;
}
json RotatePayload() {
  json p = Header("rotate_key", kLedger, "mine-a", 4);
  p["pubkey"] = testing::B64Key(SeedSigner(8));
  return p;
}
json RevokePayload() {
  json p = Header("revoke_party", kLedger, "operator", 3);
  p["id"] = "mine-a";
  p["reason"] = "key compromised";
  return p;
}

Result<Entry> Decode(const json& payload) { return DecodeEnvelope(UnsignedEnvelope(payload)); }

// The envelope of `payload` with the JSON text `from` replaced by `to`
// (for numbers that a json value cannot hold: 1.5, 1e3, 2^53).
std::string EnvelopeWith(const json& payload, const std::string& from, const std::string& to) {
  std::string env = UnsignedEnvelope(payload);
  size_t at = env.find(from);
  REQUIRE(at != std::string::npos);
  env.replace(at, from.size(), to);
  return env;
}

void ExpectInvalid(const Result<Entry>& r, const std::string& names) {
  INFO("want InvalidArgument naming: " << names);
  INFO("got: " << r.status().ToString());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK_THAT(r.status().message(), Contains(names));
}

struct Mutant {
  const char* what;
  std::function<json()> payload;
  const char* names;  // a fragment the message must hold
};

void ExpectAllInvalid(const std::vector<Mutant>& mutants) {
  for (const auto& m : mutants) {
    INFO("case: " << m.what);
    ExpectInvalid(Decode(m.payload()), m.names);
  }
}

TEST_CASE("every payload type decodes into its typed body", "[entry]") {
  SECTION("register_party") {
    Entry e = testing::MustDecode(UnsignedEnvelope(RegisterPayload()));
    CHECK(e.type == EntryType::kRegisterParty);
    CHECK(e.ledger == kLedger);
    CHECK(e.party == "operator");
    CHECK(e.seq == 2);
    CHECK(e.time == testing::kTime);
    const auto& b = std::get<RegisterParty>(e.body);
    CHECK(b.id == "mine-a");
    CHECK(b.country == "CN");
    CHECK(b.roles == std::vector<std::string>{"producer", "processor"});
    CHECK(b.pubkey == SeedSigner(7).public_key().raw());
  }
  SECTION("create_lot") {
    Entry e = testing::MustDecode(UnsignedEnvelope(CreateLotPayload()));
    const auto& b = std::get<CreateLot>(e.body);
    CHECK(b.lot == "ore-1");
    CHECK(b.category == "re_ore");
    CHECK(b.mass_g == 1000);
    CHECK(b.value == 5000);
    CHECK(b.origin == "CN");
    REQUIRE(b.elements);
    CHECK(b.elements->at("Nd") == 100);
    CHECK(b.hs == std::optional<std::string>("2530.90"));
  }
  SECTION("transfer, with and without value") {
    Entry e = testing::MustDecode(UnsignedEnvelope(TransferPayload()));
    CHECK(std::get<Transfer>(e.body).to == "sep-b");
    CHECK(std::get<Transfer>(e.body).value == std::optional<int64_t>(7000));
    json p = TransferPayload();
    p.erase("value");
    Entry e2 = testing::MustDecode(UnsignedEnvelope(p));
    CHECK_FALSE(std::get<Transfer>(e2.body).value.has_value());
  }
  SECTION("split") {
    Entry e = testing::MustDecode(UnsignedEnvelope(SplitPayload()));
    const auto& b = std::get<Split>(e.body);
    REQUIRE(b.parts.size() == 2);
    CHECK(b.parts[1].lot == "ore-1b");
    CHECK(b.parts[1].mass_g == 200);
  }
  SECTION("transform") {
    Entry e = testing::MustDecode(UnsignedEnvelope(TransformPayload()));
    const auto& b = std::get<Transform>(e.body);
    CHECK(b.process == "separation");
    CHECK(b.facility_country == "MY");
    CHECK(b.technology_origin == std::optional<std::string>("CN"));
    REQUIRE(b.outputs.size() == 2);
    CHECK(b.outputs[0].elements.has_value());
    CHECK_FALSE(b.outputs[1].elements.has_value());
    REQUIRE(b.allocation);
    CHECK(b.allocation->at("ox-1").num == 9);
    CHECK(b.allocation->at("ox-1").den == 10);
  }
  SECTION("attest a lot and an entry") {
    Entry a = testing::MustDecode(UnsignedEnvelope(AttestPayload(true)));
    CHECK(std::get<Attest>(a.body).subject_lot == std::optional<std::string>("ox-1"));
    CHECK_FALSE(std::get<Attest>(a.body).subject_entry.has_value());
    Entry b = testing::MustDecode(UnsignedEnvelope(AttestPayload(false)));
    CHECK(std::get<Attest>(b.body).subject_entry == std::optional<uint64_t>(4));
  }
  SECTION("rotate_key") {
    Entry e = testing::MustDecode(UnsignedEnvelope(RotatePayload()));
    CHECK(std::get<RotateKey>(e.body).pubkey == SeedSigner(8).public_key().raw());
  }
  SECTION("revoke_party") {
    Entry e = testing::MustDecode(UnsignedEnvelope(RevokePayload()));
    CHECK(std::get<RevokeParty>(e.body).id == "mine-a");
    CHECK(e.type == EntryType::kRevokeParty);
    CHECK(std::string(EntryTypeName(e.type)) == "revoke_party");
  }
}

TEST_CASE("decoded entries carry the signed bytes, the signature and the leaf", "[entry]") {
  Signer key = SeedSigner(9);
  json payload = CreateLotPayload();
  std::string env = testing::SignedEnvelope(payload, key);
  Entry e = testing::MustDecode(env);
  CHECK(e.signed_bytes == Canonicalize(payload));
  CHECK(e.leaf == env);
  CHECK(e.sig.size() == kSignatureSize);
  auto verifier = Verifier::Create(key.public_key());
  REQUIRE(verifier.ok());
  CHECK(verifier->Verify(e.signed_bytes, e.sig).ok());
  // The same envelope with insignificant whitespace decodes to the same leaf.
  std::string spaced = "{ \"sig\" : \"" + Base64Encode(e.sig) + "\",\n \"payload\": " +
                       payload.dump(2) + " }";
  Entry e2 = testing::MustDecode(spaced);
  CHECK(e2.leaf == env);
  CHECK(e2.signed_bytes == e.signed_bytes);
}

TEST_CASE("common fields are required, typed and in range", "[entry]") {
  ExpectAllInvalid({
      {"missing type", [] { json p = CreateLotPayload(); p.erase("type"); return p; }, "payload.type: missing"},
      {"type not a string", [] { json p = CreateLotPayload(); p["type"] = 3; return p; }, "payload.type: must be a string"},
      {"unknown type", [] { json p = CreateLotPayload(); p["type"] = "mint"; return p; }, "unknown entry type \"mint\""},
      {"missing ledger", [] { json p = CreateLotPayload(); p.erase("ledger"); return p; }, "payload.ledger: missing"},
      {"ledger not a string", [] { json p = CreateLotPayload(); p["ledger"] = 1; return p; }, "payload.ledger"},
      {"missing party", [] { json p = CreateLotPayload(); p.erase("party"); return p; }, "payload.party: missing"},
      {"party with a space", [] { json p = CreateLotPayload(); p["party"] = "mine a"; return p; }, "payload.party"},
      {"party starting with a dot", [] { json p = CreateLotPayload(); p["party"] = ".hidden"; return p; }, "payload.party"},
      {"party with ..", [] { json p = CreateLotPayload(); p["party"] = "a..b"; return p; }, "payload.party"},
      {"party with a slash", [] { json p = CreateLotPayload(); p["party"] = "org/unit"; return p; }, "payload.party: party ids"},
      {"party with an at sign", [] { json p = CreateLotPayload(); p["party"] = "acme@2"; return p; }, "payload.party: "},
      {"registered id with a colon", [] { json p = RegisterPayload(); p["id"] = "a:b"; return p; }, "payload.id: party ids"},
      {"revoked id with a hash", [] { json p = RevokePayload(); p["id"] = "a#b"; return p; }, "payload.id: party ids"},
      {"transfer to a slash id", [] { json p = TransferPayload(); p["to"] = "x/y"; return p; }, "payload.to: party ids"},
      {"missing seq", [] { json p = CreateLotPayload(); p.erase("seq"); return p; }, "payload.seq: missing"},
      {"seq zero", [] { json p = CreateLotPayload(); p["seq"] = 0; return p; }, "payload.seq: must be an integer in 1..9007199254740991"},
      {"seq negative", [] { json p = CreateLotPayload(); p["seq"] = -1; return p; }, "payload.seq"},
      {"seq as string", [] { json p = CreateLotPayload(); p["seq"] = "1"; return p; }, "payload.seq"},
      {"missing time", [] { json p = CreateLotPayload(); p.erase("time"); return p; }, "payload.time: missing"},
      {"time with a space", [] { json p = CreateLotPayload(); p["time"] = "2026-01-31 12:00:00Z"; return p; }, "payload.time"},
      {"time with an offset", [] { json p = CreateLotPayload(); p["time"] = "2026-01-31T12:00:00+01:00"; return p; }, "payload.time"},
      {"time month 13", [] { json p = CreateLotPayload(); p["time"] = "2026-13-01T12:00:00Z"; return p; }, "payload.time"},
      {"time hour 24", [] { json p = CreateLotPayload(); p["time"] = "2026-01-31T24:00:00Z"; return p; }, "payload.time"},
      {"time February 30", [] { json p = CreateLotPayload(); p["time"] = "2026-02-30T12:00:00Z"; return p; }, "payload.time"},
      {"time February 29 of a common year", [] { json p = CreateLotPayload(); p["time"] = "2026-02-29T12:00:00Z"; return p; }, "payload.time"},
      {"time date only", [] { json p = CreateLotPayload(); p["time"] = "2026-01-31"; return p; }, "payload.time"},
      {"time as integer", [] { json p = CreateLotPayload(); p["time"] = 1700000000; return p; }, "payload.time"},
      {"payload not an object", [] { return json::array({1}); }, "payload: must be an object"},
  });
  // Fractional seconds are RFC 3339 too.
  json p = CreateLotPayload();
  p["time"] = "2026-01-31T12:00:00.123Z";
  CHECK(Decode(p).ok());
}

TEST_CASE("integers: no zero or negative mass, no negative value, nothing beyond 2^53-1", "[entry]") {
  ExpectAllInvalid({
      {"mass zero", [] { json p = CreateLotPayload(); p["mass_g"] = 0; return p; }, "payload.mass_g: must be an integer in 1..9007199254740991"},
      {"mass negative", [] { json p = CreateLotPayload(); p["mass_g"] = -5; return p; }, "payload.mass_g"},
      {"mass as string", [] { json p = CreateLotPayload(); p["mass_g"] = "1000"; return p; }, "payload.mass_g"},
      {"mass as bool", [] { json p = CreateLotPayload(); p["mass_g"] = true; return p; }, "payload.mass_g"},
      {"mass missing", [] { json p = CreateLotPayload(); p.erase("mass_g"); return p; }, "payload.mass_g: missing"},
      {"value negative", [] { json p = CreateLotPayload(); p["value"] = -1; return p; }, "payload.value: must be an integer in 0.."},
      {"transfer value negative", [] { json p = TransferPayload(); p["value"] = -1; return p; }, "payload.value"},
      {"split part mass zero", [] { json p = SplitPayload(); p["parts"][0]["mass_g"] = 0; return p; }, "payload.parts[0].mass_g"},
      {"input mass negative", [] { json p = TransformPayload(); p["inputs"][0]["mass_g"] = -3; return p; }, "payload.inputs[0].mass_g"},
      {"output mass zero", [] { json p = TransformPayload(); p["outputs"][1]["mass_g"] = 0; return p; }, "payload.outputs[1].mass_g"},
      {"output value negative", [] { json p = TransformPayload(); p["outputs"][0]["value"] = -9; return p; }, "payload.outputs[0].value"},
      {"element grams negative", [] { json p = CreateLotPayload(); p["elements"]["Nd"] = -1; return p; }, "payload.elements.Nd"},
      {"attest entry negative", [] { json p = AttestPayload(false); p["subject"]["entry"] = -1; return p; }, "payload.subject.entry"},
  });

  SECTION("2^53-1 is the largest accepted") {
    json p = CreateLotPayload();
    p["mass_g"] = kMaxSafeInteger;
    p["value"] = kMaxSafeInteger;
    auto e = Decode(p);
    REQUIRE(e.ok());
    CHECK(std::get<CreateLot>(e->body).mass_g == kMaxSafeInteger);
  }
  SECTION("2^53, fractions and exponents are rejected in the text") {
    json p = CreateLotPayload();
    p["mass_g"] = 424242;
    for (const char* bad : {"9007199254740992", "-9007199254740992", "18446744073709551616",
                            "1.5", "1000.0", "1e3", "1E3", "10e-1"}) {
      INFO(bad);
      auto r = DecodeEnvelope(EnvelopeWith(p, "424242", bad));
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Code::kInvalidArgument);
      bool names_rule = r.status().message().find("integer") != std::string::npos ||
                        r.status().message().find("mass_g") != std::string::npos;
      CHECK(names_rule);
    }
    auto frac = DecodeEnvelope(EnvelopeWith(p, "424242", "1.5"));
    CHECK_THAT(frac.status().message(), Contains("fraction or exponent"));
    auto big = DecodeEnvelope(EnvelopeWith(p, "424242", "9007199254740992"));
    CHECK_THAT(big.status().message(), Contains("out of range"));
  }
}

TEST_CASE("field values: countries, ids, roles, keys, categories, processes", "[entry]") {
  ExpectAllInvalid({
      {"origin lowercase", [] { json p = CreateLotPayload(); p["origin"] = "cn"; return p; }, "payload.origin"},
      {"origin alpha-3", [] { json p = CreateLotPayload(); p["origin"] = "CHN"; return p; }, "payload.origin"},
      {"origin with digit", [] { json p = CreateLotPayload(); p["origin"] = "C1"; return p; }, "payload.origin"},
      {"origin empty", [] { json p = CreateLotPayload(); p["origin"] = ""; return p; }, "payload.origin"},
      {"register country", [] { json p = RegisterPayload(); p["country"] = "Germany"; return p; }, "payload.country"},
      {"facility_country", [] { json p = TransformPayload(); p["facility_country"] = "my"; return p; }, "payload.facility_country"},
      {"technology_origin", [] { json p = TransformPayload(); p["technology_origin"] = "XYZ"; return p; }, "payload.technology_origin"},
      {"pubkey not base64", [] { json p = RegisterPayload(); p["pubkey"] = "not base64!"; return p; }, "payload.pubkey: must be base64 of a 32-byte Ed25519 key"},
      {"pubkey 31 bytes", [] { json p = RegisterPayload(); p["pubkey"] = Base64Encode(std::string(31, 'k')); return p; }, "payload.pubkey"},
      {"pubkey 33 bytes", [] { json p = RegisterPayload(); p["pubkey"] = Base64Encode(std::string(33, 'k')); return p; }, "payload.pubkey"},
      {"pubkey unpadded", [] { json p = RegisterPayload(); std::string k = p["pubkey"]; k.pop_back(); p["pubkey"] = k; return p; }, "payload.pubkey"},
      {"pubkey url alphabet", [] { json p = RotatePayload(); p["pubkey"] = std::string(43, '_') + "="; return p; }, "payload.pubkey"},
      {"unknown role", [] { json p = RegisterPayload(); p["roles"] = {"smuggler"}; return p; }, "unknown role \"smuggler\""},
      {"role twice", [] { json p = RegisterPayload(); p["roles"] = {"auditor", "auditor"}; return p; }, "listed twice"},
      {"roles empty", [] { json p = RegisterPayload(); p["roles"] = json::array(); return p; }, "payload.roles: must not be empty"},
      {"roles not array", [] { json p = RegisterPayload(); p["roles"] = "auditor"; return p; }, "payload.roles: must be an array"},
      {"lot id with space", [] { json p = CreateLotPayload(); p["lot"] = "ore 1"; return p; }, "payload.lot: ids use only"},
      {"lot id too long", [] { json p = CreateLotPayload(); p["lot"] = std::string(129, 'x'); return p; }, "payload.lot"},
      {"category uppercase", [] { json p = CreateLotPayload(); p["category"] = "RE_ORE"; return p; }, "payload.category"},
      {"unknown process", [] { json p = TransformPayload(); p["process"] = "alchemy"; return p; }, "payload.process: process \"alchemy\" is not one of mining, "},
      {"bad element symbol", [] { json p = CreateLotPayload(); p["elements"] = {{"nd", 1}}; return p; }, "not an element symbol"},
      {"elements not object", [] { json p = CreateLotPayload(); p["elements"] = json::array({1}); return p; }, "payload.elements: must be an object"},
      {"attest subject both", [] { json p = AttestPayload(true); p["subject"]["entry"] = 1; return p; }, "payload.subject"},
      {"attest subject empty", [] { json p = AttestPayload(true); p["subject"] = json::object(); return p; }, "payload.subject"},
      {"attest no claim", [] { json p = AttestPayload(true); p.erase("claim"); return p; }, "payload.claim: missing"},
      {"revoke no reason", [] { json p = RevokePayload(); p.erase("reason"); return p; }, "payload.reason: missing"},
      {"transfer no to", [] { json p = TransferPayload(); p.erase("to"); return p; }, "payload.to: missing"},
  });
}

TEST_CASE("elements may not exceed the lot's mass", "[entry]") {
  json p = CreateLotPayload();
  p["elements"] = {{"Nd", 600}, {"Pr", 401}};  // 1001 > 1000
  ExpectInvalid(Decode(p), "element grams exceed mass_g (1000)");
  p["elements"] = {{"Nd", 600}, {"Pr", 400}};  // exactly the mass
  CHECK(Decode(p).ok());
  json t = TransformPayload();
  t["outputs"][0]["elements"] = {{"Dy", 121}};
  ExpectInvalid(Decode(t), "payload.outputs[0].elements");
}

TEST_CASE("split and transform ids: no reuse inside one entry", "[entry]") {
  ExpectAllInvalid({
      {"split part reuses the parent id", [] { json p = SplitPayload(); p["parts"][1]["lot"] = "ore-1"; return p; }, "lot id \"ore-1\" used twice in one split"},
      {"split parts share an id", [] { json p = SplitPayload(); p["parts"][1]["lot"] = "ore-1a"; return p; }, "used twice in one split"},
      {"split parts empty", [] { json p = SplitPayload(); p["parts"] = json::array(); return p; }, "payload.parts: must not be empty"},
      {"split part not an object", [] { json p = SplitPayload(); p["parts"][0] = "ore-1a"; return p; }, "payload.parts[0]: must be an object"},
      {"duplicate output ids", [] { json p = TransformPayload(); p["outputs"][1]["lot"] = "ox-1"; p.erase("allocation"); return p; }, "used twice in one transform"},
      {"output reuses an input id", [] { json p = TransformPayload(); p["outputs"][1]["lot"] = "ore-1"; p.erase("allocation"); return p; }, "lot id \"ore-1\" used twice in one transform"},
      {"no inputs", [] { json p = TransformPayload(); p["inputs"] = json::array(); return p; }, "payload.inputs: must not be empty"},
      {"no outputs", [] { json p = TransformPayload(); p["outputs"] = json::array(); p.erase("allocation"); return p; }, "payload.outputs: must not be empty"},
  });
}

TEST_CASE("allocation: exact fractions of the outputs summing to 1", "[entry]") {
  ExpectAllInvalid({
      {"sum 5/6", [] { json p = TransformPayload(); p["allocation"] = {{"ox-1", "1/2"}, {"tail-1", "1/3"}}; return p; }, "fractions sum to 5/6, not 1"},
      {"sum above 1", [] { json p = TransformPayload(); p["allocation"] = {{"ox-1", "1/1"}, {"tail-1", "1/9"}}; return p; }, "not 1"},
      {"names a non-output", [] { json p = TransformPayload(); p["allocation"] = {{"ox-1", "1/2"}, {"ore-1", "1/2"}}; return p; }, "payload.allocation.ore-1: not an output of this transform"},
      {"misses an output", [] { json p = TransformPayload(); p["allocation"] = {{"ox-1", "1/1"}}; return p; }, "must give a share for every output"},
      {"decimal share", [] { json p = TransformPayload(); p["allocation"] = {{"ox-1", "0.9"}, {"tail-1", "0.1"}}; return p; }, "is not an exact fraction"},
      {"numeric share", [] { json p = TransformPayload(); p["allocation"] = {{"ox-1", 1}, {"tail-1", 0}}; return p; }, "must be a string"},
      {"zero denominator", [] { json p = TransformPayload(); p["allocation"] = {{"ox-1", "1/0"}, {"tail-1", "0/1"}}; return p; }, "payload.allocation.ox-1"},
      {"not an object", [] { json p = TransformPayload(); p["allocation"] = json::array({"1/2", "1/2"}); return p; }, "payload.allocation: must be an object"},
  });
  // Unreduced fractions and zero shares are fine when the sum is exactly 1.
  json p = TransformPayload();
  p["allocation"] = {{"ox-1", "6/6"}, {"tail-1", "0/7"}};
  CHECK(Decode(p).ok());
}

TEST_CASE("ParseFraction accepts exactly n/d with 0 <= n, 0 < d", "[entry]") {
  auto ok = [](const char* text, uint64_t n, uint64_t d) {
    INFO(text);
    auto f = ParseFraction(text);
    REQUIRE(f.ok());
    CHECK(f->num == n);
    CHECK(f->den == d);
  };
  ok("1/2", 1, 2);
  ok("0/1", 0, 1);
  ok("10/4", 10, 4);
  ok("9007199254740991/1", 9007199254740991ull, 1);
  for (const char* bad : {"", "1", "1/", "/2", "1/0", "-1/2", "1/-2", "+1/2", "01/2", "1/02",
                          "1.5/2", "1/2/3", " 1/2", "1/2 ", "a/b", "1e3/1",
                          "9007199254740992/1", "1/99999999999999999", "12345678901234567/1"}) {
    INFO("\"" << bad << "\"");
    auto f = ParseFraction(bad);
    REQUIRE_FALSE(f.ok());
    CHECK(f.status().code() == Code::kInvalidArgument);
    CHECK_THAT(f.status().message(), Contains("not an exact fraction"));
  }
}

TEST_CASE("envelope: only payload and sig, sig base64 of 64 bytes", "[entry]") {
  const std::string payload = Canonicalize(CreateLotPayload());
  const std::string good_sig = Base64Encode(std::string(64, 's'));
  auto env = [&](const std::string& sig_json, const std::string& extra = "") {
    return "{\"payload\":" + payload + ",\"sig\":" + sig_json + extra + "}";
  };
  REQUIRE(DecodeEnvelope(env("\"" + good_sig + "\"")).ok());
  ExpectInvalid(DecodeEnvelope(env("\"" + good_sig + "\"", ",\"note\":\"hi\"")),
                "envelope: unknown key \"note\"");
  ExpectInvalid(DecodeEnvelope(env("\"" + good_sig + "\"", ",\"party\":\"x\"")), "unknown key");
  ExpectInvalid(DecodeEnvelope(env("\"***\"")), "envelope.sig: must be base64 of a 64-byte");
  ExpectInvalid(DecodeEnvelope(env("\"" + Base64Encode(std::string(63, 's')) + "\"")),
                "envelope.sig");
  ExpectInvalid(DecodeEnvelope(env("\"" + Base64Encode(std::string(65, 's')) + "\"")),
                "envelope.sig");
  ExpectInvalid(DecodeEnvelope(env("12")), "envelope.sig: must be a string");
  ExpectInvalid(DecodeEnvelope("{\"payload\":" + payload + "}"), "envelope.sig: missing");
  ExpectInvalid(DecodeEnvelope("{\"sig\":\"" + good_sig + "\"}"), "envelope.payload: missing");
  ExpectInvalid(DecodeEnvelope("[" + payload + "]"), "envelope: must be a JSON object");
  // Strict JSON underneath: duplicate keys, trailing data, empty input.
  ExpectInvalid(DecodeEnvelope(env("\"" + good_sig + "\"", ",\"sig\":\"" + good_sig + "\"")),
                "duplicate key");
  ExpectInvalid(DecodeEnvelope(env("\"" + good_sig + "\"") + "x"), "trailing data");
  ExpectInvalid(DecodeEnvelope(""), "empty input");
}

TEST_CASE("DecodeLeaf accepts only canonical bytes and says Corruption otherwise", "[entry]") {
  const std::string leaf = testing::SignedEnvelope(CreateLotPayload(), SeedSigner(3));
  auto ok = DecodeLeaf(leaf);
  REQUIRE(ok.ok());
  CHECK(ok->leaf == leaf);

  std::string spaced = leaf;
  spaced.insert(1, " ");
  auto r1 = DecodeLeaf(spaced);
  REQUIRE_FALSE(r1.ok());
  CHECK(r1.status().code() == Code::kCorruption);
  CHECK_THAT(r1.status().message(), Contains("not in canonical form"));

  std::string trailing_newline = leaf + "\n";
  CHECK(DecodeLeaf(trailing_newline).status().code() == Code::kCorruption);

  // Keys out of order: sig before payload.
  Entry e = testing::MustDecode(leaf);
  std::string reordered = "{\"sig\":\"" + Base64Encode(e.sig) + "\",\"payload\":" +
                          e.signed_bytes + "}";
  REQUIRE(DecodeEnvelope(reordered).ok());
  CHECK(DecodeLeaf(reordered).status().code() == Code::kCorruption);

  // An escaped character that canonical form writes literally.
  std::string escaped = leaf;
  size_t at = escaped.find("NdPr");
  if (at == std::string::npos) at = escaped.find("bastnaesite");
  REQUIRE(at != std::string::npos);
  escaped.replace(at, 1, "\\u0062");  // 'b' as an escape
  REQUIRE(DecodeEnvelope(escaped).ok());
  CHECK(DecodeLeaf(escaped).status().code() == Code::kCorruption);

  auto garbage = DecodeLeaf("{\"payload\":");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.status().code() == Code::kCorruption);
  CHECK_THAT(garbage.status().message(), Contains("does not decode"));

  // Canonical but invalid (mass 0) is still Corruption, not InvalidArgument.
  json bad = CreateLotPayload();
  bad["mass_g"] = 0;
  auto r2 = DecodeLeaf(UnsignedEnvelope(bad));
  CHECK(r2.status().code() == Code::kCorruption);
  CHECK_THAT(r2.status().message(), Contains("payload.mass_g"));
}

TEST_CASE("CanonicalPayload sorts keys, strips whitespace and validates", "[entry]") {
  const std::string text = R"({ "type": "revoke_party", "time": "2026-01-31T12:00:00Z",
      "seq": 3, "reason": "fraud", "party": "operator", "ledger": "L1", "id": "acme" })";
  auto c = CanonicalPayload(text);
  REQUIRE(c.ok());
  CHECK(*c ==
        R"({"id":"acme","ledger":"L1","party":"operator","reason":"fraud","seq":3,)"
        R"("time":"2026-01-31T12:00:00Z","type":"revoke_party"})");
  // Nested objects are sorted too.
  json t = TransformPayload();
  auto ct = CanonicalPayload(t.dump(1));
  REQUIRE(ct.ok());
  CHECK(*ct == Canonicalize(t));
  CHECK(ct->find("{\"category\":\"re_oxide\",\"elements\":{\"Nd\":80},\"lot\":\"ox-1\"") !=
        std::string::npos);

  auto missing = CanonicalPayload(R"({"type":"revoke_party","ledger":"L1"})");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kInvalidArgument);
  CHECK_THAT(missing.status().message(), Contains("payload.party: missing"));
  CHECK(CanonicalPayload(R"({"a":1.0})").status().code() == Code::kInvalidArgument);
}

TEST_CASE("MakeEnvelope is the canonical envelope of payload and signature", "[entry]") {
  json payload = TransferPayload();
  const std::string sig(64, '\x7f');
  std::string env = MakeEnvelope(Canonicalize(payload), sig);
  json whole = {{"sig", Base64Encode(sig)}, {"payload", payload}};
  CHECK(env == Canonicalize(whole));
  CHECK(DecodeLeaf(env).ok());
}

}  // namespace
}  // namespace rareledger::ledger

namespace rareledger::ledger {
namespace {

// Found by fuzz_entry_apply: a type with an escaped newline made a two-line
// error. Every Status message is one line (control characters escaped).
TEST_CASE("error messages stay on one line whatever the input holds", "[entry]") {
  const std::string sig(86, 'A');
  auto e = DecodeEnvelope(R"({"payload":{"type":"tr\nsfer\u001b[31m"},"sig":")" + sig + R"(=="})");
  REQUIRE_FALSE(e.ok());
  const std::string& msg = e.status().message();
  INFO(msg);
  CHECK(msg.find("unknown entry type \"tr\\u000asfer\\u001b[31m\"") != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
  CHECK(msg.find('\x1b') == std::string::npos);
  CHECK(Status::InvalidArgument("a\nb\x7f").message() == "a\\u000ab\\u007f");
}

}  // namespace
}  // namespace rareledger::ledger

namespace rareledger::ledger {
namespace {

TEST_CASE("categories, processes and countries are closed vocabularies with suggestions",
          "[entry]") {
  ExpectAllInvalid({
      {"category near miss", [] { json p = CreateLotPayload(); p["category"] = "magnet"; return p; },
       "payload.category: category \"magnet\" is not one of re_ore, re_concentrate, re_oxide, "
       "re_metal, re_alloy, re_magnet, re_target, component, product, other (did you mean "
       "re_magnet?)"},
      {"category made up", [] { json p = CreateLotPayload(); p["category"] = "ore_stuff"; return p; },
       "payload.category: category \"ore_stuff\" is not one of"},
      {"output category", [] { json p = TransformPayload(); p["outputs"][1]["category"] = "tailings"; return p; },
       "payload.outputs[1].category: category \"tailings\""},
      {"process near miss", [] { json p = TransformPayload(); p["process"] = "seperation"; return p; },
       "(did you mean separation?)"},
      {"origin UK", [] { json p = CreateLotPayload(); p["origin"] = "UK"; return p; },
       "payload.origin: \"UK\" is not an officially assigned ISO 3166-1 alpha-2 country code"},
      {"origin UK suggests GB", [] { json p = CreateLotPayload(); p["origin"] = "UK"; return p; },
       "(did you mean GB?)"},
      {"origin EU", [] { json p = CreateLotPayload(); p["origin"] = "EU"; return p; }, "payload.origin: \"EU\""},
      {"origin XX", [] { json p = CreateLotPayload(); p["origin"] = "XX"; return p; }, "payload.origin: \"XX\""},
      {"origin ZZ", [] { json p = CreateLotPayload(); p["origin"] = "ZZ"; return p; }, "payload.origin: \"ZZ\""},
      {"origin QM", [] { json p = CreateLotPayload(); p["origin"] = "QM"; return p; }, "payload.origin"},
      {"facility XA", [] { json p = TransformPayload(); p["facility_country"] = "XA"; return p; }, "payload.facility_country: \"XA\""},
      {"technology AA", [] { json p = TransformPayload(); p["technology_origin"] = "AA"; return p; }, "payload.technology_origin: \"AA\""},
      {"party ZZ", [] { json p = RegisterPayload(); p["country"] = "ZZ"; return p; }, "payload.country: \"ZZ\""},
  });
  json ok = CreateLotPayload();
  for (const char* c : {"XK", "SS", "DE", "JP", "AU", "US"}) {
    ok["origin"] = c;
    CHECK(Decode(ok).ok());
  }
  for (const char* cat : {"re_concentrate", "re_target", "component", "product"}) {
    ok["category"] = cat;
    CHECK(Decode(ok).ok());
  }
}

TEST_CASE("only the operator's own registration may use ZZ", "[entry]") {
  json p = Header("register_party", kLedger, "operator", 1);
  p.update({{"id", "operator"}, {"name", "operator"}, {"country", "ZZ"}, {"roles", {"operator"}},
            {"pubkey", testing::B64Key(SeedSigner(1))}});
  CHECK(Decode(p).ok());
  p["country"] = "XX";
  ExpectInvalid(Decode(p), "payload.country: \"XX\"");
}

TEST_CASE("transform inputs name each lot once", "[entry]") {
  json t = TransformPayload();
  t["inputs"] = {{{"lot", "ore-1"}, {"mass_g", 500}}, {{"lot", "ore-1"}, {"mass_g", 500}}};
  ExpectInvalid(Decode(t), "payload.inputs[1].lot: lot \"ore-1\" is listed twice in inputs");
  t = TransformPayload();
  t["outputs"][1]["lot"] = "ox-1";
  ExpectInvalid(Decode(t), "used twice in one transform");
}

TEST_CASE("register_party gln: 13 digits with a valid GS1 check digit", "[entry]") {
  json p = RegisterPayload();
  p["gln"] = "4012345000009";  // GS1's example GLN prefix, check digit 9
  auto e = Decode(p);
  REQUIRE(e.ok());
  CHECK(std::get<RegisterParty>(e->body).gln == std::optional<std::string>("4012345000009"));
  p["gln"] = "4012345000008";
  ExpectInvalid(Decode(p), "payload.gln: GLN \"4012345000008\" has a wrong check digit (want 9)");
  p["gln"] = "401234500000";
  ExpectInvalid(Decode(p), "payload.gln: \"401234500000\" is not a GLN (13 digits)");
  p["gln"] = "40123450000a9";
  ExpectInvalid(Decode(p), "is not a GLN");
  p["gln"] = 4012345000009;
  ExpectInvalid(Decode(p), "payload.gln: must be a string");
  p.erase("gln");
  CHECK_FALSE(std::get<RegisterParty>(Decode(p)->body).gln.has_value());
}

json CorrectPayload() {
  json p = Header("correct_lot", kLedger, "mine-a", 5);
  p["lot"] = "ore-1";
  p["corrections"] = {{"category", "re_concentrate"}, {"elements", {{"Dy", 40}}}};
  p["reason"] = "assay report 2026-02";
  return p;
}

TEST_CASE("correct_lot decodes the correctable fields and refuses the others", "[entry]") {
  auto e = Decode(CorrectPayload());
  REQUIRE(e.ok());
  CHECK(e->type == EntryType::kCorrectLot);
  CHECK(std::string(EntryTypeName(e->type)) == "correct_lot");
  const auto& c = std::get<CorrectLot>(e->body);
  CHECK(c.lot == "ore-1");
  CHECK(c.category == std::optional<std::string>("re_concentrate"));
  CHECK(c.elements == std::optional<Elements>(Elements{{"Dy", 40}}));
  CHECK_FALSE(c.material.has_value());
  CHECK_FALSE(c.hs.has_value());
  CHECK(c.reason == "assay report 2026-02");
  ExpectAllInvalid({
      {"origin", [] { json p = CorrectPayload(); p["corrections"]["origin"] = "AU"; return p; },
       "payload.corrections.origin: origin is never correctable"},
      {"mass", [] { json p = CorrectPayload(); p["corrections"]["mass_g"] = 5; return p; },
       "payload.corrections.mass_g: mass_g is never correctable"},
      {"unknown", [] { json p = CorrectPayload(); p["corrections"]["colour"] = "red"; return p; },
       "payload.corrections.colour: unknown field"},
      {"empty", [] { json p = CorrectPayload(); p["corrections"] = json::object(); return p; },
       "payload.corrections: must correct at least one of"},
      {"bad category", [] { json p = CorrectPayload(); p["corrections"]["category"] = "magnet"; return p; },
       "payload.corrections.category: category \"magnet\" is not one of"},
      {"bad element", [] { json p = CorrectPayload(); p["corrections"]["elements"] = {{"dy", 1}}; return p; },
       "not an element symbol"},
      {"no reason", [] { json p = CorrectPayload(); p.erase("reason"); return p; }, "payload.reason: missing"},
      {"not object", [] { json p = CorrectPayload(); p["corrections"] = "x"; return p; },
       "payload.corrections: must be an object"},
  });
}

json LicencePayload() {
  json p = Header("licence", kLedger, "mofcom", 1);
  p["licence"] = "DU-2026-0815";
  p["authority"] = "MOFCOM";
  p["policy"] = "CN-MOFCOM-2025-18";
  p["licensee"] = "cn-sep";
  p["kind"] = "individual";
  p["scope"] = {{"lots", {"TB-1"}}, {"consignees", {"jp-mag"}}, {"end_uses", {"civil"}}};
  p["valid"] = {{"from", "2026-06-01"}, {"to", "2027-06-01"}};
  return p;
}

TEST_CASE("licence and revoke_licence decode their fields and refuse bad ones", "[entry]") {
  auto e = Decode(LicencePayload());
  REQUIRE(e.ok());
  CHECK(e->type == EntryType::kLicence);
  CHECK(std::string(EntryTypeName(e->type)) == "licence");
  const auto& l = std::get<Licence>(e->body);
  CHECK(l.licensee == "cn-sep");
  CHECK(l.scope.lots == std::optional<std::vector<std::string>>({"TB-1"}));
  CHECK(!l.scope.categories);
  CHECK(l.valid_to == "2027-06-01");
  CHECK(!l.document_sha256);
  json r = Header("revoke_licence", kLedger, "mofcom", 2);
  r["licence"] = "DU-2026-0815";
  r["reason"] = "end user changed";
  auto rv = Decode(r);
  REQUIRE(rv.ok());
  CHECK(std::get<RevokeLicence>(rv->body).reason == "end user changed");
  ExpectAllInvalid({
      {"kind", [] { json p = LicencePayload(); p["kind"] = "open"; return p; },
       "payload.kind: licence kind \"open\" is not one of individual, general"},
      {"valid order", [] { json p = LicencePayload(); p["valid"]["to"] = "2026-06-01"; return p; },
       "payload.valid: to 2026-06-01 must be after from 2026-06-01"},
      {"valid date", [] { json p = LicencePayload(); p["valid"]["from"] = "2026-02-30"; return p; },
       "payload.valid: \"2026-02-30\" is not a YYYY-MM-DD date"},
      {"no valid", [] { json p = LicencePayload(); p.erase("valid"); return p; },
       "payload.valid: missing"},
      {"scope field", [] { json p = LicencePayload(); p["scope"]["parties"] = {"x"}; return p; },
       "payload.scope.parties: unknown field"},
      {"scope category", [] { json p = LicencePayload(); p["scope"]["categories"] = {"magnet"}; return p; },
       "payload.scope.categories[0].v: category \"magnet\" is not one of"},
      {"scope end use", [] { json p = LicencePayload(); p["scope"]["end_uses"] = {"war"}; return p; },
       "end use \"war\" is not one of civil, military, humanitarian, research, unknown"},
      {"sha", [] { json p = LicencePayload(); p["document_sha256"] = "ABC"; return p; },
       "payload.document_sha256: must be 64 lowercase hex digits"},
  });
}

TEST_CASE("transfer end_user and end_use: optional, end_use from a closed vocabulary", "[entry]") {
  json p = Header("transfer", kLedger, "mine-a", 3);
  p["lot"] = "ore-1";
  p["to"] = "sep-b";
  p["end_user"] = "Kansai Magnetics K.K.";
  p["end_use"] = "civil";
  auto e = Decode(p);
  REQUIRE(e.ok());
  CHECK(std::get<Transfer>(e->body).end_user == std::optional<std::string>("Kansai Magnetics K.K."));
  CHECK(std::get<Transfer>(e->body).end_use == std::optional<std::string>("civil"));
  p["end_use"] = "militray";
  auto bad = Decode(p);
  REQUIRE(!bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Matchers::Contains("(did you mean military?)"));
}

}  // namespace
}  // namespace rareledger::ledger
