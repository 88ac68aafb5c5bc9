#include "ledger/entry.h"

#include <boost/multiprecision/cpp_int.hpp>
#include <algorithm>
#include <cctype>
#include <set>

#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/vocabulary.h"

namespace rareledger::ledger {
namespace {

using nlohmann::json;

const char* const kRoles[] = {"producer", "processor", "manufacturer",
                              "auditor",  "regulator", "operator"};

// Field access with errors that name the field path ("payload.mass_g: ...").
class Fields {
 public:
  Fields(const json& obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  Status Has(const char* key) const {
    if (obj_.contains(key)) return Status::Ok();
    return Status::InvalidArgument(Name(key) + ": missing");
  }
  std::string Name(const std::string& key) const { return path_ + "." + key; }

  Result<std::string> Str(const char* key, size_t max_len = 4096) const {
    RL_RETURN_IF_ERROR(Has(key));
    const json& v = obj_.at(key);
    if (!v.is_string()) return Status::InvalidArgument(Name(key) + ": must be a string");
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty()) return Status::InvalidArgument(Name(key) + ": must not be empty");
    if (s.size() > max_len)
      return Status::InvalidArgument(Name(key) + ": longer than " + std::to_string(max_len) +
                                     " bytes");
    return s;
  }
  Result<std::optional<std::string>> OptStr(const char* key, size_t max_len = 4096) const {
    if (!obj_.contains(key)) return std::optional<std::string>();
    RL_ASSIGN_OR_RETURN(std::string s, Str(key, max_len));
    return std::optional<std::string>(std::move(s));
  }
  // An integer in [min, kMaxSafeInteger].
  Result<int64_t> Int(const char* key, int64_t min) const {
    RL_RETURN_IF_ERROR(Has(key));
    return IntValue(obj_.at(key), Name(key), min);
  }
  static Result<int64_t> IntValue(const json& v, const std::string& name, int64_t min) {
    auto bad = [&] {  // built only on failure: this runs for every integer field
      return Status::InvalidArgument(name + ": must be an integer in " + std::to_string(min) +
                                     ".." + std::to_string(kMaxSafeInteger));
    };
    if (!v.is_number_integer()) return bad();
    int64_t n = 0;
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(kMaxSafeInteger)) return bad();
      n = static_cast<int64_t>(u);
    } else {
      n = v.get<int64_t>();
    }
    if (n < min || n > kMaxSafeInteger) return bad();
    return n;
  }
  Result<const json*> Obj(const char* key) const {
    RL_RETURN_IF_ERROR(Has(key));
    const json& v = obj_.at(key);
    if (!v.is_object()) return Status::InvalidArgument(Name(key) + ": must be an object");
    return &v;
  }
  Result<const json*> Arr(const char* key) const {
    RL_RETURN_IF_ERROR(Has(key));
    const json& v = obj_.at(key);
    if (!v.is_array()) return Status::InvalidArgument(Name(key) + ": must be an array");
    if (v.empty()) return Status::InvalidArgument(Name(key) + ": must not be empty");
    return &v;
  }
  bool Contains(const char* key) const { return obj_.contains(key); }
  const std::string& path() const { return path_; }

 private:
  const json& obj_;
  std::string path_;
};

bool IsIdentifierChar(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '/' ||
         c == '#' || c == '+';
}

// Party and lot ids: 1..128 bytes of [A-Za-z0-9-_.:/#+], not starting with
// '.' (party ids name files in an export bundle). Ledger ids likewise.
Result<std::string> Id(const Fields& f, const char* key) {
  RL_ASSIGN_OR_RETURN(std::string s, f.Str(key, 128));
  for (unsigned char c : s) {
    if (!IsIdentifierChar(c))
      return Status::InvalidArgument(f.Name(key) +
                                     ": ids use only letters, digits and - _ . : / # +");
  }
  if (s[0] == '.' || s[0] == '/' || s.find("..") != std::string::npos)
    return Status::InvalidArgument(f.Name(key) + ": id must not start with '.' or '/' or hold '..'");
  return s;
}

