// Reading an EPCIS 2.0 JSON / JSON-LD document without a JSON-LD processor
// (docs/epcis.md "Reading documents").
//
// ParseDocument keeps every non-integer JSON number as its source text, so
// no quantity ever passes through a binary float. Prefixes are resolved
// from the GS1 context (fixed and protected: a document that redefines one
// gets a warning, and the GS1 meaning stands) and from the document's
// inline @context objects; remote contexts are never fetched. Extension
// keys are matched by their expanded IRI, whatever prefix the document
// binds to it.
#ifndef RARELEDGER_EPCIS_DOCUMENT_H_
#define RARELEDGER_EPCIS_DOCUMENT_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace rareledger::epcis {

using nlohmann::json;

// The extension namespace (SPEC "EPCIS 2.0").
inline constexpr const char* kRlNamespace = "https://rareledger.example/epcis/";
// The two GS1 context URLs a document may name.
inline constexpr const char* kGs1Context = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
inline constexpr const char* kGs1ContextUnversioned =
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld";

// Strict JSON (RFC 8259), at most 64 levels deep. A number with a fraction
// or exponent, or beyond 64-bit integers, is kept as json::binary of its
// text with subtype kNumberTextSubtype. InvalidArgument on bad JSON.
inline constexpr std::uint8_t kNumberTextSubtype = 0x4e;
ledger::Result<json> ParseDocument(std::string_view text);

// The exact text of a JSON number (integer or kept text); nothing for any
// other value.
std::optional<std::string> NumberText(const json& v);

// The document's prefixes and what reading them raised.
struct Prefixes {
  std::map<std::string, std::string> iri;  // prefix -> IRI
  std::vector<std::string> warnings;
  bool gs1_context = false;  // one of the two GS1 context URLs is named
  // GS1 prefixes the document's @context rebinds: ignored by the mapping
  // (the GS1 meaning stands); the event hash follows the document as
  // written, as the reference implementation does (event_hash.h).
  std::map<std::string, std::string> redefined;
};
Prefixes ReadPrefixes(const json& document);

// A key as an IRI: "rl:lots" with rl bound -> "https://.../lots"; a key
// with an unbound prefix (or none) stays as it is.
std::string Expand(const Prefixes& p, const std::string& key);
// The member of `object` whose key expands to `iri`, or null.
const json* FindByIri(const Prefixes& p, const json& object, const std::string& iri);
// FindByIri for the extension term `term` (kRlNamespace + term).
const json* FindRl(const Prefixes& p, const json& object, const std::string& term);

// An RFC 3339 date-time as the UTC instant it names, in the form payload
// `time` takes ("2013-06-08T12:58:56.591Z": offset applied, fraction
// kept); nothing when the text is not an RFC 3339 date-time.
std::optional<std::string> ToUtc(const std::string& rfc3339);

// A stable id for an event that has none: "ni:///sha-256;HEX?ver=rl1",
// HEX the SHA-256 of the event's keys-sorted compact JSON with numbers as
// their source text: the fallback when the CBV 2.0 event hash
// (event_hash.h) does not cover the event, and the id imports made before
// it existed.
std::string ComputedEventId(const json& event);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_DOCUMENT_H_
