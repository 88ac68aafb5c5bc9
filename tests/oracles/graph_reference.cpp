// Straight from SPEC, in log order. Deliberately simple and independent of
// the fast engine: see reference.h.
#include "tests/oracles/graph_reference.h"

#include <optional>
#include <set>
#include <tuple>
#include <variant>

#include "graph/rational.h"

namespace rareledger::graph {
namespace {

struct Lot {
  std::string category, made_in;
  std::optional<ledger::Elements> elements;
  int64_t remaining = 0;
  int64_t decl_value = 0, decl_mass = 1;             // value per gram = decl_value / decl_mass
  int64_t own_decl_mass = 0;                         // mass at the lot's last own declaration
  std::map<std::string, Rational> content_per_gram;  // contributor -> per gram
  std::set<std::pair<uint64_t, std::string>> tech;   // (index, process) at or upstream
  std::set<std::string> children;
  bool coi = false;
  // process_location: covered grams per gram, and every (index, process,
  // country) at or upstream (a create_lot counts as mining at its origin).
  Rational mass_share = 0;
  bool covered = false;
  std::set<std::tuple<uint64_t, std::string, std::string>> places;
};

// The category and elements every lot has at the end of the log: SPEC
// "Corrections" make a lot's current record the one every determination
// reads, so a correction made after a lot was consumed still counts. A
// correction reaches the split parts of its lot, transitively.
struct FinalFields {
  struct Fields {
    std::string category;
    std::optional<ledger::Elements> elements;
    std::vector<std::string> parts;
  };
  std::map<std::string, Fields> lots;

  explicit FinalFields(const std::vector<ledger::Entry>& entries) {
    for (const auto& e : entries) {
      if (auto* c = std::get_if<ledger::CreateLot>(&e.body)) {
        lots[c->lot] = {c->category, c->elements, {}};
      } else if (auto* s = std::get_if<ledger::Split>(&e.body)) {
        for (const auto& part : s->parts) {
          lots[part.lot] = {lots[s->lot].category, lots[s->lot].elements, {}};
          lots[s->lot].parts.push_back(part.lot);
        }
      } else if (auto* t = std::get_if<ledger::Transform>(&e.body)) {
        for (const auto& o : t->outputs) lots[o.lot] = {o.category, o.elements, {}};
      } else if (auto* k = std::get_if<ledger::CorrectLot>(&e.body)) {
        Correct(k->lot, *k);
      }
    }
  }
  void Correct(const std::string& id, const ledger::CorrectLot& k) {
    if (k.category) lots[id].category = *k.category;
    if (k.elements) lots[id].elements = *k.elements;  // grams > 0 is all Replay reads
    for (const auto& part : lots[id].parts) Correct(part, k);
  }
};

class Replay {
 public:
  Replay(const Policy& p, const FinalFields& f) : p_(p), final_(f) {}

  void Apply(const ledger::Entry& e, uint64_t index) {
    if (auto* c = std::get_if<ledger::CreateLot>(&e.body)) {
      Lot& l = lots_[c->lot];
      l.category = c->category, l.made_in = c->origin, l.elements = c->elements;
      l.remaining = c->mass_g, l.decl_value = c->value, l.decl_mass = c->mass_g;
      l.own_decl_mass = c->mass_g;
      l.places = {{index, "mining", c->origin}};
      Finish(c->lot);
    } else if (auto* t = std::get_if<ledger::Transfer>(&e.body)) {
      Lot& l = lots_[t->lot];
      if (t->value)
        l.decl_value = *t->value, l.decl_mass = l.remaining, l.own_decl_mass = l.remaining;
    } else if (auto* s = std::get_if<ledger::Split>(&e.body)) {
      DoSplit(*s);
    } else if (auto* x = std::get_if<ledger::Transform>(&e.body)) {
      DoTransform(*x, index);
    }
  }

  std::map<std::string, Lot> lots_;

 private:
  bool ControlledOrigin(const Lot& l) const {
    bool category = false, element = !l.elements || l.elements->empty();
    for (const auto& c : p_.controlled_categories) category = category || c == l.category;
    if (l.elements)
      for (const auto& [sym, g] : *l.elements)
        element = element || (g > 0 && p_.controlled_elements.count(sym));
    return category && element && l.made_in == p_.controlling_country;
  }

  // A controlled category with a controlled element (or none declared),
  // wherever made.
  bool Covered(const Lot& l) const {
    bool element = !l.elements || l.elements->empty();
    if (l.elements)
      for (const auto& [sym, g] : *l.elements)
        element = element || (g > 0 && p_.controlled_elements.count(sym));
    return p_.controlled_categories.count(l.category) > 0 && element;
  }

  void Finish(const std::string& id) {
    Lot& l = lots_[id];
    l.category = final_.lots.at(id).category;
    l.elements = final_.lots.at(id).elements;
    l.coi = ControlledOrigin(l);
    l.covered = Covered(l);
    if (l.covered) l.mass_share = 1;
  }

