#include "epcis/event_hash.h"

#include <algorithm>
#include <set>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/encoding.h"

namespace rareledger::epcis {
namespace {

// Something not canonicalised here: no CBV id for this event.
struct Unsupported {};

using Strings = std::vector<std::string>;

std::string Joined(Strings parts, bool sorted = true) {
  if (sorted) std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += p;
  return out;
}

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

// Rule 6: a decimal without trailing zeros ("23.0" -> "23", "0.50" -> "0.5").
std::string Number(std::string t) {
  const size_t dot = t.find('.');
  if (dot == std::string::npos || t.find_first_not_of("-0123456789.") != std::string::npos)
    return t;
  while (t.back() == '0') t.pop_back();
  if (t.back() == '.') t.pop_back();
  return t;
}

std::string Scalar(const json& v) {
  if (auto n = NumberText(v)) return Number(*n);
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return Number(Trim(v.get<std::string>()));
  throw Unsupported{};
}

std::string Text(const json& v) {
  if (!v.is_string()) throw Unsupported{};
  return Trim(v.get<std::string>());
}

// UTC with milliseconds (rules 8-9; a 4th decimal rounds half up).
std::string Time(const json& v) {
  auto utc = ToUtc(Text(v));
  if (!utc) throw Unsupported{};
  std::string base = utc->substr(0, 19),
              frac = utc->size() > 20 ? utc->substr(20, utc->size() - 21) : "";
  if (frac.size() > 3) {
    const bool up = frac[3] >= '5';
    frac.resize(3);
    if (up) {
      int ms = std::stoi(frac) + 1;
      if (ms == 1000) throw Unsupported{};  // the carry into the seconds is not done here
      frac = std::to_string(ms);
      frac.insert(0, 3 - frac.size(), '0');
    }
  }
  frac.resize(3, '0');
  return base + "." + frac + "Z";
}

class PreHash {
 public:
  explicit PreHash(const Prefixes& p) : p_(p) {}

  std::string Id(const json& v) const {
    auto id = CanonicalId(Text(v));
    if (!id) throw Unsupported{};
    return *id;
  }
  // Rules 14-16: bare, urn:epcglobal:cbv:<kind>: and CURIE forms as GS1 Web URIs.
  std::string Vocab(const json& v, const std::string& kind, const std::string& urn) const {
    const std::string s = Text(v);
    if (s.find(':') == std::string::npos) return "https://ref.gs1.org/cbv/" + kind + "-" + s;
    const std::string u = "urn:epcglobal:cbv:" + urn + ":";
    if (s.rfind(u, 0) == 0) return "https://ref.gs1.org/cbv/" + kind + "-" + s.substr(u.size());
    return Curie(s);
  }
  std::string Curie(const std::string& s) const {
    if (s.find("://") != std::string::npos) return s;
    return Expand(p_, s);
  }
  bool IsExtension(const std::string& key) const { return key.find(':') != std::string::npos; }
  // Rules 19-21: {namespace}local[=value], objects as their sorted children.
  void Extension(const std::string& key, const json& v, Strings* out) const {
    std::string iri = Expand(p_, key);
    if (iri == key && key.find("://") == std::string::npos) throw Unsupported{};  // unbound prefix
    size_t cut = iri.find_last_of("/#:");
    std::string ns = iri.substr(0, cut + 1), local = iri.substr(cut + 1);
    if (!ns.empty() && ns.back() == ':') ns.pop_back();  // urn:epcglobal:cbv:mda: as XML names it
    const std::string name = "{" + ns + "}" + local;
    auto one = [&](const json& x) {
      if (x.is_array()) throw Unsupported{};
      if (!x.is_object()) return out->push_back(name + "=" + Scalar(x));
      Strings children;
      for (const auto& [k, c] : x.items()) Extension(k, c, &children);
      out->push_back(name + Joined(children));
    };
    if (v.is_array())
      for (const auto& x : v) one(x);
    else
      one(v);
  }
  Strings Extensions(const json& object, const std::set<std::string>& fields) const {
    Strings out;
    for (const auto& [k, v] : object.items()) {
      if (fields.count(k)) continue;
      if (!IsExtension(k)) throw Unsupported{};
      Extension(k, v, &out);
    }
    return out;
  }

