// The hand-written four-company chain (tests/testdata/epcis/chain/): CN
// separator -> JP magnet maker (with AU NdPr) -> DE motor maker -> US
// vehicle maker, one document per company, kg, g and lb mixed, a partial
// shipment, prices in the rl: extension (bound to another prefix in the CN
// document). Imported into a real ledger.
#include <catch2/catch.hpp>

#include "epcis/export.h"
#include "graph/assessment.h"
#include "graph/ledger_source.h"
#include "graph/policy.h"
#include "tests/epcis/epcis_util.h"

namespace rareledger::epcis::testing {
namespace {

json Payload(ledger::Ledger& l, uint64_t index) {
  auto e = l.GetEntry(index);
  REQUIRE(e.ok());
  return json::parse(e->signed_bytes);
}

}  // namespace

TEST_CASE("the chain imports and the magnet's assessment is the hand-computed 5/93") {
  ChainLedger chain;
  const uint64_t before = chain.size();
  chain.ImportChain(5);
  // CN: create + (split, transfer); AU: create + transfer; JP: transform +
  // transfer; DE: transform + transfer; US: transform.
  CHECK(chain.size() == before + 10);

  // The partial shipment: 20 kg of the 500 kg lot split off and transferred.
  json split = Payload(chain.ledger(), before + 1);
  CHECK(split["type"] == "split");
  CHECK(split["parts"][0]["mass_g"] == 20000);
  const std::string part = split["parts"][0]["lot"];
  CHECK(part.rfind(std::string(kDyox) + "#", 0) == 0);
  CHECK(part.size() == std::string(kDyox).size() + 17);
  json transfer = Payload(chain.ledger(), before + 2);
  CHECK(transfer == json::parse(R"({"type": "transfer", "lot": ")" + part +
                                R"(", "to": "jp-mag", "value": 700000, "ledger": "chain-test",
      "party": "cn-sep", "seq": 3, "time": "2026-03-10T01:30:00Z",
      "epcis_event": "urn:uuid:0b7c1d52-3f0e-4c8a-9a41-5d2e8f000003"})"));
  // 100000 lb = 45 359 237 g exactly; Dy 435.5 kg; the magnet's 68.5 kg Nd.
  CHECK(Payload(chain.ledger(), before + 3)["mass_g"] == 45359237);
  CHECK(Payload(chain.ledger(), before)["elements"] == json{{"Dy", 435500}});
  json transform = Payload(chain.ledger(), before + 5);
  CHECK(transform["inputs"] == json::parse(R"([{"lot": ")" + part + R"(", "mass_g": 20000},
      {"lot": "https://id.gs1.org/01/09521102000015/10/NDPR-AU-0305", "mass_g": 300000}])"));
  CHECK(transform["outputs"][0]["elements"] == json{{"Dy", 17420}, {"Nd", 68500}});
  CHECK(transform["facility_country"] == "JP");
  CHECK(transform["technology_origin"] == "JP");
  // DE: a custom-domain Digital Link with a query becomes the canonical id.
  CHECK(Payload(chain.ledger(), before + 7)["outputs"][0]["lot"] ==
        "https://id.gs1.org/01/09521104000013/10/EM-2605-01");

  // By hand: the magnet took in 20 000 g of the CN oxide part, a controlled
  // origin item whose last declared value is its price, 700 000 cents for
  // 20 000 g (35/g): content 700 000 cents. The AU NdPr carries none. The
  // magnet's value is its price to DE, 13 020 000 cents for 310 000 g.
  // ratio = (700000/310000) / (13020000/310000) = 700000/13020000 = 5/93.
  auto policy = graph::LoadPolicy(std::string(RL_POLICIES_DIR) + "/cn-mofcom-2025-61.json");
  REQUIRE(policy.ok());
  graph::LedgerSource source(chain.ledger());
  auto a = graph::Assess(source, *policy, kMagnet, "2026-12-01");
  INFO(a.status().ToString());
  REQUIRE(a.ok());
  json j = graph::AssessmentJson(*a);
  CHECK(j["ratio"] == "5/93");
  CHECK(j["controlled_content"] == "700000/1");
  CHECK(j["lot_value"] == "13020000/1");
  REQUIRE(j["contributors"].size() == 1);
  CHECK(j["contributors"][0]["lot"] == part);
}

