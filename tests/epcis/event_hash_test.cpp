// Tests for epcis/event_hash.h: the CBV 2.0 event hash against the
// reference implementation's published vector (tests/testdata/epcis/
// cbv-hash/, sources in its README), the same hash for other spellings of
// the same event, another for a changed one, and no CBV id (the rl1
// fallback) for what is not canonicalised here.
#include "epcis/event_hash.h"

#include <catch2/catch.hpp>

#include "epcis/import.h"
#include "tests/epcis/epcis_util.h"

namespace rareledger::epcis::testing {
namespace {

json Parsed(const std::string& text) {
  auto doc = ParseDocument(text);
  INFO(doc.status().ToString());
  REQUIRE(doc.ok());
  return *doc;
}

struct Vector {
  json doc;
  Prefixes prefixes;
  json event;
  explicit Vector(const std::string& name = "ObjectEvent_all_possible_fields") {
    doc = Parsed(ReadFile(EpcisData("cbv-hash/" + name + ".json")));
    prefixes = ReadPrefixes(doc);
    event = doc["epcisBody"]["eventList"][0];
  }
  std::string Id(const json& e) const { return EventHashId(e, prefixes); }
};

constexpr const char* kPublished =
    "ni:///sha-256;9811bfb2672e9c3a0f6151be339d22b60db375c8b23d2740f6137cc6539f0639?ver=CBV2.0";

TEST_CASE("the published vectors: pre-hash strings and hashes") {
  const std::pair<std::string, std::string> vectors[] = {
      {"ObjectEvent_all_possible_fields", kPublished},
      // Also: input/output lists, a pattern class, a transformationID, and
      // a document that rebinds cbvmda (hashed as written).
      {"TransformationEvent_all_possible_fields",
       "ni:///sha-256;529cc54b8cf9d8664208cc6c77473274d8c2dd473469920a7d09a814623f52cc?ver=CBV2.0"}};
  for (const auto& [name, hash] : vectors) {
    INFO(name);
    Vector v(name);
    std::string want = ReadFile(EpcisData("cbv-hash/" + name + ".prehashes"));
    while (!want.empty() && want.back() == '\n') want.pop_back();
    auto pre = CbvPreHash(v.event, v.prefixes);
    REQUIRE(pre);
    CHECK(*pre == want);
    CHECK(v.Id(v.event) == hash);
  }
}

TEST_CASE("other spellings of the same event give the same hash, a change another") {
  Vector v;
  json e = v.event;
  SECTION("Digital Links, Web URIs, another offset, another key order") {
    e["epcList"] = {"https://brand.example/01/10614141073464/21/2018?x=1"};
    e["bizStep"] = "urn:epcglobal:cbv:bizstep:receiving";
    e["disposition"] = "https://ref.gs1.org/cbv/Disp-in_progress";
    e["eventTime"] = "2005-04-04T21:33:31.1159-05:00";  // rounds to .116, the same instant
    e["readPoint"]["id"] = "https://id.gs1.org/414/0012345111112/254/400";
    std::swap(e["bizTransactionList"][0], e["bizTransactionList"][1]);
    e.erase("eventID");  // not part of the hash
    CHECK(v.Id(e) == kPublished);
  }
  SECTION("a changed quantity") {
    e["quantityList"][0]["quantity"] = 201;
    CHECK(v.Id(e) != kPublished);
    CHECK(v.Id(e).find("?ver=CBV2.0") != std::string::npos);
  }
  SECTION("a trailing zero is no change") {
    e["quantityList"][0]["quantity"] = Parsed(R"({"q": 200.0})")["q"];
    CHECK(v.Id(e) == kPublished);
  }
}

TEST_CASE("what is not canonicalised here gets the rl1 id, never a CBV one") {
  Vector v;
  json e = v.event;
  SECTION("an EPC scheme not converted") { e["epcList"] = {"urn:epc:id:grai:0614141.12345.400"}; }
  SECTION("a pattern other than every instance of a GTIN") {
    e["epcList"] = {"urn:epc:idpat:sgtin:0614141.*.*"};
  }
  SECTION("a key that is neither an EPCIS field nor a URI") { e["_comment"] = "x"; }
  SECTION("an extension inside readPoint") { e["readPoint"]["ext1:x"] = "y"; }
  SECTION("an extension under an unbound prefix") { e["nobody:x"] = "y"; }
  SECTION("rounding that carries into the seconds") {
    e["eventTime"] = "2005-04-05T02:33:31.9996Z";
  }
  CHECK_FALSE(CbvPreHash(e, v.prefixes));
  const std::string id = v.Id(e);
  CHECK(id.rfind("ni:///sha-256;", 0) == 0);
  CHECK(id.find("?ver=rl1") != std::string::npos);
}

TEST_CASE("EPC URIs and Digital Links as constrained canonical Digital Links") {
  CHECK(CanonicalId("urn:epc:id:sscc:4012345.0000000111") ==
        "https://id.gs1.org/00/040123450000001112");
  CHECK(CanonicalId("urn:epc:id:sgln:4012345.00225.0") == "https://id.gs1.org/414/4012345002256");
  CHECK(CanonicalId("urn:epc:id:pgln:9521101.00000") == "https://id.gs1.org/417/9521101000009");
  CHECK(CanonicalId("urn:epc:class:lgtin:9521101.010001.DYOX-2603-A") ==
        "https://id.gs1.org/01/09521101100013/10/DYOX-2603-A");
  CHECK(CanonicalId("https://dl.example/01/09521101100013/22/x/10/L1/21/S9?q=1") ==
        "https://id.gs1.org/01/09521101100013/21/S9");
  CHECK(CanonicalId("https://example.org/not/a/link") == "https://example.org/not/a/link");
  CHECK(CanonicalId("urn:uuid:1") == "urn:uuid:1");
  CHECK(CanonicalId("urn:epc:idpat:sgtin:4012345.066666.*") == "https://id.gs1.org/01/04012345666663");
  CHECK_FALSE(CanonicalId("urn:epc:id:sgtin:0614141.107346.20%2F18"));
  CHECK_FALSE(CanonicalId("urn:epc:class:sgtin:0614141.107346.2018"));
}

TEST_CASE("an event imported under its rl1 id before is still recognised") {
  // The CN document without eventIDs: mapped, its ids the CBV hashes.
  // (Plain JSON for the edit: its numbers print back as they were.)
  json doc = json::parse(ReadFile(EpcisData("chain/1-cn-separator.jsonld")));
  for (auto& e : doc["epcisBody"]["eventList"]) e.erase("eventID");
  ImportContext ctx;
  ctx.ledger_id = "t";
  ctx.currency = "USD";
  ctx.signer = "cn-sep";
  ctx.party_by_gln = {{"9521101000009", "cn-sep"}, {"9521103000007", "jp-mag"}};
  const std::string text = doc.dump();
  ImportPlan first = MapDocument(text, ctx);
  INFO((first.refused() ? first.refusal->message : ""));
  REQUIRE_FALSE(first.refused());
  REQUIRE(first.events.size() == 3);
  CHECK(first.events[0].result == "mapped");
  CHECK(first.events[0].event_id.find("?ver=CBV2.0") != std::string::npos);
  CHECK(first.payloads[0]["epcis_event"] == first.events[0].event_id);
  // A log that holds the commissioning under the id an older import gave.
  ctx.imported[ComputedEventId(ParseDocument(text)->at("epcisBody").at("eventList").at(0))] = {7};
  ctx.lots[kDyox] = {"cn-sep", 500000, 7};
  ImportPlan again = MapDocument(text, ctx);
  INFO((again.refused() ? again.refusal->message : ""));
  REQUIRE_FALSE(again.refused());
  CHECK(again.events[0].result == "already_imported");
  CHECK(again.events[0].entries == std::vector<uint64_t>{7});
}

}  // namespace
}  // namespace rareledger::epcis::testing
