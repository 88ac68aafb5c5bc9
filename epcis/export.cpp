#include "epcis/export.h"

#include <deque>
#include <set>

#include "epcis/decimal.h"
#include "epcis/document.h"
#include "epcis/identifiers.h"

namespace rareledger::epcis {
namespace {

using ledger::Entry;
using ledger::Result;
using ledger::Status;
using nlohmann::json;

struct Loaded {
  Entry entry;
  json payload;
};

// The epcClass of a lot in a movement: a part "C#h" moves as class C.
std::string MovedClass(const std::string& lot) { return ClassOfLot(lot.substr(0, lot.find('#'))); }

json Quantity(const std::string& epc_class, int64_t grams) {
  return {{"epcClass", epc_class}, {"quantity", grams}, {"uom", "GRM"}};
}

json Value(int64_t minor, const std::string& currency) {
  return {{"rl:amount", FormatMinorUnits(minor, currency)}, {"rl:currency", currency}};
}

json LotsEntry(const std::string& lot, const std::string& material, const std::string& category,
               int64_t value, const std::optional<ledger::Elements>& elements,
               const std::optional<std::string>& hs, const std::string& currency, bool with_values) {
  json l = {{"rl:epcClass", ClassOfLot(lot)}, {"rl:material", material}, {"rl:category", category}};
  if (with_values) l["rl:value"] = Value(value, currency);
  if (elements) {
    json list = json::array();
    for (const auto& [symbol, grams] : *elements)
      list.push_back({{"rl:element", symbol}, {"rl:quantity", grams}, {"rl:uom", "GRM"}});
    l["rl:elements"] = list;
  }
  if (hs) l["rl:hs"] = *hs;
  return l;
}

class Exporter {
 public:
  Exporter(const ExportOptions& o, std::string ledger_id, std::string currency,
           std::map<std::string, std::string> party_uri)
      : o_(o), ledger_id_(std::move(ledger_id)), currency_(std::move(currency)),
        party_uri_(std::move(party_uri)) {}

  void Add(uint64_t index, const Loaded& l, bool included);
  json events() const { return events_; }

