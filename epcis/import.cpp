// MapDocument: the driver (order, groups, idempotency, refusal) and the
// three mapped event kinds. The rules are docs/epcis.md "Import".
#include "epcis/import.h"

#include <algorithm>
#include <set>

#include "epcis/decimal.h"
#include "epcis/document.h"
#include "epcis/event_hash.h"
#include "epcis/identifiers.h"
#include "epcis/lot_data.h"
#include "epcis/refusal.h"
#include "epcis/schema_check.h"
#include "ledger/encoding.h"
#include "ledger/entry.h"
#include "ledger/hash.h"

namespace rareledger::epcis {
namespace {

// The bare CBV name of a bizStep in any of its spellings ("shipping",
// "https://ref.gs1.org/cbv/BizStep-shipping", "cbv:BizStep-shipping",
// "urn:epcglobal:cbv:bizstep:shipping"); other URIs as they are.
std::string BizStep(const Prefixes& p, const json& event) {
  if (!event.contains("bizStep")) return "";
  std::string s = Expand(p, event["bizStep"].get<std::string>());
  for (const char* prefix : {"https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:"})
    if (s.rfind(prefix, 0) == 0) return s.substr(std::string(prefix).size());
  return s;
}

bool NonEmpty(const json& event, const char* key) {
  return event.contains(key) && event[key].is_array() && !event[key].empty();
}

// The value of the first entry of `list` (sourceList/destinationList) of
// type owning_party, in any spelling; nothing without one.
std::optional<std::string> OwningParty(const Prefixes& p, const json& event, const char* list,
                                       const char* member) {
  if (!event.contains(list)) return std::nullopt;
  for (const auto& e : event[list]) {
    std::string t = Expand(p, e["type"].get<std::string>());
    if (t == "owning_party" || t == "https://ref.gs1.org/cbv/SDT-owning_party" ||
        t == "urn:epcglobal:cbv:sdt:owning_party")
      return e[member].get<std::string>();
  }
  return std::nullopt;
}

struct Quantity {
  std::string lot;  // ledger lot id of the epcClass
  int64_t grams = 0;
};

Quantity ReadQuantity(const json& q, const std::string& what) {
  Quantity out;
  out.lot = LotIdOfClass(q["epcClass"].get<std::string>());
  std::optional<std::string> quantity, uom;
  if (q.contains("quantity")) quantity = NumberText(q["quantity"]);
  if (q.contains("uom")) uom = q["uom"].get<std::string>();
  out.grams = ToGrams(quantity, uom, what + " " + q["epcClass"].get<std::string>());
  return out;
}

class Mapper {
 public:
  Mapper(const ImportContext& ctx, ImportPlan* plan) : ctx_(ctx), lots_(ctx.lots), plan_(plan) {}

  void Run(const json& doc);

 private:
  struct Ordered {
    size_t index;
    int64_t seconds;
    std::string time;  // UTC, payload form
  };

  void ProcessEvent(const Ordered& o);
  void MapObject(const json& event, EventReport* r);
  void MapCreate(const json& event, EventReport* r);
  void MapShipping(const json& event, EventReport* r);
  void MapTransformation(const std::vector<size_t>& group, EventReport* r);
  // The signer's lots of class `lot` with mass left, oldest acquisition first.
  std::vector<std::string> HeldOfClass(const std::string& lot) const;
  void CheckHolds(const Quantity& q, const std::string& what) const;
  std::string Party(const std::string& identifier, const std::string& what) const;
  size_t Emit(json payload, EventReport* r);
  uint64_t NextIndex() const { return ctx_.next_index + plan_->payloads.size(); }
  bool Imported(const std::string& id, EventReport* r) const;

