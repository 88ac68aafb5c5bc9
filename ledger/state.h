// The ledger's state and the rules of SPEC "Rules the log enforces".
//
// State is what the rules need to decide on the next entry: parties (keys,
// seq, revocation) and lots (holder, remaining mass, value declarations).
// Apply() decides one entry against a read-only StateView and returns the
// records it changes as a Mutation; the caller persists the Mutation (the
// RocksDB store in one WriteBatch, or MemoryState for replay and bundles).
// The same Apply() serves submit, verify and verify-bundle, so the rules
// live in exactly one place.
#ifndef RARELEDGER_LEDGER_STATE_H_
#define RARELEDGER_LEDGER_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/entry.h"
#include "ledger/status.h"

namespace rareledger::ledger {

inline constexpr const char* kOperatorId = "operator";

// One public key a party held, from the entry index that introduced it.
struct KeyEpoch {
  std::string pubkey;       // 32 raw bytes
  uint64_t from_index = 0;  // register_party or rotate_key entry
};

// A licence entry this party signed (issued as a regulator, or declared as
// its own licensee), and its revocation.
struct IssuedLicence {
  std::string licence;  // id, unique per signer
  uint64_t index = 0;   // the licence entry
  std::optional<uint64_t> revoked_at;  // the revoke_licence entry
  std::string revoked_on;              // that entry's date (YYYY-MM-DD)
  std::string revoke_reason;
};

// A licence naming this party as licensee.
struct HeldLicence {
  std::string issuer;   // the party that signed it
  std::string licence;  // its id
  uint64_t index = 0;   // the licence entry
};

struct PartyRecord {
  std::string id;
  std::string name;
  std::string country;
  std::vector<std::string> roles;
  std::vector<KeyEpoch> keys;  // in log order; back() is current
  int64_t last_seq = 0;        // the party's last accepted seq
  std::optional<uint64_t> revoked_at;  // revoke_party entry index
  std::string revoke_reason;           // its reason (when revoked)
  std::optional<std::string> gln;      // GS1 GLN, unique across parties
  std::vector<IssuedLicence> issued_licences;  // log order
  std::vector<HeldLicence> held_licences;      // log order

  bool HasRole(const std::string& role) const;
  const std::string& current_key() const { return keys.back().pubkey; }
  // The entry index from which `pubkey` stopped being this party's key
  // (the rotate_key that replaced it); nothing while it is current or
  // when the party never held it.
  std::optional<uint64_t> KeyRetiredAt(const std::string& pubkey) const;
};

// Who holds (or held) a party-unique identifier: a public key or a GLN.
// An identifier belongs to one party for ever, from the entry that
// introduced it (register_party or rotate_key), even after the party
// rotates it out or is revoked.
struct IdentifierHolder {
  std::string party;
  uint64_t since = 0;  // entry index that gave it to `party`
};

// One identifier claimed by an accepted entry.
struct IdentifierClaim {
  std::string key;  // raw 32-byte public key, or the 13-digit GLN
  IdentifierHolder holder;
};

// A value declaration: from entry `index` on, the lot's value per gram is
// value / mass_g (exact). create_lot and transform outputs declare
// (value, mass_g); a transfer with `value` declares (value, remaining);
// a split part inherits its parent's declaration pair unchanged.
struct ValueDeclaration {
  uint64_t index = 0;
  int64_t value = 0;
  int64_t mass_g = 0;  // > 0
};

// The correctable fields of a lot (SPEC "Corrections").
struct LotFields {
  std::string material;
  std::string category;
  // Element grams as declared by `elements_basis_g` grams of material: the
  // lot's own declaration (basis = mass_g), or for a split part its
  // ancestor's declaration (basis = that ancestor's mass_g). The lot
  // contains elements[s] x mass_g / elements_basis_g grams of s, exactly.
  std::optional<Elements> elements;
  int64_t elements_basis_g = 0;  // > 0 when elements is set
  std::optional<std::string> hs;
};

// One field changed by a correct_lot entry; values as JSON (null = absent).
struct FieldChange {
  std::string field;  // material, category, elements or hs
  nlohmann::json before;
  nlohmann::json after;
};

// A correct_lot entry that changed this lot: its own, or one of a split
// ancestor (`lot` names the corrected lot), which a part shares.
struct LotCorrection {
  uint64_t index = 0;  // the correct_lot entry
  std::string lot;     // the lot the entry names
  std::string reason;
  std::vector<FieldChange> changes;
};

struct LotRecord {
  std::string id;
  std::string material;
  std::string category;
  std::string made_in;   // create_lot origin, transform facility_country,
                         // or the split parent's made_in
  std::optional<Elements> elements;  // see LotFields: grams per
  int64_t elements_basis_g = 0;      // elements_basis_g grams of material
  std::optional<std::string> hs;
  std::string creator;   // party that signed the creating entry
  std::string holder;    // party id
  int64_t mass_g = 0;    // mass at creation
  int64_t remaining_g = 0;
  uint64_t created_at = 0;            // entry index that made the lot
  EntryType created_by = EntryType::kCreateLot;  // kCreateLot/kSplit/kTransform
  std::optional<std::string> parent;  // split parent
  std::vector<ValueDeclaration> values;  // log order, never empty
  std::vector<std::string> split_parts;  // lots split off this one, log order
  std::vector<LotCorrection> corrections;  // log order
  std::vector<uint64_t> attestations;  // attest entries about this lot, log order
  std::optional<LotFields> original;       // the fields before the first correction

