// One document per reason code (reference §7 decision 10): each is a chain
// document with one thing made wrong, is refused with that code and the
// event's index, and appends nothing.
#include <catch2/catch.hpp>

#include <functional>
#include <set>

#include "tests/epcis/epcis_util.h"

namespace rareledger::epcis::testing {
namespace {

struct Case {
  const char* code;
  size_t imported_first;  // chain documents imported before
  size_t document;        // the chain document (0-based) made wrong
  int64_t index;          // the refused event
  std::function<void(json&)> edit;  // on epcisBody.eventList
};

json& Q(json& events, size_t e, const char* list = "quantityList") { return events[e][list][0]; }

const std::vector<Case>& Cases() {
  static const std::vector<Case> k = {
      {"schema", 0, 0, 0, [](json& ev) { ev[0].erase("eventTime"); }},
      {"schema", 0, 0, 2, [](json& ev) { ev[2]["comment"] = "a key that is no URI"; }},
      {"unknown_uom", 0, 0, 0, [](json& ev) { Q(ev, 0)["uom"] = "KG"; }},
      {"missing_uom", 0, 0, 0, [](json& ev) { Q(ev, 0).erase("uom"); }},
      {"not_mass_uom", 0, 0, 0, [](json& ev) { Q(ev, 0)["uom"] = "LTR"; }},
      {"missing_quantity", 0, 0, 0, [](json& ev) { Q(ev, 0).erase("quantity"); }},
      {"non_positive_quantity", 0, 0, 0, [](json& ev) { Q(ev, 0)["quantity"] = -20; }},
      {"non_integral_grams", 0, 0, 0, [](json& ev) { Q(ev, 0) = {{"epcClass", Q(ev, 0)["epcClass"]}, {"quantity", 1}, {"uom", "LBR"}}; }},
      {"pattern_class", 0, 0, 0, [](json& ev) { Q(ev, 0)["epcClass"] = "urn:epc:idpat:sgtin:9521101.010001.*"; }},
      {"class_without_lot", 0, 0, 0, [](json& ev) { Q(ev, 0)["epcClass"] = "https://id.gs1.org/01/09521101100013"; }},
      {"bad_id", 0, 0, 0, [](json& ev) { Q(ev, 0)["epcClass"] = "urn:epc:class:lgtin:9521101.010001.DYOX%28A%29"; }},
      {"instance_level_mass_event", 0, 0, 2, [](json& ev) { ev[2]["epcList"] = {"urn:epc:id:sscc:9521101.0000000017"}; }},
      {"unknown_party", 0, 0, 2, [](json& ev) { ev[2]["destinationList"][0]["destination"] = "urn:epc:id:pgln:9521199.00000"; }},
      {"source_not_signer", 0, 0, 2, [](json& ev) { ev[2]["sourceList"][0]["source"] = "urn:epc:id:pgln:9521102.00000"; }},
      {"missing_origin", 0, 0, 0, [](json& ev) { ev[0]["ilmd"].erase("cbvmda:countryOfOrigin"); }},
      {"missing_lot_data", 0, 0, 0, [](json& ev) { ev[0]["ilmd"]["rle:lots"][0].erase("rle:value"); }},
      {"bad_extension", 0, 0, 0, [](json& ev) { ev[0]["ilmd"]["rle:lots"][0]["rle:category"] = "rare_earth_oxide"; }},
      {"bad_extension", 0, 0, 0, [](json& ev) { ev[0]["ilmd"]["rle:lots"][0]["rle:material"] = std::string(70000, 'x'); }},
      {"exceeds_remaining", 0, 0, 2, [](json& ev) { Q(ev, 2)["quantity"] = 600; }},
      {"currency_mismatch", 0, 0, 2, [](json& ev) { ev[2]["rle:prices"][0]["rle:value"]["rle:currency"] = "EUR"; }},
      {"duplicate_lot", 0, 0, 3, [](json& ev) { json copy = ev[0]; copy["eventID"] = "urn:uuid:00000000-0000-4000-8000-000000000099"; ev.push_back(copy); }},
      {"incomplete_group", 2, 2, 1, [](json& ev) { ev[1].erase("outputQuantityList"); }},
      {"missing_facility_country", 2, 2, 1, [](json& ev) { ev[1].erase("rl:facilityCountry"); ev[1]["ilmd"].erase("cbvmda:countryOfOrigin"); }},
      {"conflicting_facility_country", 2, 2, 1, [](json& ev) { ev[1]["rl:facilityCountry"] = "CN"; }},
      {"error_declared_after_import", 1, 0, 0, [](json& ev) {
         ev[0]["errorDeclaration"] = {{"declarationTime", "2026-03-11T00:00:00Z"}, {"reason", "incorrect_data"}};
       }},
  };
  return k;
}

}  // namespace

TEST_CASE("every reason code has a document that triggers it and appends nothing") {
  std::set<std::string> covered;
  for (const auto& c : Cases()) {
    DYNAMIC_SECTION(c.code << " at eventList[" << c.index << "]") {
      ChainLedger chain;
      chain.ImportChain(c.imported_first);
      const auto& party = ChainParties()[c.document];
      json doc = json::parse(ReadFile(EpcisData(party.document)));
      c.edit(doc["epcisBody"]["eventList"]);
      const uint64_t size = chain.size();
      ImportOutcome o = chain.Import(party.id, doc.dump());
      REQUIRE(o.plan.refused());
      INFO(o.plan.refusal->message);
      CHECK(o.plan.refusal->reason == c.code);
      CHECK(o.plan.refusal->index == c.index);
      CHECK_FALSE(o.plan.refusal->message.empty());
      CHECK(o.plan.payloads.empty());
      CHECK(o.envelopes.empty());
      CHECK(chain.size() == size);
    }
    covered.insert(c.code);
  }
  // The mapping's list (decision 10) and the further codes of §3.4-3.7.
  CHECK(covered == std::set<std::string>{
                       "unknown_uom", "missing_uom", "not_mass_uom", "missing_quantity",
                       "non_positive_quantity", "non_integral_grams", "pattern_class",
                       "class_without_lot", "instance_level_mass_event", "unknown_party",
                       "source_not_signer", "missing_origin", "missing_lot_data", "bad_extension",
                       "exceeds_remaining", "currency_mismatch", "bad_id", "incomplete_group",
                       "schema", "duplicate_lot", "missing_facility_country",
                       "conflicting_facility_country", "error_declared_after_import"});
}

TEST_CASE("a shipment taken from several held lots shares its price by mass, or is refused") {
  // CN ships 20 kg of the oxide to JP twice (two parts of one class); JP
  // then ships 30 kg of that class to DE: all of the first part and 10 kg
  // of the second, the price shared 2:1 in whole cents.
  ChainLedger chain;
  json cn = json::parse(ReadFile(EpcisData("chain/1-cn-separator.jsonld")));
  json& events = cn["epcisBody"]["eventList"];
  json second = events[2];
  second["eventID"] = "urn:uuid:0b7c1d52-3f0e-4c8a-9a41-5d2e8f000004";
  second["eventTime"] = "2026-03-11T09:30:00+08:00";
  events.push_back(second);
  REQUIRE_FALSE(chain.Import("cn-sep", cn.dump()).plan.refused());
  const std::string dyox = "urn:epc:class:lgtin:9521101.010001.DYOX-2603-A";
  auto shipment = [&](const char* amount) {
    json doc = json::parse(ReadFile(EpcisData("chain/3-jp-magnets.jsonld")));
    json ship = doc["epcisBody"]["eventList"][2];
    ship["quantityList"] = {{{"epcClass", dyox}, {"quantity", 30}, {"uom", "KGM"}}};
    ship["rl:prices"] = {{{"rl:epcClass", dyox}, {"rl:value", {{"rl:amount", amount}, {"rl:currency", "USD"}}}}};
    doc["epcisBody"]["eventList"] = json::array({ship});
    return doc.dump();
  };
  const uint64_t size = chain.size();
  ImportOutcome odd = chain.Import("jp-mag", shipment("1000.01"));
  REQUIRE(odd.plan.refused());
  CHECK(odd.plan.refusal->reason == "bad_extension");
  CHECK(chain.size() == size);
  ImportOutcome even = chain.Import("jp-mag", shipment("1500.00"));
  REQUIRE_FALSE(even.plan.refused());
  REQUIRE(even.payloads.size() == 3);  // transfer, split, transfer
  CHECK(even.payloads[0]["type"] == "transfer");
  CHECK(even.payloads[0]["value"] == 100000);
  CHECK(even.payloads[1]["type"] == "split");
  CHECK(even.payloads[1]["parts"][0]["mass_g"] == 10000);
  CHECK(even.payloads[2]["value"] == 50000);
  CHECK(chain.size() == size + 3);
}

}  // namespace rareledger::epcis::testing
