// The part of the GS1 EPCIS 2.0 JSON Schema (schema/EPCIS-JSON-Schema.json)
// that the mapping relies on, checked by hand (Debian ships no C++ JSON
// Schema validator: docs/epcis.md "Validation"). The full schema, with
// format checks, is run on every export by the tests (python3-jsonschema).
//
// Both functions throw Refused with code "schema"; lenient departures
// that the mapping accepts (non-URI top-level keys such as
// "_comment_...", `action` on a TransformationEvent, EPCIS 1.x URN
// vocabulary) are appended to `warnings` instead.
#ifndef RARELEDGER_EPCIS_SCHEMA_CHECK_H_
#define RARELEDGER_EPCIS_SCHEMA_CHECK_H_

#include <string>
#include <vector>

#include "epcis/document.h"

namespace rareledger::epcis {

// The document header: type EPCISDocument, schemaVersion "2.0",
// creationDate, @context naming a GS1 context, epcisBody.eventList.
void CheckDocumentShape(const json& document, const Prefixes& prefixes,
                        std::vector<std::string>* warnings);
// One event of eventList: type, eventTime, eventTimeZoneOffset, action
// where required, quantity elements (epcClass, number quantity, uom
// pattern, no other key), EPC lists, source/destination lists, ilmd only
// where allowed, and every other key a URI.
void CheckEventShape(const json& event, std::vector<std::string>* warnings);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_SCHEMA_CHECK_H_
