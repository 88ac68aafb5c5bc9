#include "graph/policy.h"

#include "ledger/canonical_json.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ledger/crypto.h"
#include "ledger/entry.h"

namespace rareledger::graph {
namespace {

using json = nlohmann::json;
using ledger::Result;
using ledger::Status;

const std::set<std::string> kPolicyFields = {"id",
                                             "title",
                                             "source",
                                             "sources",
                                             "notes",
                                             "caveats",
                                             "version",
                                             "description",
                                             "controlling_country",
                                             "effect",
                                             "humanitarian_exemption",
                                             "controlled_elements",
                                             "controlled_categories",
                                             "categories",
                                             "rules"};
const std::set<std::string> kRuleFields = {
    "id",        "kind",     "threshold", "comparator",   "subject_categories",
    "processes", "in_force", "suspended", "review_after", "notes",
    "source",    "sources",  "title",     "status_unknown", "unconfirmed_subjects",
    "confidence", "lists", "end_uses", "destinations", "countries", "exempt_below_mass_share"};

Status Bad(const std::string& where, const std::string& what) {
  return Status::InvalidArgument("policy " + where + ": " + what);
}

Status CheckFields(const json& obj, const std::set<std::string>& allowed,
                   const std::string& where) {
  for (const auto& [key, value] : obj.items()) {
    if (!allowed.count(key)) return Bad(where, "unknown field " + nlohmann::json(key).dump());
  }
  return Status::Ok();
}

Result<std::string> String(const json& obj, const std::string& key, const std::string& where,
                           bool required = true) {
  if (!obj.contains(key)) {
    if (required) return Bad(where, "missing field \"" + key + "\"");
    return std::string();
  }
  if (!obj[key].is_string() || obj[key].get_ref<const std::string&>().empty())
    return Bad(where + "." + key, "must be a non-empty string");
  return obj[key].get<std::string>();
}

Result<std::set<std::string>> StringSet(const json& obj, const std::string& key,
                                        const std::string& where) {
  if (!obj.contains(key)) return Bad(where, "missing field \"" + key + "\"");
  const json& arr = obj[key];
  if (!arr.is_array()) return Bad(where + "." + key, "must be an array of strings");
  std::set<std::string> out;
  for (const json& v : arr) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty())
      return Bad(where + "." + key, "must be an array of non-empty strings");
    if (!out.insert(v.get<std::string>()).second)
      return Bad(where + "." + key, "\"" + v.get<std::string>() + "\" listed twice");
  }
  return out;
}

Status CheckVocabulary(const std::set<std::string>& got, const std::set<std::string>& vocab,
                       const std::string& where, const char* noun) {
  for (const std::string& s : got) {
    if (!vocab.count(s)) return Bad(where, std::string("unknown ") + noun + " \"" + s + "\"");
  }
  return Status::Ok();
}

Result<DateWindow> ParseWindow(const json& w, const std::string& where,
                               const std::set<std::string>& fields = {"from", "to"}) {
  if (!w.is_object()) return Bad(where, "must be an object {\"from\", \"to\"}");
  RL_RETURN_IF_ERROR(CheckFields(w, fields, where));
  DateWindow out;
  RL_ASSIGN_OR_RETURN(out.from, String(w, "from", where));
  if (!IsValidDate(out.from)) return Bad(where + ".from", "invalid date \"" + out.from + "\"");
  if (!w.contains("to")) return Bad(where, "missing field \"to\" (use null for open-ended)");
  if (!w["to"].is_null()) {
    RL_ASSIGN_OR_RETURN(std::string to, String(w, "to", where));
    if (!IsValidDate(to)) return Bad(where + ".to", "invalid date \"" + to + "\"");
    if (to <= out.from)
      return Bad(where, "window from " + out.from + " to " + to + " is empty (from >= to)");
    out.to = to;
  }
  return out;
}

bool Overlap(const DateWindow& a, const DateWindow& b) {
  return (!b.to || a.from < *b.to) && (!a.to || b.from < *a.to);
}

Result<std::vector<DateWindow>> ParseWindows(const json& rule, const std::string& key,
                                             const std::string& where, bool required) {
  std::vector<DateWindow> out;
  if (!rule.contains(key)) {
    if (required) return Bad(where, "missing field \"" + key + "\"");
    return out;
  }
  if (!rule[key].is_array()) return Bad(where + "." + key, "must be an array of windows");
  for (size_t i = 0; i < rule[key].size(); ++i) {
    std::string w = where + "." + key + "[" + std::to_string(i) + "]";
    RL_ASSIGN_OR_RETURN(DateWindow win, ParseWindow(rule[key][i], w));
    for (const DateWindow& prev : out) {
      if (Overlap(prev, win)) return Bad(w, "overlaps the window from " + prev.from);
    }
    out.push_back(std::move(win));
  }
  return out;
}

