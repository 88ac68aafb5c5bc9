// MakeNotice: assess the shipment, collect the entries the determination
// read, prove each against the latest checkpoint, sign.
#include <memory>
#include <mutex>
#include <set>
#include <variant>

#include "graph/ledger_source.h"
#include "graph/notice.h"
#include "ledger/canonical_json.h"
#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/verifier.h"
#include "ledger/version.h"

namespace rareledger::graph {

using ledger::Result;
using ledger::Status;
using nlohmann::json;

namespace {

// A source that remembers what the assessment read: the entries, and the
// lots and parties whose records (derived from further entries) it used.
class RecordingSource : public ProvenanceSource {
 public:
  explicit RecordingSource(const ProvenanceSource& inner) : inner_(inner) {}

  Result<ledger::LotRecord> GetLot(const std::string& id) const override {
    Note(&lots_, id);
    return inner_.GetLot(id);
  }
  Result<ledger::Entry> GetEntry(uint64_t index) const override {
    Note(&entries_, index);
    return inner_.GetEntry(index);
  }
  Result<std::vector<uint64_t>> ConsumersOf(const std::string& lot) const override {
    Note(&lots_, lot);
    return inner_.ConsumersOf(lot);
  }
  uint64_t Size() const override { return inner_.Size(); }
  Result<ledger::PartyRecord> GetParty(const std::string& id) const override {
    Note(&parties_, id);
    return inner_.GetParty(id);
  }

  std::set<uint64_t> entries() const { return Copy(entries_); }
  std::set<std::string> lots() const { return Copy(lots_); }
  std::set<std::string> parties() const { return Copy(parties_); }

 private:
  template <typename T>
  void Note(std::set<T>* set, const T& value) const {
    std::lock_guard<std::mutex> lock(mu_);
    set->insert(value);
  }
  template <typename T>
  std::set<T> Copy(const std::set<T>& set) const {
    std::lock_guard<std::mutex> lock(mu_);
    return set;
  }

