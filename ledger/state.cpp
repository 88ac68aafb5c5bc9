#include "ledger/state.h"

#include <algorithm>
#include <set>

#include "ledger/crypto.h"
#include "ledger/record_json.h"

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
  Result<std::optional<IdentifierHolder>> KeyHolder(const std::string& pubkey) {
    for (const auto& c : m_.new_keys)
      if (c.key == pubkey) return std::optional<IdentifierHolder>(c.holder);
    return view_.FindKeyHolder(pubkey);
  }
  Result<std::optional<IdentifierHolder>> GlnHolder(const std::string& gln) {
    for (const auto& c : m_.new_glns)
      if (c.key == gln) return std::optional<IdentifierHolder>(c.holder);
    return view_.FindGlnHolder(gln);
  }
  void Put(PartyRecord p) { parties_[p.id] = std::move(p); }
  void Put(LotRecord l) { lots_[l.id] = std::move(l); }
  void Consumed(const std::string& lot) { m_.consumed_lots.push_back(lot); }
  void ClaimKey(const std::string& pubkey, const std::string& party) {
    m_.new_keys.push_back({pubkey, {party, m_.index}});
  }
  void ClaimGln(const std::string& gln, const std::string& party) {
    m_.new_glns.push_back({gln, {party, m_.index}});
  }

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

// One key, one party, for ever: refuses `pubkey` when any party holds or
// ever held it. `signer` (rotate_key) gets a sharper message for its own key.
Status RequireUnusedKey(Scratch& s, const std::string& pubkey, const PartyRecord* signer) {
  RL_ASSIGN_OR_RETURN(auto holder, s.KeyHolder(pubkey));
  if (!holder) return Status::Ok();
  if (signer != nullptr && holder->party == signer->id) {
    if (pubkey == signer->current_key())
      return Status::Rejected("rotate_key: the new key is the current key");
    auto until = signer->KeyRetiredAt(pubkey);
    return Status::Rejected("pubkey was this party's own key until entry " +
                            std::to_string(until.value_or(holder->since)) +
                            ": a retired key is never used again");
  }
  RL_ASSIGN_OR_RETURN(auto other, s.Party(holder->party));
  std::optional<uint64_t> until = other ? other->KeyRetiredAt(pubkey) : std::nullopt;
  if (until)
    return Status::Rejected("pubkey was the key of party " + Quote(holder->party) + " (entries " +
                            std::to_string(holder->since) + " until " + std::to_string(*until) +
                            "): a key belongs to one party for ever");
  return Status::Rejected("pubkey is already the key of party " + Quote(holder->party) +
                          " (since entry " + std::to_string(holder->since) + ")");
}

Status ApplyRegister(Scratch& s, const Entry& e, const RegisterParty& b, uint64_t index) {
  if (index > 0) {
    if (e.party != kOperatorId) return Status::Rejected("only the operator registers parties");
    if (std::count(b.roles.begin(), b.roles.end(), "operator"))
      return Status::Rejected("role \"operator\" belongs to the operator alone");
  }
  RL_ASSIGN_OR_RETURN(auto existing, s.Party(b.id));
  if (existing) return Status::Rejected("party " + Quote(b.id) + " is already registered");
  RL_RETURN_IF_ERROR(RequireUnusedKey(s, b.pubkey, nullptr));
  if (b.gln) {
    RL_ASSIGN_OR_RETURN(auto holder, s.GlnHolder(*b.gln));
    if (holder)
      return Status::Rejected("gln " + *b.gln + " is already the GLN of party " +
                              Quote(holder->party) + " (since entry " +
                              std::to_string(holder->since) + ")");
    s.ClaimGln(*b.gln, b.id);
  }
  PartyRecord p;
  p.id = b.id;
  p.name = b.name;
  p.country = b.country;
  p.roles = b.roles;
  p.gln = b.gln;
  p.keys.push_back({b.pubkey, index});
  s.ClaimKey(b.pubkey, b.id);
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
  l.elements_basis_g = b.elements ? b.mass_g : 0;
  l.hs = b.hs;
  l.creator = e.party;
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
  if (b.to == lot.holder)
    return Status::Rejected("transfer of lot " + Quote(b.lot) + " to its current holder " +
                            Quote(b.to) + " (a transfer must change the holder)");
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
    // Same material: the parent's element declaration, on its basis, so
    // the part's share is exact (LotFields).
    l.elements = parent.elements;
    l.elements_basis_g = parent.elements_basis_g;
    l.hs = parent.hs;
    l.corrections = parent.corrections;
    l.original = parent.original;
    l.creator = e.party;
    l.holder = e.party;
    l.mass_g = l.remaining_g = part.mass_g;
    l.created_at = index;
    l.created_by = EntryType::kSplit;
    l.parent = parent.id;
    l.values.push_back({index, decl.value, decl.mass_g});
    parent.split_parts.push_back(part.lot);
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
    l.elements_basis_g = out.elements ? out.mass_g : 0;
    l.creator = e.party;
    l.holder = e.party;
    l.mass_g = l.remaining_g = out.mass_g;
    l.created_at = index;
    l.created_by = EntryType::kTransform;
    l.values.push_back({index, out.value, out.mass_g});
    s.Put(std::move(l));
  }
  return Status::Ok();
}