// `status_unknown`: windows that may carry `checked` (the sources searched)
// and `note`; none overlaps another or a suspended window.
Result<std::vector<UnknownWindow>> ParseUnknown(const json& r, const Rule& rule,
                                                const std::string& where) {
  std::vector<UnknownWindow> out;
  if (!r.contains("status_unknown")) return out;
  if (!r["status_unknown"].is_array()) return Bad(where + ".status_unknown", "must be an array");
  for (size_t i = 0; i < r["status_unknown"].size(); ++i) {
    const std::string w = where + ".status_unknown[" + std::to_string(i) + "]";
    const json& win = r["status_unknown"][i];
    UnknownWindow u;
    RL_ASSIGN_OR_RETURN(u.window, ParseWindow(win, w, {"from", "to", "checked", "note"}));
    if (win.contains("checked")) {
      RL_RETURN_IF_ERROR(StringSet(win, "checked", w).status());  // validated; kept in file order
      for (const json& c : win["checked"]) u.checked.push_back(c.get<std::string>());
    }
    for (const UnknownWindow& prev : out)
      if (Overlap(prev.window, u.window)) return Bad(w, "overlaps the window from " + prev.window.from);
    for (const DateWindow& s : rule.suspended)
      if (Overlap(s, u.window)) return Bad(w, "overlaps the suspended window from " + s.from);
    out.push_back(std::move(u));
  }
  return out;
}

Result<UnconfirmedScope> ParseUnconfirmed(const json& r, const Policy& policy,
                                          const std::string& where) {
  const std::string w = where + ".unconfirmed_subjects";
  const json& u = r["unconfirmed_subjects"];
  if (!u.is_object()) return Bad(w, "must be an object {\"categories\", \"note\"}");
  RL_RETURN_IF_ERROR(CheckFields(u, {"categories", "note"}, w));
  UnconfirmedScope out;
  RL_ASSIGN_OR_RETURN(out.categories, StringSet(u, "categories", w));
  RL_RETURN_IF_ERROR(CheckVocabulary(out.categories, policy.categories, w, "category"));
  RL_ASSIGN_OR_RETURN(out.note, String(u, "note", w));
  return out;
}

Result<RuleKind> ParseKind(const std::string& kind, const std::string& where) {
  if (kind == "value_ratio") return RuleKind::kValueRatio;
  if (kind == "technology") return RuleKind::kTechnology;
  if (kind == "origin_item") return RuleKind::kOriginItem;
  if (kind == "end_user") return RuleKind::kEndUser;
  if (kind == "end_use") return RuleKind::kEndUse;
  if (kind == "process_location") return RuleKind::kProcessLocation;
  return Bad(where + ".kind", "unknown rule kind \"" + kind +
                                  "\" (want value_ratio, technology, origin_item, end_user, "
                                  "end_use or process_location)");
}

Status ParseValueRatio(const json& r, const std::string& where, Rule* rule) {
  RL_ASSIGN_OR_RETURN(std::string threshold, String(r, "threshold", where));
  auto t = ParseRational(threshold);
  if (!t.ok()) return Bad(where + ".threshold", t.status().message());
  rule->threshold = *t;
  if (r.contains("comparator")) {
    RL_ASSIGN_OR_RETURN(std::string cmp, String(r, "comparator", where));
    if (cmp != ">=" && cmp != ">")
      return Bad(where + ".comparator", "bad comparator \"" + cmp + "\" (want \">=\" or \">\")");
    rule->strict = cmp == ">";
  }
  return Status::Ok();
}

bool IsCountry(const std::string& c) {
  return c.size() == 2 && std::isupper(static_cast<unsigned char>(c[0])) &&
         std::isupper(static_cast<unsigned char>(c[1]));
}