  const ProvenanceSource& inner_;
  mutable std::mutex mu_;
  mutable std::set<uint64_t> entries_;
  mutable std::set<std::string> lots_, parties_;
};

// The entries that make a lot's record what it is.
void AddLotEntries(const ledger::LotRecord& lot, std::set<uint64_t>* cited) {
  cited->insert(lot.created_at);
  for (const auto& v : lot.values) cited->insert(v.index);
  for (const auto& c : lot.corrections) cited->insert(c.index);
  for (uint64_t a : lot.attestations) cited->insert(a);
}

// The entries that give a party its keys and licences.
void AddPartyEntries(const ledger::PartyRecord& p, std::set<uint64_t>* cited) {
  for (const auto& k : p.keys) cited->insert(k.from_index);
  if (p.revoked_at) cited->insert(*p.revoked_at);
  for (const auto& l : p.issued_licences) {
    cited->insert(l.index);
    if (l.revoked_at) cited->insert(*l.revoked_at);
  }
  for (const auto& l : p.held_licences) cited->insert(l.index);
}

// The transfers of `lot` in [from, to): its custody chain.
Status AddCustody(const ledger::Ledger& ledger, const ledger::LotRecord& lot, uint64_t size,
                  std::set<uint64_t>* cited) {
  const std::string needle = "\"lot\":" + json(lot.id).dump();
  return ledger.ScanLeaves(lot.created_at, size, [&](uint64_t index, std::string_view leaf) {
    if (leaf.find("\"type\":\"transfer\"") == std::string_view::npos ||
        leaf.find(needle) == std::string_view::npos)
      return Status::Ok();
    RL_ASSIGN_OR_RETURN(ledger::Entry e, ledger::DecodeLeaf(leaf));
    const auto* t = std::get_if<ledger::Transfer>(&e.body);
    if (t != nullptr && t->lot == lot.id) cited->insert(index);
    return Status::Ok();
  });
}

// Closes `cited` over signers: every cited entry's party contributes the
// entries that gave it its keys (and those entries' signers theirs).
Status AddSigners(const ledger::Ledger& ledger, std::set<std::string> parties,
                  std::set<uint64_t>* cited) {
  std::set<std::string> done;
  std::set<uint64_t> seen;
  for (;;) {
    for (uint64_t i : *cited) {
      if (!seen.insert(i).second) continue;
      RL_ASSIGN_OR_RETURN(ledger::Entry e, ledger.GetEntry(i));
      parties.insert(e.party);
    }
    bool grew = false;
    for (const std::string& id : parties) {
      if (!done.insert(id).second) continue;
      RL_ASSIGN_OR_RETURN(ledger::PartyRecord p, ledger.GetParty(id));
      const size_t before = cited->size();
      AddPartyEntries(p, cited);
      grew = grew || cited->size() != before;
    }
    if (!grew && seen.size() == cited->size()) return Status::Ok();
  }
}

}  // namespace

Result<json> MakeNotice(const ledger::Ledger& ledger, const Policy& policy,
                        const NoticeRequest& request, const ledger::Signer& holder_key) {
  if (!IsValidDate(request.as_of))
    return Status::InvalidArgument("as_of \"" + request.as_of + "\" is not a valid YYYY-MM-DD date");
  const std::optional<int64_t> issued_day = DayNumber(request.issued.substr(0, 10));
  if (!issued_day) return Status::InvalidArgument("issued \"" + request.issued + "\" is not a UTC time");
  const std::string issued_date = request.issued.substr(0, 10);
  if (request.as_of < issued_date)
    return Status::InvalidArgument("as_of " + request.as_of + " is before today (" + issued_date +
                                   "): a notice is for a shipment from now on");
  if (*DayNumber(request.as_of) - *issued_day > kMaxNoticeDays)
    return Status::InvalidArgument("as_of " + request.as_of + " is more than " +
                                   std::to_string(kMaxNoticeDays) + " days away");
  if (!request.valid_until.empty()) {
    const std::optional<int64_t> until_day = DayNumber(request.valid_until);
    if (!until_day)
      return Status::InvalidArgument("valid_until \"" + request.valid_until + "\" is not a valid date");
    if (request.valid_until < request.as_of)
      return Status::InvalidArgument("valid_until " + request.valid_until +
                                     " is before the determination's date " + request.as_of);
    if (*until_day - *issued_day > kMaxNoticeDays)
      return Status::InvalidArgument("valid_until " + request.valid_until + " is more than " +
                                     std::to_string(kMaxNoticeDays) + " days away");
  }

  const ledger::LedgerInfo info = ledger.Info();
  RL_ASSIGN_OR_RETURN(std::vector<std::string> notes, ledger.Checkpoints());
  if (notes.empty())
    return Status::Rejected("the log has no signed checkpoint: the operator must sign one first "
                            "(rareledger checkpoint)");
  RL_ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::ParseCheckpoint(notes.back()));
  if (cp.size != info.size)
    return Status::Rejected("the latest checkpoint covers " + std::to_string(cp.size) +
                            " entries but the log has " + std::to_string(info.size) +
                            ": the operator must sign a checkpoint of the whole log first "
                            "(rareledger checkpoint)");