  // What m grams of lot `id` bring in, right now.
  std::map<std::string, Rational> Take(const std::string& id, int64_t m) {
    const Lot& l = lots_[id];
    std::map<std::string, Rational> out;
    if (l.coi) {
      out[id] = Rational(m) * Rational(l.decl_value, l.decl_mass);
    } else {
      for (const auto& [c, v] : l.content_per_gram) out[c] = v * m;
    }
    return out;
  }

  void DoSplit(const ledger::Split& s) {
    for (const auto& part : s.parts) {
      Lot copy = lots_[s.lot];
      copy.children.clear();
      copy.remaining = part.mass_g, copy.own_decl_mass = part.mass_g;
      copy.content_per_gram.clear();
      for (const auto& [c, v] : Take(s.lot, 1)) copy.content_per_gram[c] = v;
      lots_[s.lot].remaining -= part.mass_g;
      lots_[s.lot].children.insert(part.lot);
      lots_[part.lot] = copy;
      Finish(part.lot);
    }
  }

  void DoTransform(const ledger::Transform& t, uint64_t index) {
    std::map<std::string, Rational> incoming;
    std::set<std::pair<uint64_t, std::string>> tech;
    std::set<std::tuple<uint64_t, std::string, std::string>> places = {
        {index, t.process, t.facility_country}};
    Rational covered_grams = 0;
    for (const auto& in : t.inputs) {
      places.insert(lots_[in.lot].places.begin(), lots_[in.lot].places.end());
      covered_grams += lots_[in.lot].mass_share * in.mass_g;
      for (const auto& [c, v] : Take(in.lot, in.mass_g)) incoming[c] += v;
      tech.insert(lots_[in.lot].tech.begin(), lots_[in.lot].tech.end());
      lots_[in.lot].remaining -= in.mass_g;
      for (const auto& o : t.outputs) lots_[in.lot].children.insert(o.lot);
    }
    if (t.facility_country != p_.controlling_country && t.technology_origin &&
        *t.technology_origin == p_.controlling_country)
      tech.insert({index, t.process});
    int64_t total = 0;
    for (const auto& o : t.outputs) total += o.mass_g;
    for (const auto& o : t.outputs) {
      Rational share = Rational(o.mass_g, total);
      if (t.allocation) share = Rational(t.allocation->at(o.lot).num, t.allocation->at(o.lot).den);
      Lot& l = lots_[o.lot];
      l.category = o.category, l.made_in = t.facility_country, l.elements = o.elements;
      l.remaining = o.mass_g, l.decl_value = o.value, l.decl_mass = o.mass_g;
      l.own_decl_mass = o.mass_g, l.tech = tech;
      l.places = places;
      l.mass_share = covered_grams * share / o.mass_g;
      for (const auto& [c, v] : incoming) l.content_per_gram[c] = v * share / o.mass_g;
      Finish(o.lot);
    }
  }