  const ImportContext& ctx_;
  std::map<std::string, LotHolding> lots_;  // the context's, as this document changes them
  ImportPlan* plan_;
  Prefixes prefixes_;
  const json* events_ = nullptr;
  std::vector<std::string> ids_;     // event id per eventList index
  // An event without eventID: its id as imports before the CBV event hash
  // computed it (`?ver=rl1`), so those imports are still recognised.
  std::vector<std::string> legacy_ids_;
  std::vector<std::string> times_;   // UTC time per eventList index
  std::map<std::string, std::vector<size_t>> groups_;  // transformationID -> events, in order
  std::string time_;  // of the event being mapped
  std::string event_id_;
};

void Mapper::Run(const json& doc) {
  prefixes_ = ReadPrefixes(doc);
  CheckDocumentShape(doc, prefixes_, &plan_->warnings);
  for (const auto& w : prefixes_.warnings) plan_->warnings.push_back(w);
  events_ = &doc["epcisBody"]["eventList"];
  std::vector<Ordered> order;
  for (size_t i = 0; i < events_->size(); ++i) {
    const json& e = (*events_)[i];
    ids_.push_back("");
    legacy_ids_.push_back("");
    times_.push_back("");
    try {
      CheckEventShape(e, &plan_->warnings);
    } catch (const Refused& x) {
      plan_->refusal = EventReport{static_cast<int64_t>(i), "", "refused", {}, {}, x.code(), x.what()};
      return;
    }
    ids_[i] = e.contains("eventID") ? e["eventID"].get<std::string>() : EventHashId(e, prefixes_);
    if (!e.contains("eventID") && ComputedEventId(e) != ids_[i]) legacy_ids_[i] = ComputedEventId(e);
    times_[i] = *ToUtc(e["eventTime"].get<std::string>());
    order.push_back({i, 0, times_[i]});
  }
  // Process by eventTime (UTC), ties in document order: compare the UTC
  // text with its fraction padded, which orders like the instants.
  auto key = [](const std::string& t) {
    std::string base = t.substr(0, 19), frac = t.size() > 20 ? t.substr(20, t.size() - 21) : "";
    frac.resize(9, '0');
    return base + frac;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const Ordered& a, const Ordered& b) { return key(a.time) < key(b.time); });
  for (const auto& o : order) {
    const json& e = (*events_)[o.index];
    if (e["type"] == "TransformationEvent" && e.contains("transformationID") &&
        !e.contains("errorDeclaration"))
      groups_[e["transformationID"].get<std::string>()].push_back(o.index);
  }
  if (doc.contains("sender") && doc["sender"].is_string()) {
    auto gln = GlnOf(doc["sender"].get<std::string>());
    auto it = gln ? ctx_.party_by_gln.find(*gln) : ctx_.party_by_gln.end();
    if (it != ctx_.party_by_gln.end() && it->second != ctx_.signer)
      plan_->warnings.push_back("document sender is party " + it->second + ", not the signer " +
                                ctx_.signer);
  }
  for (const auto& o : order) {
    ProcessEvent(o);
    if (plan_->refused()) return;
  }
}

bool Mapper::Imported(const std::string& id, EventReport* r) const {
  auto it = ctx_.imported.find(id);
  if (it == ctx_.imported.end()) return false;
  r->result = "already_imported";
  r->entries = it->second;
  return true;
}

void Mapper::ProcessEvent(const Ordered& o) {
  const json& e = (*events_)[o.index];
  EventReport r;
  r.index = static_cast<int64_t>(o.index);
  r.event_id = event_id_ = ids_[o.index];
  time_ = times_[o.index];
  auto skip = [&](const char* code, std::string message) {
    r.result = "skipped";
    r.reason = code;
    r.message = std::move(message);
  };
  const std::string& legacy = legacy_ids_[o.index];
  try {
    const std::string type = e["type"];
    if (e.contains("errorDeclaration")) {
      if (ctx_.imported.count(r.event_id) || (!legacy.empty() && ctx_.imported.count(legacy)))
        Refuse("error_declared_after_import",
               "the event declares itself erroneous, but its entries are in the log: import its "
               "corrective events as new entries");
      skip("error_declared", "the event carries an errorDeclaration");
    } else if (Imported(r.event_id, &r) || (!legacy.empty() && Imported(legacy, &r))) {
    } else if (type == "AggregationEvent" || type == "AssociationEvent") {
      skip("aggregation", type + ": containment changes no mass, owner or origin");
    } else if (type == "TransactionEvent") {
      skip("transaction_event", "TransactionEvent: ownership comes from the shipping event");
    } else if (type == "ObjectEvent") {
      MapObject(e, &r);
    } else {
      std::vector<size_t> group = {o.index};
      if (e.contains("transformationID")) group = groups_[e["transformationID"].get<std::string>()];
      if (group.back() != o.index) {
        r.result = "mapped";
        r.message = "part of transformationID " + e["transformationID"].get<std::string>() +
                    ": mapped with eventList[" + std::to_string(group.back()) + "]";
      } else {
        MapTransformation(group, &r);
      }
    }
  } catch (const Refused& x) {
    r.result = "refused";
    r.reason = x.code();
    r.message = x.what();
  } catch (const json::exception& x) {
    r.result = "refused";
    r.reason = "bad_extension";
    r.message = std::string("a field has the wrong JSON type: ") + x.what();
  }
  if (r.result == "refused") {
    r.payloads.clear();
    plan_->refusal = r;
  }
  plan_->events.push_back(std::move(r));
}

void Mapper::MapObject(const json& e, EventReport* r) {
  const std::string action = e["action"], step = BizStep(prefixes_, e);
  const bool has_q = NonEmpty(e, "quantityList"), has_epc = NonEmpty(e, "epcList");
  auto skip = [&](const char* code, const std::string& message) {
    r->result = "skipped";
    r->reason = code;
    r->message = message;
  };
  if (action == "DELETE") return skip("no_ledger_payload", "ObjectEvent DELETE: the ledger has no destruction entry");
  if (action == "ADD") {
    if (step != "commissioning" && step != "creating_class_instance")
      return skip("no_ledger_payload", "ObjectEvent ADD with bizStep \"" + step + "\" makes no lot");
    if (has_q && has_epc) Refuse("instance_level_mass_event", "commissioning lists instance EPCs beside quantities");
    if (!has_q) return skip(has_epc ? "instance_level_no_effect" : "no_ledger_payload", "no quantityList: no mass to create");
    return MapCreate(e, r);
  }
  const bool shipping = step == "shipping" || step == "consigning" || step == "departing";
  if (!shipping || !OwningParty(prefixes_, e, "destinationList", "destination")) {
    if (!has_q && has_epc) return skip("instance_level_no_effect", "instance EPCs only, no ledger effect");
    return skip("observe_only", "OBSERVE \"" + step + "\" without a new owning party changes no holding");
  }
  if (has_epc) Refuse("instance_level_mass_event", "a shipment of instance EPCs cannot be weighed");
  if (!has_q) return skip("no_ledger_payload", "shipping event without a quantityList");
  MapShipping(e, r);
}

std::string Mapper::Party(const std::string& identifier, const std::string& what) const {
  auto gln = GlnOf(identifier);
  if (!gln) Refuse("unknown_party", what + " " + identifier + " is not a GLN-based party identifier");
  auto it = ctx_.party_by_gln.find(*gln);
  if (it == ctx_.party_by_gln.end())
    Refuse("unknown_party", what + " " + identifier + " (GLN " + *gln + ") is no registered party");
  return it->second;
}

size_t Mapper::Emit(json payload, EventReport* r) {
  payload["time"] = time_;
  payload["epcis_event"] = event_id_;
  // The ledger's own form check (field lengths, ranges, vocabularies), so
  // that nothing the mapping gives fails when it is signed; the signature
  // and the envelope around the payload add 109 bytes.
  json probe = payload;
  probe["ledger"] = ctx_.ledger_id;
  probe["party"] = ctx_.signer;
  probe["seq"] = static_cast<int64_t>(plan_->payloads.size()) + 1;
  auto canonical = ledger::CanonicalPayload(probe.dump());
  if (!canonical.ok())
    Refuse("bad_extension", std::string(payload.value("type", "")) + " payload refused by the ledger's form check: " +
                                canonical.status().message());
  if (canonical->size() + 120 > ledger::kMaxLeafBytes)
    Refuse("bad_extension", "the " + payload.value("type", std::string()) + " entry would exceed " +
                                std::to_string(ledger::kMaxLeafBytes) + " bytes");
  plan_->payloads.push_back(std::move(payload));
  r->result = "mapped";
  r->payloads.push_back(plan_->payloads.size() - 1);
  return plan_->payloads.size() - 1;
}

void Mapper::MapCreate(const json& e, EventReport* r) {
  const json& ilmd = e.contains("ilmd") ? e["ilmd"] : json::object();
  std::string origin = Origin(prefixes_, ilmd);
  for (const auto& q : e["quantityList"]) {
    Quantity m = ReadQuantity(q, "quantityList");
    if (lots_.count(m.lot)) Refuse("duplicate_lot", "lot " + m.lot + " exists already");
    LotData d = ReadLotData(prefixes_, ilmd, m.lot, ctx_.currency);
    json p = {{"type", "create_lot"}, {"lot", m.lot}, {"material", d.material},
              {"category", d.category}, {"mass_g", m.grams}, {"value", d.value},
              {"origin", origin}};
    if (d.elements) p["elements"] = *d.elements;
    if (d.hs) p["hs"] = *d.hs;
    Emit(std::move(p), r);
    lots_[m.lot] = {ctx_.signer, m.grams, NextIndex() - 1};
  }
}

std::vector<std::string> Mapper::HeldOfClass(const std::string& lot) const {
  std::vector<std::string> held;
  for (auto it = lots_.lower_bound(lot); it != lots_.end() && it->first.rfind(lot, 0) == 0; ++it) {
    bool of_class = it->first.size() == lot.size() || it->first[lot.size()] == '#';
    if (of_class && it->second.holder == ctx_.signer && it->second.remaining_g > 0)
      held.push_back(it->first);
  }
  std::stable_sort(held.begin(), held.end(), [&](const std::string& a, const std::string& b) {
    return lots_.at(a).acquired_at < lots_.at(b).acquired_at;
  });
  return held;
}

void Mapper::CheckHolds(const Quantity& q, const std::string& what) const {
  int64_t total = 0;
  for (const auto& id : HeldOfClass(q.lot)) total += lots_.at(id).remaining_g;
  if (total < q.grams)
    Refuse("exceeds_remaining", what + " " + std::to_string(q.grams) + " g of " + q.lot + ", but " +
                                    ctx_.signer + " holds " + std::to_string(total) + " g of it");
}

void Mapper::MapShipping(const json& e, EventReport* r) {
  if (auto source = OwningParty(prefixes_, e, "sourceList", "source")) {
    auto gln = GlnOf(*source);
    auto it = gln ? ctx_.party_by_gln.find(*gln) : ctx_.party_by_gln.end();
    if (it == ctx_.party_by_gln.end() || it->second != ctx_.signer)
      Refuse("source_not_signer", "source owning_party " + *source + " is not the signer " + ctx_.signer +
                                      ": import each party's events with its own key");
  }
  std::string to = Party(*OwningParty(prefixes_, e, "destinationList", "destination"),
                         "destination owning_party");
  if (to == ctx_.signer)
    Refuse("source_not_signer", "the destination owning_party is the signer " + ctx_.signer +
                                    ": the shipper imports this event");
  const json* part_lot = FindRl(prefixes_, e, "partLot");
  size_t splits = 0;
  for (const auto& q : e["quantityList"]) {
    Quantity m = ReadQuantity(q, "quantityList");
    CheckHolds(m, "ships");
    std::optional<int64_t> price = ReadPrice(prefixes_, e, m.lot, ctx_.currency);
    int64_t left = m.grams;
    for (const auto& id : HeldOfClass(m.lot)) {
      if (left == 0) break;
      LotHolding& h = lots_[id];
      int64_t take = std::min(left, h.remaining_g);
      std::string moved = id;
      if (take < h.remaining_g) {
        if (part_lot && part_lot->is_string() && e["quantityList"].size() == 1) {
          moved = part_lot->get<std::string>();
        } else {
          std::string seed = event_id_ + (splits ? "/" + std::to_string(splits) : "");
          moved = id + "#" + ledger::HexEncode(ledger::Sha256(seed)).substr(0, 16);
        }
        ++splits;
        if (lots_.count(moved)) Refuse("duplicate_lot", "part lot " + moved + " exists already");
        Emit({{"type", "split"}, {"lot", id}, {"parts", {{{"lot", moved}, {"mass_g", take}}}}}, r);
        h.remaining_g -= take;
        lots_[moved] = {ctx_.signer, take, NextIndex() - 1};
      }
      json t = {{"type", "transfer"}, {"lot", moved}, {"to", to}};
      if (price) {
        Rational share = Rational(*price) * take / m.grams;
        if (boost::multiprecision::denominator(share) != 1)
          Refuse("bad_extension", "the price of " + m.lot + " does not divide by mass into whole minor units over its lots");
        t["value"] = static_cast<int64_t>(boost::multiprecision::numerator(share));
      }
      Emit(std::move(t), r);
      lots_[moved] = {to, take, NextIndex() - 1};
      left -= take;
    }
  }
}

void Mapper::MapTransformation(const std::vector<size_t>& group, EventReport* r) {
  TransformData d;
  for (size_t i : group) {
    const json& e = (*events_)[i];
    if (NonEmpty(e, "inputEPCList") || NonEmpty(e, "outputEPCList"))
      Refuse("instance_level_mass_event",
             "TransformationEvent eventList[" + std::to_string(i) + "] lists instance EPCs, which cannot be weighed");
    MergeTransformData(prefixes_, e, &d, &plan_->warnings);
  }
  if (d.inputs.empty() || d.outputs.empty())
    Refuse("incomplete_group", group.size() > 1 || (*events_)[group[0]].contains("transformationID")
                                   ? "the transformationID's events in this document lack inputs or outputs"
                                   : "a TransformationEvent needs inputQuantityList and outputQuantityList");
  std::map<std::string, int64_t> consumed;
  for (const auto& [q, what] : d.inputs) {
    Quantity m = ReadQuantity(q, what);
    CheckHolds(m, "consumes");
    int64_t left = m.grams;
    for (const auto& id : HeldOfClass(m.lot)) {
      int64_t take = std::min(left, lots_[id].remaining_g);
      consumed[id] += take;
      lots_[id].remaining_g -= take;
      left -= take;
      if (left == 0) break;
    }
  }
  json inputs = json::array();
  for (const auto& [lot, grams] : consumed) inputs.push_back({{"lot", lot}, {"mass_g", grams}});
  json outputs = json::array();
  std::vector<std::pair<std::string, int64_t>> made;
  for (const auto& [q, what] : d.outputs) {
    Quantity m = ReadQuantity(q, what);
    if (lots_.count(m.lot)) Refuse("duplicate_lot", "output lot " + m.lot + " exists already");
    for (const auto& x : made)
      if (x.first == m.lot) Refuse("duplicate_lot", "output lot " + m.lot + " is listed twice");
    LotData ld = ReadLotData(prefixes_, d.ilmd, m.lot, ctx_.currency);
    json o = {{"lot", m.lot}, {"material", ld.material}, {"category", ld.category},
              {"mass_g", m.grams}, {"value", ld.value}};
    if (ld.elements) o["elements"] = *ld.elements;
    if (ld.hs) plan_->warnings.push_back("rl:hs on transform output " + m.lot + " has no ledger field: dropped");
    outputs.push_back(std::move(o));
    made.push_back({m.lot, m.grams});
  }
  if (d.process.empty()) {
    d.process = "other";
    plan_->warnings.push_back("eventList[" + std::to_string(group.back()) +
                              "] has no rl:process: the transform's process is \"other\"");
  }
  json p = {{"type", "transform"}, {"process", d.process}, {"facility_country", FacilityCountry(prefixes_, d)},
            {"inputs", inputs}, {"outputs", outputs}};
  if (d.technology_origin) p["technology_origin"] = *d.technology_origin;
  if (d.allocation) p["allocation"] = ReadAllocation(prefixes_, *d.allocation);
  if (group.size() > 1) {
    json members = json::array();
    for (size_t i : group) members.push_back(ids_[i]);
    p["epcis_group"] = members;
  }
  size_t at = Emit(std::move(p), r);
  for (const auto& [lot, grams] : made) lots_[lot] = {ctx_.signer, grams, NextIndex() - 1};
  for (auto& earlier : plan_->events)
    for (size_t i : group)
      if (earlier.index == static_cast<int64_t>(i) && earlier.result == "mapped") earlier.payloads = {at};
}

}  // namespace