  LedgerSource base(ledger);
  RecordingSource source(base);
  RL_ASSIGN_OR_RETURN(ledger::LotRecord lot, ledger.GetLot(request.lot));
  RL_ASSIGN_OR_RETURN(ledger::PartyRecord holder, ledger.GetParty(lot.holder));
  if (holder.current_key() != holder_key.public_key().raw()) {
    auto who = ledger.FindKeyHolder(holder_key.public_key().raw());
    const std::string whose = who.ok() && *who ? "party " + (*who)->party + "'s" : "no party's";
    return Status::InvalidArgument("the key given is " + whose + " current key, but " + lot.id +
                                   " is held by " + lot.holder + ": its holder signs the notice");
  }
  if (request.shipment.to == lot.holder)
    return Status::InvalidArgument(lot.holder + " holds " + lot.id +
                                   ": a notice goes to the next recipient, not to its holder");
  if (lot.remaining_g == 0)
    return Status::InvalidArgument("nothing is left of " + lot.id + " to ship");
  if (holder.revoked_at)
    return Status::Rejected("party " + holder.id + " was revoked at entry " +
                            std::to_string(*holder.revoked_at));
  RL_ASSIGN_OR_RETURN(ledger::PartyRecord recipient, ledger.GetParty(request.shipment.to));
  if (recipient.revoked_at)
    return Status::Rejected("the recipient " + recipient.id + " was revoked at entry " +
                            std::to_string(*recipient.revoked_at));
  RL_ASSIGN_OR_RETURN(Assessment a, Assess(source, policy, request.lot, request.as_of,
                                           request.shipment));
  // Valid for kDefaultNoticeDays, or as asked; never past the covering
  // licence (verify-notice requires that).
  std::string valid_until = request.valid_until;
  if (valid_until.empty()) valid_until = std::max(DateOfDay(*issued_day + kDefaultNoticeDays), a.as_of);
  for (const LicenceNote& l : a.licences) {
    if (!a.covered_by || l.licence != *a.covered_by || !l.covers) continue;
    const std::string last = DateOfDay(*DayNumber(l.valid_to) - 1);
    if (valid_until <= last) continue;
    if (!request.valid_until.empty())
      return Status::InvalidArgument("valid_until " + valid_until + " is past the end of licence " +
                                     l.licence + " (valid to " + l.valid_to + ", exclusive)");
    valid_until = last;
  }
  a.binding = Binding{info.ledger_id, info.currency, info.size, ledger::HexEncode(info.root),
                      LogCheckpoint{cp.size, notes.back()}, ledger::ToolName()};

  std::set<uint64_t> cited = source.entries();
  for (const std::string& id : source.lots()) {
    RL_ASSIGN_OR_RETURN(ledger::LotRecord l, ledger.GetLot(id));
    AddLotEntries(l, &cited);
  }
  RL_RETURN_IF_ERROR(AddCustody(ledger, lot, info.size, &cited));
  for (const auto& l : a.licences) cited.insert(l.index);
  cited.insert(0);               // the genesis: the operator's first key
  cited.insert(info.size - 1);   // the newest entry: the checkpoint's age
  std::set<std::string> parties = source.parties();
  parties.insert(ledger::kOperatorId);
  parties.insert(lot.holder);
  parties.insert(request.shipment.to);
  RL_RETURN_IF_ERROR(AddSigners(ledger, parties, &cited));

  json proofs = json::array();
  for (uint64_t i : cited) {
    RL_ASSIGN_OR_RETURN(ledger::Entry e, ledger.GetEntry(i));
    RL_ASSIGN_OR_RETURN(ledger::InclusionProofInfo p, ledger.ProveInclusion(i, cp.size));
    json path = json::array();
    for (const ledger::Hash& h : p.path) path.push_back(ledger::HexEncode(h));
    proofs.push_back({{"index", i}, {"leaf", e.leaf}, {"path", std::move(path)}});
  }
  json n = {{"notice", kNoticeFormat},
            {"ledger", info.ledger_id},
            {"lot", a.lot},
            {"from", a.holder},
            {"to", request.shipment.to},
            {"policy", a.policy},
            {"policy_sha256", a.policy_sha256},
            {"as_of", a.as_of},
            {"issued", request.issued},
            {"valid_until", valid_until},
            {"verdict", VerdictName(a.verdict)},
            {"ratio", a.ratio.Fraction()},
            {"covered_by", a.covered_by ? json(*a.covered_by) : json(nullptr)},
            {"summary", AssessmentSummary(a)},
            {"assessment", AssessmentJson(a)},
            {"checkpoint", notes.back()},
            {"proofs", std::move(proofs)}};
  RL_RETURN_IF_ERROR(ledger::CheckSubset(n).WithContext("notice"));
  RL_ASSIGN_OR_RETURN(std::string sig,
                      holder_key.Sign(std::string(kNoticeDomain) + ledger::Canonicalize(n)));
  n["signature"] = ledger::Base64Encode(sig);
  return n;
}

}  // namespace rareledger::graph