  const Policy& p_;
  const FinalFields& final_;
};

bool Inside(const DateWindow& w, const std::string& d) { return w.from <= d && (!w.to || d < *w.to); }

// "yes", "no" or "unknown" on date d: a status_unknown window wins.
std::string Status(const Rule& r, const std::string& d) {
  for (const auto& u : r.status_unknown)
    if (Inside(u.window, d)) return "unknown";
  bool in = false, suspended = false;
  for (const auto& w : r.in_force) in = in || Inside(w, d);
  for (const auto& w : r.suspended) suspended = suspended || Inside(w, d);
  return in && !suspended ? "yes" : "no";
}

// Lexicographically smallest path v -> ... -> target through non-origin lots.
std::optional<std::vector<std::string>> Best(
    const std::map<std::string, Lot>& lots, const std::string& v, const std::string& target,
    std::map<std::string, std::optional<std::vector<std::string>>>& memo) {
  if (v == target) return std::vector<std::string>{target};
  if (auto it = memo.find(v); it != memo.end()) return it->second;
  std::optional<std::vector<std::string>> best;
  for (const auto& w : lots.at(v).children) {
    if (w != target && lots.at(w).coi) continue;
    auto rest = Best(lots, w, target, memo);
    if (!rest) continue;
    rest->insert(rest->begin(), v);
    if (!best || *rest < *best) best = rest;
  }
  memo[v] = best;
  return best;
}

// The recipient as the log registered it.
struct Recipient {
  std::string id, name, country;
  std::optional<std::string> end_user, end_use;
};

std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// On one of `lists` (ids of p.lists) on date d: by party id where the entry
// has one, else by registered name or the shipment's end_user.
bool Listed(const Policy& p, const std::vector<std::string>& lists, const Recipient& r,
            const std::string& d) {
  for (const std::string& id : lists) {
    for (const ListEntry& e : p.lists.at(id).entries) {
      if (!(e.listed <= d && (!e.delisted || d < *e.delisted))) continue;
      if (e.party ? *e.party == r.id
                  : (Squash(e.name) == Squash(r.name) ||
                     (r.end_user && Squash(e.name) == Squash(*r.end_user))))
        return true;
    }
  }
  return false;
}

ReferenceVerdict Judge(const std::map<std::string, Lot>& lots, const std::string& id,
                       const Policy& p, const std::string& as_of, const Recipient* to) {
  const Lot& l = lots.at(id);
  ReferenceVerdict v;
  v.controlled_origin_item = l.coi;
  v.foreign_made = l.made_in != p.controlling_country;
  const int64_t mass = l.remaining > 0 ? l.remaining : l.own_decl_mass;
  const Rational vpg(l.decl_value, l.decl_mass);
  Rational cpg = 0;
  std::map<std::string, std::optional<std::vector<std::string>>> memo;
  // An origin item's content is its value, as of now (after any transfer).
  const auto contents = l.coi ? std::map<std::string, Rational>{{id, vpg}} : l.content_per_gram;
  for (const auto& [c, per_gram] : contents) {
    cpg += per_gram;
    v.contributors[c] = FormatFraction(per_gram * mass);
    v.paths[c] = Best(lots, c, id, memo).value_or(std::vector<std::string>{});
  }
  v.lot_value = FormatFraction(vpg * mass);
  v.controlled_content = FormatFraction(cpg * mass);
  const bool inf = !l.coi && vpg == 0 && cpg > 0;
  const Rational ratio = l.coi ? Rational(1) : (vpg == 0 ? Rational(0) : cpg / vpg);
  v.ratio = inf ? "1/0" : FormatFraction(ratio);
  for (const auto& t : l.tech) {
    bool listed = false;
    for (const Rule& r : p.rules)
      listed = listed || (r.kind == RuleKind::kTechnology && r.processes.count(t.second));
    if (listed && (v.technology_indexes.empty() || v.technology_indexes.back() != t.first))
      v.technology_indexes.push_back(t.first);
  }
  bool unknown = false;
  for (const Rule& r : p.rules) {
    bool subject =
        v.foreign_made && (!r.subject_categories || r.subject_categories->count(l.category));
    bool trig = false, applies = subject;
    if (r.kind == RuleKind::kValueRatio) {
      trig = inf || (r.strict ? ratio > r.threshold : ratio >= r.threshold);
    } else if (r.kind == RuleKind::kTechnology) {
      for (const auto& t : l.tech) trig = trig || r.processes.count(t.second) > 0;
    } else if (r.kind == RuleKind::kProcessLocation) {
      applies = l.mass_share > 0 &&
                (!r.subject_categories || r.subject_categories->count(l.category)) &&
                !(r.exempt_below_mass_share && l.mass_share < *r.exempt_below_mass_share);
      for (const auto& [index, process, country] : l.places)
        trig = trig || (r.processes.count(process) && r.countries.count(country));
    } else if (r.kind == RuleKind::kEndUser || r.kind == RuleKind::kEndUse) {
      applies = to != nullptr && (r.destinations.empty() || r.destinations.count(to->country)) &&
                (l.coi || (r.subject_categories && subject));
      if (r.kind == RuleKind::kEndUser)
        trig = to != nullptr && Listed(p, r.lists, *to, as_of);
      else
        trig = to != nullptr && to->end_use && r.end_uses.count(*to->end_use) > 0;
    } else {
      trig = applies = l.coi;
    }
    v.rule_triggered[r.id] = trig;
    const std::string status = Status(r, as_of);
    v.license_required = v.license_required || (status == "yes" && applies && trig);
    unknown = unknown || (status == "unknown" && applies && trig);
  }
  v.verdict = v.license_required
                  ? (p.effect == Effect::kProhibition ? "prohibited" : "licence_required")
                  : (unknown ? "unknown" : "not_required");
  if (v.verdict != "not_required" && p.humanitarian_report && to && to->end_use &&
      *to->end_use == "humanitarian") {
    v.verdict = "not_required";
    v.license_required = false;
  }
  return v;
}

}  // namespace

std::map<std::string, ReferenceVerdict> ReferenceAssessAll(
    const std::vector<ledger::Entry>& entries, const Policy& policy, const std::string& as_of,
    const ReferenceShipment* shipment) {
  const FinalFields final_fields(entries);
  Replay replay(policy, final_fields);
  std::optional<Recipient> to;
  for (uint64_t i = 0; i < entries.size(); ++i) {
    replay.Apply(entries[i], i);
    const auto* reg = std::get_if<ledger::RegisterParty>(&entries[i].body);
    if (shipment && reg && reg->id == shipment->to)
      to = Recipient{reg->id, reg->name, reg->country, shipment->end_user, shipment->end_use};
  }
  std::map<std::string, ReferenceVerdict> out;
  for (const auto& [id, lot] : replay.lots_)
    out[id] = Judge(replay.lots_, id, policy, as_of, to ? &*to : nullptr);
  return out;
}

}  // namespace rareledger::graph
