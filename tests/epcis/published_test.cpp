// Every published document in tests/testdata/epcis/published/ (verbatim
// copies, sources in tests/testdata/epcis/README.md) gives the result the
// mapping's table says (reference §3.7). These run MapDocument alone: no
// database, an importer with no lots.
#include <catch2/catch.hpp>

#include "epcis/import.h"
#include "tests/epcis/epcis_util.h"

namespace rareledger::epcis::testing {
namespace {

ImportPlan MapPublished(const std::string& name, std::string text = "") {
  ImportContext ctx;
  ctx.ledger_id = "t";
  ctx.currency = "USD";
  ctx.signer = "importer";
  if (text.empty()) text = ReadFile(EpcisData("published/" + name));
  return MapDocument(text, ctx);
}

bool HasWarning(const ImportPlan& p, const std::string& part) {
  for (const auto& w : p.warnings)
    if (w.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("GS1 9.6.2 ObjectEvent: receiving is observe-only, skipped") {
  // OBSERVE receiving with 200 KGM: the receiver's view of a shipment that
  // the shipper's document moves; it changes no holding.
  ImportPlan p = MapPublished("gs1_Example_9.6.2-ObjectEvent.jsonld");
  REQUIRE_FALSE(p.refused());
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].result == "skipped");
  CHECK(p.events[0].reason == "observe_only");
  CHECK(p.payloads.empty());
}

TEST_CASE("GS1 9.6.4 TransformationEvent: instance EPCs in a transformation refuse the document") {
  // inputEPCList/outputEPCList name SGTINs that cannot be weighed; dropping
  // them could under-report controlled content (also: 30 and 220 without
  // uom, and a pattern class).
  ImportPlan p = MapPublished("gs1_Example_9.6.4-TransformationEvent.jsonld");
  REQUIRE(p.refused());
  CHECK(p.refusal->reason == "instance_level_mass_event");
  CHECK(p.refusal->index == 0);
  CHECK(p.refusal->event_id ==
        "ni:///sha-256;e65c3a997e77f34b58306da7a82ab0fc91c7820013287700f0b50345e5795b97?ver=CBV2.0");
  CHECK(p.payloads.empty());
}

TEST_CASE("GS1 all-possible-fields TransformationEvent: its errorDeclaration makes it skipped") {
  // The event declares itself erroneous and was never imported; the
  // document also redefines the protected cbvmda prefix (ignored, warned).
  ImportPlan p = MapPublished("gs1_transformation_event_all_possible_fields.jsonld");
  REQUIRE_FALSE(p.refused());
  REQUIRE(p.events.size() == 1);
  CHECK(p.events[0].reason == "error_declared");
  CHECK(HasWarning(p, "cbvmda"));
  CHECK(p.payloads.empty());
}

TEST_CASE("OpenEPCIS combination document: the instance-level TransformationEvent refuses it") {
  // Events are processed by eventTime: the 2013 TransformationEvent
  // (eventList[3], EPC lists only, no eventID) comes first and refuses.
  ImportPlan p = MapPublished("openepcis_Combination_of_different_event.json");
  REQUIRE(p.refused());
  CHECK(p.refusal->reason == "instance_level_mass_event");
  CHECK(p.refusal->index == 3);
  CHECK(p.refusal->event_id.rfind("ni:///sha-256;", 0) == 0);  // computed: it has no eventID

  // Without it, the other five map to nothing, each for its own reason.
  json doc = json::parse(ReadFile(EpcisData("published/openepcis_Combination_of_different_event.json")));
  doc["epcisBody"]["eventList"].erase(3);
  ImportPlan rest = MapPublished("", doc.dump());
  REQUIRE_FALSE(rest.refused());
  std::map<int64_t, std::string> reasons;
  for (const auto& e : rest.events) reasons[e.index] = e.reason;
  CHECK(reasons == std::map<int64_t, std::string>{{0, "instance_level_no_effect"},
                                                  {1, "aggregation"},
                                                  {2, "transaction_event"},
                                                  {3, "error_declared"},
                                                  {4, "aggregation"}});
}

TEST_CASE("OpenEPCIS FSMA-204 transformation: cases are not a mass, refused") {
  // 100 CS and 50 CS in, 2000 CS out: counts of cases, not grams. The
  // document is schema-invalid (top-level "_comment_gs1us_mapping"), which a
  // lenient importer warns about.
  ImportPlan p = MapPublished("openepcis_fsma204_transformation-cte.jsonld");
  REQUIRE(p.refused());
  CHECK(p.refusal->reason == "not_mass_uom");
  CHECK(p.refusal->index == 0);
  CHECK(HasWarning(p, "_comment_gs1us_mapping"));
}

TEST_CASE("OpenEPCIS iron-steel rolling: an instance output refuses it, its schema faults are warned") {
  // 12.5 TNE of a GTIN without lot in, one GTIN+lot instance out via
  // outputEPCList; "action" on a TransformationEvent and "_comment_..." are
  // accepted with warnings (reference §3.7: lenient import).
  ImportPlan p = MapPublished("openepcis_iron-steel_transformation-rolling.jsonld");
  REQUIRE(p.refused());
  CHECK(p.refusal->reason == "instance_level_mass_event");
  CHECK(p.refusal->event_id == "urn:uuid:9f1d2a40-7c81-4b6e-b3a2-1e5f6a7b8c90");
  CHECK(HasWarning(p, "\"action\""));
  CHECK(HasWarning(p, "_comment_architecture"));

  // With its output weighed instead, the input's GTIN without lot refuses.
  json doc = json::parse(ReadFile(EpcisData("published/openepcis_iron-steel_transformation-rolling.jsonld")));
  json& e = doc["epcisBody"]["eventList"][0];
  e.erase("outputEPCList");
  e["outputQuantityList"] = {{{"epcClass", "https://id.gs1.org/01/09521234601005/10/H7740025"},
                              {"quantity", 12}, {"uom", "TNE"}}};
  ImportPlan q = MapPublished("", doc.dump());
  REQUIRE(q.refused());
  CHECK(q.refusal->reason == "class_without_lot");
}

TEST_CASE("a document that is not EPCIS 2.0 is refused as schema") {
  CHECK(MapPublished("", "not json").refusal->reason == "schema");
  CHECK(MapPublished("", R"({"type": "EPCISDocument"})").refusal->reason == "schema");
  json doc = json::parse(ReadFile(EpcisData("published/gs1_Example_9.6.2-ObjectEvent.jsonld")));
  doc["@context"] = json::array({"https://example.com/other-context.jsonld"});
  CHECK(MapPublished("", doc.dump()).refusal->reason == "schema");
}

}  // namespace rareledger::epcis::testing