  std::string EpcList(const json& e, const char* key) const {
    if (!e.contains(key)) return "";
    Strings items;
    for (const auto& x : e[key]) items.push_back("epc=" + Id(x));
    return key + Joined(items);
  }
  std::string Quantities(const json& e, const char* key) const {
    if (!e.contains(key)) return "";
    Strings items;
    for (const auto& q : e[key]) {
      for (const auto& [k, v] : q.items())
        if (k != "epcClass" && k != "quantity" && k != "uom") throw Unsupported{};
      std::string s = "quantityElementepcClass=" + Id(q.at("epcClass"));
      if (q.contains("quantity")) s += "quantity=" + Scalar(q["quantity"]);
      if (q.contains("uom")) s += "uom=" + Text(q["uom"]);
      items.push_back(s);
    }
    return key + Joined(items);
  }
  std::string Location(const json& e, const char* key) const {
    if (!e.contains(key)) return "";
    for (const auto& [k, v] : e[key].items())
      if (k != "id") throw Unsupported{};  // extensions of readPoint/bizLocation: not done
    return key + std::string("id=") + Id(e[key].at("id"));
  }
  // Rule 13 as the reference's CBV 2.0 output has it: type, then the id.
  std::string Typed(const json& e, const char* list, const char* item, const char* kind,
                    const char* urn) const {
    if (!e.contains(list)) return "";
    Strings items;
    for (const auto& x : e[list]) {
      for (const auto& [k, v] : x.items())
        if (k != "type" && k != item) throw Unsupported{};
      std::string s = x.contains("type") ? "type=" + Vocab(x["type"], kind, urn) : "";
      items.push_back(s + item + "=" + Id(x.at(item)));
    }
    return list + Joined(items);
  }
  std::string Persistent(const json& e) const {
    if (!e.contains("persistentDisposition")) return "";
    std::string out = "persistentDisposition";
    for (const char* k : {"set", "unset"}) {
      if (!e["persistentDisposition"].contains(k)) continue;
      Strings items;
      for (const auto& x : e["persistentDisposition"][k])
        items.push_back(std::string(k) + "=" + Vocab(x, "Disp", "disp"));
      out += Joined(items);
    }
    return out;
  }

  std::string Sensors(const json& e, std::string* extensions) const;
  std::string Event(const json& e) const;