// Party ids also name key files in an export bundle: [A-Za-z0-9._-] only.
Result<std::string> PartyId(const Fields& f, const char* key) {
  RL_ASSIGN_OR_RETURN(std::string s, Id(f, key));
  for (unsigned char c : s) {
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.')
      return Status::InvalidArgument(f.Name(key) + ": party ids use only letters, digits and - _ .");
  }
  return s;
}

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

std::string DidYouMean(const std::optional<std::string>& closest) {
  return closest ? " (did you mean " + *closest + "?)" : "";
}

// A country field: an officially assigned ISO 3166-1 alpha-2 code or XK;
// `allow_zz` for the operator's own registration (init's default country).
Result<std::string> Country(const Fields& f, const char* key, bool allow_zz = false) {
  RL_ASSIGN_OR_RETURN(std::string s, f.Str(key, 64));
  if (IsCountryCode(s) || (allow_zz && s == "ZZ")) return s;
  return Status::InvalidArgument(f.Name(key) + ": \"" + s +
                                 "\" is not an officially assigned ISO 3166-1 alpha-2 country "
                                 "code (user-assigned codes such as XX and ZZ are refused)" +
                                 DidYouMean(ClosestCountry(s)));
}

// A value of a closed vocabulary; the error lists it and names a near miss.
Result<std::string> OneOf(const Fields& f, const char* key, const char* what,
                          const std::vector<std::string>& vocabulary) {
  RL_ASSIGN_OR_RETURN(std::string s, f.Str(key, 64));
  if (std::find(vocabulary.begin(), vocabulary.end(), s) != vocabulary.end()) return s;
  return Status::InvalidArgument(f.Name(key) + ": " + what + " \"" + s + "\" is not one of " +
                                 Join(vocabulary) + DidYouMean(ClosestValue(s, vocabulary)));
}

Result<std::string> Category(const Fields& f, const char* key) {
  return OneOf(f, key, "category", LotCategories());
}

// A GS1 Global Location Number: 13 digits, the last the GS1 check digit
// (weights 1,3,1,3,... from the left over the first 12).
Result<std::optional<std::string>> GlnField(const Fields& f, const char* key) {
  RL_ASSIGN_OR_RETURN(std::optional<std::string> s, f.OptStr(key, 64));
  if (!s) return s;
  bool digits = s->size() == 13 && std::all_of(s->begin(), s->end(), [](unsigned char c) {
                  return std::isdigit(c) != 0;
                });
  if (!digits)
    return Status::InvalidArgument(f.Name(key) + ": \"" + *s + "\" is not a GLN (13 digits)");
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) sum += ((*s)[i] - '0') * (i % 2 == 0 ? 1 : 3);
  const int check = (10 - sum % 10) % 10;
  if ((*s)[12] - '0' != check)
    return Status::InvalidArgument(f.Name(key) + ": GLN \"" + *s +
                                   "\" has a wrong check digit (want " + std::to_string(check) +
                                   ")");
  return s;
}