// end_user (`lists`) and end_use (`end_uses`), both with `destinations`.
Status ParseScreening(const json& r, const std::string& where, const ListLoader& lists,
                      Rule* rule, Policy* policy) {
  if (r.contains("destinations")) {
    RL_ASSIGN_OR_RETURN(rule->destinations, StringSet(r, "destinations", where));
    for (const std::string& c : rule->destinations)
      if (!IsCountry(c)) return Bad(where + ".destinations", "\"" + c + "\" is not a country code");
  }
  if (rule->kind == RuleKind::kEndUse) {
    RL_ASSIGN_OR_RETURN(rule->end_uses, StringSet(r, "end_uses", where));
    if (rule->end_uses.empty()) return Bad(where + ".end_uses", "must not be empty");
    const auto& vocab = ledger::EndUses();
    return CheckVocabulary(rule->end_uses, std::set<std::string>(vocab.begin(), vocab.end()),
                           where + ".end_uses", "end use");
  }
  RL_ASSIGN_OR_RETURN(auto ids, StringSet(r, "lists", where));
  if (ids.empty()) return Bad(where + ".lists", "must not be empty");
  for (const std::string& id : ids) {
    if (!policy->lists.count(id)) {
      if (!lists) return Bad(where + ".lists", "no screening list \"" + id + "\" (no list directory)");
      auto list = lists(id);
      if (!list.ok()) return Bad(where + ".lists", list.status().message());
      policy->lists.emplace(id, std::move(list).value());
    }
    rule->lists.push_back(id);
  }
  return Status::Ok();
}

Status ParseKindFields(const json& r, const std::string& where, Rule* rule) {
  if (rule->kind != RuleKind::kValueRatio) {
    for (const char* key : {"threshold", "comparator"}) {
      if (r.contains(key))
        return Bad(where, std::string("\"") + key + "\" is only for value_ratio rules");
    }
  }
  const bool processes =
      rule->kind == RuleKind::kTechnology || rule->kind == RuleKind::kProcessLocation;
  if (!processes && r.contains("processes"))
    return Bad(where, "\"processes\" is only for technology and process_location rules");
  if (rule->kind != RuleKind::kProcessLocation)
    for (const char* key : {"countries", "exempt_below_mass_share"})
      if (r.contains(key))
        return Bad(where, std::string("\"") + key + "\" is only for process_location rules");
  if (rule->kind != RuleKind::kEndUser && r.contains("lists"))
    return Bad(where, "\"lists\" is only for end_user rules");
  if (rule->kind != RuleKind::kEndUse && r.contains("end_uses"))
    return Bad(where, "\"end_uses\" is only for end_use rules");
  const bool screening = rule->kind == RuleKind::kEndUser || rule->kind == RuleKind::kEndUse;
  if (!screening && r.contains("destinations"))
    return Bad(where, "\"destinations\" is only for end_user and end_use rules");
  if (rule->kind == RuleKind::kValueRatio) return ParseValueRatio(r, where, rule);
  if (processes) {
    RL_ASSIGN_OR_RETURN(rule->processes, StringSet(r, "processes", where));
    if (rule->processes.empty()) return Bad(where + ".processes", "must not be empty");
    RL_RETURN_IF_ERROR(
        CheckVocabulary(rule->processes, KnownProcesses(), where + ".processes", "process"));
  }
  if (rule->kind == RuleKind::kProcessLocation) {
    RL_ASSIGN_OR_RETURN(rule->countries, StringSet(r, "countries", where));
    if (rule->countries.empty()) return Bad(where + ".countries", "must not be empty");
    for (const std::string& c : rule->countries)
      if (!IsCountry(c)) return Bad(where + ".countries", "\"" + c + "\" is not a country code");
    if (r.contains("exempt_below_mass_share")) {
      RL_ASSIGN_OR_RETURN(std::string share, String(r, "exempt_below_mass_share", where));
      auto q = ParseRational(share);
      if (!q.ok()) return Bad(where + ".exempt_below_mass_share", q.status().message());
      if (*q > 1) return Bad(where + ".exempt_below_mass_share", "\"" + share + "\" is above 1");
      rule->exempt_below_mass_share = *q;
    }
  }
  return Status::Ok();
}