 private:
  std::string SensorPart(const json& part, const std::vector<std::string>& order,
                         std::string* extensions, const char* label) const;
  const Prefixes& p_;
};

const std::vector<std::string> kMetadata = {"time",
                                            "startTime",
                                            "endTime",
                                            "deviceID",
                                            "deviceMetadata",
                                            "rawData",
                                            "dataProcessingMethod",
                                            "bizRules"};
const std::vector<std::string> kReport = {"type",
                                          "exception",
                                          "deviceID",
                                          "deviceMetadata",
                                          "rawData",
                                          "dataProcessingMethod",
                                          "time",
                                          "microorganism",
                                          "chemicalSubstance",
                                          "value",
                                          "component",
                                          "stringValue",
                                          "booleanValue",
                                          "hexBinaryValue",
                                          "uriValue",
                                          "minValue",
                                          "maxValue",
                                          "meanValue",
                                          "sDev",
                                          "percRank",
                                          "percValue",
                                          "uom",
                                          "coordinateReferenceSystem"};

// One sensorMetadata or sensorReport: its fields in canonical order; its
// extensions (rule 21) go to `extensions`, under `label`.
std::string PreHash::SensorPart(const json& part, const std::vector<std::string>& order,
                                std::string* extensions, const char* label) const {
  std::string out = label;
  for (const auto& k : order) {
    if (!part.contains(k)) continue;
    const json& v = part[k];
    std::string s;
    if (k == "time" || k == "startTime" || k == "endTime")
      s = Time(v);
    else if (k == "type" && Text(v).find(':') == std::string::npos)
      s = "https://ref.gs1.org/voc/" + Text(v);
    else if (k == "type" || k == "component" || k == "exception")
      s = Curie(Text(v));
    else if (v.is_string())
      s = Id(v);
    else
      s = Scalar(v);
    out += k + "=" + s;
  }
  Strings ext = Extensions(part, std::set<std::string>(order.begin(), order.end()));
  if (!ext.empty()) *extensions += label + Joined(ext);
  return out;
}

std::string PreHash::Sensors(const json& e, std::string* extensions) const {
  if (!e.contains("sensorElementList")) return "";
  Strings elements, element_ext;
  for (const auto& se : e["sensorElementList"]) {
    std::string out = "sensorElement", ext;
    if (se.contains("sensorMetadata"))
      out += SensorPart(se["sensorMetadata"], kMetadata, &ext, "sensorMetadata");
    Strings reports;
    for (const auto& r : se.value("sensorReport", json::array()))
      reports.push_back(SensorPart(r, kReport, &ext, "sensorReport"));
    out += Joined(reports);
    Strings own = Extensions(se, {"sensorMetadata", "sensorReport"});
    if (!ext.empty() || !own.empty()) element_ext.push_back("sensorElement" + ext + Joined(own));
    elements.push_back(out);
  }
  *extensions = Joined(element_ext);
  return Joined(elements);
}

const std::set<std::string> kFields = {"type",
                                       "eventTime",
                                       "eventTimeZoneOffset",
                                       "eventID",
                                       "recordTime",
                                       "errorDeclaration",
                                       "certificationInfo",
                                       "epcList",
                                       "parentID",
                                       "inputEPCList",
                                       "childEPCs",
                                       "quantityList",
                                       "childQuantityList",
                                       "inputQuantityList",
                                       "outputEPCList",
                                       "outputQuantityList",
                                       "action",
                                       "transformationID",
                                       "bizStep",
                                       "disposition",
                                       "persistentDisposition",
                                       "readPoint",
                                       "bizLocation",
                                       "bizTransactionList",
                                       "sourceList",
                                       "destinationList",
                                       "sensorElementList",
                                       "ilmd",
                                       "@context"};

std::string PreHash::Event(const json& e) const {
  std::string out = "eventType=" + Text(e.at("type")) + "eventTime=" + Time(e.at("eventTime")) +
                    "eventTimeZoneOffset=" + Text(e.at("eventTimeZoneOffset"));
  out += EpcList(e, "epcList");
  if (e.contains("parentID")) out += "parentID=" + Id(e["parentID"]);
  out += EpcList(e, "inputEPCList") + EpcList(e, "childEPCs") + Quantities(e, "quantityList") +
         Quantities(e, "childQuantityList") + Quantities(e, "inputQuantityList") +
         EpcList(e, "outputEPCList") + Quantities(e, "outputQuantityList");
  if (e.contains("action")) out += "action=" + Text(e["action"]);
  if (e.contains("transformationID")) out += "transformationID=" + Id(e["transformationID"]);
  if (e.contains("bizStep")) out += "bizStep=" + Vocab(e["bizStep"], "BizStep", "bizstep");
  if (e.contains("disposition")) out += "disposition=" + Vocab(e["disposition"], "Disp", "disp");
  out += Persistent(e) + Location(e, "readPoint") + Location(e, "bizLocation");
  out += Typed(e, "bizTransactionList", "bizTransaction", "BTT", "btt");
  out += Typed(e, "sourceList", "source", "SDT", "sdt");
  out += Typed(e, "destinationList", "destination", "SDT", "sdt");
  std::string sensor_ext;
  out += Sensors(e, &sensor_ext);
  if (e.contains("ilmd")) out += "ilmd" + Joined(Extensions(e["ilmd"], {}));
  return out + sensor_ext + Joined(Extensions(e, kFields));
}

}  // namespace

std::optional<std::string> CbvPreHash(const json& event, const Prefixes& prefixes) {
  Prefixes as_written = prefixes;
  for (const auto& [prefix, iri] : prefixes.redefined) as_written.iri[prefix] = iri;
  try {
    return PreHash(as_written).Event(event);
  } catch (const Unsupported&) {
  } catch (const json::exception&) {  // a field of another shape than EPCIS gives it
  }
  return std::nullopt;
}

std::string EventHashId(const json& event, const Prefixes& prefixes) {
  auto pre = CbvPreHash(event, prefixes);
  if (!pre) return ComputedEventId(event);
  return "ni:///sha-256;" + ledger::HexEncode(ledger::Sha256(*pre)) + "?ver=CBV2.0";
}

}  // namespace rareledger::epcis