bool IsTime(const std::string& s) {
  // YYYY-MM-DDTHH:MM:SS[.frac]Z
  if (s.size() < 20 || s.size() > 40) return false;
  const char* pat = "dddd-dd-ddTdd:dd:dd";
  for (size_t i = 0; i < 19; ++i) {
    char p = pat[i];
    if (p == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != p) return false;
  }
  size_t i = 19;
  if (s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  if (i + 1 != s.size() || s[i] != 'Z') return false;
  int year = std::stoi(s.substr(0, 4));
  int month = std::stoi(s.substr(5, 2)), day = std::stoi(s.substr(8, 2));
  int hour = std::stoi(s.substr(11, 2)), minute = std::stoi(s.substr(14, 2));
  int second = std::stoi(s.substr(17, 2));
  if (month < 1 || month > 12) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 60;
}

Result<std::string> PublicKeyField(const Fields& f, const char* key) {
  RL_ASSIGN_OR_RETURN(std::string b64, f.Str(key, 64));
  auto raw = Base64Decode(b64);
  if (!raw.ok() || raw->size() != kPublicKeySize)
    return Status::InvalidArgument(f.Name(key) + ": must be base64 of a 32-byte Ed25519 key");
  auto pk = PublicKey::FromRaw(*raw);
  if (!pk.ok()) return Status::InvalidArgument(f.Name(key) + ": " + pk.status().message());
  return std::move(raw).value();
}

Result<std::optional<Elements>> ElementsField(const Fields& f, int64_t mass_g) {
  if (!f.Contains("elements")) return std::optional<Elements>();
  RL_ASSIGN_OR_RETURN(const json* obj, f.Obj("elements"));
  Elements out;
  int64_t total = 0;
  for (const auto& [sym, grams] : obj->items()) {
    bool ok = !sym.empty() && sym.size() <= 3 && std::isupper(static_cast<unsigned char>(sym[0]));
    for (size_t i = 1; i < sym.size(); ++i) ok = ok && std::islower(static_cast<unsigned char>(sym[i]));
    if (!ok)
      return Status::InvalidArgument(f.Name("elements") + ": \"" + sym +
                                     "\" is not an element symbol");
    RL_ASSIGN_OR_RETURN(int64_t g, Fields::IntValue(grams, f.Name("elements." + sym), 0));
    total += g;
    if (total > mass_g)
      return Status::InvalidArgument(f.Name("elements") + ": element grams exceed mass_g (" +
                                     std::to_string(mass_g) + ")");
    out[sym] = g;
  }
  return std::optional<Elements>(std::move(out));
}

Result<std::vector<LotMass>> LotMasses(const Fields& f, const char* key) {
  RL_ASSIGN_OR_RETURN(const json* arr, f.Arr(key));
  std::vector<LotMass> out;
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& item = (*arr)[i];
    std::string path = f.Name(key) + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return Status::InvalidArgument(path + ": must be an object");
    Fields g(item, path);
    LotMass lm;
    RL_ASSIGN_OR_RETURN(lm.lot, Id(g, "lot"));
    RL_ASSIGN_OR_RETURN(lm.mass_g, g.Int("mass_g", 1));
    out.push_back(std::move(lm));
  }
  return out;
}

Result<Body> DecodeRegisterParty(const Fields& f) {
  RegisterParty b;
  RL_ASSIGN_OR_RETURN(b.id, PartyId(f, "id"));
  RL_ASSIGN_OR_RETURN(b.name, f.Str("name", 256));
  // init registers the operator with country ZZ unless told otherwise; a
  // second "operator" registration is refused by Apply.
  RL_ASSIGN_OR_RETURN(b.country, Country(f, "country", b.id == "operator"));
  RL_ASSIGN_OR_RETURN(const json* roles, f.Arr("roles"));
  std::set<std::string> seen;
  for (const json& r : *roles) {
    if (!r.is_string()) return Status::InvalidArgument(f.Name("roles") + ": must hold strings");
    const auto& s = r.get_ref<const std::string&>();
    bool known = false;
    for (const char* k : kRoles) known = known || s == k;
    if (!known) return Status::InvalidArgument(f.Name("roles") + ": unknown role \"" + s + "\"");
    if (!seen.insert(s).second)
      return Status::InvalidArgument(f.Name("roles") + ": role \"" + s + "\" listed twice");
    b.roles.push_back(s);
  }
  RL_ASSIGN_OR_RETURN(b.pubkey, PublicKeyField(f, "pubkey"));
  RL_ASSIGN_OR_RETURN(b.gln, GlnField(f, "gln"));
  return Body(std::move(b));
}