namespace rareledger::graph {

namespace {

// The log's first `size` entries replayed in memory: the state a notice's
// checkpoint commits to, whatever came after. Records from the replay;
// entries (which never change) from the log.
class PrefixSource : public ProvenanceSource {
 public:
  static Result<std::unique_ptr<PrefixSource>> Replay(const ledger::Ledger& ledger, uint64_t size) {
    std::unique_ptr<PrefixSource> p(new PrefixSource(ledger, size));
    const ledger::LedgerIdentity id{ledger.Info().ledger_id};
    RL_RETURN_IF_ERROR(ledger.ScanLeaves(0, size, [&](uint64_t index, std::string_view leaf) {
      RL_ASSIGN_OR_RETURN(ledger::Entry e, ledger::DecodeLeaf(leaf));
      RL_ASSIGN_OR_RETURN(ledger::Mutation m, ledger::Apply(p->state_, id, e, index));
      p->state_.Commit(m);
      return Status::Ok();
    }));
    return p;
  }
  Result<ledger::LotRecord> GetLot(const std::string& id) const override {
    RL_ASSIGN_OR_RETURN(std::optional<ledger::LotRecord> lot, state_.FindLot(id));
    if (!lot) return Status::NotFound("no lot " + id + " at size " + std::to_string(size_));
    return *std::move(lot);
  }
  Result<ledger::Entry> GetEntry(uint64_t index) const override {
    if (index >= size_) return Status::NotFound("no entry " + std::to_string(index) + " at size " +
                                                std::to_string(size_));
    return ledger_.GetEntry(index);
  }
  Result<std::vector<uint64_t>> ConsumersOf(const std::string& lot) const override {
    return state_.ConsumersOf(lot);
  }
  uint64_t Size() const override { return size_; }
  Result<ledger::PartyRecord> GetParty(const std::string& id) const override {
    RL_ASSIGN_OR_RETURN(std::optional<ledger::PartyRecord> party, state_.FindParty(id));
    if (!party) return Status::NotFound("no party " + id + " at size " + std::to_string(size_));
    return *std::move(party);
  }

 private:
  PrefixSource(const ledger::Ledger& ledger, uint64_t size) : ledger_(ledger), size_(size) {}
  const ledger::Ledger& ledger_;
  const uint64_t size_;
  ledger::MemoryState state_;
};

// The assessment without what binds it to a log (size, root, checkpoint,
// tool): what a recomputation must reproduce exactly.
json Unbound(json a) {
  for (const char* key : {"ledger", "currency", "size", "root", "checkpoint", "tool"}) a.erase(key);
  return a;
}

// The first top-level key where two JSON objects differ.
std::string FirstDifference(const json& a, const json& b) {
  std::set<std::string> keys;
  for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
  for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
  for (const std::string& k : keys)
    if (a.value(k, json()) != b.value(k, json())) return k;
  return "";
}

}  // namespace

Result<std::vector<std::string>> RecheckNotice(const ledger::Ledger& ledger, const Policy& policy,
                                               std::string_view text) {
  auto parsed = ledger::ParseStrict(text, kMaxNoticeBytes);
  if (!parsed.ok()) return parsed.status().WithContext("notice");
  const json n = *std::move(parsed);
  auto str = [](const json& j, const char* key) {  // a missing or non-string field reads as ""
    auto it = j.is_object() ? j.find(key) : j.end();
    return j.is_object() && it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!n.is_object() || !n.contains("assessment") || !n["assessment"].is_object())
    return Status::InvalidArgument("not a compliance notice");
  const json& stated = n["assessment"];
  if (str(stated, "policy") != policy.id || str(n, "policy_sha256") != policy.sha256)
    return Status::InvalidArgument("the policy given (" + policy.id + ", SHA-256 " + policy.sha256 +
                                   ") is not the notice's (" + str(stated, "policy") +
                                   ", SHA-256 " + str(n, "policy_sha256") + ")");
  // The log must be the notice's: same id, and the checkpoint's tree a
  // prefix of it.
  const ledger::LedgerInfo info = ledger.Info();
  RL_ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::ParseCheckpoint(str(n, "checkpoint")));
  if (cp.origin != info.ledger_id)
    return Status::VerificationFailed("the log given is ledger " + info.ledger_id + ", not " + cp.origin);
  if (cp.size > info.size)
    return Status::VerificationFailed("the log given has " + std::to_string(info.size) +
                                      " entries, fewer than the notice's checkpoint (" +
                                      std::to_string(cp.size) + ")");
  ledger::Hash root_at = info.root;
  if (cp.size < info.size) {
    RL_ASSIGN_OR_RETURN(ledger::ConsistencyProofInfo p, ledger.ProveConsistency(cp.size, info.size));
    root_at = p.old_root;
  }
  if (root_at != cp.root)
    return Status::VerificationFailed("the log given does not contain the notice's checkpoint: its "
                                      "root at size " + std::to_string(cp.size) + " differs");

