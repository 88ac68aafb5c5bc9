#include "ledger/records.h"

#include <boost/multiprecision/cpp_int.hpp>

#include "ledger/crypto.h"

namespace rareledger::ledger {
namespace {

using nlohmann::json;

json CorrectionsJson(const std::vector<LotCorrection>& corrections) {
  json out = json::array();
  for (const auto& c : corrections) {
    json changes = json::array();
    for (const auto& f : c.changes)
      changes.push_back({{"field", f.field}, {"before", f.before}, {"after", f.after}});
    out.push_back({{"entry", c.index}, {"lot", c.lot}, {"reason", c.reason}, {"changes", changes}});
  }
  return out;
}

std::vector<LotCorrection> CorrectionsFromJson(const json& j) {
  std::vector<LotCorrection> out;
  for (const auto& c : j) {
    LotCorrection lc{c.at("entry").get<uint64_t>(), c.at("lot").get<std::string>(),
                     c.at("reason").get<std::string>(), {}};
    for (const auto& f : c.at("changes"))
      lc.changes.push_back({f.at("field").get<std::string>(), f.at("before"), f.at("after")});
    out.push_back(std::move(lc));
  }
  return out;
}

json FieldsJson(const LotFields& f) {
  json j = {{"material", f.material}, {"category", f.category}};
  if (f.elements) j["elements"] = *f.elements, j["elements_basis_g"] = f.elements_basis_g;
  if (f.hs) j["hs"] = *f.hs;
  return j;
}

LotFields FieldsFromJson(const json& j) {
  LotFields f;
  f.material = j.at("material").get<std::string>();
  f.category = j.at("category").get<std::string>();
  if (j.contains("elements")) {
    f.elements = j.at("elements").get<Elements>();
    f.elements_basis_g = j.at("elements_basis_g").get<int64_t>();
    if (f.elements_basis_g <= 0) throw std::runtime_error("elements basis not positive");
  }
  if (j.contains("hs")) f.hs = j.at("hs").get<std::string>();
  return f;
}

}  // namespace

json ElementShareJson(const Elements& declared, int64_t basis_g, int64_t grams_of_g) {
  json out = json::object();
  for (const auto& [sym, g] : declared) {
    boost::multiprecision::cpp_rational share(boost::multiprecision::cpp_int(g) * grams_of_g,
                                              basis_g);
    if (denominator(share) == 1)
      out[sym] = static_cast<int64_t>(numerator(share));
    else
      out[sym] = numerator(share).str() + "/" + denominator(share).str();
  }
  return out;
}

namespace {

json IssuedJson(const std::vector<IssuedLicence>& list) {
  json out = json::array();
  for (const auto& l : list) {
    json one = {{"licence", l.licence}, {"entry", l.index}};
    if (l.revoked_at)
      one["revoked_at"] = *l.revoked_at, one["revoked_on"] = l.revoked_on,
      one["revoke_reason"] = l.revoke_reason;
    out.push_back(std::move(one));
  }
  return out;
}

std::vector<IssuedLicence> IssuedFromJson(const json& j) {
  std::vector<IssuedLicence> out;
  for (const auto& one : j) {
    IssuedLicence l{one.at("licence").get<std::string>(), one.at("entry").get<uint64_t>(), {},
                    "", ""};
    if (one.contains("revoked_at")) {
      l.revoked_at = one.at("revoked_at").get<uint64_t>();
      l.revoked_on = one.at("revoked_on").get<std::string>();
      l.revoke_reason = one.at("revoke_reason").get<std::string>();
    }
    out.push_back(std::move(l));
  }
  return out;
}

json HeldJson(const std::vector<HeldLicence>& list) {
  json out = json::array();
  for (const auto& l : list)
    out.push_back({{"issuer", l.issuer}, {"licence", l.licence}, {"entry", l.index}});
  return out;
}

std::vector<HeldLicence> HeldFromJson(const json& j) {
  std::vector<HeldLicence> out;
  for (const auto& one : j)
    out.push_back({one.at("issuer").get<std::string>(), one.at("licence").get<std::string>(),
                   one.at("entry").get<uint64_t>()});
  return out;
}

EntryType CreatedByFromName(const std::string& s) {
  if (s == "split") return EntryType::kSplit;
  if (s == "transform") return EntryType::kTransform;
  return EntryType::kCreateLot;
}

template <typename T, typename F>
Result<T> DecodeJson(std::string_view bytes, const char* what, F fill) {
  try {
    json j = json::parse(bytes);
    T out;
    fill(j, out);
    return out;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string(what) + " record does not decode: " + e.what());
  }
}

}  // namespace