Result<Body> DecodeCreateLot(const Fields& f) {
  CreateLot b;
  RL_ASSIGN_OR_RETURN(b.lot, Id(f, "lot"));
  RL_ASSIGN_OR_RETURN(b.material, f.Str("material", 256));
  RL_ASSIGN_OR_RETURN(b.category, Category(f, "category"));
  RL_ASSIGN_OR_RETURN(b.mass_g, f.Int("mass_g", 1));
  RL_ASSIGN_OR_RETURN(b.value, f.Int("value", 0));
  RL_ASSIGN_OR_RETURN(b.origin, Country(f, "origin"));
  RL_ASSIGN_OR_RETURN(b.elements, ElementsField(f, b.mass_g));
  RL_ASSIGN_OR_RETURN(b.hs, f.OptStr("hs", 32));
  return Body(std::move(b));
}

Result<Body> DecodeTransfer(const Fields& f) {
  Transfer b;
  RL_ASSIGN_OR_RETURN(b.lot, Id(f, "lot"));
  RL_ASSIGN_OR_RETURN(b.to, PartyId(f, "to"));
  if (f.Contains("value")) {
    RL_ASSIGN_OR_RETURN(int64_t v, f.Int("value", 0));
    b.value = v;
  }
  RL_ASSIGN_OR_RETURN(b.end_user, f.OptStr("end_user", 256));
  if (f.Contains("end_use")) {
    RL_ASSIGN_OR_RETURN(std::string use, OneOf(f, "end_use", "end use", EndUses()));
    b.end_use = use;
  }
  return Body(std::move(b));
}

Result<Body> DecodeSplit(const Fields& f) {
  Split b;
  RL_ASSIGN_OR_RETURN(b.lot, Id(f, "lot"));
  RL_ASSIGN_OR_RETURN(b.parts, LotMasses(f, "parts"));
  std::set<std::string> ids;
  for (const auto& p : b.parts) {
    if (p.lot == b.lot || !ids.insert(p.lot).second)
      return Status::InvalidArgument(f.Name("parts") + ": lot id \"" + p.lot +
                                     "\" used twice in one split");
  }
  return Body(std::move(b));
}

Result<Body> DecodeTransform(const Fields& f) {
  Transform b;
  RL_ASSIGN_OR_RETURN(b.process, OneOf(f, "process", "process", TransformProcesses()));
  RL_ASSIGN_OR_RETURN(b.facility_country, Country(f, "facility_country"));
  if (f.Contains("technology_origin")) {
    RL_ASSIGN_OR_RETURN(std::string c, Country(f, "technology_origin"));
    b.technology_origin = c;
  }
  RL_ASSIGN_OR_RETURN(b.inputs, LotMasses(f, "inputs"));
  RL_ASSIGN_OR_RETURN(const json* outs, f.Arr("outputs"));
  std::set<std::string> ids;
  for (size_t i = 0; i < b.inputs.size(); ++i) {
    if (!ids.insert(b.inputs[i].lot).second)
      return Status::InvalidArgument(f.Name("inputs") + "[" + std::to_string(i) + "].lot: lot \"" +
                                     b.inputs[i].lot +
                                     "\" is listed twice in inputs (give it once with the total mass)");
  }
  std::set<std::string> out_ids;
  for (size_t i = 0; i < outs->size(); ++i) {
    const json& item = (*outs)[i];
    std::string path = f.Name("outputs") + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return Status::InvalidArgument(path + ": must be an object");
    Fields g(item, path);
    TransformOutput o;
    RL_ASSIGN_OR_RETURN(o.lot, Id(g, "lot"));
    RL_ASSIGN_OR_RETURN(o.material, g.Str("material", 256));
    RL_ASSIGN_OR_RETURN(o.category, Category(g, "category"));
    RL_ASSIGN_OR_RETURN(o.mass_g, g.Int("mass_g", 1));
    RL_ASSIGN_OR_RETURN(o.value, g.Int("value", 0));
    RL_ASSIGN_OR_RETURN(o.elements, ElementsField(g, o.mass_g));
    if (ids.count(o.lot) || !out_ids.insert(o.lot).second)
      return Status::InvalidArgument(path + ".lot: lot id \"" + o.lot +
                                     "\" used twice in one transform");
    b.outputs.push_back(std::move(o));
  }
  if (f.Contains("allocation")) {
    RL_ASSIGN_OR_RETURN(const json* alloc, f.Obj("allocation"));
    std::map<std::string, Fraction> shares;
    boost::multiprecision::cpp_rational sum = 0;
    for (const auto& [lot, v] : alloc->items()) {
      std::string path = f.Name("allocation") + "." + lot;
      if (!out_ids.count(lot))
        return Status::InvalidArgument(path + ": not an output of this transform");
      if (!v.is_string()) return Status::InvalidArgument(path + ": must be a string \"n/d\"");
      auto fr = ParseFraction(v.get_ref<const std::string&>());
      if (!fr.ok()) return Status::InvalidArgument(path + ": " + fr.status().message());
      sum += boost::multiprecision::cpp_rational(fr->num, fr->den);
      shares[lot] = *fr;
    }
    if (shares.size() != out_ids.size())
      return Status::InvalidArgument(f.Name("allocation") + ": must give a share for every output");
    if (sum != 1)
      return Status::InvalidArgument(f.Name("allocation") + ": fractions sum to " + sum.str() +
                                     ", not 1");
    b.allocation = std::move(shares);
  }
  return Body(std::move(b));
}

