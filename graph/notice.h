// Compliance Notices (SPEC "Licences and screening": `notice`,
// `verify-notice`; No. 61 Art. 7): the holder of a lot tells the next
// recipient what the lot carries and what its export needs, as a document
// the recipient checks offline, without the database.
//
// A notice is one JSON object (docs/formats.md, "Compliance Notice"):
// the determination (lot, from, to, policy and its SHA-256, as_of, verdict,
// ratio, covered_by, the whole assessment), the operator's signed checkpoint
// it rests on, the leaves of the entries it rests on with their RFC 9162
// inclusion proofs against that checkpoint, and the holder's Ed25519
// signature over the RFC 8785 bytes of everything else, prefixed by
// kNoticeDomain.
//
// What VerifyNotice proves offline, given the operator's key: the checkpoint
// is the operator's; every cited leaf is in the log at that checkpoint; every
// cited entry carries a valid signature by its party's key, the keys coming
// from the cited registrations and rotations, which trace back to the
// operator's; the notice is signed by the holder's key at the checkpoint;
// the cited entries make the lot, hand it to `from`, register `to`, make
// every contributor and carry the covering licence; the notice is within its
// validity and its checkpoint fresh enough. What it cannot prove offline:
// that no entry it does not cite changes the determination (a Merkle log
// proves inclusion, not absence); the ratio and verdict are the holder's
// computation from the cited entries, which anyone with the log recomputes
// (RecheckNotice). docs/formats.md says why the cited entries alone do not
// suffice to recompute them.
#ifndef RARELEDGER_GRAPH_NOTICE_H_
#define RARELEDGER_GRAPH_NOTICE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/assessment.h"
#include "graph/policy.h"
#include "ledger/cosignature.h"
#include "ledger/ledger.h"
#include "ledger/public_key.h"
#include "ledger/signer.h"
#include "ledger/status.h"

namespace rareledger::graph {

inline constexpr const char* kNoticeFormat = "rareledger/compliance-notice/v1";
// The signed message is kNoticeDomain followed by the canonical bytes.
inline constexpr const char* kNoticeDomain = "rareledger compliance notice v1\n";
inline constexpr int64_t kDefaultNoticeDays = 30;

struct NoticeRequest {
  std::string lot;
  Shipment shipment;   // `to` is required
  std::string as_of;   // YYYY-MM-DD
  std::string issued;  // RFC 3339 UTC, "YYYY-MM-DDTHH:MM:SSZ"
  // The last day the notice is valid (inclusive); empty: issued's date +
  // kDefaultNoticeDays.
  std::string valid_until;
};

// Assesses the shipment of `request.lot` to `request.shipment.to` under
// `policy` and builds the notice, signed with `holder_key`. The latest
// stored checkpoint must cover the whole log (Rejected otherwise:
// the operator must sign one first); the key must be the lot
// holder's current key (InvalidArgument naming both parties otherwise).
ledger::Result<nlohmann::json> MakeNotice(const ledger::Ledger& ledger, const Policy& policy,
                                          const NoticeRequest& request,
                                          const ledger::Signer& holder_key);

struct NoticeCheckOptions {
  std::string operator_key;  // the operator's public key, 32 raw bytes
  std::string at;  // the date to check validity on, YYYY-MM-DD
  // The checkpoint may be at most this many days older than the notice's
  // `issued`. Its age: from the newest of its last entry's time and the
  // timestamps of cosignatures by `witnesses` (a quiet log needs a witness
  // to show that its checkpoint is recent).
  int64_t max_checkpoint_age_days = kDefaultNoticeDays;
  std::vector<ledger::CosignerKey> witnesses;
  // When set, the notice's policy must be this one (id and SHA-256).
  std::optional<std::string> policy_id, policy_sha256;
};

struct NoticeCheck {
  std::string ledger, lot, from, to, policy, as_of, issued, valid_until;
  std::string verdict, ratio;
  std::optional<std::string> covered_by;
  uint64_t checkpoint_size = 0;
  size_t entries = 0;            // cited entries, all proven
  std::string newest_entry_time;  // of the checkpoint's last entry
  // The checkpoint's time as its age was measured: the newest entry's, or
  // a later witness timestamp, with what gave it.
  std::string checkpoint_time, checkpoint_time_from;
  std::string checkpoint_note;
  std::string holder_key_fingerprint;
};

// Checks a notice's text (see the top of this file). VerificationFailed
// naming the first check that fails ("proof of entry 4 does not verify
// against the checkpoint: ..."), InvalidArgument when the text is not a
// notice at all.
ledger::Result<NoticeCheck> VerifyNotice(std::string_view text, const NoticeCheckOptions& options);

// With the log at hand (a recipient that is a party, an auditor): checks
// that `ledger` is the notice's log and contains its checkpoint's tree, then
// assesses the shipment again under `policy` (which must be the notice's:
// id and SHA-256) and compares what the notice states. Run it after
// VerifyNotice. VerificationFailed naming the first difference ("recomputed
// from the log (size 31), the ratio is 1/10, not 0/1 as the notice says");
// a log grown past the checkpoint may legitimately differ, and the message
// then says so.
ledger::Status RecheckNotice(const ledger::Ledger& ledger, const Policy& policy,
                             std::string_view text);

// Day arithmetic on YYYY-MM-DD dates (proleptic Gregorian): days since
// 1970-01-01, or nullopt for an invalid date; and back.
std::optional<int64_t> DayNumber(std::string_view date);
std::string DateOfDay(int64_t day);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_NOTICE_H_
