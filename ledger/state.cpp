#include "ledger/state.h"

#include <algorithm>
#include <set>

namespace rareledger::ledger {
namespace {

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

// Parties and lots as this entry sees them: the view plus the changes the
// entry has made so far. Collects the Mutation.
class Scratch {
 public:
  Scratch(const StateView& view, uint64_t index) : view_(view) { m_.index = index; }

  Result<std::optional<PartyRecord>> Party(const std::string& id) {
    auto it = parties_.find(id);
    if (it != parties_.end()) return std::optional<PartyRecord>(it->second);
    return view_.FindParty(id);
  }
  Result<std::optional<LotRecord>> Lot(const std::string& id) {
    auto it = lots_.find(id);
    if (it != lots_.end()) return std::optional<LotRecord>(it->second);
    return view_.FindLot(id);
  }
  void Put(PartyRecord p) { parties_[p.id] = std::move(p); }
  void Put(LotRecord l) { lots_[l.id] = std::move(l); }
  void Consumed(const std::string& lot) { m_.consumed_lots.push_back(lot); }

  Mutation Take() {
    for (auto& [id, p] : parties_) m_.parties.push_back(std::move(p));
    for (auto& [id, l] : lots_) m_.lots.push_back(std::move(l));
    return std::move(m_);
  }

