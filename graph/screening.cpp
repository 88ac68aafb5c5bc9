// Screening lists (SPEC "Licences and screening"): the files under
// policies/lists/, validated like policies (docs/policies.md "Screening
// lists").
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "graph/policy.h"
#include "ledger/canonical_json.h"
#include "ledger/crypto.h"

namespace rareledger::graph {
namespace {

using json = nlohmann::json;
using ledger::Result;
using ledger::Status;

Status Bad(const std::string& where, const std::string& what) {
  return Status::InvalidArgument("screening list " + where + ": " + what);
}

Result<std::string> Text(const json& obj, const char* key, const std::string& where,
                         bool required = true) {
  if (!obj.contains(key)) {
    if (required) return Bad(where, std::string("missing field \"") + key + "\"");
    return std::string();
  }
  if (!obj[key].is_string() || obj[key].get_ref<const std::string&>().empty())
    return Bad(where + "." + key, "must be a non-empty string");
  return obj[key].get<std::string>();
}

Status Fields(const json& obj, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& [key, value] : obj.items())
    if (!allowed.count(key)) return Bad(where, "unknown field " + json(key).dump());
  return Status::Ok();
}

Result<ListEntry> ParseEntry(const json& e, const std::string& where) {
  if (!e.is_object()) return Bad(where, "must be an object");
  RL_RETURN_IF_ERROR(Fields(e,
                            {"name", "party", "country", "listed", "delisted", "source",
                             "confidence", "notes", "instrument"},
                            where));
  ListEntry out;
  RL_ASSIGN_OR_RETURN(out.name, Text(e, "name", where));
  out.key = NameKey(out.name);
  RL_ASSIGN_OR_RETURN(std::string party, Text(e, "party", where, false));
  if (!party.empty()) out.party = party;
  RL_ASSIGN_OR_RETURN(out.country, Text(e, "country", where));
  if (out.country.size() != 2 || !std::isupper(static_cast<unsigned char>(out.country[0])) ||
      !std::isupper(static_cast<unsigned char>(out.country[1])))
    return Bad(where + ".country", "\"" + out.country + "\" is not a country code");
  RL_ASSIGN_OR_RETURN(out.listed, Text(e, "listed", where));
  if (!IsValidDate(out.listed)) return Bad(where + ".listed", "invalid date \"" + out.listed + "\"");
  RL_ASSIGN_OR_RETURN(std::string delisted, Text(e, "delisted", where, false));
  if (!delisted.empty()) {
    if (!IsValidDate(delisted) || delisted <= out.listed)
      return Bad(where + ".delisted", "\"" + delisted + "\" is not a date after " + out.listed);
    out.delisted = delisted;
  }
  RL_ASSIGN_OR_RETURN(out.source, Text(e, "source", where));
  RL_ASSIGN_OR_RETURN(out.confidence, Text(e, "confidence", where));
  if (out.confidence != "confirmed" && out.confidence != "unconfirmed")
    return Bad(where + ".confidence",
               "\"" + out.confidence + "\" (want confirmed or unconfirmed)");
  return out;
}

}  // namespace

std::string NameKey(std::string_view name) {
  std::string out;
  for (unsigned char c : name)
    if (!std::isspace(c)) out += static_cast<char>(std::tolower(c));
  return out;
}

Result<ScreeningList> ParseScreeningList(std::string_view json_text) {
  auto parsed = ledger::ParseStrict(json_text);
  if (!parsed.ok()) return Bad("file", parsed.status().message());
  const json doc = std::move(parsed).value();
  if (!doc.is_object()) return Bad("file", "must be a JSON object");
  RL_RETURN_IF_ERROR(
      Fields(doc, {"id", "title", "source", "sources", "notes", "caveats", "version", "entries"},
             "file"));
  ScreeningList out;
  RL_ASSIGN_OR_RETURN(out.id, Text(doc, "id", "file"));
  RL_ASSIGN_OR_RETURN(out.title, Text(doc, "title", out.id));
  RL_ASSIGN_OR_RETURN(out.source, Text(doc, "source", out.id));
  if (!doc.contains("entries") || !doc["entries"].is_array())
    return Bad(out.id, "\"entries\" must be an array");
  std::set<std::string> keys;
  for (size_t i = 0; i < doc["entries"].size(); ++i) {
    const std::string w = out.id + ".entries[" + std::to_string(i) + "]";
    RL_ASSIGN_OR_RETURN(ListEntry e, ParseEntry(doc["entries"][i], w));
    if (!keys.insert(e.key + "\n" + e.listed).second)
      return Bad(w, "\"" + e.name + "\" is listed twice on " + e.listed);
    out.entries.push_back(std::move(e));
  }
  out.sha256 = ledger::HexEncode(ledger::Sha256(json_text));
  return out;
}

}  // namespace rareledger::graph
