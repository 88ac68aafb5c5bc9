// Tests for epcis/context_json.h: the ImportContext a server serves (GET
// /v1/epcis/context) is the one LoadImportContext reads, after a trip
// through its JSON text; malformed answers are refused, naming the field.
#include "epcis/context_json.h"

#include <catch2/catch.hpp>
#include <functional>

#include "tests/epcis/epcis_util.h"

namespace rareledger::epcis::testing {
namespace {

using Catch::Matchers::Contains;

TEST_CASE("a context read from a ledger survives its JSON unchanged") {
  ChainLedger chain;
  chain.ImportChain(3);  // CN, AU, JP: lots, parts, transfers, a transform, imported ids
  for (const char* party : {"jp-mag", "de-motor", "cn-sep"}) {
    INFO(party);
    auto ctx = LoadImportContext(chain.ledger(), party);
    REQUIRE(ctx.ok());
    CHECK(ctx->party_by_gln.size() == 5);
    CHECK(ctx->imported.size() >= 5);
    CHECK(ctx->lots.size() == 4);  // the oxide, its part, the NdPr, the magnet
    CHECK(ctx->next_index == chain.size());
    auto back = ContextFromJson(json::parse(ContextJson(*ctx).dump()));
    INFO(back.status().ToString());
    REQUIRE(back.ok());
    CHECK(*back == *ctx);
  }
  auto jp = LoadImportContext(chain.ledger(), "jp-mag");
  REQUIRE(jp.ok());
  CHECK(jp->next_seq == 3);  // the transform and the transfer to DE were seq 1 and 2
  auto de = LoadImportContext(chain.ledger(), "de-motor");
  REQUIRE(de.ok());
  CHECK(de->next_seq == 1);
  // The next company maps the same payloads against either.
  const std::string doc = ReadFile(EpcisData(ChainParties()[3].document));
  auto back = ContextFromJson(ContextJson(*de));
  REQUIRE(back.ok());
  ImportPlan a = MapDocument(doc, *de), b = MapDocument(doc, *back);
  REQUIRE_FALSE(a.refused());
  CHECK(a.payloads == b.payloads);
  CHECK_FALSE(a.payloads.empty());
}

TEST_CASE("an unknown signer has no context") {
  ChainLedger chain;
  auto ctx = LoadImportContext(chain.ledger(), "nobody");
  CHECK(ctx.status().code() == ledger::Code::kNotFound);
}

TEST_CASE("a malformed context is refused, naming what is wrong") {
  ChainLedger chain;
  chain.ImportChain(1);
  auto ctx = LoadImportContext(chain.ledger(), "cn-sep");
  REQUIRE(ctx.ok());
  const json good = ContextJson(*ctx);
  const std::string lot = good["lots"].begin().key();
  const std::string event = good["imported"].begin().key();
  struct Case {
    const char* names;
    std::function<void(json&)> spoil;
  };
  const std::vector<Case> cases = {
      {"\"ledger\"", [](json& j) { j["ledger"] = 7; }},
      {"\"next_seq\"", [](json& j) { j["next_seq"] = 0; }},
      {"\"next_seq\"", [](json& j) { j["next_seq"] = "1"; }},
      {"\"size\"", [](json& j) { j["size"] = -1; }},
      {"\"parties\"", [](json& j) { j["parties"] = json::array(); }},
      {"remaining_g", [&](json& j) { j["lots"][lot]["remaining_g"] = -5; }},
      {"\"holder\"", [&](json& j) { j["lots"][lot]["holder"] = nullptr; }},
      {"imported", [&](json& j) { j["imported"][event] = json::array({"3"}); }},
  };
  for (const auto& c : cases) {
    json bad = good;
    c.spoil(bad);
    INFO(c.names);
    auto parsed = ContextFromJson(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == ledger::Code::kIOError);
    CHECK_THAT(parsed.status().message(), Contains(c.names));
  }
  json missing = good;
  missing.erase("lots");
  CHECK_THAT(ContextFromJson(missing).status().message(), Contains("\"lots\""));
  CHECK_FALSE(ContextFromJson(json::array()).ok());
}

}  // namespace
}  // namespace rareledger::epcis::testing
