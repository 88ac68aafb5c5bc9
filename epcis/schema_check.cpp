#include "epcis/schema_check.h"

#include <cctype>
#include <set>

#include "epcis/refusal.h"

namespace rareledger::epcis {
namespace {

const std::set<std::string>& EventTypes() {
  static const std::set<std::string> k = {"ObjectEvent", "AggregationEvent", "TransactionEvent",
                                          "TransformationEvent", "AssociationEvent"};
  return k;
}

// Keys the schema defines on events (any other must be a URI: an extension).
const std::set<std::string>& EventKeys() {
  static const std::set<std::string> k = {
      "type", "eventID", "eventTime", "eventTimeZoneOffset", "recordTime", "certificationInfo",
      "errorDeclaration", "action", "bizStep", "disposition", "persistentDisposition",
      "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList",
      "sensorElementList", "ilmd", "epcList", "quantityList", "parentID", "childEPCs",
      "childQuantityList", "inputEPCList", "inputQuantityList", "outputEPCList",
      "outputQuantityList", "transformationID", "@context"};
  return k;
}

const std::set<std::string>& DocumentKeys() {
  static const std::set<std::string> k = {"@context", "type", "schemaVersion", "creationDate",
                                          "epcisBody", "epcisHeader", "id", "sender",
                                          "receiver", "instanceIdentifier"};
  return k;
}

// The schema's uri format, as far as the mapping cares: scheme ":" rest.
bool IsUri(const std::string& s) {
  size_t colon = s.find(':');
  if (colon == 0 || colon == std::string::npos || colon + 1 == s.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (unsigned char c : s)
    if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' ||
        c == '{' || c == '|' || c == '}')
      return false;
  return true;
}

void Fail(const std::string& message) { Refuse("schema", message); }

void CheckQuantityList(const json& event, const char* key) {
  if (!event.contains(key)) return;
  const json& list = event[key];
  if (!list.is_array()) Fail(std::string(key) + " must be an array");
  for (const auto& q : list) {
    if (!q.is_object()) Fail(std::string(key) + " elements must be objects");
    for (const auto& [k, v] : q.items())
      if (k != "epcClass" && k != "quantity" && k != "uom")
        Fail(std::string(key) + " element has \"" + k + "\" (only epcClass, quantity, uom)");
    if (!q.contains("epcClass") || !q["epcClass"].is_string() ||
        !IsUri(q["epcClass"].get<std::string>()))
      Fail(std::string(key) + " element needs epcClass, a URI");
    if (q.contains("quantity") && !NumberText(q["quantity"]))
      Fail(std::string(key) + " quantity must be a number");
    if (q.contains("uom")) {
      if (!q["uom"].is_string()) Fail(std::string(key) + " uom must be a string");
      const auto& u = q["uom"].get_ref<const std::string&>();
      bool ok = u.size() >= 2 && u.size() <= 3;
      for (unsigned char c : u) ok = ok && (std::isupper(c) || std::isdigit(c));
      if (!ok) Fail(std::string(key) + " uom \"" + u + "\" does not match ^[A-Z0-9]{2,3}$");
    }
  }
}

void CheckUriList(const json& event, const char* key) {
  if (!event.contains(key)) return;
  if (!event[key].is_array()) Fail(std::string(key) + " must be an array");
  for (const auto& v : event[key])
    if (!v.is_string() || !IsUri(v.get<std::string>()))
      Fail(std::string(key) + " must hold URIs");
}

void CheckPartyList(const json& event, const char* key, const char* member) {
  if (!event.contains(key)) return;
  if (!event[key].is_array()) Fail(std::string(key) + " must be an array");
  for (const auto& v : event[key])
    if (!v.is_object() || !v.contains("type") || !v["type"].is_string() || !v.contains(member) ||
        !v[member].is_string() || !IsUri(v[member].get<std::string>()))
      Fail(std::string(key) + " elements need type and " + member + " (a URI)");
}

void CheckVocabulary(const json& event, const char* key, std::vector<std::string>* warnings) {
  if (!event.contains(key)) return;
  if (!event[key].is_string()) Fail(std::string(key) + " must be a string");
  const auto& v = event[key].get_ref<const std::string&>();
  if (v.rfind("urn:epcglobal:cbv:", 0) == 0)
    warnings->push_back(std::string(key) + " \"" + v +
                        "\" is EPCIS 1.x vocabulary, invalid in 2.0 JSON: read as its 2.0 value");
}

}  // namespace

void CheckDocumentShape(const json& doc, const Prefixes& prefixes,
                        std::vector<std::string>* warnings) {
  if (!doc.is_object()) Fail("the document is not a JSON object");
  if (!doc.contains("type") || doc["type"] != "EPCISDocument")
    Fail("type must be \"EPCISDocument\"");
  if (!doc.contains("schemaVersion") || doc["schemaVersion"] != "2.0")
    Fail("schemaVersion must be \"2.0\"");
  if (!doc.contains("creationDate") || !doc["creationDate"].is_string() ||
      !ToUtc(doc["creationDate"].get<std::string>()))
    Fail("creationDate must be an RFC 3339 date-time");
  if (!prefixes.gs1_context)
    Fail(std::string("@context must name the GS1 EPCIS 2.0 context (") + kGs1Context + ")");
  if (!doc.contains("epcisBody") || !doc["epcisBody"].is_object() ||
      !doc["epcisBody"].contains("eventList") || !doc["epcisBody"]["eventList"].is_array())
    Fail("epcisBody.eventList must be an array");
  for (const auto& [k, v] : doc.items())
    if (!DocumentKeys().count(k) && !IsUri(k))
      warnings->push_back("document key \"" + k + "\" is neither an EPCIS field nor a URI: ignored");
}

void CheckEventShape(const json& event, std::vector<std::string>* warnings) {
  if (!event.is_object()) Fail("event is not an object");
  if (!event.contains("type") || !event["type"].is_string() ||
      !EventTypes().count(event["type"].get<std::string>()))
    Fail("event type must be one of ObjectEvent, AggregationEvent, TransactionEvent, "
         "TransformationEvent, AssociationEvent");
  const std::string type = event["type"];
  if (!event.contains("eventTime") || !event["eventTime"].is_string() ||
      !ToUtc(event["eventTime"].get<std::string>()))
    Fail("eventTime must be an RFC 3339 date-time");
  if (!event.contains("eventTimeZoneOffset") || !event["eventTimeZoneOffset"].is_string() ||
      !ToUtc("2000-01-01T00:00:00" + event["eventTimeZoneOffset"].get<std::string>()))
    Fail("eventTimeZoneOffset must be +HH:MM or -HH:MM");
  if (event.contains("eventID") &&
      (!event["eventID"].is_string() || !IsUri(event["eventID"].get<std::string>())))
    Fail("eventID must be a URI");
  if (type == "TransformationEvent") {
    if (event.contains("action"))
      warnings->push_back("TransformationEvent carries \"action\" (the schema allows none): ignored");
  } else {
    static const std::set<std::string> kActions = {"ADD", "OBSERVE", "DELETE"};
    if (!event.contains("action") || !event["action"].is_string() ||
        !kActions.count(event["action"].get<std::string>()))
      Fail(type + " needs action ADD, OBSERVE or DELETE");
  }
  if (event.contains("ilmd")) {
    bool allowed = type == "TransformationEvent" || (type == "ObjectEvent" && event["action"] == "ADD");
    if (!allowed) Fail("ilmd is allowed only on ObjectEvent ADD and TransformationEvent");
    if (!event["ilmd"].is_object()) Fail("ilmd must be an object");
  }
  for (const char* key : {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"})
    CheckQuantityList(event, key);
  for (const char* key : {"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
    CheckUriList(event, key);
  CheckPartyList(event, "sourceList", "source");
  CheckPartyList(event, "destinationList", "destination");
  CheckVocabulary(event, "bizStep", warnings);
  CheckVocabulary(event, "disposition", warnings);
  if (event.contains("transformationID") && !event["transformationID"].is_string())
    Fail("transformationID must be a string");
  for (const auto& [k, v] : event.items())
    if (!EventKeys().count(k) && !IsUri(k))
      Fail(type + " key \"" + k + "\" is neither an EPCIS field nor a URI");
}

}  // namespace rareledger::epcis
