#include "epcis/identifiers.h"

#include <cctype>

#include "epcis/document.h"
#include "epcis/refusal.h"

namespace rareledger::epcis {
namespace {

constexpr size_t kMaxIdBytes = 128;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// The ledger's id alphabet (docs/formats.md): [A-Za-z0-9-_.:/#+].
bool IsIdChar(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '/' ||
         c == '#' || c == '+';
}

std::string CheckedId(const std::string& id, const std::string& epc_class) {
  if (id.empty() || id.size() > kMaxIdBytes)
    Refuse("bad_id", "epcClass " + epc_class + " gives a lot id of " + std::to_string(id.size()) +
                         " bytes (want 1.." + std::to_string(kMaxIdBytes) + ")");
  for (unsigned char c : id)
    if (!IsIdChar(c))
      Refuse("bad_id", "epcClass " + epc_class + ": lot id has '" + std::string(1, c) +
                           "', outside the ledger's id alphabet [A-Za-z0-9-_.:/#+]");
  return id;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string PercentDecode(const std::string& s, const std::string& epc_class) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) Refuse("bad_id", "epcClass " + epc_class + ": bad percent-escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string DigitalLink(const std::string& gtin14, const std::string& lot,
                        const std::string& epc_class) {
  if (gtin14.size() != 14 || !AllDigits(gtin14) ||
      Gs1CheckDigit(std::string_view(gtin14).substr(0, 13)) != gtin14[13])
    Refuse("bad_id", "epcClass " + epc_class + ": GTIN " + gtin14 + " has a wrong check digit");
  return CheckedId("https://id.gs1.org/01/" + gtin14 + "/10/" + PercentDecode(lot, epc_class),
                   epc_class);
}

// urn:epc:class:lgtin:<GCP>.<indicator+item ref>.<lot>
std::string FromLgtinUrn(const std::string& rest, const std::string& epc_class) {
  size_t a = rest.find('.');
  size_t b = a == std::string::npos ? a : rest.find('.', a + 1);
  if (b == std::string::npos) Refuse("bad_id", "epcClass " + epc_class + ": not GCP.ItemRef.Lot");
  std::string gcp = rest.substr(0, a), item = rest.substr(a + 1, b - a - 1);
  if (!AllDigits(gcp) || !AllDigits(item) || item.empty() || gcp.size() + item.size() != 13)
    Refuse("bad_id", "epcClass " + epc_class + ": company prefix and item reference must be 13 digits");
  std::string body = item.substr(0, 1) + gcp + item.substr(1);
  return DigitalLink(body + Gs1CheckDigit(body), rest.substr(b + 1), epc_class);
}

// https://<host>/01/<GTIN>[/10/<lot>][?query]: any host (the event hash
// canonicalises custom domains to id.gs1.org).
std::optional<std::string> FromDigitalLink(const std::string& epc_class) {
  size_t scheme = epc_class.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  size_t path = epc_class.find('/', scheme + 3);
  if (path == std::string::npos) return std::nullopt;
  std::string p = epc_class.substr(path);
  p = p.substr(0, p.find('?'));
  if (p.rfind("/01/", 0) != 0) return std::nullopt;
  std::string rest = p.substr(4);
  size_t slash = rest.find('/');
  std::string gtin = rest.substr(0, slash);
  if (!AllDigits(gtin) || gtin.size() > 14) return std::nullopt;
  gtin.insert(0, 14 - gtin.size(), '0');
  if (slash == std::string::npos || slash + 1 == rest.size())
    Refuse("class_without_lot", "epcClass " + epc_class + " names a GTIN without a lot");
  std::string ai = rest.substr(slash + 1);
  if (ai.rfind("10/", 0) != 0)
    Refuse("bad_id", "epcClass " + epc_class + " is not a GTIN + lot (instance or other AI)");
  std::string lot = ai.substr(3);
  if (lot.empty() || lot.find('/') != std::string::npos)
    Refuse("bad_id", "epcClass " + epc_class + ": lot followed by further AIs");
  return DigitalLink(gtin, lot, epc_class);
}

}  // namespace

char Gs1CheckDigit(std::string_view digits) {
  int sum = 0;
  // Weights 3,1,3,... from the rightmost digit.
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    sum += i % 2 == 0 ? 3 * d : d;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string LotIdOfClass(const std::string& epc_class) {
  const std::string own = std::string(kRlNamespace) + "lot/";
  if (epc_class.rfind(own, 0) == 0) return CheckedId(epc_class.substr(own.size()), epc_class);
  if (epc_class.rfind("urn:epc:idpat:", 0) == 0)
    Refuse("pattern_class", "epcClass " + epc_class + " is a pattern (every instance of a GTIN), not a lot");
  if (epc_class.rfind("urn:epc:class:lgtin:", 0) == 0)
    return FromLgtinUrn(epc_class.substr(20), epc_class);
  if (epc_class.rfind("urn:epc:id:", 0) == 0)
    Refuse("bad_id", "epcClass " + epc_class + " is an instance identifier, not a class");
  if (auto dl = FromDigitalLink(epc_class)) return *dl;
  if (epc_class.find(':') == std::string::npos)
    Refuse("bad_id", "epcClass " + epc_class + " is not an absolute URI");
  return CheckedId(epc_class, epc_class);
}

std::string ClassOfLot(const std::string& lot_id) {
  if (lot_id.rfind("https://", 0) == 0 || lot_id.rfind("http://", 0) == 0 ||
      lot_id.rfind("urn:", 0) == 0)
    return lot_id;
  return std::string(kRlNamespace) + "lot/" + lot_id;
}

std::optional<std::string> GlnOf(const std::string& id) {
  std::string body;
  for (const char* urn : {"urn:epc:id:pgln:", "urn:epc:id:sgln:"}) {
    std::string prefix = urn;
    if (id.rfind(prefix, 0) != 0) continue;
    std::string rest = id.substr(prefix.size());
    size_t dot = rest.find('.');
    if (dot == std::string::npos) return std::nullopt;
    std::string gcp = rest.substr(0, dot), ref = rest.substr(dot + 1);
    ref = ref.substr(0, ref.find('.'));  // an SGLN's extension is not part of the GLN
    if (!AllDigits(gcp) || (!ref.empty() && !AllDigits(ref)) || gcp.size() + ref.size() != 12)
      return std::nullopt;
    body = gcp + ref;
    return body + Gs1CheckDigit(body);
  }
  for (const char* ai : {"/417/", "/414/"}) {
    size_t at = id.find(ai);
    if (id.rfind("https://", 0) != 0 || at == std::string::npos) continue;
    std::string gln = id.substr(at + 5, 13);
    if (id.size() != at + 5 + 13 || !AllDigits(gln)) return std::nullopt;
    if (Gs1CheckDigit(std::string_view(gln).substr(0, 12)) != gln[12]) return std::nullopt;
    return gln;
  }
  return std::nullopt;
}

std::string PglnUri(const std::string& gln) { return "https://id.gs1.org/417/" + gln; }

}  // namespace rareledger::epcis
