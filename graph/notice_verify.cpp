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

bool Has(const std::vector<std::string>& items, const std::string& s) {
  return std::find(items.begin(), items.end(), s) != items.end();
}

bool IsRegulator(const Cited& c, const std::string& party) {
  for (const auto& [i, e] : c.entries)
    if (const auto* r = std::get_if<ledger::RegisterParty>(&e.body); r && r->id == party)
      return Has(r->roles, "regulator");
  return false;
}

// `lot` and its split ancestors, as far as the cited splits show them.
std::vector<std::string> LotAndAncestors(const Cited& c, std::string lot) {
  std::vector<std::string> out = {lot};
  for (bool found = true; found;) {
    found = false;
    for (const auto& [i, e] : c.entries) {
      const auto* sp = std::get_if<ledger::Split>(&e.body);
      if (sp == nullptr) continue;
      for (const auto& part : sp->parts)
        if (part.lot == lot && !Has(out, sp->lot)) {
          lot = sp->lot;
          out.push_back(lot);
          found = true;
        }
    }
  }
  return out;
}

std::string AssessmentString(const json& n, const char* key) {
  const json& v = Member(Member(n, "assessment"), key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// The covering licence: the entry the assessment names for it, cited, a
// licence of `from` under this policy, signed by a regulator or by `from`
// as the assessment says, in force on as_of and through valid_until, not
// revoked by as_of, its scope covering this shipment.
Status CheckCoveredBy(const Cited& c, const json& n, const NoticeCheck& out) {
  const std::string& id = *out.covered_by;
  std::optional<uint64_t> index;
  bool said_issued = false;
  for (const json& x : Member(Member(n, "assessment"), "licences"))
    if (x.is_object() && x.value("licence", json()) == id && x.value("covers", json()) == true &&
        x.value("entry", json()).is_number_integer() && x["entry"].get<int64_t>() >= 0) {
      index = static_cast<uint64_t>(x["entry"].get<int64_t>());
      said_issued = x.value("issued", json()) == true;
    }
  if (!index) return Fail("the assessment lists no covering licence " + id);
  auto it = c.entries.find(*index);
  const ledger::Licence* l =
      it == c.entries.end() ? nullptr : std::get_if<ledger::Licence>(&it->second.body);
  if (l == nullptr || l->licence != id)
    return Fail("the covering licence " + id + " (entry " + std::to_string(*index) +
                ") is not among the cited entries");
  const std::string& signer = it->second.party;
  const std::string name = "licence " + id + " (entry " + std::to_string(*index) + ")";
  if (l->licensee != out.from) return Fail(name + " is " + l->licensee + "'s, not " + out.from + "'s");
  if (l->policy != out.policy) return Fail(name + " answers policy " + l->policy + ", not " + out.policy);
  const bool by_regulator = IsRegulator(c, signer);
  if (!by_regulator && signer != out.from)
    return Fail(name + " is signed by " + signer + ", neither a regulator nor the licensee");
  if (said_issued && !by_regulator)
    return Fail(name + " is called issued, but " + signer + " is not a registered regulator");
  if (!(l->valid_from <= out.as_of && out.as_of < l->valid_to))
    return Fail(name + " is not valid on " + out.as_of + " (" + l->valid_from + " to " + l->valid_to + ")");
  if (!(out.valid_until < l->valid_to))
    return Fail("the notice is valid until " + out.valid_until + ", past the end of " + name +
                " (valid to " + l->valid_to + ", exclusive)");
  for (const auto& [i, e] : c.entries)
    if (const auto* r = std::get_if<ledger::RevokeLicence>(&e.body);
        r && r->licence == id && e.party == signer && e.time.substr(0, 10) <= out.as_of)
      return Fail(name + " was revoked by entry " + std::to_string(i) + " on " + e.time.substr(0, 10));
  const ledger::LicenceScope& scope = l->scope;
  if (scope.lots) {
    bool in = false;
    for (const auto& lot : LotAndAncestors(c, out.lot)) in = in || Has(*scope.lots, lot);
    if (!in) return Fail(name + ": lot " + out.lot + " is not in its scope");
  }
  if (scope.categories && !Has(*scope.categories, AssessmentString(n, "category")))
    return Fail(name + ": the lot's category is not in its scope");
  if (scope.consignees && !Has(*scope.consignees, out.to))
    return Fail(name + ": " + out.to + " is not among its consignees");
  if (scope.end_uses && !Has(*scope.end_uses, AssessmentString(n, "end_use")))
    return Fail(name + ": the shipment's end use is not among its end uses");
  const json& screening = Member(Member(n, "assessment"), "screening");
  if (l->kind == "general" && screening.is_array() && !screening.empty())
    return Fail(name + " is general, and a general licence never covers a screened consignee");
  return Status::Ok();
}

// A cited revocation of the sender or the recipient.
Status CheckNotRevoked(const Cited& c, const NoticeCheck& out) {
  for (const auto& [i, e] : c.entries)
    if (const auto* r = std::get_if<ledger::RevokeParty>(&e.body); r && (r->id == out.from || r->id == out.to))
      return Fail("party " + r->id + " was revoked by entry " + std::to_string(i) + ": " + r->reason);
  return Status::Ok();
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

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// "n/d" in lowest digits form: digits, a slash, digits.
bool IsFraction(std::string_view s) {
  const size_t slash = s.find('/');
  return slash != std::string_view::npos && IsDigits(s.substr(0, slash)) &&
         IsDigits(s.substr(slash + 1));
}

// YYYY-MM-DDTHH:MM:SSZ, a real date and time of day.
bool IsUtcTime(std::string_view t) {
  if (t.size() != 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') return false;
  if (!DayNumber(t.substr(0, 10))) return false;
  for (size_t i : {11, 12, 14, 15, 17, 18})
    if (t[i] < '0' || t[i] > '9') return false;
  const int h = (t[11] - '0') * 10 + (t[12] - '0');
  const int m = (t[14] - '0') * 10 + (t[15] - '0');
  const int sec = (t[17] - '0') * 10 + (t[18] - '0');
  return h < 24 && m < 60 && sec < 60;
}

// The form of the fields VerifyNotice reports.
Status CheckFieldForms(const NoticeCheck& out) {
  static const char* const kVerdicts[] = {"licence_required", "prohibited", "not_required", "unknown"};
  if (std::find_if(std::begin(kVerdicts), std::end(kVerdicts),
                   [&](const char* v) { return out.verdict == v; }) == std::end(kVerdicts))
    return Status::InvalidArgument("notice: \"verdict\" \"" + out.verdict + "\" is not a verdict");
  if (!IsFraction(out.ratio)) return Status::InvalidArgument("notice: \"ratio\" must be \"n/d\"");
  if (!IsUtcTime(out.issued))
    return Status::InvalidArgument("notice: \"issued\" must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
  if (!DayNumber(out.valid_until) || !DayNumber(out.as_of))
    return Status::InvalidArgument("notice: \"as_of\" and \"valid_until\" must be dates YYYY-MM-DD");
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

// Validity: as_of and `at` within [issued, valid_until], at most
// kMaxNoticeDays long; the checkpoint at most max_checkpoint_age_days old
// on `at`, dated by its newest entry (a claim, never later than issued)
// or a later witness cosignature.
Status CheckDates(const NoticeCheckOptions& o, const Cited& c, uint64_t size, NoticeCheck* out) {
  const int64_t issued_day = *DayNumber(out->issued.substr(0, 10));
  const int64_t until_day = *DayNumber(out->valid_until);
  const int64_t as_of_day = *DayNumber(out->as_of);
  const auto at_day = DayNumber(o.at);
  if (!at_day) return Status::InvalidArgument("the date to check on is not YYYY-MM-DD");
  if (until_day - issued_day > kMaxNoticeDays)
    return Fail("the notice claims validity from " + out->issued.substr(0, 10) + " to " +
                out->valid_until + ", more than " + std::to_string(kMaxNoticeDays) + " days");
  if (as_of_day < issued_day || as_of_day > until_day)
    return Fail("the determination's date " + out->as_of + " is outside the notice's validity (" +
                out->issued.substr(0, 10) + " to " + out->valid_until + ")");
  if (*at_day > until_day) return Fail("the notice expired on " + out->valid_until);
  if (*at_day < issued_day) return Fail("the notice is issued " + out->issued + ", after " + o.at);
  auto newest = c.entries.find(size - 1);
  if (newest == c.entries.end())
    return Fail("the notice does not cite the checkpoint's newest entry (" +
                std::to_string(size - 1) + "), which dates the checkpoint");
  out->newest_entry_time = newest->second.time;
  out->checkpoint_time = std::min(newest->second.time, out->issued);
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
  if (!checkpoint_day || *at_day - *checkpoint_day > o.max_checkpoint_age_days)
    return Fail("the checkpoint has expired: " + out->checkpoint_time_from + " dates it " +
                out->checkpoint_time + ", more than " + std::to_string(o.max_checkpoint_age_days) +
                " days before " + o.at +
                " (--max-checkpoint-age, or a witness's cosignature, --witness-vkey)");
  return Status::Ok();
}

}  // namespace

Result<NoticeCheck> VerifyNotice(std::string_view text, const NoticeCheckOptions& o) {
  auto parsed = ledger::ParseStrict(text, kMaxNoticeBytes);
  if (!parsed.ok()) return parsed.status().WithContext("notice");
  const json n = *std::move(parsed);
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
  const json& covered = Member(n, "covered_by");
  if (!covered.is_null() && !covered.is_string())
    return Status::InvalidArgument("notice: \"covered_by\" must be a licence id or null");
  if (covered.is_string()) out.covered_by = covered.get<std::string>();
  RL_RETURN_IF_ERROR(CheckFieldForms(out));
  RL_RETURN_IF_ERROR(CheckAgainstAssessment(n));
  out.end_use = AssessmentString(n, "end_use");
  out.end_user = AssessmentString(n, "end_user");
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
  RL_RETURN_IF_ERROR(CheckNotRevoked(c, out));
  for (const json& contributor : Member(Member(n, "assessment"), "contributors")) {
    const json lot = contributor.is_object() ? contributor.value("lot", json()) : json();
    if (!lot.is_string() || !Makes(c, lot.get<std::string>()))
      return Fail("no cited entry makes contributor " + lot.dump());
  }
  if (out.covered_by) RL_RETURN_IF_ERROR(CheckCoveredBy(c, n, out));
  RL_RETURN_IF_ERROR(CheckDates(o, c, cp->size, &out));
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