 private:
  json Header(uint64_t index, const Loaded& l, const char* type) const;
  const ExportOptions& o_;
  std::string ledger_id_, currency_;
  std::map<std::string, std::string> party_uri_;
  std::map<std::string, int64_t> remaining_;
  std::map<std::string, std::pair<std::string, int64_t>> pending_split_;  // part -> (signer, mass)
  json events_ = json::array();
};

json Exporter::Header(uint64_t index, const Loaded& l, const char* type) const {
  std::string id = l.payload.value("epcis_event", "");
  if (id.empty()) id = std::string(kRlNamespace) + "event/" + ledger_id_ + "/" + std::to_string(index);
  return {{"type", type},        {"eventID", id},       {"eventTime", l.entry.time},
          {"eventTimeZoneOffset", "+00:00"}, {"rl:ledger", ledger_id_}, {"rl:entry", index}};
}

void Exporter::Add(uint64_t index, const Loaded& l, bool included) {
  const Entry& e = l.entry;
  if (const auto* c = std::get_if<ledger::CreateLot>(&e.body)) {
    remaining_[c->lot] = c->mass_g;
    if (!included) return;
    json ev = Header(index, l, "ObjectEvent");
    ev["action"] = "ADD";
    ev["bizStep"] = "commissioning";
    ev["disposition"] = "active";
    ev["quantityList"] = {Quantity(ClassOfLot(c->lot), c->mass_g)};
    ev["ilmd"] = {{"cbvmda:countryOfOrigin", c->origin},
                  {"rl:lots", {LotsEntry(c->lot, c->material, c->category, c->value, c->elements,
                                         c->hs, currency_, o_.with_values)}}};
    events_.push_back(std::move(ev));
  } else if (const auto* s = std::get_if<ledger::Split>(&e.body)) {
    for (const auto& p : s->parts) {
      remaining_[s->lot] -= p.mass_g;
      remaining_[p.lot] = p.mass_g;
    }
    // A single-part split is folded into the shipping of that part (below).
    if (s->parts.size() == 1) pending_split_[s->parts[0].lot] = {e.party, s->parts[0].mass_g};
  } else if (const auto* t = std::get_if<ledger::Transfer>(&e.body)) {
    auto split = pending_split_.find(t->lot);
    bool folded = split != pending_split_.end() && split->second.first == e.party;
    if (split != pending_split_.end()) pending_split_.erase(split);
    if (!included) return;
    json ev = Header(index, l, "ObjectEvent");
    ev["action"] = "OBSERVE";
    ev["bizStep"] = "shipping";
    ev["disposition"] = "in_transit";
    ev["quantityList"] = {Quantity(MovedClass(t->lot), remaining_[t->lot])};
    ev["sourceList"] = {{{"type", "owning_party"}, {"source", party_uri_[e.party]}}};
    ev["destinationList"] = {{{"type", "owning_party"}, {"destination", party_uri_[t->to]}}};
    if (folded) ev["rl:partLot"] = t->lot;
    if (t->value && o_.with_values)
      ev["rl:prices"] = {{{"rl:epcClass", MovedClass(t->lot)}, {"rl:value", Value(*t->value, currency_)}}};
    events_.push_back(std::move(ev));
  } else if (const auto* x = std::get_if<ledger::Transform>(&e.body)) {
    json in = json::array(), out = json::array(), lots = json::array();
    for (const auto& i : x->inputs) {
      remaining_[i.lot] -= i.mass_g;
      in.push_back(Quantity(MovedClass(i.lot), i.mass_g));
    }
    for (const auto& p : x->outputs) {
      remaining_[p.lot] = p.mass_g;
      out.push_back(Quantity(ClassOfLot(p.lot), p.mass_g));
      lots.push_back(LotsEntry(p.lot, p.material, p.category, p.value, p.elements, std::nullopt,
                               currency_, o_.with_values));
    }
    if (!included) return;
    json ev = Header(index, l, "TransformationEvent");
    ev["bizStep"] = "commissioning";
    ev["disposition"] = "active";
    ev["inputQuantityList"] = in;
    ev["outputQuantityList"] = out;
    ev["ilmd"] = {{"cbvmda:countryOfOrigin", x->facility_country}, {"rl:lots", lots}};
    ev["rl:process"] = x->process;
    ev["rl:facilityCountry"] = x->facility_country;
    if (x->technology_origin) ev["rl:technologyOrigin"] = *x->technology_origin;
    if (x->allocation) {
      json a = json::array();
      for (const auto& [lot, f] : *x->allocation)
        a.push_back({{"rl:epcClass", ClassOfLot(lot)},
                     {"rl:fraction", std::to_string(f.num) + "/" + std::to_string(f.den)}});
      ev["rl:allocation"] = a;
    }
    events_.push_back(std::move(ev));
  }
}

// Whether `e` belongs to the cone: it creates, moves or splits a lot of
// the cone, or is a transform that makes one (upstream) or consumes or
// makes one (downstream).
bool InCone(const Entry& e, const std::set<std::string>& cone, bool down) {
  if (const auto* c = std::get_if<ledger::CreateLot>(&e.body)) return cone.count(c->lot) > 0;
  if (const auto* t = std::get_if<ledger::Transfer>(&e.body)) return cone.count(t->lot) > 0;
  if (const auto* s = std::get_if<ledger::Split>(&e.body)) {
    bool any = cone.count(s->lot) > 0;
    for (const auto& p : s->parts) any = any || cone.count(p.lot) > 0;
    return any;
  }
  if (const auto* x = std::get_if<ledger::Transform>(&e.body)) {
    bool any = false;
    for (const auto& o : x->outputs) any = any || cone.count(o.lot) > 0;
    if (down)
      for (const auto& i : x->inputs) any = any || cone.count(i.lot) > 0;
    return any;
  }
  return false;
}

// The lot and every lot upstream (or downstream) of it.
std::set<std::string> Cone(const std::vector<Loaded>& entries, const std::string& lot, bool down) {
  std::map<std::string, std::vector<std::string>> next;  // along the chosen direction
  auto edge = [&](const std::string& from, const std::string& to) {
    if (down) next[from].push_back(to);
    else next[to].push_back(from);
  };
  for (const auto& l : entries) {
    if (const auto* s = std::get_if<ledger::Split>(&l.entry.body))
      for (const auto& p : s->parts) edge(s->lot, p.lot);
    if (const auto* x = std::get_if<ledger::Transform>(&l.entry.body))
      for (const auto& i : x->inputs)
        for (const auto& o : x->outputs) edge(i.lot, o.lot);
  }
  std::set<std::string> cone = {lot};
  std::deque<std::string> todo = {lot};
  while (!todo.empty()) {
    std::string at = todo.front();
    todo.pop_front();
    for (const auto& n : next[at])
      if (cone.insert(n).second) todo.push_back(n);
  }
  return cone;
}

}  // namespace

Result<json> ExportDocument(const ledger::Ledger& ledger, const ExportOptions& o) {
  const auto info = ledger.Info();
  if (o.lot) RL_RETURN_IF_ERROR(ledger.GetLot(*o.lot).status());
  if (!o.party.empty()) RL_RETURN_IF_ERROR(ledger.GetParty(o.party).status());
  std::vector<Loaded> entries;
  RL_RETURN_IF_ERROR(ledger.ScanLeaves(0, info.size, [&](uint64_t, std::string_view leaf) {
    RL_ASSIGN_OR_RETURN(Entry e, ledger::DecodeLeaf(leaf));
    json payload = json::parse(e.signed_bytes);
    entries.push_back({std::move(e), std::move(payload)});
    return Status::Ok();
  }));
  RL_ASSIGN_OR_RETURN(auto parties, ledger.AllParties());
  std::map<std::string, std::string> party_uri;
  for (const auto& p : parties)
    party_uri[p.id] = p.gln ? PglnUri(*p.gln) : std::string(kRlNamespace) + "party/" + p.id;
  std::optional<std::set<std::string>> cone;
  if (o.lot) cone = Cone(entries, *o.lot, o.down);
  Exporter ex(o, info.ledger_id, info.currency, party_uri);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i].entry;
    bool included = o.party.empty() || e.party == o.party;
    if (cone) included = included && InCone(e, *cone, o.down);
    ex.Add(i, entries[i], included);
  }
  return json{{"@context", {kGs1Context, {{"rl", kRlNamespace}}}},
              {"type", "EPCISDocument"},
              {"schemaVersion", "2.0"},
              {"creationDate", o.creation_date.empty() ? ledger::UtcNow() : o.creation_date},
              {"epcisBody", {{"eventList", ex.events()}}}};
}

}  // namespace rareledger::epcis
