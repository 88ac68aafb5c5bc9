// VerifyNotice: the offline checks of notice.h, in the order a reader
// would want them: form, checkpoint, proofs, entry signatures, the
// notice's own signature, what the cited entries establish, dates.
#include <algorithm>
#include <ctime>
#include <map>
#include <variant>

#include "graph/notice.h"
#include "ledger/canonical_json.h"
#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/merkle.h"
#include "ledger/proof_check.h"
#include "ledger/verifier.h"

namespace rareledger::graph {

using ledger::Result;
using ledger::Status;
using nlohmann::json;

namespace {

Status Fail(const std::string& why) { return Status::VerificationFailed(why); }

// n[key] when n is an object that has it, else null (which iterates as
// nothing): never throws, never asserts on hostile input.
const json& Member(const json& n, const char* key) {
  static const json kNull;
  if (!n.is_object()) return kNull;
  auto it = n.find(key);
  return it == n.end() ? kNull : *it;
}

Result<std::string> StringField(const json& n, const char* key) {
  auto it = n.find(key);
  if (it == n.end() || !it->is_string())
    return Status::InvalidArgument(std::string("notice: \"") + key + "\" must be a string");
  return it->get<std::string>();
}

// Each party's keys as the cited entries give them: (from_index, raw key),
// ascending. A key signs the entries after its from_index.
using KeyHistory = std::map<std::string, std::vector<std::pair<uint64_t, std::string>>>;

KeyHistory Keys(const std::map<uint64_t, ledger::Entry>& entries) {
  KeyHistory keys;
  for (const auto& [index, e] : entries) {
    if (const auto* r = std::get_if<ledger::RegisterParty>(&e.body))
      keys[r->id].push_back({index, r->pubkey});
    else if (const auto* k = std::get_if<ledger::RotateKey>(&e.body))
      keys[e.party].push_back({index, k->pubkey});
  }
  return keys;
}

// The key `party` signed entry `index` with (the genesis signs itself).
const std::string* KeyAt(const KeyHistory& keys, const std::string& party, uint64_t index) {
  auto it = keys.find(party);
  if (it == keys.end()) return nullptr;
  const std::string* key = nullptr;
  for (const auto& [from, raw] : it->second)
    if (from < index || (index == 0 && from == 0)) key = &raw;
  return key;
}

Status VerifyWith(const std::string& raw_key, std::string_view message, std::string_view sig) {
  RL_ASSIGN_OR_RETURN(ledger::PublicKey key, ledger::PublicKey::FromRaw(raw_key));
  RL_ASSIGN_OR_RETURN(ledger::Verifier v, ledger::Verifier::Create(key));
  return v.Verify(message, sig);
}

struct Cited {
  std::map<uint64_t, ledger::Entry> entries;
};

// The proofs: every leaf in the checkpoint's tree, decoded, of this ledger.
Result<Cited> CheckProofs(const json& proofs, const ledger::Checkpoint& cp) {
  if (!proofs.is_array() || proofs.empty())
    return Status::InvalidArgument("notice: \"proofs\" must be a non-empty array");
  Cited c;
  for (const json& p : proofs) {
    if (!p.is_object() || !p.contains("index") || !p["index"].is_number_integer() ||
        p["index"].get<int64_t>() < 0 ||
        !p.contains("leaf") || !p["leaf"].is_string() || !p.contains("path") ||
        !p["path"].is_array())
      return Status::InvalidArgument("notice: each proof needs \"index\", \"leaf\" and \"path\"");
    const uint64_t index = static_cast<uint64_t>(p["index"].get<int64_t>());
    const std::string at = "entry " + std::to_string(index);
    if (c.entries.count(index)) return Status::InvalidArgument("notice: " + at + " is cited twice");
    std::vector<ledger::Hash> path;
    for (const json& h : p["path"]) {
      auto hash = ledger::HashFromHex(h.is_string() ? h.get<std::string>() : std::string());
      if (!hash.ok())
        return Status::InvalidArgument("notice: the proof of " + at +
                                       " has a hash that is not 64 hex digits");
      path.push_back(*hash);
    }
    const std::string leaf = p["leaf"].get<std::string>();
    if (Status s = ledger::VerifyInclusion(index, cp.size, ledger::LeafHash(leaf), path, cp.root);
        !s.ok())
      return Fail("the proof of " + at + " does not verify against the checkpoint (size " +
                  std::to_string(cp.size) + "): " + s.message());
    auto e = ledger::DecodeLeaf(leaf);
    if (!e.ok()) return Fail(at + " is not a valid entry: " + e.status().message());
    if (e->ledger != cp.origin)
      return Fail(at + " belongs to ledger " + e->ledger + ", not " + cp.origin);
    c.entries.emplace(index, *std::move(e));
  }
  return c;
}

Status CheckEntrySignatures(const Cited& c, const KeyHistory& keys) {
  for (const auto& [index, e] : c.entries) {
    const std::string at = "entry " + std::to_string(index);
    const std::string* key = KeyAt(keys, e.party, index);
    if (key == nullptr)
      return Fail(at + " is signed by party " + e.party +
                  ", whose registration the notice does not cite");
    if (Status s = VerifyWith(*key, e.signed_bytes, e.sig); !s.ok())
      return Fail(at + ": the signature of party " + e.party + " does not verify");
  }
  return Status::Ok();
}

// The lot's custody per the cited entries: its maker, then each cited
// transfer, each signed by the holder of the moment. Returns the holder.
Result<std::string> Custody(const Cited& c, const std::string& lot) {
  std::optional<std::string> holder;
  for (const auto& [index, e] : c.entries) {
    const auto made = LotsMadeBy(e);
    if (std::find(made.begin(), made.end(), lot) != made.end()) {
      holder = e.party;
      continue;
    }
    const auto* t = std::get_if<ledger::Transfer>(&e.body);
    if (t == nullptr || t->lot != lot) continue;
    if (!holder) return Fail("entry " + std::to_string(index) + " transfers " + lot +
                             " before any cited entry makes it");
    if (e.party != *holder)
      return Fail("entry " + std::to_string(index) + " transfers " + lot + " signed by " + e.party +
                  ", who did not hold it");
    holder = t->to;
  }
  if (!holder) return Fail("no cited entry makes lot " + lot);
  return *holder;
}

bool Makes(const Cited& c, const std::string& lot) {
  for (const auto& [index, e] : c.entries) {
    const auto made = LotsMadeBy(e);
    if (std::find(made.begin(), made.end(), lot) != made.end()) return true;
  }
  return false;
}

// The covering licence, when there is one: cited, for this policy and
// holder, in force on as_of, signed by a regulator or by the holder.
Status CheckCoveredBy(const Cited& c, const json& n, const std::string& licence,
                      const std::string& from, const std::string& policy, const std::string& as_of) {
  for (const auto& [index, e] : c.entries) {
    const auto* l = std::get_if<ledger::Licence>(&e.body);
    if (l == nullptr || l->licence != licence || l->licensee != from) continue;
    if (l->policy != policy)
      return Fail("licence " + licence + " answers policy " + l->policy + ", not " + policy);
    if (!(l->valid_from <= as_of && as_of < l->valid_to))
      return Fail("licence " + licence + " is not valid on " + as_of + " (" + l->valid_from +
                  " to " + l->valid_to + ")");
    bool by_regulator = false;
    for (const auto& [i, r] : c.entries)
      if (const auto* reg = std::get_if<ledger::RegisterParty>(&r.body); reg && reg->id == e.party)
        by_regulator = std::find(reg->roles.begin(), reg->roles.end(), "regulator") != reg->roles.end();
    if (!by_regulator && e.party != from)
      return Fail("licence " + licence + " is signed by " + e.party +
                  ", neither a regulator nor the licensee");
    for (const json& x : Member(Member(n, "assessment"), "licences"))
      if (x.is_object() && x.value("licence", json()) == licence &&
          x.value("issued", json()) == true && !by_regulator)
        return Fail("licence " + licence + " is called issued, but " + e.party +
                    " is not registered as a regulator in the cited entries");
    return Status::Ok();
  }
  return Fail("the covering licence " + licence + " of " + from + " is not among the cited entries");
}

// The top-level fields must say what the signed assessment says.
Status CheckAgainstAssessment(const json& n) {
  const json& a = Member(n, "assessment");
  if (!a.is_object()) return Status::InvalidArgument("notice: \"assessment\" must be an object");
  const std::pair<const char*, const char*> same[] = {
      {"lot", "lot"},       {"from", "holder"}, {"to", "to"},         {"policy", "policy"},
      {"policy_sha256", "policy_sha256"},       {"as_of", "as_of"},   {"verdict", "verdict"},
      {"ratio", "ratio"},   {"covered_by", "covered_by"},             {"ledger", "ledger"}};
  for (const auto& [top, inner] : same)
    if (!a.contains(inner) || !n.contains(top) || a[inner] != n[top])
      return Fail(std::string("the notice's ") + top + " is not the assessment's " + inner);
  return Status::Ok();
}

// Cosignature timestamps beyond year 9999 are not dates.
constexpr int64_t kMaxSafeSeconds = 253402300799;  // 9999-12-31T23:59:59Z

std::string TimeOfSeconds(int64_t t) {
  const int64_t s = t % 86400;
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", static_cast<int>(s / 3600),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  return DateOfDay(t / 86400) + buf;
}

Status CheckDates(const json& n, const NoticeCheckOptions& o, const Cited& c, uint64_t size,
                  NoticeCheck* out) {
  const std::string issued = n["issued"].get<std::string>();
  const auto issued_day = DayNumber(issued.substr(0, 10));
  const auto until_day = DayNumber(out->valid_until);
  const auto at_day = DayNumber(o.at);
  if (!issued_day || issued.size() != 20 || issued.back() != 'Z')
    return Status::InvalidArgument("notice: \"issued\" must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
  if (!until_day) return Status::InvalidArgument("notice: \"valid_until\" must be a date");
  if (!at_day) return Status::InvalidArgument("the date to check on is not YYYY-MM-DD");
  if (*at_day > *until_day) return Fail("the notice expired on " + out->valid_until);
  if (*at_day < *issued_day) return Fail("the notice is issued " + issued + ", after " + o.at);
  auto newest = c.entries.find(size - 1);
  if (newest == c.entries.end())
    return Fail("the notice does not cite the checkpoint's newest entry (" +
                std::to_string(size - 1) + "), which dates the checkpoint");
  out->newest_entry_time = newest->second.time;
  if (newest->second.time > issued)
    return Fail("the notice is issued " + issued + ", before the checkpoint's newest entry (" +
                newest->second.time + ")");
  out->checkpoint_time = newest->second.time;
  out->checkpoint_time_from = "its newest entry";
  for (const ledger::CosignerKey& w : o.witnesses) {
    auto ts = ledger::VerifyCosignature(out->checkpoint_note, w);
    if (!ts.ok() || *ts > static_cast<uint64_t>(kMaxSafeSeconds)) continue;
    const std::string when = TimeOfSeconds(static_cast<int64_t>(*ts));
    if (when > out->checkpoint_time) {
      out->checkpoint_time = when;
      out->checkpoint_time_from = "the cosignature of witness " + w.name;
    }
  }
  const auto checkpoint_day = DayNumber(out->checkpoint_time.substr(0, 10));
  if (!checkpoint_day || *issued_day - *checkpoint_day > o.max_checkpoint_age_days)
    return Fail("the checkpoint has expired: " + out->checkpoint_time_from + " dates it " +
                out->checkpoint_time + ", more than " + std::to_string(o.max_checkpoint_age_days) +
                " days before the notice was issued (" + issued +
                "; --max-checkpoint-age, or a witness's cosignature, --witness-vkey)");
  return Status::Ok();
}

}  // namespace

Result<NoticeCheck> VerifyNotice(std::string_view text, const NoticeCheckOptions& o) {
  // Not ParseStrict: a notice may pass its 1 MiB limit. CheckSubset then
  // holds it to the same subset (no floats, valid UTF-8).
  const json n = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (n.is_discarded()) return Status::InvalidArgument("notice: not valid JSON");
  RL_RETURN_IF_ERROR(ledger::CheckSubset(n).WithContext("notice"));
  if (Member(n, "notice") != kNoticeFormat)
    return Status::InvalidArgument(std::string("not a compliance notice (\"notice\" must be \"") +
                                   kNoticeFormat + "\")");
  NoticeCheck out;
  for (auto [field, dest] : {std::pair{"ledger", &out.ledger}, {"lot", &out.lot}, {"from", &out.from},
                             {"to", &out.to}, {"policy", &out.policy}, {"as_of", &out.as_of},
                             {"issued", &out.issued}, {"valid_until", &out.valid_until},
                             {"verdict", &out.verdict}, {"ratio", &out.ratio}}) {
    RL_ASSIGN_OR_RETURN(*dest, StringField(n, field));
  }
  RL_ASSIGN_OR_RETURN(std::string note, StringField(n, "checkpoint"));
  RL_ASSIGN_OR_RETURN(std::string sig64, StringField(n, "signature"));
  RL_ASSIGN_OR_RETURN(std::string policy_sha, StringField(n, "policy_sha256"));
  if (n.contains("covered_by") && n["covered_by"].is_string())
    out.covered_by = n["covered_by"].get<std::string>();
  RL_RETURN_IF_ERROR(CheckAgainstAssessment(n));
  if (out.to == out.from) return Fail("the notice's recipient is its sender, " + out.from);
  if (o.policy_id && (*o.policy_id != out.policy || *o.policy_sha256 != policy_sha))
    return Fail("the notice was made under " + out.policy + " with SHA-256 " + policy_sha +
                ", not the policy given (" + *o.policy_id + ", " + *o.policy_sha256 + ")");

  // The checkpoint is the operator's, for this ledger.
  RL_ASSIGN_OR_RETURN(ledger::PublicKey op_key, ledger::PublicKey::FromRaw(o.operator_key));
  const std::string vkey = ledger::VerifierKey(out.ledger, op_key);
  auto cp = ledger::VerifyCheckpointWithVkey(note, vkey);
  if (!cp.ok())
    return Fail("the checkpoint is not signed by the operator key given for ledger " + out.ledger +
                ": " + cp.status().message());
  out.checkpoint_size = cp->size;
  out.checkpoint_note = note;
  RL_ASSIGN_OR_RETURN(Cited c, CheckProofs(Member(n, "proofs"), *cp));
  out.entries = c.entries.size();

  // Keys: from the genesis (the operator's own), through every cited
  // registration and rotation; the operator's key at the checkpoint must
  // be the one given.
  const KeyHistory keys = Keys(c.entries);
  if (!c.entries.count(0)) return Fail("the notice does not cite entry 0 (the operator's key)");
  const std::string* op = KeyAt(keys, ledger::kOperatorId, cp->size);
  if (op == nullptr || *op != o.operator_key)
    return Fail("the operator key given is not the operator's key at the checkpoint per the "
                "cited entries");
  RL_RETURN_IF_ERROR(CheckEntrySignatures(c, keys));

  // The holder's signature over everything else.
  const std::string* holder_key = KeyAt(keys, out.from, cp->size);
  if (holder_key == nullptr)
    return Fail("the notice does not cite the registration of its signer " + out.from);
  auto sig = ledger::Base64Decode(sig64);
  json body = n;
  body.erase("signature");
  if (!sig.ok() || !VerifyWith(*holder_key, std::string(kNoticeDomain) + ledger::Canonicalize(body),
                               *sig)
                       .ok())
    return Fail("the notice's signature does not verify with " + out.from +
                "'s key: a field was changed after signing, or another key signed it");
  out.holder_key_fingerprint = ledger::KeyFingerprint(*holder_key);

  // What the cited entries establish.
  RL_ASSIGN_OR_RETURN(std::string holder, Custody(c, out.lot));
  if (holder != out.from)
    return Fail("per the cited entries " + out.lot + " is held by " + holder + ", not " + out.from);
  if (KeyAt(keys, out.to, cp->size) == nullptr)
    return Fail("the notice does not cite the registration of its recipient " + out.to);
  for (const json& contributor : Member(Member(n, "assessment"), "contributors")) {
    const json lot = contributor.is_object() ? contributor.value("lot", json()) : json();
    if (!lot.is_string() || !Makes(c, lot.get<std::string>()))
      return Fail("no cited entry makes contributor " + lot.dump());
  }
  if (out.covered_by)
    RL_RETURN_IF_ERROR(CheckCoveredBy(c, n, *out.covered_by, out.from, out.policy, out.as_of));
  RL_RETURN_IF_ERROR(CheckDates(n, o, c, cp->size, &out));
  return out;
}

std::optional<int64_t> DayNumber(std::string_view date) {
  if (!IsValidDate(date)) return std::nullopt;
  const int64_t y0 = std::stoi(std::string(date.substr(0, 4)));
  const int m = std::stoi(std::string(date.substr(5, 2)));
  const int d = std::stoi(std::string(date.substr(8, 2)));
  // Days from civil (H. Hinnant's algorithm, written out).
  const int64_t y = y0 - (m <= 2);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string DateOfDay(int64_t day) {
  const int64_t z = day + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

}  // namespace rareledger::graph
