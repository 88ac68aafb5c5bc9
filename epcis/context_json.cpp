#include "epcis/context_json.h"

#include <limits>

namespace rareledger::epcis {
namespace {

using ledger::Result;
using ledger::Status;
using nlohmann::json;

Status Bad(const std::string& what) {
  return Status::IOError("the import context's " + what + " is missing or malformed");
}

Result<std::string> Text(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return Bad(std::string("\"") + key + "\"");
  return j[key].get<std::string>();
}

// A non-negative integer that fits T.
template <typename T>
Result<T> Count(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_number_integer() || j[key].get<int64_t>() < 0 ||
      j[key].get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<T>::max()))
    return Bad(where + "\"" + key + "\"");
  return j[key].get<T>();
}

Result<std::map<std::string, LotHolding>> Lots(const json& j) {
  if (!j.contains("lots") || !j["lots"].is_object()) return Bad("\"lots\"");
  std::map<std::string, LotHolding> out;
  for (const auto& [id, l] : j["lots"].items()) {
    if (!l.is_object()) return Bad("lot " + id);
    LotHolding h;
    RL_ASSIGN_OR_RETURN(h.holder, Text(l, "holder"));
    RL_ASSIGN_OR_RETURN(h.remaining_g, Count<int64_t>(l, "remaining_g", "lot " + id + " "));
    RL_ASSIGN_OR_RETURN(h.acquired_at, Count<uint64_t>(l, "acquired_at", "lot " + id + " "));
    out[id] = std::move(h);
  }
  return out;
}

Result<std::map<std::string, std::vector<uint64_t>>> Imported(const json& j) {
  if (!j.contains("imported") || !j["imported"].is_object()) return Bad("\"imported\"");
  std::map<std::string, std::vector<uint64_t>> out;
  for (const auto& [id, entries] : j["imported"].items()) {
    if (!entries.is_array()) return Bad("imported " + id);
    for (const auto& e : entries) {
      if (!e.is_number_unsigned()) return Bad("imported " + id);
      out[id].push_back(e.get<uint64_t>());
    }
  }
  return out;
}

}  // namespace

json ContextJson(const ImportContext& c) {
  json lots = json::object(), imported = json::object();
  for (const auto& [id, l] : c.lots)
    lots[id] = {
        {"holder", l.holder}, {"remaining_g", l.remaining_g}, {"acquired_at", l.acquired_at}};
  for (const auto& [id, entries] : c.imported) imported[id] = entries;
  return {{"ledger", c.ledger_id},   {"currency", c.currency},         {"party", c.signer},
          {"next_seq", c.next_seq},  {"size", c.next_index},           {"parties", c.party_by_gln},
          {"lots", std::move(lots)}, {"imported", std::move(imported)}};
}

Result<ImportContext> ContextFromJson(const json& j) {
  if (!j.is_object()) return Bad("body");
  ImportContext c;
  RL_ASSIGN_OR_RETURN(c.ledger_id, Text(j, "ledger"));
  RL_ASSIGN_OR_RETURN(c.currency, Text(j, "currency"));
  RL_ASSIGN_OR_RETURN(c.signer, Text(j, "party"));
  RL_ASSIGN_OR_RETURN(c.next_seq, Count<int64_t>(j, "next_seq", ""));
  if (c.next_seq < 1) return Bad("\"next_seq\"");
  RL_ASSIGN_OR_RETURN(c.next_index, Count<uint64_t>(j, "size", ""));
  if (!j.contains("parties") || !j["parties"].is_object()) return Bad("\"parties\"");
  for (const auto& [gln, party] : j["parties"].items()) {
    if (!party.is_string()) return Bad("party of GLN " + gln);
    c.party_by_gln[gln] = party.get<std::string>();
  }
  RL_ASSIGN_OR_RETURN(c.lots, Lots(j));
  RL_ASSIGN_OR_RETURN(c.imported, Imported(j));
  return c;
}

}  // namespace rareledger::epcis