TEST_CASE("importing a document again appends nothing and reports it as already imported") {
  ChainLedger chain;
  chain.ImportChain(2);
  const uint64_t size = chain.size();
  ImportOutcome again = chain.Import("cn-sep", ReadFile(EpcisData("chain/1-cn-separator.jsonld")));
  REQUIRE_FALSE(again.plan.refused());
  CHECK(chain.size() == size);
  CHECK(again.envelopes.empty());
  REQUIRE(again.plan.events.size() == 3);
  CHECK(again.plan.events[0].result == "already_imported");
  CHECK(again.plan.events[0].entries == std::vector<uint64_t>{6});
  CHECK(again.plan.events[1].result == "skipped");
  CHECK(again.plan.events[2].entries == std::vector<uint64_t>{7, 8});
}

TEST_CASE("placements: appended entries in the report, identical envelopes found as already imported") {
  ChainLedger chain;
  ImportOutcome o = chain.Import("cn-sep", ReadFile(EpcisData("chain/1-cn-separator.jsonld")));
  REQUIRE(o.first_index);
  REQUIRE(o.placed.size() == 3);
  CHECK(o.placed[0].index == *o.first_index);
  CHECK(o.placed[2].index == *o.first_index + 2);
  json report = PlanJson(o.plan, o.placed);
  CHECK(report["appended"] == 3);
  CHECK(report["events"][2]["entries"] == json::array({*o.first_index + 1, *o.first_index + 2}));
  // The same envelopes submitted by a racing import: all of them found.
  std::vector<Placement> found = o.placed;
  for (auto& p : found) p.duplicate = true;
  ImportPlan placed = Placed(o.plan, found);
  CHECK(placed.events[0].result == "already_imported");
  CHECK(placed.events[0].entries == std::vector<uint64_t>{*o.first_index});
  CHECK(placed.events[1].result == "skipped");
  CHECK(placed.events[2].result == "already_imported");
  CHECK(PlanJson(placed, found)["appended"] == 0);
  // Only the first event's entry found: the others stay mapped.
  found[1].duplicate = found[2].duplicate = false;
  placed = Placed(o.plan, found);
  CHECK(placed.events[0].result == "already_imported");
  CHECK(placed.events[2].result == "mapped");
  CHECK(PlanJson(placed, found)["appended"] == 2);
  // No placements (a dry run, a refusal): the plan as it was.
  CHECK(Placed(o.plan, {}).events[0].result == "mapped");
  CHECK(PlanJson(o.plan, {})["appended"] == 0);
}

TEST_CASE("a dry run signs the payloads and appends nothing") {
  ChainLedger chain;
  const uint64_t size = chain.size();
  auto o = ImportDocument(chain.ledger(), chain.key("cn-sep"),
                          ReadFile(EpcisData("chain/1-cn-separator.jsonld")), true);
  REQUIRE(o.ok());
  CHECK(o->payloads.size() == 3);
  CHECK(o->envelopes.size() == 3);
  CHECK_FALSE(o->first_index);
  CHECK(chain.size() == size);
  CHECK(chain.ledger().CheckAppend(o->envelopes).ok());
}