  // The state the checkpoint commits to, and the determination from it.
  // The log as it is when it has not grown (its indexes: the cone only);
  // else its first cp.size entries replayed in memory (the whole prefix).
  LedgerSource whole(ledger);
  std::unique_ptr<PrefixSource> replayed;
  if (cp.size < info.size) {
    RL_ASSIGN_OR_RETURN(replayed, PrefixSource::Replay(ledger, cp.size));
  }
  const ProvenanceSource& source = replayed ? static_cast<const ProvenanceSource&>(*replayed) : whole;
  const std::string from = str(n, "from");
  RL_ASSIGN_OR_RETURN(ledger::PartyRecord sender, source.GetParty(from));
  std::string key;  // the sender's key at the checkpoint
  for (const auto& k : sender.keys)
    if (k.from_index < cp.size) key = k.pubkey;
  auto sig = ledger::Base64Decode(str(n, "signature"));
  json body = n;
  body.erase("signature");
  RL_ASSIGN_OR_RETURN(ledger::PublicKey pub, ledger::PublicKey::FromRaw(key));
  RL_ASSIGN_OR_RETURN(ledger::Verifier verifier, ledger::Verifier::Create(pub));
  if (!sig.ok() || !verifier.Verify(std::string(kNoticeDomain) + ledger::Canonicalize(body), *sig).ok())
    return Status::VerificationFailed("the notice is not signed with " + from +
                                      "'s key at the checkpoint per the log (a retired key?)");
  for (const std::string& party : {from, str(n, "to")}) {
    RL_ASSIGN_OR_RETURN(ledger::PartyRecord p, source.GetParty(party));
    if (p.revoked_at)
      return Status::VerificationFailed("party " + party + " was revoked at entry " +
                                        std::to_string(*p.revoked_at) + " per the log");
  }
  Shipment shipment;
  shipment.to = str(stated, "to");
  if (stated.contains("end_use") && stated["end_use"].is_string()) shipment.end_use = stated["end_use"];
  if (stated.contains("end_user") && stated["end_user"].is_string()) shipment.end_user = stated["end_user"];
  RL_ASSIGN_OR_RETURN(Assessment a, Assess(source, policy, str(stated, "lot"), str(stated, "as_of"),
                                           shipment));
  const json now = Unbound(AssessmentJson(a)), then = Unbound(stated);
  if (const std::string field = FirstDifference(now, then); !field.empty())
    return Status::VerificationFailed("recomputed from the log at the checkpoint (size " +
                                      std::to_string(cp.size) + "), " + field + " is " +
                                      now.value(field, json()).dump() + ", not " +
                                      then.value(field, json()).dump() + " as the notice says");
  if (AssessmentSummary(a) != str(n, "summary"))
    return Status::VerificationFailed("recomputed from the log, the summary is \"" +
                                      AssessmentSummary(a) + "\", not the notice's");
  std::vector<std::string> warnings;
  if (info.size > cp.size) {
    auto current = ledger.GetLot(a.lot);
    if (current.ok() && current->holder != a.holder)
      warnings.push_back("since the notice's checkpoint (size " + std::to_string(cp.size) +
                         ") the log has grown to " + std::to_string(info.size) + " entries, and " +
                         a.lot + " is now held by " + current->holder);
  }
  return warnings;
}

}  // namespace rareledger::graph