ImportPlan MapDocument(std::string_view text, const ImportContext& context) {
  ImportPlan plan;
  auto doc = ParseDocument(text);
  if (!doc.ok()) {
    plan.refusal = EventReport{-1, "", "refused", {}, {}, "schema", doc.status().message()};
    return plan;
  }
  Mapper mapper(context, &plan);
  try {
    mapper.Run(*doc);
  } catch (const Refused& x) {
    plan.refusal = EventReport{-1, "", "refused", {}, {}, x.code(), x.what()};
  } catch (const json::exception& x) {
    plan.refusal = EventReport{-1, "", "refused", {}, {}, "schema", x.what()};
  }
  if (plan.refused()) plan.payloads.clear();
  return plan;
}

}  // namespace rareledger::epcis

namespace rareledger::epcis {

std::vector<Placement> Consecutive(uint64_t first, size_t count) {
  std::vector<Placement> out;
  for (size_t i = 0; i < count; ++i) out.push_back({first + i, false});
  return out;
}

ImportPlan Placed(ImportPlan plan, const std::vector<Placement>& placed) {
  if (placed.empty() || placed.size() != plan.payloads.size()) return plan;
  for (auto& r : plan.events) {
    if (r.result != "mapped" || r.payloads.empty()) continue;
    bool all = true;
    for (size_t p : r.payloads) all = all && placed[p].duplicate;
    if (!all) continue;
    r.result = "already_imported";
    for (size_t p : r.payloads) r.entries.push_back(placed[p].index);
    r.payloads.clear();
  }
  return plan;
}

nlohmann::json PlanJson(const ImportPlan& plan, const std::vector<Placement>& placed) {
  const bool submitted = !placed.empty() && placed.size() == plan.payloads.size();
  json events = json::array();
  for (const auto& r : plan.events) {
    json entries = json::array();
    if (r.result == "already_imported")
      for (uint64_t i : r.entries) entries.push_back(i);
    else
      for (size_t p : r.payloads) entries.push_back(submitted ? placed[p].index : p);
    json e = {{"index", r.index},   {"event_id", r.event_id}, {"result", r.result},
              {"entries", entries}, {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)}};
    if (!r.message.empty()) e["message"] = r.message;
    events.push_back(std::move(e));
  }
  size_t appended = 0;
  if (submitted)
    for (const auto& p : placed) appended += p.duplicate ? 0 : 1;
  json out = {{"appended", appended}, {"events", events}, {"warnings", plan.warnings}};
  if (plan.refusal && plan.refusal->index < 0)
    out["error"] = {{"reason", plan.refusal->reason}, {"message", plan.refusal->message}};
  return out;
}

}  // namespace rareledger::epcis
