// Entries: the signed envelopes of SPEC "Entries", decoded into typed payloads.
//
// An envelope is {"payload": {...}, "sig": "BASE64"}. The signed bytes are
// the RFC 8785 canonical bytes of payload; the leaf bytes (what the log stores
// and hashes) are the canonical bytes of the whole envelope.
//
// DecodeEnvelope checks form only: strict JSON, field presence and types,
// integer ranges, identifiers. It does not check the signature or any rule
// that depends on ledger state (see state.h).
#ifndef RARELEDGER_LEDGER_ENTRY_H_
#define RARELEDGER_LEDGER_ENTRY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/status.h"

namespace rareledger::ledger {

// The most bytes a leaf (canonical envelope) may have: C2SP entry bundles
// carry each behind a big-endian uint16 length (SPEC, second round).
inline constexpr size_t kMaxLeafBytes = 65535;

enum class EntryType {
  kRegisterParty,
  kCreateLot,
  kTransfer,
  kSplit,
  kTransform,
  kAttest,
  kRotateKey,
  kRevokeParty,
  kCorrectLot,
  kLicence,
  kRevokeLicence,
};
const char* EntryTypeName(EntryType type);

// Element symbol -> grams contained.
using Elements = std::map<std::string, int64_t>;

// An exact fraction "n/d" with 0 <= n, 0 < d (not necessarily reduced).
struct Fraction {
  uint64_t num = 0;
  uint64_t den = 1;
};
Result<Fraction> ParseFraction(std::string_view text);

struct RegisterParty {
  std::string id;
  std::string name;
  std::string country;             // ISO 3166-1 alpha-2
  std::vector<std::string> roles;  // producer, processor, manufacturer,
                                   // auditor, regulator, operator
  std::string pubkey;              // 32 raw bytes
  std::optional<std::string> gln;  // 13 digits, valid GS1 check digit
};

struct CreateLot {
  std::string lot;
  std::string material;
  std::string category;
  int64_t mass_g = 0;  // > 0
  int64_t value = 0;   // >= 0, minor units of the ledger currency
  std::string origin;  // ISO 3166-1 alpha-2
  std::optional<Elements> elements;
  std::optional<std::string> hs;
};

struct Transfer {
  std::string lot;
  std::string to;
  std::optional<int64_t> value;  // price paid for what remains
  // Who ends up using the material (a party id or a free-text name) and
  // for what: civil, military, humanitarian, research or unknown. Read by
  // screening rules; not checked against the parties.
  std::optional<std::string> end_user;
  std::optional<std::string> end_use;
};

struct LotMass {
  std::string lot;
  int64_t mass_g = 0;  // > 0
};

struct Split {
  std::string lot;
  std::vector<LotMass> parts;  // new lot ids, non-empty
};

struct TransformOutput {
  std::string lot;
  std::string material;
  std::string category;
  int64_t mass_g = 0;
  int64_t value = 0;
  std::optional<Elements> elements;
};

struct Transform {
  std::string process;  // mining, separation, metal_smelting, alloying,
                        // magnet_manufacturing, recycling,
                        // component_manufacturing, assembly, other
  std::string facility_country;
  std::optional<std::string> technology_origin;
  std::vector<LotMass> inputs;            // non-empty
  std::vector<TransformOutput> outputs;   // non-empty
  std::optional<std::map<std::string, Fraction>> allocation;  // lot -> share
};

struct Attest {
  std::optional<std::string> subject_lot;     // exactly one of these two
  std::optional<uint64_t> subject_entry;
  std::string claim;
  std::optional<std::string> detail;
};

struct RotateKey {
  std::string pubkey;  // 32 raw bytes, the new key
};

struct RevokeParty {
  std::string id;
  std::string reason;
};

// New values for the correctable fields of one lot (at least one is set).
// origin and masses are never correctable: a payload naming them is refused.
struct CorrectLot {
  std::string lot;
  std::optional<std::string> material;
  std::optional<std::string> category;
  std::optional<Elements> elements;  // grams checked against the lot's mass by Apply
  std::optional<std::string> hs;
  std::string reason;
};

// What a licence covers (SPEC "Licences and screening"); an absent list
// does not restrict.
struct LicenceScope {
  std::optional<std::vector<std::string>> lots;
  std::optional<std::vector<std::string>> categories;  // SPEC's vocabulary
  std::optional<std::vector<std::string>> consignees;  // party ids
  std::optional<std::vector<std::string>> end_uses;    // the end-use vocabulary
};

// An export licence: issued (signed by a `regulator` party) or declared
// (signed by the licensee itself, with the licence document's SHA-256).
struct Licence {
  std::string licence;    // the licence id, unique per signer
  std::string authority;  // who granted it, free text ("MOFCOM")
  std::string policy;     // the policy id it answers
  std::string licensee;   // party id
  std::string kind;       // individual or general
  LicenceScope scope;
  std::string valid_from;  // YYYY-MM-DD, inclusive
  std::string valid_to;    // YYYY-MM-DD, exclusive, after valid_from
  std::optional<std::string> document_sha256;  // 64 lowercase hex digits
};

// Ends a licence from this entry's time; signed by the licence's signer.
struct RevokeLicence {
  std::string licence;
  std::string reason;
};

using Body = std::variant<RegisterParty, CreateLot, Transfer, Split, Transform,
                          Attest, RotateKey, RevokeParty, CorrectLot, Licence, RevokeLicence>;

struct Entry {
  EntryType type = EntryType::kRegisterParty;
  std::string ledger;  // ledger id
  std::string party;   // signer's party id
  int64_t seq = 0;     // signer's counter, from 1
  std::string time;    // RFC 3339 UTC, as claimed by the signer
  Body body;

  std::string signed_bytes;  // canonical payload bytes (what sig covers)
  std::string sig;           // 64 raw signature bytes
  std::string leaf;          // canonical envelope bytes (the Merkle leaf)
};

// Strictly parses one envelope (any JSON whitespace) and decodes its
// payload. Errors are InvalidArgument naming the field: "payload.mass_g:
// must be an integer in 1..9007199254740991".
Result<Entry> DecodeEnvelope(std::string_view text);

// Decodes stored leaf bytes; Corruption unless they are canonical.
Result<Entry> DecodeLeaf(std::string_view leaf);

// The end-use vocabulary of transfers and licences.
const std::vector<std::string>& EndUses();

// Decodes a bare payload (as given to `sign`) and returns its canonical
// bytes after validating it the same way.
Result<std::string> CanonicalPayload(std::string_view text);

// Builds the canonical envelope bytes from canonical payload bytes and a
// 64-byte signature.
std::string MakeEnvelope(std::string_view canonical_payload, std::string_view sig);

// The payload of an entry as JSON (for display).
nlohmann::json PayloadJson(const Entry& entry);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_ENTRY_H_
