#include "epcis/document.h"

#include <cctype>
#include <cstdio>

#include "ledger/encoding.h"
#include "ledger/hash.h"

namespace rareledger::epcis {
namespace {

constexpr size_t kMaxDepth = 64;

// Builds the json tree from nlohmann's SAX events, keeping number text.
class KeepNumbers {
 public:
  explicit KeepNumbers(json* root) : root_(root) {}
  bool null() { return Add(nullptr); }
  bool boolean(bool b) { return Add(b); }
  bool number_integer(json::number_integer_t v) { return Add(v); }
  bool number_unsigned(json::number_unsigned_t v) { return Add(v); }
  bool number_float(json::number_float_t, const json::string_t& text) {
    return Add(json::binary(std::vector<std::uint8_t>(text.begin(), text.end()), kNumberTextSubtype));
  }
  bool string(json::string_t& s) { return Add(s); }
  bool binary(json::binary_t&) { return false; }
  bool start_object(std::size_t) { return Open(json::object()); }
  bool key(json::string_t& k) {
    key_ = k;
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) { return Open(json::array()); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    error_ = e.what();
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  json* Insert(json value) {
    if (stack_.empty()) {
      *root_ = std::move(value);
      return root_;
    }
    json* top = stack_.back();
    if (top->is_array()) {
      top->push_back(std::move(value));
      return &top->back();
    }
    json& slot = (*top)[key_];
    slot = std::move(value);
    return &slot;
  }
  bool Add(json value) {
    Insert(std::move(value));
    return true;
  }
  bool Open(json container) {
    if (stack_.size() >= kMaxDepth) {
      error_ = "nested deeper than " + std::to_string(kMaxDepth) + " levels";
      return false;
    }
    stack_.push_back(Insert(std::move(container)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  json* root_;
  std::vector<json*> stack_;
  std::string key_;
  std::string error_;
};

// The GS1 context's prefixes (schema/epcis-context.jsonld), protected.
const std::map<std::string, std::string>& Gs1Prefixes() {
  static const std::map<std::string, std::string> kPrefixes = {
      {"epcis", "https://ref.gs1.org/epcis/"},
      {"cbv", "https://ref.gs1.org/cbv/"},
      {"cbvmda", "urn:epcglobal:cbv:mda:"},
      {"gs1", "https://gs1.org/voc/"},
      {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
      {"owl", "http://www.w3.org/2002/07/owl#"},
      {"xsd", "http://www.w3.org/2001/XMLSchema#"},
      {"dcterms", "http://purl.org/dc/terms/"}};
  return kPrefixes;
}

void ReadContextEntry(const json& entry, Prefixes* p) {
  if (entry.is_string()) {
    const auto& url = entry.get_ref<const std::string&>();
    if (url == kGs1Context || url == kGs1ContextUnversioned) p->gs1_context = true;
    return;
  }
  if (!entry.is_object()) return;
  for (const auto& [prefix, value] : entry.items()) {
    std::string iri;
    if (value.is_string()) iri = value.get<std::string>();
    else if (value.is_object() && value.contains("@id") && value["@id"].is_string())
      iri = value["@id"].get<std::string>();
    else continue;
    auto gs1 = Gs1Prefixes().find(prefix);
    if (gs1 != Gs1Prefixes().end()) {
      if (gs1->second != iri) {
        p->warnings.push_back("@context redefines the protected GS1 prefix \"" + prefix +
                              "\" as " + iri + ": ignored, " + gs1->second + " stands");
        p->redefined[prefix] = iri;
      }
      continue;
    }
    p->iri[prefix] = iri;
  }
}

json WithNumberText(const json& v) {
  if (v.is_binary()) return "number:" + NumberText(v).value_or("");
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [k, x] : v.items()) out[k] = WithNumberText(x);
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (const auto& x : v) out.push_back(WithNumberText(x));
    return out;
  }
  return v;
}

bool Digits(const std::string& s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

ledger::Result<json> ParseDocument(std::string_view text) {
  json root;
  KeepNumbers sax(&root);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const json::exception& e) {
    return ledger::Status::InvalidArgument(std::string("not JSON: ") + e.what());
  }
  if (!ok)
    return ledger::Status::InvalidArgument("not JSON: " +
                                           (sax.error().empty() ? "malformed" : sax.error()));
  return root;
}

std::optional<std::string> NumberText(const json& v) {
  if (v.is_number_integer()) return v.dump();
  if (v.is_binary() && v.get_binary().has_subtype() &&
      v.get_binary().subtype() == kNumberTextSubtype) {
    const auto& b = v.get_binary();
    return std::string(b.begin(), b.end());
  }
  return std::nullopt;
}

Prefixes ReadPrefixes(const json& document) {
  Prefixes p;
  p.iri = Gs1Prefixes();
  if (!document.is_object() || !document.contains("@context")) return p;
  const json& ctx = document["@context"];
  if (ctx.is_array())
    for (const auto& entry : ctx) ReadContextEntry(entry, &p);
  else
    ReadContextEntry(ctx, &p);
  return p;
}

std::string Expand(const Prefixes& p, const std::string& key) {
  size_t colon = key.find(':');
  if (colon == std::string::npos || key.compare(colon, 3, "://") == 0) return key;
  auto it = p.iri.find(key.substr(0, colon));
  if (it == p.iri.end()) return key;
  return it->second + key.substr(colon + 1);
}

const json* FindByIri(const Prefixes& p, const json& object, const std::string& iri) {
  if (!object.is_object()) return nullptr;
  for (const auto& [k, v] : object.items())
    if (Expand(p, k) == iri) return &v;
  return nullptr;
}

const json* FindRl(const Prefixes& p, const json& object, const std::string& term) {
  return FindByIri(p, object, kRlNamespace + term);
}

std::optional<std::string> ToUtc(const std::string& s) {
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 || se > 59)
    return std::nullopt;
  size_t i = 19;
  std::string frac;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start || i - start > 9) return std::nullopt;
    frac = s.substr(start - 1, i - start + 1);
  }
  int offset_min = 0;
  if (i + 1 == s.size() && (s[i] == 'Z' || s[i] == 'z')) {
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh, om;
    if (!Digits(s, i + 1, 2, &oh) || !Digits(s, i + 4, 2, &om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset_min * 60;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t uy;
  int um, ud;
  CivilFromDays(days, &uy, &um, &ud);
  if (uy < 0 || uy > 9999) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", static_cast<int>(uy), um, ud,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return std::string(buf) + frac + "Z";
}

std::string ComputedEventId(const json& event) {
  return "ni:///sha-256;" + ledger::HexEncode(ledger::Sha256(WithNumberText(event).dump())) +
         "?ver=rl1";
}

}  // namespace rareledger::epcis
