// The CBV 2.0 EPCIS Event Hash ID of an event without eventID
// (docs/epcis.md "Event ids"; the algorithm of the reference
// implementation, RalphTro/epcis-event-hash-generator: a pre-hash string of
// the event's fields in canonical order, identifiers as canonical GS1
// Digital Links, vocabulary as GS1 Web URIs, times in UTC to the
// millisecond, lists and extensions sorted; SHA-256 of it).
//
// Only what this implementation canonicalises is hashed: an event holding
// anything else (an EPC scheme it does not convert, a non-URI key that is
// no EPCIS field, an extension inside readPoint, nested arrays in an
// extension, a time whose rounding carries into the seconds) gets no CBV
// id, and the caller falls back to its own (`?ver=rl1`), so that no id
// claims to be a CBV hash it is not.
#ifndef RARELEDGER_EPCIS_EVENT_HASH_H_
#define RARELEDGER_EPCIS_EVENT_HASH_H_

#include <optional>
#include <string>

#include "epcis/document.h"

namespace rareledger::epcis {

// The pre-hash string of `event` (read with ParseDocument) under the
// document's prefixes; nothing when the event holds something not
// canonicalised here. eventID, recordTime, errorDeclaration and
// certificationInfo are not part of it.
std::optional<std::string> CbvPreHash(const json& event, const Prefixes& prefixes);

// "ni:///sha-256;HEX?ver=CBV2.0" of the pre-hash string, else
// ComputedEventId(event).
std::string EventHashId(const json& event, const Prefixes& prefixes);

// An EPC URI (urn:epc:id:sgtin|sscc|sgln|pgln|gdti|gsrn|giai,
// urn:epc:class:lgtin) as its canonical GS1 Digital Link, a Digital Link on
// any host as the constrained canonical one (https://id.gs1.org, no query,
// the finest key qualifier only), any other URI as it is; nothing for an
// EPC URI not converted here.
std::optional<std::string> CanonicalId(const std::string& id);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_EVENT_HASH_H_
