// CanonicalId (event_hash.h): EPC URIs and Digital Links as constrained
// canonical GS1 Digital Links, per GS1 TDS 2.0 and Digital Link 1.2 §4.11.
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "epcis/event_hash.h"
#include "epcis/identifiers.h"

namespace rareledger::epcis {
namespace {

constexpr const char* kDl = "https://id.gs1.org/";

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::string WithCheck(const std::string& digits) { return digits + Gs1CheckDigit(digits); }

// urn:epc:id:<scheme>:<fields> (or class:lgtin) -> Digital Link.
std::optional<std::string> FromEpcUrn(const std::string& scheme,
                                      const std::vector<std::string>& f) {
  if (f.empty() || !AllDigits(f[0])) return std::nullopt;
  const std::string& gcp = f[0];
  auto digits = [&](size_t i) { return f.size() > i && AllDigits(f[i]); };
  // Serials and lots with a percent escape would need TDS-to-DL re-encoding.
  for (const auto& x : f)
    if (x.find('%') != std::string::npos || x.empty()) return std::nullopt;
  if ((scheme == "sgtin" || scheme == "lgtin") && f.size() == 3 && digits(1) &&
      gcp.size() + f[1].size() == 13) {
    const std::string gtin = WithCheck(f[1].substr(0, 1) + gcp + f[1].substr(1));
    return kDl + std::string("01/") + gtin + (scheme == "sgtin" ? "/21/" : "/10/") + f[2];
  }
  if (scheme == "sscc" && f.size() == 2 && digits(1) && gcp.size() + f[1].size() == 17)
    return kDl + std::string("00/") + WithCheck(f[1].substr(0, 1) + gcp + f[1].substr(1));
  if ((scheme == "sgln" && f.size() == 3) || (scheme == "pgln" && f.size() == 2)) {
    if (!digits(1) || gcp.size() + f[1].size() != 12) return std::nullopt;
    const std::string gln = WithCheck(gcp + f[1]);
    if (scheme == "pgln") return kDl + std::string("417/") + gln;
    return kDl + std::string("414/") + gln + (f[2] == "0" ? "" : "/254/" + f[2]);
  }
  if (scheme == "gdti" && f.size() == 3 && digits(1) && gcp.size() + f[1].size() == 12)
    return kDl + std::string("253/") + WithCheck(gcp + f[1]) + f[2];
  if (scheme == "gsrn" && f.size() == 2 && digits(1) && gcp.size() + f[1].size() == 17)
    return kDl + std::string("8018/") + WithCheck(gcp + f[1]);
  if (scheme == "giai" && f.size() == 2) return kDl + std::string("8004/") + gcp + f[1];
  return std::nullopt;
}

// The primary keys a constrained Digital Link may start with, and for each
// the qualifiers it keeps, finest first.
const std::vector<std::string>* Qualifiers(const std::string& key) {
  static const std::map<std::string, std::vector<std::string>> k = {{"00", {}},
                                                                    {"01", {"21", "10", "235"}},
                                                                    {"253", {}},
                                                                    {"255", {}},
                                                                    {"401", {}},
                                                                    {"402", {}},
                                                                    {"414", {"254"}},
                                                                    {"417", {}},
                                                                    {"8003", {}},
                                                                    {"8004", {}},
                                                                    {"8006", {"21", "10"}},
                                                                    {"8010", {"8011"}},
                                                                    {"8017", {}},
                                                                    {"8018", {}}};
  auto it = k.find(key);
  return it == k.end() ? nullptr : &it->second;
}

// http(s)://HOST/KEY/VALUE[/AI/VALUE...][?query] -> the constrained form;
// nothing when the path is not a Digital Link.
std::optional<std::string> ConstrainedDl(const std::string& uri) {
  size_t scheme_end = uri.find("://");
  size_t path = uri.find('/', scheme_end + 3);
  if (path == std::string::npos) return std::nullopt;
  std::string rest = uri.substr(path + 1);
  rest = rest.substr(0, rest.find_first_of("?#"));
  std::vector<std::string> seg = Split(rest, '/');
  if (seg.size() < 2 || seg.size() % 2 != 0) return std::nullopt;
  const auto* keep = Qualifiers(seg[0]);
  if (keep == nullptr || seg[1].empty()) return std::nullopt;
  std::map<std::string, std::string> pairs;
  for (size_t i = 2; i < seg.size(); i += 2) {
    if (!AllDigits(seg[i])) return std::nullopt;
    pairs[seg[i]] = seg[i + 1];
  }
  std::string out = kDl + seg[0] + "/" + seg[1];
  for (const auto& q : *keep)
    if (pairs.count(q)) return out + "/" + q + "/" + pairs[q];
  return out;
}

}  // namespace

std::optional<std::string> CanonicalId(const std::string& id) {
  for (const char* prefix : {"urn:epc:id:", "urn:epc:class:"}) {
    const std::string p = prefix;
    if (id.rfind(p, 0) != 0) continue;
    const size_t colon = id.find(':', p.size());
    if (colon == std::string::npos) return std::nullopt;
    const std::string scheme = id.substr(p.size(), colon - p.size());
    if ((p == "urn:epc:class:") != (scheme == "lgtin")) return std::nullopt;
    return FromEpcUrn(scheme, Split(id.substr(colon + 1), '.'));
  }
  // A pattern of every instance of a GTIN: the GTIN's Digital Link.
  const std::string pattern = "urn:epc:idpat:sgtin:";
  if (id.rfind(pattern, 0) == 0 && id.size() > pattern.size() + 2 &&
      id.compare(id.size() - 2, 2, ".*") == 0) {
    auto f = Split(id.substr(pattern.size(), id.size() - pattern.size() - 2), '.');
    if (f.size() == 2 && AllDigits(f[0]) && AllDigits(f[1]) && f[0].size() + f[1].size() == 13)
      return kDl + std::string("01/") + WithCheck(f[1].substr(0, 1) + f[0] + f[1].substr(1));
    return std::nullopt;
  }
  if (id.rfind("urn:epc:", 0) == 0) return std::nullopt;  // other patterns, raw, tag URIs
  if (id.rfind("https://", 0) == 0 || id.rfind("http://", 0) == 0)
    if (auto dl = ConstrainedDl(id)) return dl;
  return id;
}

}  // namespace rareledger::epcis