Result<Body> DecodeAttest(const Fields& f) {
  Attest b;
  RL_ASSIGN_OR_RETURN(const json* subject, f.Obj("subject"));
  Fields s(*subject, f.Name("subject"));
  if (s.Contains("lot") == s.Contains("entry") || subject->size() != 1)
    return Status::InvalidArgument(f.Name("subject") + ": must be {\"lot\": ID} or {\"entry\": INDEX}");
  if (s.Contains("lot")) {
    RL_ASSIGN_OR_RETURN(std::string lot, Id(s, "lot"));
    b.subject_lot = lot;
  } else {
    RL_ASSIGN_OR_RETURN(int64_t e, s.Int("entry", 0));
    b.subject_entry = static_cast<uint64_t>(e);
  }
  RL_ASSIGN_OR_RETURN(b.claim, f.Str("claim", 4096));
  RL_ASSIGN_OR_RETURN(b.detail, f.OptStr("detail", 65536));
  return Body(std::move(b));
}

Result<Body> DecodeRotateKey(const Fields& f) {
  RotateKey b;
  RL_ASSIGN_OR_RETURN(b.pubkey, PublicKeyField(f, "pubkey"));
  return Body(std::move(b));
}

Result<Body> DecodeRevokeParty(const Fields& f) {
  RevokeParty b;
  RL_ASSIGN_OR_RETURN(b.id, PartyId(f, "id"));
  RL_ASSIGN_OR_RETURN(b.reason, f.Str("reason", 4096));
  return Body(std::move(b));
}