std::string EncodeParty(const PartyRecord& p) {
  json keys = json::array();
  for (const auto& k : p.keys) keys.push_back({{"k", Base64Encode(k.pubkey)}, {"i", k.from_index}});
  json j = {{"id", p.id}, {"name", p.name}, {"country", p.country}, {"roles", p.roles},
            {"keys", keys}, {"seq", p.last_seq}};
  if (p.revoked_at) j["revoked_at"] = *p.revoked_at, j["revoke_reason"] = p.revoke_reason;
  if (p.gln) j["gln"] = *p.gln;
  if (!p.issued_licences.empty()) j["issued_licences"] = IssuedJson(p.issued_licences);
  if (!p.held_licences.empty()) j["held_licences"] = HeldJson(p.held_licences);
  return j.dump();
}

Result<PartyRecord> DecodeParty(std::string_view bytes) {
  return DecodeJson<PartyRecord>(bytes, "party", [](const json& j, PartyRecord& p) {
    p.id = j.at("id").get<std::string>();
    p.name = j.at("name").get<std::string>();
    p.country = j.at("country").get<std::string>();
    p.roles = j.at("roles").get<std::vector<std::string>>();
    for (const auto& k : j.at("keys")) {
      auto raw = Base64Decode(k.at("k").get<std::string>());
      if (!raw.ok()) throw std::runtime_error("bad key");
      p.keys.push_back({*raw, k.at("i").get<uint64_t>()});
    }
    if (p.keys.empty()) throw std::runtime_error("no key");
    p.last_seq = j.at("seq").get<int64_t>();
    if (j.contains("revoked_at")) p.revoked_at = j.at("revoked_at").get<uint64_t>();
    if (j.contains("revoke_reason")) p.revoke_reason = j.at("revoke_reason").get<std::string>();
    if (j.contains("gln")) p.gln = j.at("gln").get<std::string>();
    if (j.contains("issued_licences")) p.issued_licences = IssuedFromJson(j.at("issued_licences"));
    if (j.contains("held_licences")) p.held_licences = HeldFromJson(j.at("held_licences"));
  });
}

std::string EncodeLot(const LotRecord& l) {
  json values = json::array();
  for (const auto& v : l.values) values.push_back(json::array({v.index, v.value, v.mass_g}));
  json j = {{"id", l.id},           {"material", l.material}, {"category", l.category},
            {"made_in", l.made_in}, {"holder", l.holder},     {"mass_g", l.mass_g},
            {"remaining_g", l.remaining_g}, {"created_at", l.created_at},
            {"created_by", EntryTypeName(l.created_by)}, {"values", values}};
  if (l.elements) j["elements"] = *l.elements;
  if (l.elements && l.ElementsBasis() != l.mass_g) j["elements_basis_g"] = l.ElementsBasis();
  if (l.hs) j["hs"] = *l.hs;
  if (l.parent) j["parent"] = *l.parent;
  if (!l.creator.empty()) j["creator"] = l.creator;
  if (!l.split_parts.empty()) j["split_parts"] = l.split_parts;
  if (!l.corrections.empty()) j["corrections"] = CorrectionsJson(l.corrections);
  if (l.original) j["original"] = FieldsJson(*l.original);
  if (!l.attestations.empty()) j["attestations"] = l.attestations;
  return j.dump();
}

