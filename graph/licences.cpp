// Licence coverage (SPEC "Licences and screening"): which of the holder's
// licences under the assessed policy cover the lot's shipment on as_of.
#include <variant>

#include "graph/rules.h"

namespace rareledger::graph {
namespace {

using ledger::Result;
using ledger::Status;

std::string List(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool Has(const std::vector<std::string>& items, const std::string& s) {
  for (const auto& i : items)
    if (i == s) return true;
  return false;
}

// The lot and its split ancestors (a licence for a lot covers what is split off it).
Result<std::vector<std::string>> LotAndAncestors(const ProvenanceSource& source,
                                                 const ledger::LotRecord& lot) {
  std::vector<std::string> out = {lot.id};
  std::optional<std::string> parent = lot.parent;
  while (parent) {
    out.push_back(*parent);
    RL_ASSIGN_OR_RETURN(ledger::LotRecord p, source.GetLot(*parent));
    parent = p.parent;
  }
  return out;
}

// Empty when the licence's scope and dates cover the shipment; else why not.
std::string NotCovering(const ledger::Licence& l, const ledger::IssuedLicence& state,
                        const Assessment& a, const std::vector<std::string>& lots,
                        const Policy& policy) {
  if (policy.effect == Effect::kProhibition)
    return "the policy is a prohibition: no licence can cure it";
  if (a.as_of < l.valid_from) return "not yet valid on " + a.as_of + " (from " + l.valid_from + ")";
  if (a.as_of >= l.valid_to) return "expired: valid until " + l.valid_to + " (exclusive)";
  if (state.revoked_at && state.revoked_on <= a.as_of)
    return "revoked by entry " + std::to_string(*state.revoked_at) + " on " + state.revoked_on +
           ": " + state.revoke_reason;
  const ledger::LicenceScope& s = l.scope;
  bool lot_in = !s.lots;
  for (const auto& id : lots) lot_in = lot_in || Has(*s.lots, id);
  if (!lot_in) return "lot " + a.lot + " is not in its scope (lots " + List(*s.lots) + ")";
  if (s.categories && !Has(*s.categories, a.category))
    return "category " + a.category + " is not in its scope (" + List(*s.categories) + ")";
  if (s.consignees && !a.to)
    return "limited to consignees " + List(*s.consignees) +
           ": no recipient given (assess --to PARTY)";
  if (s.consignees && !Has(*s.consignees, *a.to))
    return "consignee " + *a.to + " is not among its consignees (" + List(*s.consignees) + ")";
  if (s.end_uses && !a.end_use)
    return "limited to end uses " + List(*s.end_uses) +
           ": the shipment's end use is not given (assess --end-use)";
  if (s.end_uses && !Has(*s.end_uses, *a.end_use))
    return "end use " + *a.end_use + " is not among its end uses (" + List(*s.end_uses) + ")";
  if (l.kind == "general" && !a.screening.empty())
    return "a general licence never covers a consignee on a screening list (" + *a.to + " is \"" +
           a.screening.front().name + "\" on " + a.screening.front().list + ")";
  return "";
}

Result<LicenceNote> Evaluate(const ProvenanceSource& source, const Policy& policy,
                             const ledger::HeldLicence& held, const Assessment& a,
                             const std::vector<std::string>& lots, bool* same_policy) {
  RL_ASSIGN_OR_RETURN(ledger::Entry e, source.GetEntry(held.index));
  const auto* l = std::get_if<ledger::Licence>(&e.body);
  if (l == nullptr || l->licence != held.licence)
    return Status::Corruption("entry " + std::to_string(held.index) + " is not licence " +
                              held.licence);
  *same_policy = l->policy == policy.id;
  RL_ASSIGN_OR_RETURN(ledger::PartyRecord issuer, source.GetParty(held.issuer));
  const ledger::IssuedLicence* state = nullptr;
  for (const auto& i : issuer.issued_licences)
    if (i.licence == held.licence) state = &i;
  if (state == nullptr)
    return Status::Corruption("party " + held.issuer + " has no record of licence " +
                              held.licence);
  LicenceNote n{l->licence, held.issuer,  held.index, issuer.HasRole("regulator"),
                l->kind,    l->authority, l->valid_from, l->valid_to,
                l->document_sha256, false, ""};
  const std::string why = NotCovering(*l, *state, a, lots, policy);
  n.covers = why.empty();
  n.reason = n.covers ? std::string("covers this shipment on ") + a.as_of +
                            (n.issued ? " (issued by " + n.issuer + ")"
                                      : " (declared by the licensee, not issued by a regulator)")
                      : why;
  return n;
}

}  // namespace

std::vector<ScreeningHit> Screen(const Policy& policy, const Assessment& a) {
  std::vector<ScreeningHit> out;
  if (!a.to) return out;
  const std::string name = NameKey(a.to_name);
  const std::string end_user = a.end_user ? NameKey(*a.end_user) : "";
  for (const auto& [id, list] : policy.lists) {
    for (const ListEntry& e : list.entries) {
      if (!e.ListedOn(a.as_of)) continue;
      std::string by;
      if (e.party) {
        if (*e.party == *a.to) by = "party id";
      } else if (e.key == name) {
        by = "registered name";
      } else if (!end_user.empty() && e.key == end_user) {
        by = "end_user";
      }
      if (!by.empty()) out.push_back({id, e.name, e.listed, by, e.source, e.confidence});
    }
  }
  return out;
}

Status EvaluateLicences(const ProvenanceSource& source, const Policy& policy,
                        const ledger::LotRecord& lot, const std::optional<Shipment>& shipment,
                        Assessment* a) {
  (void)shipment;  // FillShipment has read it into *a
  a->holder = lot.holder;
  RL_ASSIGN_OR_RETURN(ledger::PartyRecord holder, source.GetParty(lot.holder));
  RL_ASSIGN_OR_RETURN(std::vector<std::string> lots, LotAndAncestors(source, lot));
  for (const ledger::HeldLicence& held : holder.held_licences) {
    bool same_policy = false;
    RL_ASSIGN_OR_RETURN(LicenceNote n, Evaluate(source, policy, held, *a, lots, &same_policy));
    if (same_policy) a->licences.push_back(std::move(n));
  }
  const bool needs = a->verdict == Verdict::kLicenceRequired || a->verdict == Verdict::kUnknown;
  for (bool issued : {true, false}) {
    for (const LicenceNote& n : a->licences)
      if (needs && !a->covered_by && n.covers && n.issued == issued) a->covered_by = n.licence;
  }
  return Status::Ok();
}

}  // namespace rareledger::graph