Result<Body> DecodeCorrectLot(const Fields& f) {
  CorrectLot b;
  RL_ASSIGN_OR_RETURN(b.lot, Id(f, "lot"));
  RL_ASSIGN_OR_RETURN(const json* obj, f.Obj("corrections"));
  Fields c(*obj, f.Name("corrections"));
  for (const auto& [key, unused] : obj->items()) {
    (void)unused;
    if (key == "origin" || key == "mass_g" || key == "remaining_g" || key == "value" ||
        key == "made_in")
      return Status::InvalidArgument(c.Name(key) + ": " + key +
                                     " is never correctable (correctable: material, category, "
                                     "elements, hs)");
    if (key != "material" && key != "category" && key != "elements" && key != "hs")
      return Status::InvalidArgument(c.Name(key) +
                                     ": unknown field (correctable: material, category, "
                                     "elements, hs)");
  }
  if (obj->empty())
    return Status::InvalidArgument(c.path() + ": must correct at least one of material, "
                                              "category, elements, hs");
  if (c.Contains("material")) {
    RL_ASSIGN_OR_RETURN(std::string m, c.Str("material", 256));
    b.material = m;
  }
  if (c.Contains("category")) {
    RL_ASSIGN_OR_RETURN(std::string cat, Category(c, "category"));
    b.category = cat;
  }
  RL_ASSIGN_OR_RETURN(b.elements, ElementsField(c, kMaxSafeInteger));
  RL_ASSIGN_OR_RETURN(b.hs, c.OptStr("hs", 32));
  RL_ASSIGN_OR_RETURN(b.reason, f.Str("reason", 4096));
  return Body(std::move(b));
}

bool IsDay(const std::string& d) {
  return IsTime(d + "T00:00:00Z") && d.size() == 10;
}