Result<LotRecord> DecodeLot(std::string_view bytes) {
  return DecodeJson<LotRecord>(bytes, "lot", [](const json& j, LotRecord& l) {
    l.id = j.at("id").get<std::string>();
    l.material = j.at("material").get<std::string>();
    l.category = j.at("category").get<std::string>();
    l.made_in = j.at("made_in").get<std::string>();
    l.holder = j.at("holder").get<std::string>();
    l.mass_g = j.at("mass_g").get<int64_t>();
    l.remaining_g = j.at("remaining_g").get<int64_t>();
    l.created_at = j.at("created_at").get<uint64_t>();
    l.created_by = CreatedByFromName(j.at("created_by").get<std::string>());
    for (const auto& v : j.at("values"))
      l.values.push_back({v.at(0).get<uint64_t>(), v.at(1).get<int64_t>(), v.at(2).get<int64_t>()});
    if (l.values.empty()) throw std::runtime_error("no value declaration");
    if (j.contains("elements")) {
      l.elements = j.at("elements").get<Elements>();
      l.elements_basis_g = j.value("elements_basis_g", l.mass_g);
      if (l.elements_basis_g <= 0) throw std::runtime_error("elements basis not positive");
    }
    if (j.contains("hs")) l.hs = j.at("hs").get<std::string>();
    if (j.contains("parent")) l.parent = j.at("parent").get<std::string>();
    if (j.contains("creator")) l.creator = j.at("creator").get<std::string>();
    if (j.contains("split_parts"))
      l.split_parts = j.at("split_parts").get<std::vector<std::string>>();
    if (j.contains("corrections")) l.corrections = CorrectionsFromJson(j.at("corrections"));
    if (j.contains("original")) l.original = FieldsFromJson(j.at("original"));
    if (j.contains("attestations"))
      l.attestations = j.at("attestations").get<std::vector<uint64_t>>();
  });
}

nlohmann::json LotJson(const LotRecord& l) {
  json values = json::array();
  for (const auto& v : l.values)
    values.push_back({{"entry", v.index}, {"value", v.value}, {"mass_g", v.mass_g}});
  json j = {{"lot", l.id},
            {"material", l.material},
            {"category", l.category},
            {"made_in", l.made_in},
            {"holder", l.holder},
            {"mass_g", l.mass_g},
            {"remaining_g", l.remaining_g},
            {"created_at", l.created_at},
            {"created_by", EntryTypeName(l.created_by)},
            {"value_declarations", values}};
  // Element grams of this lot (a split part: its exact share of the
  // declaration it inherits), and of what remains when that differs.
  if (l.elements) {
    j["elements"] = ElementShareJson(*l.elements, l.ElementsBasis(), l.mass_g);
    if (l.remaining_g != l.mass_g)
      j["elements_remaining"] = ElementShareJson(*l.elements, l.ElementsBasis(), l.remaining_g);
  }
  if (l.hs) j["hs"] = *l.hs;
  if (l.parent) j["parent"] = *l.parent;
  if (!l.creator.empty()) j["creator"] = l.creator;
  if (!l.split_parts.empty()) j["split_parts"] = l.split_parts;
  j["attestations"] = l.attestations;  // entry indexes; `show lot` adds their claims
  if (!l.corrections.empty() && l.original) {
    j["corrections"] = CorrectionsJson(l.corrections);
    json original = {{"material", l.original->material}, {"category", l.original->category}};
    if (l.original->elements)
      original["elements"] = ElementShareJson(
          *l.original->elements,
          l.original->elements_basis_g > 0 ? l.original->elements_basis_g : l.mass_g, l.mass_g);
    if (l.original->hs) original["hs"] = *l.original->hs;
    j["uncorrected"] = original;
  }
  return j;
}

nlohmann::json PartyJson(const PartyRecord& p) {
  json keys = json::array();
  for (const auto& k : p.keys)
    keys.push_back({{"pubkey", Base64Encode(k.pubkey)}, {"from_entry", k.from_index}});
  json j = {{"id", p.id},       {"name", p.name}, {"country", p.country},
            {"roles", p.roles}, {"keys", keys},   {"last_seq", p.last_seq}};
  j["revoked_at"] = p.revoked_at ? json(*p.revoked_at) : json(nullptr);
  if (p.revoked_at) j["revoke_reason"] = p.revoke_reason;
  j["gln"] = p.gln ? json(*p.gln) : json(nullptr);
  if (!p.issued_licences.empty()) j["issued_licences"] = IssuedJson(p.issued_licences);
  if (!p.held_licences.empty()) j["held_licences"] = HeldJson(p.held_licences);
  return j;
}

}  // namespace rareledger::ledger
