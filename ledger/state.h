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
#include <vector>

#include "ledger/entry.h"
#include "ledger/status.h"

namespace rareledger::ledger {

inline constexpr const char* kOperatorId = "operator";

// One public key a party held, from the entry index that introduced it.
struct KeyEpoch {
  std::string pubkey;       // 32 raw bytes
  uint64_t from_index = 0;  // register_party or rotate_key entry
};

struct PartyRecord {
  std::string id;
  std::string name;
  std::string country;
  std::vector<std::string> roles;
  std::vector<KeyEpoch> keys;  // in log order; back() is current
  int64_t last_seq = 0;        // the party's last accepted seq
  std::optional<uint64_t> revoked_at;  // revoke_party entry index

  bool HasRole(const std::string& role) const;
  const std::string& current_key() const { return keys.back().pubkey; }
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

struct LotRecord {
  std::string id;
  std::string material;
  std::string category;
  std::string made_in;   // create_lot origin, transform facility_country,
                         // or the split parent's made_in
  std::optional<Elements> elements;  // as declared (a split part: the
                                     // parent's declaration, unscaled)
  std::optional<std::string> hs;
  std::string holder;    // party id
  int64_t mass_g = 0;    // mass at creation
  int64_t remaining_g = 0;
  uint64_t created_at = 0;            // entry index that made the lot
  EntryType created_by = EntryType::kCreateLot;  // kCreateLot/kSplit/kTransform
  std::optional<std::string> parent;  // split parent
  std::vector<ValueDeclaration> values;  // log order, never empty

  // The declaration in force just before entry `index` (the last with
  // declaration.index < index), or the first when none is earlier.
  const ValueDeclaration& ValueBefore(uint64_t index) const;
};

class StateView {
 public:
  virtual ~StateView() = default;
  virtual Result<std::optional<PartyRecord>> FindParty(const std::string& id) const = 0;
  virtual Result<std::optional<LotRecord>> FindLot(const std::string& id) const = 0;
};

// What one accepted entry changes. Records are full new versions.
struct Mutation {
  uint64_t index = 0;
  std::vector<PartyRecord> parties;
  std::vector<LotRecord> lots;
  // (lot, index): the entry at `index` (split or transform) consumes `lot`.
  std::vector<std::string> consumed_lots;
};

struct LedgerIdentity {
  std::string ledger_id;
};

// The key that must have signed `entry` at this point: the signer's current
// key, or for entry 0 the operator's own key from its payload. Rejected when
// the signer is unknown or revoked.
Result<std::string> ExpectedSigningKey(const StateView& view, const Entry& entry,
                                       uint64_t index);

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
  void Commit(const Mutation& m);
  // Entry indexes of the splits/transforms that consumed `lot`, ascending.
  std::vector<uint64_t> ConsumersOf(const std::string& lot) const;
  const std::map<std::string, LotRecord>& lots() const { return lots_; }
  const std::map<std::string, PartyRecord>& parties() const { return parties_; }

 private:
  std::map<std::string, PartyRecord> parties_;
  std::map<std::string, LotRecord> lots_;
  std::map<std::string, std::vector<uint64_t>> consumers_;
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_STATE_H_