// A list of one scope field: non-empty strings, each checked by `check`.
template <typename Check>
Result<std::optional<std::vector<std::string>>> ScopeList(const Fields& f, const char* key,
                                                          Check check) {
  if (!f.Contains(key)) return std::optional<std::vector<std::string>>();
  RL_ASSIGN_OR_RETURN(const json* arr, f.Arr(key));
  std::vector<std::string> out;
  for (size_t i = 0; i < arr->size(); ++i) {
    json one = {{"v", (*arr)[i]}};
    Fields item(one, f.Name(key) + "[" + std::to_string(i) + "]");
    RL_ASSIGN_OR_RETURN(std::string v, check(item));
    out.push_back(std::move(v));
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<LicenceScope> DecodeScope(const Fields& f) {
  LicenceScope scope;
  if (!f.Contains("scope")) return scope;
  RL_ASSIGN_OR_RETURN(const json* obj, f.Obj("scope"));
  Fields s(*obj, f.Name("scope"));
  for (const auto& [key, unused] : obj->items()) {
    (void)unused;
    if (key != "lots" && key != "categories" && key != "consignees" && key != "end_uses")
      return Status::InvalidArgument(s.Name(key) +
                                     ": unknown field (want lots, categories, consignees, "
                                     "end_uses)");
  }
  RL_ASSIGN_OR_RETURN(scope.lots, ScopeList(s, "lots", [](const Fields& v) { return Id(v, "v"); }));
  RL_ASSIGN_OR_RETURN(scope.categories,
                      ScopeList(s, "categories", [](const Fields& v) { return Category(v, "v"); }));
  RL_ASSIGN_OR_RETURN(scope.consignees, ScopeList(s, "consignees", [](const Fields& v) {
                        return PartyId(v, "v");
                      }));
  RL_ASSIGN_OR_RETURN(scope.end_uses, ScopeList(s, "end_uses", [](const Fields& v) {
                        return OneOf(v, "v", "end use", EndUses());
                      }));
  return scope;
}

Result<Body> DecodeLicence(const Fields& f) {
  Licence b;
  RL_ASSIGN_OR_RETURN(b.licence, Id(f, "licence"));
  RL_ASSIGN_OR_RETURN(b.authority, f.Str("authority", 256));
  RL_ASSIGN_OR_RETURN(b.policy, f.Str("policy", 128));
  RL_ASSIGN_OR_RETURN(b.licensee, PartyId(f, "licensee"));
  RL_ASSIGN_OR_RETURN(b.kind, OneOf(f, "kind", "licence kind", {"individual", "general"}));
  RL_ASSIGN_OR_RETURN(b.scope, DecodeScope(f));
  RL_ASSIGN_OR_RETURN(const json* valid, f.Obj("valid"));
  Fields v(*valid, f.Name("valid"));
  RL_ASSIGN_OR_RETURN(b.valid_from, v.Str("from", 10));
  RL_ASSIGN_OR_RETURN(b.valid_to, v.Str("to", 10));
  for (const std::string* d : {&b.valid_from, &b.valid_to})
    if (!IsDay(*d))
      return Status::InvalidArgument(f.Name("valid") + ": \"" + *d +
                                     "\" is not a YYYY-MM-DD date");
  if (b.valid_to <= b.valid_from)
    return Status::InvalidArgument(f.Name("valid") + ": to " + b.valid_to +
                                   " must be after from " + b.valid_from + " (to is exclusive)");
  RL_ASSIGN_OR_RETURN(b.document_sha256, f.OptStr("document_sha256", 64));
  if (b.document_sha256 &&
      (b.document_sha256->size() != 64 ||
       !std::all_of(b.document_sha256->begin(), b.document_sha256->end(),
                    [](unsigned char c) { return std::isdigit(c) || (c >= 'a' && c <= 'f'); })))
    return Status::InvalidArgument(f.Name("document_sha256") +
                                   ": must be 64 lowercase hex digits (a SHA-256)");
  return Body(std::move(b));
}

Result<Body> DecodeRevokeLicence(const Fields& f) {
  RevokeLicence b;
  RL_ASSIGN_OR_RETURN(b.licence, Id(f, "licence"));
  RL_ASSIGN_OR_RETURN(b.reason, f.Str("reason", 4096));
  return Body(std::move(b));
}

struct TypeInfo {
  const char* name;
  EntryType type;
  Result<Body> (*decode)(const Fields&);
};
const TypeInfo kTypes[] = {
    {"register_party", EntryType::kRegisterParty, DecodeRegisterParty},
    {"create_lot", EntryType::kCreateLot, DecodeCreateLot},
    {"transfer", EntryType::kTransfer, DecodeTransfer},
    {"split", EntryType::kSplit, DecodeSplit},
    {"transform", EntryType::kTransform, DecodeTransform},
    {"attest", EntryType::kAttest, DecodeAttest},
    {"rotate_key", EntryType::kRotateKey, DecodeRotateKey},
    {"revoke_party", EntryType::kRevokeParty, DecodeRevokeParty},
    {"correct_lot", EntryType::kCorrectLot, DecodeCorrectLot},
    {"licence", EntryType::kLicence, DecodeLicence},
    {"revoke_licence", EntryType::kRevokeLicence, DecodeRevokeLicence},
};

// Decodes a parsed payload object into `entry` (not its byte fields).
Status DecodePayload(const json& payload, Entry* entry) {
  if (!payload.is_object()) return Status::InvalidArgument("payload: must be an object");
  Fields f(payload, "payload");
  RL_ASSIGN_OR_RETURN(std::string type, f.Str("type", 64));
  const TypeInfo* info = nullptr;
  for (const auto& t : kTypes)
    if (type == t.name) info = &t;
  if (info == nullptr)
    return Status::InvalidArgument("payload.type: unknown entry type \"" + type + "\"");
  entry->type = info->type;
  RL_ASSIGN_OR_RETURN(entry->ledger, Id(f, "ledger"));
  RL_ASSIGN_OR_RETURN(entry->party, PartyId(f, "party"));
  RL_ASSIGN_OR_RETURN(entry->seq, f.Int("seq", 1));
  RL_ASSIGN_OR_RETURN(entry->time, f.Str("time", 64));
  if (!IsTime(entry->time))
    return Status::InvalidArgument("payload.time: must be RFC 3339 UTC like 2026-01-31T12:00:00Z");
  RL_ASSIGN_OR_RETURN(entry->body, info->decode(f));
  return Status::Ok();
}

Result<Entry> DecodeParsedEnvelope(const json& env) {
  if (!env.is_object()) return Status::InvalidArgument("envelope: must be a JSON object");
  for (const auto& [key, unused] : env.items()) {
    (void)unused;
    if (key != "payload" && key != "sig")
      return Status::InvalidArgument("envelope: unknown key \"" + key +
                                     "\" (want only payload and sig)");
  }
  Fields f(env, "envelope");
  RL_ASSIGN_OR_RETURN(std::string sig_b64, f.Str("sig", 128));
  auto sig = Base64Decode(sig_b64);
  if (!sig.ok() || sig->size() != kSignatureSize)
    return Status::InvalidArgument("envelope.sig: must be base64 of a 64-byte Ed25519 signature");
  RL_RETURN_IF_ERROR(f.Has("payload"));
  Entry entry;
  RL_RETURN_IF_ERROR(DecodePayload(env.at("payload"), &entry));
  entry.sig = std::move(sig).value();
  entry.signed_bytes = Canonicalize(env.at("payload"));
  // The canonical envelope is this concatenation ("payload" < "sig"): no
  // second serialisation of the payload.
  entry.leaf = MakeEnvelope(entry.signed_bytes, entry.sig);
  // SPEC: C2SP entry bundles carry each leaf behind a big-endian uint16.
  if (entry.leaf.size() > kMaxLeafBytes)
    return Status::InvalidArgument("envelope: its canonical form is " +
                                   std::to_string(entry.leaf.size()) +
                                   " bytes, more than the 65,535 a log entry may have");
  return entry;
}

}  // namespace

const std::vector<std::string>& EndUses() {
  static const std::vector<std::string> kSet = {"civil", "military", "humanitarian", "research",
                                                "unknown"};
  return kSet;
}

const char* EntryTypeName(EntryType type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t.name;
  return "unknown";
}

Result<Fraction> ParseFraction(std::string_view text) {
  auto bad = [text] {
    std::string msg = "\"";
    msg.append(text.data(), text.size());
    msg += "\" is not an exact fraction \"n/d\" (0 <= n, 0 < d)";
    return Status::InvalidArgument(std::move(msg));
  };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return bad();
  auto parse = [](std::string_view digits, uint64_t* out) {
    if (digits.empty() || digits.size() > 16) return false;
    if (digits.size() > 1 && digits[0] == '0') return false;
    uint64_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    *out = v;
    return v <= static_cast<uint64_t>(kMaxSafeInteger);
  };
  Fraction fr;
  if (!parse(text.substr(0, slash), &fr.num) || !parse(text.substr(slash + 1), &fr.den) ||
      fr.den == 0)
    return bad();
  return fr;
}

Result<Entry> DecodeEnvelope(std::string_view text) {
  RL_ASSIGN_OR_RETURN(json env, ParseStrict(text));
  return DecodeParsedEnvelope(env);
}

Result<Entry> DecodeLeaf(std::string_view leaf) {
  auto entry = DecodeEnvelope(leaf);
  if (!entry.ok()) return Status::Corruption("stored entry does not decode: " + entry.status().message());
  if (entry->leaf != leaf) return Status::Corruption("stored entry is not in canonical form");
  return entry;
}

Result<std::string> CanonicalPayload(std::string_view text) {
  RL_ASSIGN_OR_RETURN(json payload, ParseStrict(text));
  Entry scratch;
  RL_RETURN_IF_ERROR(DecodePayload(payload, &scratch));
  return Canonicalize(payload);
}

std::string MakeEnvelope(std::string_view canonical_payload, std::string_view sig) {
  // Keys "payload" < "sig": the canonical envelope is this concatenation.
  std::string out = "{\"payload\":";
  out.append(canonical_payload);
  out += ",\"sig\":\"";
  out += Base64Encode(sig);
  out += "\"}";
  return out;
}

nlohmann::json PayloadJson(const Entry& entry) {
  auto parsed = ParseStrict(entry.signed_bytes);
  return parsed.ok() ? std::move(parsed).value() : nlohmann::json();
}

}  // namespace rareledger::ledger