  // The mass `elements` are of (elements_basis_g, or mass_g when unset).
  int64_t ElementsBasis() const { return elements_basis_g > 0 ? elements_basis_g : mass_g; }
  LotFields fields() const;
  void set_fields(const LotFields& f);
  // The record as it was before any correction (itself when uncorrected).
  LotRecord Uncorrected() const;
  // Whether the lot declares some grams of `symbol` (its exact share,
  // elements[symbol] x mass_g / elements_basis_g, is > 0).
  bool ContainsElement(const std::string& symbol) const;

  // The declaration in force just before entry `index` (the last with
  // declaration.index < index), or the first when none is earlier.
  const ValueDeclaration& ValueBefore(uint64_t index) const;
};

class StateView {
 public:
  virtual ~StateView() = default;
  virtual Result<std::optional<PartyRecord>> FindParty(const std::string& id) const = 0;
  virtual Result<std::optional<LotRecord>> FindLot(const std::string& id) const = 0;
  // The party that holds or ever held the raw 32-byte public key `pubkey`,
  // from the entry that gave it; nothing when no party ever had it. A key
  // rotated out or of a revoked party still names its party: keys are
  // never reused. Use FindParty(holder.party)->KeyRetiredAt for whether it
  // is current.
  virtual Result<std::optional<IdentifierHolder>> FindKeyHolder(const std::string& pubkey) const = 0;
  // The party registered with GS1 GLN `gln` (13 digits), or nothing.
  virtual Result<std::optional<IdentifierHolder>> FindGlnHolder(const std::string& gln) const = 0;
};

// What one accepted entry changes. Records are full new versions.
struct Mutation {
  uint64_t index = 0;
  std::vector<PartyRecord> parties;
  std::vector<LotRecord> lots;
  // (lot, index): the entry at `index` (split or transform) consumes `lot`.
  std::vector<std::string> consumed_lots;
  // Identifiers this entry gives to a party (index rows, never changed).
  std::vector<IdentifierClaim> new_keys;
  std::vector<IdentifierClaim> new_glns;
};

struct LedgerIdentity {
  std::string ledger_id;
};

// The key that must have signed `entry` at this point: the signer's current
// key, or for entry 0 the operator's own key from its payload. Rejected when
// the signer is unknown or revoked.
Result<std::string> ExpectedSigningKey(const StateView& view, const Entry& entry,
                                       uint64_t index);

// Why entry.sig, which fails for the signer's current key, fails, when the
// reason is recognisable among `parties` (e.g. Store::AllParties()): it
// verifies with one of the signer's retired keys ("made with party X's key
// that was retired at entry N"), or with a key of another party ("made with
// the key of party Y"). Empty when neither. Slow (a verification per key):
// for error paths only.
std::string ExplainBadSignature(const Entry& entry, const std::vector<PartyRecord>& parties);

// Decides `entry` at log position `index` against every state rule (not the
// signature: see ExpectedSigningKey). Rejected names the rule:
// "seq 5 is not the next for party jp-b (want 4)".
Result<Mutation> Apply(const StateView& view, const LedgerIdentity& id,
                       const Entry& entry, uint64_t index);

// An in-memory state: replay, verify-bundle, tests and the overlay of a
// batch not yet committed.
class MemoryState : public StateView {
 public:
  Result<std::optional<PartyRecord>> FindParty(const std::string& id) const override;
  Result<std::optional<LotRecord>> FindLot(const std::string& id) const override;
  Result<std::optional<IdentifierHolder>> FindKeyHolder(const std::string& pubkey) const override;
  Result<std::optional<IdentifierHolder>> FindGlnHolder(const std::string& gln) const override;
  void Commit(const Mutation& m);
  // Entry indexes of the splits/transforms that consumed `lot`, ascending.
  std::vector<uint64_t> ConsumersOf(const std::string& lot) const;
  const std::map<std::string, LotRecord>& lots() const { return lots_; }
  const std::map<std::string, PartyRecord>& parties() const { return parties_; }
  // Every key any party ever held (raw key -> holder), and every GLN.
  const std::map<std::string, IdentifierHolder>& key_holders() const { return keys_; }
  const std::map<std::string, IdentifierHolder>& gln_holders() const { return glns_; }

 private:
  std::map<std::string, PartyRecord> parties_;
  std::map<std::string, LotRecord> lots_;
  std::map<std::string, std::vector<uint64_t>> consumers_;
  std::map<std::string, IdentifierHolder> keys_;
  std::map<std::string, IdentifierHolder> glns_;
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_STATE_H_