 private:
  const StateView& view_;
  std::map<std::string, PartyRecord> parties_;
  std::map<std::string, LotRecord> lots_;
  Mutation m_;
};

Status RequireNewLot(Scratch& s, const std::string& lot) {
  RL_ASSIGN_OR_RETURN(auto existing, s.Lot(lot));
  if (existing) return Status::Rejected("lot " + Quote(lot) + " already exists");
  return Status::Ok();
}

// The lot `lot`, which the signer must hold and which must have mass left.
Result<LotRecord> HeldLot(Scratch& s, const std::string& signer, const std::string& lot,
                          const char* action) {
  RL_ASSIGN_OR_RETURN(auto rec, s.Lot(lot));
  if (!rec) return Status::Rejected("unknown lot " + Quote(lot));
  if (rec->holder != signer)
    return Status::Rejected("only the holder (" + rec->holder + ") may " + action + " lot " +
                            Quote(lot) + ", not " + signer);
  if (rec->remaining_g == 0) return Status::Rejected("lot " + Quote(lot) + " has nothing left");
  return std::move(rec).value();
}

Status Consume(LotRecord& lot, int64_t mass_g) {
  if (mass_g > lot.remaining_g)
    return Status::Rejected("consumes " + std::to_string(mass_g) + " g of lot " + Quote(lot.id) +
                            " but only " + std::to_string(lot.remaining_g) + " g remain");
  lot.remaining_g -= mass_g;
  return Status::Ok();
}

Status ApplyRegister(Scratch& s, const Entry& e, const RegisterParty& b, uint64_t index) {
  if (index > 0) {
    if (e.party != kOperatorId) return Status::Rejected("only the operator registers parties");
    if (std::count(b.roles.begin(), b.roles.end(), "operator"))
      return Status::Rejected("role \"operator\" belongs to the operator alone");
  }
  RL_ASSIGN_OR_RETURN(auto existing, s.Party(b.id));
  if (existing) return Status::Rejected("party " + Quote(b.id) + " is already registered");
  PartyRecord p;
  p.id = b.id;
  p.name = b.name;
  p.country = b.country;
  p.roles = b.roles;
  p.keys.push_back({b.pubkey, index});
  // Entry 0 registers its own signer: its seq is accounted for by the caller.
  p.last_seq = index == 0 ? e.seq : 0;
  s.Put(std::move(p));
  return Status::Ok();
}

Status ApplyCreateLot(Scratch& s, const Entry& e, const CreateLot& b, uint64_t index,
                      const PartyRecord& signer) {
  if (!signer.HasRole("producer") && !signer.HasRole("processor") &&
      !signer.HasRole("manufacturer"))
    return Status::Rejected("party " + e.party +
                            " may not create lots (needs role producer, processor or manufacturer)");
  RL_RETURN_IF_ERROR(RequireNewLot(s, b.lot));
  LotRecord l;
  l.id = b.lot;
  l.material = b.material;
  l.category = b.category;
  l.made_in = b.origin;
  l.elements = b.elements;
  l.hs = b.hs;
  l.holder = e.party;
  l.mass_g = l.remaining_g = b.mass_g;
  l.created_at = index;
  l.created_by = EntryType::kCreateLot;
  l.values.push_back({index, b.value, b.mass_g});
  s.Put(std::move(l));
  return Status::Ok();
}

Status ApplyTransfer(Scratch& s, const Entry& e, const Transfer& b, uint64_t index) {
  RL_ASSIGN_OR_RETURN(LotRecord lot, HeldLot(s, e.party, b.lot, "transfer"));
  RL_ASSIGN_OR_RETURN(auto to, s.Party(b.to));
  if (!to) return Status::Rejected("transfer to unregistered party " + Quote(b.to));
  if (to->revoked_at) return Status::Rejected("transfer to revoked party " + Quote(b.to));
  lot.holder = b.to;
  if (b.value) lot.values.push_back({index, *b.value, lot.remaining_g});
  s.Put(std::move(lot));
  return Status::Ok();
}

Status ApplySplit(Scratch& s, const Entry& e, const Split& b, uint64_t index) {
  RL_ASSIGN_OR_RETURN(LotRecord parent, HeldLot(s, e.party, b.lot, "split"));
  int64_t total = 0;
  for (const auto& part : b.parts) {
    total += part.mass_g;  // each <= 2^53-1: stop before any overflow
    if (total > parent.remaining_g)
      return Status::Rejected("split of lot " + Quote(b.lot) + " takes more than the " +
                              std::to_string(parent.remaining_g) + " g that remain");
    RL_RETURN_IF_ERROR(RequireNewLot(s, part.lot));
  }
  const ValueDeclaration decl = parent.values.back();
  for (const auto& part : b.parts) {
    LotRecord l;
    l.id = part.lot;
    l.material = parent.material;
    l.category = parent.category;
    l.made_in = parent.made_in;
    l.elements = parent.elements;
    l.hs = parent.hs;
    l.holder = e.party;
    l.mass_g = l.remaining_g = part.mass_g;
    l.created_at = index;
    l.created_by = EntryType::kSplit;
    l.parent = parent.id;
    l.values.push_back({index, decl.value, decl.mass_g});
    s.Put(std::move(l));
  }
  parent.remaining_g -= total;
  s.Consumed(parent.id);
  s.Put(std::move(parent));
  return Status::Ok();
}

Status ApplyTransform(Scratch& s, const Entry& e, const Transform& b, uint64_t index) {
  std::set<std::string> seen;
  for (const auto& in : b.inputs) {
    RL_ASSIGN_OR_RETURN(LotRecord lot, HeldLot(s, e.party, in.lot, "consume"));
    RL_RETURN_IF_ERROR(Consume(lot, in.mass_g));
    if (seen.insert(in.lot).second) s.Consumed(in.lot);
    s.Put(std::move(lot));
  }
  for (const auto& out : b.outputs) {
    RL_RETURN_IF_ERROR(RequireNewLot(s, out.lot));
    LotRecord l;
    l.id = out.lot;
    l.material = out.material;
    l.category = out.category;
    l.made_in = b.facility_country;
    l.elements = out.elements;
    l.holder = e.party;
    l.mass_g = l.remaining_g = out.mass_g;
    l.created_at = index;
    l.created_by = EntryType::kTransform;
    l.values.push_back({index, out.value, out.mass_g});
    s.Put(std::move(l));
  }
  return Status::Ok();
}

Status ApplyAttest(Scratch& s, const Attest& b, uint64_t index, const PartyRecord& signer) {
  if (!signer.HasRole("auditor"))
    return Status::Rejected("only an auditor may attest (" + signer.id + " is not one)");
  if (b.subject_lot) {
    RL_ASSIGN_OR_RETURN(auto lot, s.Lot(*b.subject_lot));
    if (!lot) return Status::Rejected("attestation names unknown lot " + Quote(*b.subject_lot));
  } else if (*b.subject_entry >= index) {
    return Status::Rejected("attestation names entry " + std::to_string(*b.subject_entry) +
                            ", which is not earlier in the log");
  }
  return Status::Ok();
}

Status ApplyRevoke(Scratch& s, const Entry& e, const RevokeParty& b, uint64_t index) {
  if (e.party != kOperatorId) return Status::Rejected("only the operator revokes parties");
  if (b.id == kOperatorId) return Status::Rejected("the operator cannot revoke itself");
  RL_ASSIGN_OR_RETURN(auto target, s.Party(b.id));
  if (!target) return Status::Rejected("revocation of unregistered party " + Quote(b.id));
  if (target->revoked_at) return Status::Rejected("party " + Quote(b.id) + " is already revoked");
  target->revoked_at = index;
  s.Put(std::move(*target));
  return Status::Ok();
}

Status ApplyBody(Scratch& s, const Entry& e, uint64_t index, PartyRecord& signer) {
  struct Visitor {
    Scratch& s;
    const Entry& e;
    uint64_t index;
    PartyRecord& signer;
    Status operator()(const RegisterParty& b) { return ApplyRegister(s, e, b, index); }
    Status operator()(const CreateLot& b) { return ApplyCreateLot(s, e, b, index, signer); }
    Status operator()(const Transfer& b) { return ApplyTransfer(s, e, b, index); }
    Status operator()(const Split& b) { return ApplySplit(s, e, b, index); }
    Status operator()(const Transform& b) { return ApplyTransform(s, e, b, index); }
    Status operator()(const Attest& b) { return ApplyAttest(s, b, index, signer); }
    Status operator()(const RotateKey& b) {
      if (b.pubkey == signer.current_key())
        return Status::Rejected("rotate_key: the new key is the current key");
      signer.keys.push_back({b.pubkey, index});
      return Status::Ok();
    }
    Status operator()(const RevokeParty& b) { return ApplyRevoke(s, e, b, index); }
  };
  return std::visit(Visitor{s, e, index, signer}, e.body);
}

Status CheckGenesis(const Entry& e) {
  const auto* reg = std::get_if<RegisterParty>(&e.body);
  if (reg == nullptr || e.party != kOperatorId || reg->id != kOperatorId || e.seq != 1 ||
      reg->roles != std::vector<std::string>{"operator"})
    return Status::Rejected(
        "entry 0 must be the operator's own register_party (id and party \"operator\", roles "
        "[\"operator\"], seq 1)");
  return Status::Ok();
}

}  // namespace

bool PartyRecord::HasRole(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const ValueDeclaration& LotRecord::ValueBefore(uint64_t index) const {
  const ValueDeclaration* best = &values.front();
  for (const auto& d : values)
    if (d.index < index) best = &d;
  return *best;
}

Result<std::string> ExpectedSigningKey(const StateView& view, const Entry& entry,
                                       uint64_t index) {
  if (index == 0) {
    RL_RETURN_IF_ERROR(CheckGenesis(entry));
    return std::get<RegisterParty>(entry.body).pubkey;
  }
  RL_ASSIGN_OR_RETURN(auto party, view.FindParty(entry.party));
  if (!party) return Status::Rejected("signer " + Quote(entry.party) + " is not registered");
  if (party->revoked_at)
    return Status::Rejected("signer " + Quote(entry.party) + " was revoked at entry " +
                            std::to_string(*party->revoked_at));
  return party->current_key();
}

Result<Mutation> Apply(const StateView& view, const LedgerIdentity& id, const Entry& entry,
                       uint64_t index) {
  if (entry.ledger != id.ledger_id)
    return Status::Rejected("ledger id " + Quote(entry.ledger) + " does not match this ledger " +
                            Quote(id.ledger_id));
  Scratch s(view, index);
  if (index == 0) {
    RL_RETURN_IF_ERROR(CheckGenesis(entry));
    RL_RETURN_IF_ERROR(ApplyRegister(s, entry, std::get<RegisterParty>(entry.body), 0));
    return s.Take();
  }
  RL_ASSIGN_OR_RETURN(auto signer, s.Party(entry.party));
  if (!signer) return Status::Rejected("signer " + Quote(entry.party) + " is not registered");
  if (signer->revoked_at)
    return Status::Rejected("signer " + Quote(entry.party) + " was revoked at entry " +
                            std::to_string(*signer->revoked_at));
  if (entry.seq != signer->last_seq + 1)
    return Status::Rejected("seq " + std::to_string(entry.seq) + " is not the next for party " +
                            entry.party + " (want " + std::to_string(signer->last_seq + 1) + ")");
  signer->last_seq = entry.seq;
  s.Put(*signer);
  RL_RETURN_IF_ERROR(ApplyBody(s, entry, index, *signer));
  // The body may have changed the signer (a rotated key); merge with any
  // change it made through the scratch (a self-revocation is refused).
  RL_ASSIGN_OR_RETURN(auto latest, s.Party(entry.party));
  latest->keys = signer->keys;
  latest->last_seq = signer->last_seq;
  s.Put(std::move(*latest));
  return s.Take();
}

Result<std::optional<PartyRecord>> MemoryState::FindParty(const std::string& id) const {
  auto it = parties_.find(id);
  if (it == parties_.end()) return std::optional<PartyRecord>();
  return std::optional<PartyRecord>(it->second);
}

Result<std::optional<LotRecord>> MemoryState::FindLot(const std::string& id) const {
  auto it = lots_.find(id);
  if (it == lots_.end()) return std::optional<LotRecord>();
  return std::optional<LotRecord>(it->second);
}

void MemoryState::Commit(const Mutation& m) {
  for (const auto& p : m.parties) parties_[p.id] = p;
  for (const auto& l : m.lots) lots_[l.id] = l;
  for (const auto& lot : m.consumed_lots) consumers_[lot].push_back(m.index);
}

std::vector<uint64_t> MemoryState::ConsumersOf(const std::string& lot) const {
  auto it = consumers_.find(lot);
  return it == consumers_.end() ? std::vector<uint64_t>() : it->second;
}

}  // namespace rareledger::ledger
