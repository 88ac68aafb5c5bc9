#include "ledger/records.h"

#include "ledger/crypto.h"

namespace rareledger::ledger {
namespace {

using nlohmann::json;

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
  if (p.revoked_at) j["revoked_at"] = *p.revoked_at;
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
  if (l.hs) j["hs"] = *l.hs;
  if (l.parent) j["parent"] = *l.parent;
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
    if (j.contains("elements")) l.elements = j.at("elements").get<Elements>();
    if (j.contains("hs")) l.hs = j.at("hs").get<std::string>();
    if (j.contains("parent")) l.parent = j.at("parent").get<std::string>();
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
  if (l.elements) j["elements"] = *l.elements;
  if (l.hs) j["hs"] = *l.hs;
  if (l.parent) j["parent"] = *l.parent;
  return j;
}

nlohmann::json PartyJson(const PartyRecord& p) {
  json keys = json::array();
  for (const auto& k : p.keys)
    keys.push_back({{"pubkey", Base64Encode(k.pubkey)}, {"from_entry", k.from_index}});
  json j = {{"id", p.id},       {"name", p.name}, {"country", p.country},
            {"roles", p.roles}, {"keys", keys},   {"last_seq", p.last_seq}};
  j["revoked_at"] = p.revoked_at ? json(*p.revoked_at) : json(nullptr);
  return j;
}

}  // namespace rareledger::ledger