nlohmann::json OptJson(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
// A lot's element grams (its exact share when the basis is another lot's).
nlohmann::json GramsJson(const std::optional<Elements>& v, int64_t basis_g, int64_t mass_g) {
  return v ? ElementShareJson(*v, basis_g, mass_g) : nlohmann::json(nullptr);
}

// The changes `b` makes to `lot` (empty when it already has these values),
// and the lot with them applied. `basis_g`: the mass the new elements are of.
std::vector<FieldChange> Corrected(const CorrectLot& b, int64_t basis_g, LotRecord& lot) {
  std::vector<FieldChange> changes;
  LotFields f = lot.fields();
  if (b.material && *b.material != f.material) {
    changes.push_back({"material", f.material, *b.material});
    f.material = *b.material;
  }
  if (b.category && *b.category != f.category) {
    changes.push_back({"category", f.category, *b.category});
    f.category = *b.category;
  }
  if (b.elements && (f.elements != b.elements || f.elements_basis_g != basis_g)) {
    changes.push_back({"elements", GramsJson(f.elements, f.elements_basis_g, lot.mass_g),
                       GramsJson(b.elements, basis_g, lot.mass_g)});
    f.elements = b.elements;
    f.elements_basis_g = basis_g;
  }
  if (b.hs && b.hs != f.hs) {
    changes.push_back({"hs", OptJson(f.hs), *b.hs});
    f.hs = b.hs;
  }
  if (!changes.empty()) {
    if (!lot.original) lot.original = lot.fields();
    lot.set_fields(f);
  }
  return changes;
}

// correct_lot: the creator corrects the lot's own fields; its split parts
// (the same material), transitively, take the correction too. Consumers by
// transform read the corrected record when content is computed.
Status ApplyCorrect(Scratch& s, const Entry& e, const CorrectLot& b, uint64_t index) {
  RL_ASSIGN_OR_RETURN(auto lot, s.Lot(b.lot));
  if (!lot) return Status::Rejected("correction of unknown lot " + Quote(b.lot));
  if (lot->creator.empty() || lot->creator != e.party)
    return Status::Rejected("only the creator (" + lot->creator + ") may correct lot " +
                            Quote(b.lot) + ", not " + e.party);
  if (b.elements) {
    int64_t total = 0;
    for (const auto& [sym, g] : *b.elements) total += g;  // each <= 2^53-1
    if (total > lot->mass_g)
      return Status::Rejected("corrections.elements: element grams " + std::to_string(total) +
                              " exceed the mass of lot " + Quote(b.lot) + " (" +
                              std::to_string(lot->mass_g) + " g)");
  }
  const int64_t basis = lot->mass_g;
  std::vector<std::string> queue = {b.lot};
  for (size_t i = 0; i < queue.size(); ++i) {
    RL_ASSIGN_OR_RETURN(auto rec, s.Lot(queue[i]));
    if (!rec) return Status::Corruption("split part " + Quote(queue[i]) + " has no record");
    std::vector<FieldChange> changes = Corrected(b, basis, *rec);
    if (i == 0 && changes.empty())
      return Status::Rejected("correction of lot " + Quote(b.lot) +
                              " changes nothing: the lot already has these values");
    if (!changes.empty()) rec->corrections.push_back({index, b.lot, b.reason, std::move(changes)});
    queue.insert(queue.end(), rec->split_parts.begin(), rec->split_parts.end());
    s.Put(std::move(*rec));
  }
  return Status::Ok();
}

Status ApplyAttest(Scratch& s, const Attest& b, uint64_t index, const PartyRecord& signer) {
  if (!signer.HasRole("auditor"))
    return Status::Rejected("only an auditor may attest (" + signer.id + " is not one)");
  if (b.subject_lot) {
    RL_ASSIGN_OR_RETURN(auto lot, s.Lot(*b.subject_lot));
    if (!lot) return Status::Rejected("attestation names unknown lot " + Quote(*b.subject_lot));
    lot->attestations.push_back(index);  // shown wherever the lot is
    s.Put(std::move(*lot));
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
  target->revoke_reason = b.reason;
  s.Put(std::move(*target));
  return Status::Ok();
}

// licence: a regulator issues one for any registered licensee; anyone else
// may only declare their own, with the document's hash. Ids are unique per
// signer. The signer's record lists it as issued, the licensee's as held.
Status ApplyLicence(Scratch& s, const Entry& e, const Licence& b, uint64_t index) {
  RL_ASSIGN_OR_RETURN(auto signer, s.Party(e.party));
  if (!signer->HasRole("regulator")) {
    if (b.licensee != e.party)
      return Status::Rejected("only a regulator issues a licence for another party (" + e.party +
                              " is not a regulator, and the licensee is " + b.licensee + ")");
    if (!b.document_sha256)
      return Status::Rejected("a declared licence (signed by its licensee " + e.party +
                              ", not a regulator) needs document_sha256");
  }
  for (const auto& l : signer->issued_licences)
    if (l.licence == b.licence)
      return Status::Rejected("licence " + Quote(b.licence) + " was already recorded by " +
                              e.party + " at entry " + std::to_string(l.index));
  RL_ASSIGN_OR_RETURN(auto licensee, s.Party(b.licensee));
  if (!licensee) return Status::Rejected("licensee " + Quote(b.licensee) + " is not registered");
  if (licensee->revoked_at) return Status::Rejected("licensee " + Quote(b.licensee) + " is revoked");
  signer->issued_licences.push_back({b.licence, index, {}, "", ""});
  s.Put(std::move(*signer));
  RL_ASSIGN_OR_RETURN(licensee, s.Party(b.licensee));  // the signer itself, when declared
  licensee->held_licences.push_back({e.party, b.licence, index});
  s.Put(std::move(*licensee));
  return Status::Ok();
}

// revoke_licence: only the licence's signer; ends it from this entry's date.
Status ApplyRevokeLicence(Scratch& s, const Entry& e, const RevokeLicence& b, uint64_t index) {
  RL_ASSIGN_OR_RETURN(auto signer, s.Party(e.party));
  for (auto& l : signer->issued_licences) {
    if (l.licence != b.licence) continue;
    if (l.revoked_at)
      return Status::Rejected("licence " + Quote(b.licence) + " is already revoked (entry " +
                              std::to_string(*l.revoked_at) + ")");
    l.revoked_at = index;
    l.revoked_on = e.time.substr(0, 10);
    l.revoke_reason = b.reason;
    s.Put(std::move(*signer));
    return Status::Ok();
  }
  return Status::Rejected(e.party + " recorded no licence " + Quote(b.licence) +
                          " (only the party that signed a licence revokes it)");
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
      RL_RETURN_IF_ERROR(RequireUnusedKey(s, b.pubkey, &signer));
      signer.keys.push_back({b.pubkey, index});
      s.ClaimKey(b.pubkey, signer.id);
      return Status::Ok();
    }
    Status operator()(const RevokeParty& b) { return ApplyRevoke(s, e, b, index); }
    Status operator()(const CorrectLot& b) { return ApplyCorrect(s, e, b, index); }
    Status operator()(const Licence& b) { return ApplyLicence(s, e, b, index); }
    Status operator()(const RevokeLicence& b) { return ApplyRevokeLicence(s, e, b, index); }
  };
  return std::visit(Visitor{s, e, index, signer}, e.body);
}