TEST_CASE("CheckAppend refuses a batch whose later envelope breaks a rule, and nothing is appended") {
  ChainLedger chain;
  auto o = ImportDocument(chain.ledger(), chain.key("cn-sep"),
                          ReadFile(EpcisData("chain/1-cn-separator.jsonld")), true);
  REQUIRE(o.ok());
  std::vector<std::string> envelopes = o->envelopes;
  envelopes.push_back(envelopes[1]);  // seq 2 again: refused as envelope 4
  ledger::Status s = chain.ledger().CheckAppend(envelopes);
  CHECK(s.code() == ledger::Code::kRejected);
  CHECK(s.message().rfind("envelope 4: ", 0) == 0);
  const uint64_t size = chain.size();
  CHECK_FALSE(SubmitAll(chain.ledger(), envelopes).ok());
  CHECK(chain.size() == size);
}

TEST_CASE("a document with another party's event is refused, not signed") {
  // The AU document imported with the CN key: its consigning event's source
  // owning_party is AU.
  ChainLedger chain;
  chain.ImportChain(1);
  const uint64_t size = chain.size();
  ImportOutcome o = chain.Import("cn-sep", ReadFile(EpcisData("chain/2-au-ndpr.jsonld")));
  REQUIRE(o.plan.refused());
  CHECK(o.plan.refusal->reason == "source_not_signer");
  CHECK(o.plan.refusal->index == 1);
  CHECK(chain.size() == size);
}

TEST_CASE("export then import into a fresh ledger with the same parties reproduces every entry") {
  ChainLedger original;
  original.ImportChain(5);
  ChainLedger copy;
  for (const auto& p : ChainParties()) {
    ExportOptions o;
    o.party = p.id;
    o.with_values = true;
    auto doc = ExportDocument(original.ledger(), o);
    REQUIRE(doc.ok());
    ImportOutcome in = copy.Import(p.id, doc->dump());
    INFO(p.id << ": " << (in.plan.refused() ? in.plan.refusal->reason + ": " + in.plan.refusal->message : ""));
    REQUIRE_FALSE(in.plan.refused());
  }
  REQUIRE(copy.size() == original.size());
  // Same keys, same payloads: the same leaves, byte for byte.
  for (uint64_t i = 0; i < original.size(); ++i) {
    INFO("entry " << i);
    CHECK(copy.ledger().GetEntry(i)->leaf == original.ledger().GetEntry(i)->leaf);
  }
  CHECK(copy.ledger().Info().root == original.ledger().Info().root);
}

TEST_CASE("export carries rl:entry and rl:ledger, values only on request, and a lot's cone") {
  ChainLedger chain;
  chain.ImportChain(5);
  auto all = ExportDocument(chain.ledger(), {});
  REQUIRE(all.ok());
  const json& events = (*all)["epcisBody"]["eventList"];
  CHECK(events.size() == 9);  // the CN split is folded into its shipment
  for (const auto& e : events) {
    CHECK(e["rl:ledger"] == "chain-test");
    CHECK(e["rl:entry"].is_number_integer());
  }
  CHECK(all->dump().find("rl:value") == std::string::npos);
  CHECK(all->dump().find("rl:prices") == std::string::npos);
  CHECK(events[1]["rl:partLot"].get<std::string>().rfind(std::string(kDyox) + "#", 0) == 0);
  CHECK(events[1]["rl:entry"] == 8);  // the transfer's index (decision 13)

  ExportOptions up;
  up.lot = kMagnet;
  auto cone = ExportDocument(chain.ledger(), up);
  REQUIRE(cone.ok());
  // Upstream of the magnet: CN create + shipment, AU create + shipment, the
  // JP transform and the magnet's own shipment.
  CHECK((*cone)["epcisBody"]["eventList"].size() == 6);
  up.down = true;
  auto down = ExportDocument(chain.ledger(), up);
  REQUIRE(down.ok());
  // Downstream: JP transform, JP shipment, DE transform + shipment, US transform.
  CHECK((*down)["epcisBody"]["eventList"].size() == 5);
  ExportOptions missing;
  missing.lot = "no-such-lot";
  CHECK(ExportDocument(chain.ledger(), missing).status().code() == ledger::Code::kNotFound);
}

}  // namespace rareledger::epcis::testing