Result<Rule> ParseRule(const json& r, const std::string& where, Policy& policy,
                       const ListLoader& lists) {
  if (!r.is_object()) return Bad(where, "must be an object");
  RL_RETURN_IF_ERROR(CheckFields(r, kRuleFields, where));
  Rule rule;
  RL_ASSIGN_OR_RETURN(rule.id, String(r, "id", where));
  const std::string w = "rule " + rule.id;
  RL_ASSIGN_OR_RETURN(std::string kind, String(r, "kind", w));
  RL_ASSIGN_OR_RETURN(rule.kind, ParseKind(kind, w));
  RL_RETURN_IF_ERROR(ParseKindFields(r, w, &rule));
  if (rule.kind == RuleKind::kEndUser || rule.kind == RuleKind::kEndUse)
    RL_RETURN_IF_ERROR(ParseScreening(r, w, lists, &rule, &policy));
  if (r.contains("subject_categories")) {
    RL_ASSIGN_OR_RETURN(auto cats, StringSet(r, "subject_categories", w));
    RL_RETURN_IF_ERROR(
        CheckVocabulary(cats, policy.categories, w + ".subject_categories", "category"));
    rule.subject_categories = std::move(cats);
  }
  RL_ASSIGN_OR_RETURN(rule.in_force, ParseWindows(r, "in_force", w, true));
  RL_ASSIGN_OR_RETURN(rule.suspended, ParseWindows(r, "suspended", w, false));
  RL_ASSIGN_OR_RETURN(rule.status_unknown, ParseUnknown(r, rule, w));
  RL_ASSIGN_OR_RETURN(rule.source, String(r, "source", w, false));
  RL_ASSIGN_OR_RETURN(rule.confidence, String(r, "confidence", w, false));
  if (!rule.confidence.empty() && rule.confidence != "confirmed" &&
      rule.confidence != "unconfirmed")
    return Bad(w + ".confidence",
               "\"" + rule.confidence + "\" (want confirmed or unconfirmed)");
  if (r.contains("unconfirmed_subjects")) {
    RL_ASSIGN_OR_RETURN(rule.unconfirmed_subjects, ParseUnconfirmed(r, policy, w));
    for (const std::string& c : rule.unconfirmed_subjects->categories)
      if (rule.AppliesToCategory(c))
        return Bad(w + ".unconfirmed_subjects", "\"" + c + "\" is already a subject category");
  }
  if (r.contains("review_after")) {
    RL_ASSIGN_OR_RETURN(std::string d, String(r, "review_after", w));
    if (!IsValidDate(d)) return Bad(w + ".review_after", "invalid date \"" + d + "\"");
    rule.review_after = d;
  }
  return rule;
}

// `caveats`: an optional array of non-empty strings, kept in file order.
Result<std::vector<std::string>> Caveats(const json& doc, const std::string& where) {
  std::vector<std::string> out;
  if (!doc.contains("caveats")) return out;
  const json& arr = doc["caveats"];
  if (!arr.is_array()) return Bad(where + ".caveats", "must be an array of strings");
  for (const json& c : arr) {
    if (!c.is_string() || c.get_ref<const std::string&>().empty())
      return Bad(where + ".caveats", "must be an array of non-empty strings");
    out.push_back(c.get<std::string>());
  }
  return out;
}

Status ParseHeader(const json& doc, Policy* p) {
  RL_RETURN_IF_ERROR(CheckFields(doc, kPolicyFields, "file"));
  RL_ASSIGN_OR_RETURN(p->id, String(doc, "id", "file"));
  RL_ASSIGN_OR_RETURN(p->title, String(doc, "title", "file", false));
  RL_ASSIGN_OR_RETURN(p->controlling_country, String(doc, "controlling_country", p->id));
  const std::string& cc = p->controlling_country;
  if (cc.size() != 2 || !std::isupper(static_cast<unsigned char>(cc[0])) ||
      !std::isupper(static_cast<unsigned char>(cc[1])))
    return Bad(p->id + ".controlling_country", "\"" + cc + "\" is not an ISO 3166-1 alpha-2 code");
  RL_ASSIGN_OR_RETURN(p->controlled_elements, StringSet(doc, "controlled_elements", p->id));
  p->categories = DefaultCategories();
  if (doc.contains("categories")) {
    RL_ASSIGN_OR_RETURN(p->categories, StringSet(doc, "categories", p->id));
  }
  RL_ASSIGN_OR_RETURN(p->controlled_categories, StringSet(doc, "controlled_categories", p->id));
  RL_ASSIGN_OR_RETURN(p->caveats, Caveats(doc, p->id));
  if (doc.contains("effect")) {
    RL_ASSIGN_OR_RETURN(std::string effect, String(doc, "effect", p->id));
    if (effect != "licence" && effect != "prohibition")
      return Bad(p->id + ".effect",
                 "unknown effect \"" + effect + "\" (want licence or prohibition)");
    p->effect = effect == "licence" ? Effect::kLicence : Effect::kProhibition;
  }
  if (doc.contains("humanitarian_exemption")) {
    const json& h = doc["humanitarian_exemption"];
    const std::string w = p->id + ".humanitarian_exemption";
    if (!h.is_object()) return Bad(w, "must be an object {\"report\", \"source\", \"confidence\"}");
    RL_RETURN_IF_ERROR(CheckFields(h, {"report", "source", "confidence", "notes"}, w));
    RL_ASSIGN_OR_RETURN(std::string report, String(h, "report", w));
    p->humanitarian_report = report;
  }
  return CheckVocabulary(p->controlled_categories, p->categories, p->id + ".controlled_categories",
                         "category");
}