Status RevokedSigner(const PartyRecord& p) {
  std::string msg = "party " + Quote(p.id) + " was revoked at entry " +
                    std::to_string(*p.revoked_at);
  if (!p.revoke_reason.empty()) msg += ": " + p.revoke_reason;
  return Status::Rejected(msg);
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

std::optional<uint64_t> PartyRecord::KeyRetiredAt(const std::string& pubkey) const {
  for (size_t i = 0; i + 1 < keys.size(); ++i)
    if (keys[i].pubkey == pubkey) return keys[i + 1].from_index;
  return std::nullopt;
}

LotFields LotRecord::fields() const {
  return {material, category, elements, elements ? ElementsBasis() : 0, hs};
}

void LotRecord::set_fields(const LotFields& f) {
  material = f.material;
  category = f.category;
  elements = f.elements;
  elements_basis_g = f.elements_basis_g;
  hs = f.hs;
}

LotRecord LotRecord::Uncorrected() const {
  LotRecord out = *this;
  if (original) out.set_fields(*original);
  out.original.reset();
  out.corrections.clear();
  return out;
}

bool LotRecord::ContainsElement(const std::string& symbol) const {
  if (!elements) return false;
  auto it = elements->find(symbol);
  return it != elements->end() && it->second > 0;  // mass_g, basis > 0
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
  if (party->revoked_at) return RevokedSigner(*party);
  return party->current_key();
}

std::string ExplainBadSignature(const Entry& entry, const std::vector<PartyRecord>& parties) {
  auto verifies = [&](const std::string& raw) {
    auto key = PublicKey::FromRaw(raw);
    if (!key.ok()) return false;
    auto v = Verifier::Create(*key);
    return v.ok() && v->Verify(entry.signed_bytes, entry.sig).ok();
  };
  for (const auto& p : parties) {
    for (size_t i = 0; i < p.keys.size(); ++i) {
      if (!verifies(p.keys[i].pubkey)) continue;
      const bool retired = i + 1 < p.keys.size();
      if (p.id == entry.party && retired)
        return "it was made with party " + p.id + "'s key that was retired at entry " +
               std::to_string(p.keys[i + 1].from_index) + " (the key was party " + p.id +
               "'s until entry " + std::to_string(p.keys[i + 1].from_index) + ")";
      if (p.id != entry.party)
        return "it was made with the key of party " + Quote(p.id) +
               (retired ? " (retired at entry " + std::to_string(p.keys[i + 1].from_index) + ")"
                        : "") +
               ", not of the signer " + Quote(entry.party);
    }
  }
  return "";
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
  if (signer->revoked_at) return RevokedSigner(*signer);
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

Result<std::optional<IdentifierHolder>> MemoryState::FindKeyHolder(
    const std::string& pubkey) const {
  auto it = keys_.find(pubkey);
  if (it == keys_.end()) return std::optional<IdentifierHolder>();
  return std::optional<IdentifierHolder>(it->second);
}

Result<std::optional<IdentifierHolder>> MemoryState::FindGlnHolder(const std::string& gln) const {
  auto it = glns_.find(gln);
  if (it == glns_.end()) return std::optional<IdentifierHolder>();
  return std::optional<IdentifierHolder>(it->second);
}

void MemoryState::Commit(const Mutation& m) {
  for (const auto& c : m.new_keys) keys_.emplace(c.key, c.holder);
  for (const auto& c : m.new_glns) glns_.emplace(c.key, c.holder);
  for (const auto& p : m.parties) parties_[p.id] = p;
  for (const auto& l : m.lots) lots_[l.id] = l;
  for (const auto& lot : m.consumed_lots) consumers_[lot].push_back(m.index);
}

std::vector<uint64_t> MemoryState::ConsumersOf(const std::string& lot) const {
  auto it = consumers_.find(lot);
  return it == consumers_.end() ? std::vector<uint64_t>() : it->second;
}

}  // namespace rareledger::ledger
