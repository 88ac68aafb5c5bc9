// epcis::MapDocument (epcis/import.h): any bytes as an EPCIS document.
//
// The mapping must never crash, hang or throw; it either refuses (a reason
// code from the mapping's list, a one-line message, no payloads at all) or
// gives payloads that the ledger's own form check accepts once the header
// is filled (so nothing it signs can be malformed), with every event
// reported exactly once as mapped, skipped or already imported.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "epcis/import.h"
#include "fuzz/fuzz_util.h"
#include "ledger/canonical_json.h"
#include "ledger/entry.h"

using namespace rareledger;

namespace {

const epcis::ImportContext& Context() {
  static const epcis::ImportContext ctx = [] {
    epcis::ImportContext c;
    c.ledger_id = "fuzz-ledger";
    c.currency = "USD";
    c.signer = "jp-mag";
    c.party_by_gln = {{"9521101000009", "cn-sep"}, {"9521102000008", "au-ndpr"},
                      {"9521103000007", "jp-mag"}, {"9521104000006", "de-motor"}};
    // What the chain's CN and AU documents leave jp-mag holding.
    c.lots["https://id.gs1.org/01/09521101100013/10/DYOX-2603-A"] = {"cn-sep", 480000, 6};
    c.lots["https://id.gs1.org/01/09521101100013/10/DYOX-2603-A#d35b02a6fd535767"] = {"jp-mag", 20000, 8};
    c.lots["https://id.gs1.org/01/09521102000015/10/NDPR-AU-0305"] = {"jp-mag", 45359237, 10};
    c.imported["urn:uuid:9d41c7a2-55e1-4f0a-b7c3-e4f5a6000001"] = {11};
    c.next_index = 12;
    return c;
  }();
  return ctx;
}

const std::set<std::string>& Codes() {
  static const std::set<std::string> k = {
      "unknown_uom", "missing_uom", "not_mass_uom", "missing_quantity", "non_positive_quantity",
      "non_integral_grams", "pattern_class", "class_without_lot", "instance_level_mass_event",
      "unknown_party", "source_not_signer", "missing_origin", "missing_lot_data", "bad_extension",
      "exceeds_remaining", "currency_mismatch", "bad_id", "incomplete_group", "schema",
      "duplicate_lot", "missing_facility_country", "conflicting_facility_country",
      "error_declared_after_import"};
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  epcis::ImportPlan plan = epcis::MapDocument(text, Context());
  if (plan.refused()) {
    RL_FUZZ_CHECK(Codes().count(plan.refusal->reason) == 1, "refusal with an unknown reason code");
    RL_FUZZ_CHECK(!plan.refusal->message.empty(), "refusal without a message");
    RL_FUZZ_CHECK(plan.refusal->message.find('\n') == std::string::npos, "multi-line refusal");
    RL_FUZZ_CHECK(plan.payloads.empty(), "a refused plan carries payloads");
    return 0;
  }
  int64_t seq = 1;
  for (auto p : plan.payloads) {
    p["ledger"] = "fuzz-ledger";
    p["party"] = "jp-mag";
    p["seq"] = seq++;
    auto canonical = ledger::CanonicalPayload(p.dump());
    RL_FUZZ_CHECK(canonical.ok(), "a mapped payload fails the ledger's form check");
  }
  std::set<int64_t> seen;
  size_t referenced = 0;
  for (const auto& e : plan.events) {
    RL_FUZZ_CHECK(seen.insert(e.index).second, "an event reported twice");
    RL_FUZZ_CHECK(e.result == "mapped" || e.result == "skipped" || e.result == "already_imported",
                  "unexpected event result");
    for (size_t i : e.payloads) RL_FUZZ_CHECK(i < plan.payloads.size(), "payload index out of range");
    referenced += e.payloads.size();
  }
  RL_FUZZ_CHECK(referenced >= plan.payloads.size(), "a payload no event accounts for");
  return 0;
}