Status ParseRules(const json& doc, Policy* p, const ListLoader& lists) {
  if (!doc.contains("rules")) return Bad(p->id, "missing field \"rules\"");
  if (!doc["rules"].is_array()) return Bad(p->id + ".rules", "must be an array");
  std::set<std::string> ids;
  for (size_t i = 0; i < doc["rules"].size(); ++i) {
    RL_ASSIGN_OR_RETURN(Rule rule,
                        ParseRule(doc["rules"][i], "rules[" + std::to_string(i) + "]", *p, lists));
    if (!ids.insert(rule.id).second) return Bad("rule " + rule.id, "duplicate rule id");
    p->rules.push_back(std::move(rule));
  }
  return Status::Ok();
}

// The *.json under `dir` whose id is `id`, in file-name order.
Result<ScreeningList> FindList(const std::filesystem::path& dir, const std::string& id) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    auto list = ParseScreeningList(buf.str());
    if (!list.ok()) return list.status().WithContext(f.string());
    if (list->id == id) return list;
  }
  return Status::NotFound("no screening list \"" + id + "\" in " + dir.string());
}

}  // namespace

const char* RuleKindName(RuleKind kind) {
  switch (kind) {
    case RuleKind::kValueRatio:
      return "value_ratio";
    case RuleKind::kTechnology:
      return "technology";
    case RuleKind::kOriginItem:
      return "origin_item";
    case RuleKind::kEndUser:
      return "end_user";
    case RuleKind::kEndUse:
      return "end_use";
    case RuleKind::kProcessLocation:
      return "process_location";
  }
  return "?";
}

const std::set<std::string>& DefaultCategories() {
  static const std::set<std::string> kSet = {"re_ore",   "re_concentrate", "re_oxide",  "re_metal",
                                             "re_alloy", "re_magnet",      "re_target", "component",
                                             "product",  "other"};
  return kSet;
}

const std::set<std::string>& KnownProcesses() {
  static const std::set<std::string> kSet = {"mining",
                                             "separation",
                                             "metal_smelting",
                                             "alloying",
                                             "magnet_manufacturing",
                                             "recycling",
                                             "component_manufacturing",
                                             "assembly",
                                             "other"};
  return kSet;
}

std::string TodayUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

bool IsValidDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + ((month == 2 && leap) ? 1 : 0);
}

Result<Policy> ParsePolicy(std::string_view json_text, const ListLoader& lists) {
  // Strict like entries (no floats, no duplicate keys), and the error says
  // where: "invalid JSON at line 3, column 1 (byte 17): ...".
  auto parsed = ledger::ParseStrict(json_text);
  if (!parsed.ok()) return Bad("file", parsed.status().message());
  json doc = std::move(parsed).value();
  if (!doc.is_object()) return Bad("file", "must be a JSON object");
  Policy p;
  RL_RETURN_IF_ERROR(ParseHeader(doc, &p));
  RL_RETURN_IF_ERROR(ParseRules(doc, &p, lists));
  p.sha256 = ledger::HexEncode(ledger::Sha256(json_text));
  return p;
}

ListLoader ListDirectory(const std::string& dir) {
  return [dir](const std::string& id) { return FindList(dir, id); };
}

Result<Policy> LoadPolicy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("policy file " + path + ": cannot open");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::filesystem::path dir = std::filesystem::path(path).parent_path() / "lists";
  auto p = ParsePolicy(buf.str(), ListDirectory(dir.string()));
  if (!p.ok()) return p.status().WithContext(path);
  return p;
}

const UnknownWindow* UnknownWindowOn(const Rule& rule, const std::string& date) {
  for (const UnknownWindow& u : rule.status_unknown)
    if (u.window.Contains(date)) return &u;
  return nullptr;
}

InForce RuleStatus(const Rule& rule, const std::string& date) {
  if (UnknownWindowOn(rule, date)) return InForce::kUnknown;
  auto in = [&](const DateWindow& w) { return w.Contains(date); };
  const bool yes = std::any_of(rule.in_force.begin(), rule.in_force.end(), in) &&
                   std::none_of(rule.suspended.begin(), rule.suspended.end(), in);
  return yes ? InForce::kYes : InForce::kNo;
}

bool RuleInForce(const Rule& rule, const std::string& date) {
  return RuleStatus(rule, date) == InForce::kYes;
}

bool ReviewDue(const Rule& rule, const std::string& date) {
  return rule.review_after && date >= *rule.review_after;
}

}  // namespace rareledger::graph
