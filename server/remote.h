// Clients of a log's read side (C2SP tlog-tiles, as `serve` or a static
// `tiles` directory offers it): `verify --server` and `mirror`. Nothing read
// from the server is trusted but the signed checkpoint and the hashes: every
// leaf is replayed (signatures, rules, seq), every hash tile is compared
// with the tree the leaves build, and the root with the signed note.
#ifndef RARELEDGER_SERVER_REMOTE_H_
#define RARELEDGER_SERVER_REMOTE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "server/http_client.h"

namespace rareledger::server {

// Whose signature a checkpoint must carry: `key` under the note key name
// `key_name` (from a verifier key), or under the checkpoint's origin when
// `key_name` is empty (a PEM key).
struct RemoteTrust {
  std::string key_name;
  ledger::PublicKey key;
};

struct SignedCheckpoint {
  std::string note;
  ledger::Checkpoint cp;
};

// GET /checkpoint, checked against `trust`.
ledger::Result<SignedCheckpoint> FetchCheckpoint(HttpClient& client, const RemoteTrust& trust);

// Calls fn(index, leaf) for leaves [from, to) of the tree of `size` leaves
// (to <= size), read from entry bundles at the widths that tree gives them.
ledger::Status FetchLeaves(HttpClient& client, uint64_t from, uint64_t to, uint64_t size,
                           const std::function<ledger::Status(uint64_t, std::string)>& fn);

// `verify --server`: fetches the checkpoint, every entry bundle and hash
// tile of its tree, and replays the log as `verify` does, with no
// database. The report's `uncovered` is 0: only what the note signs is read.
ledger::Result<ledger::VerifyReport> VerifyServer(const std::string& url, const RemoteTrust& trust,
                                                  const ledger::VerifyOptions& options = {});

// Two notes that cannot both be true: the one a mirror accepted last and
// the one the server offers now.
struct Inconsistency {
  std::string accepted_note;  // empty when the mirror had accepted none yet
  std::string offered_note;
  std::string why;
};

struct MirrorRound {
  uint64_t size = 0;     // the replica's size after the round
  uint64_t appended = 0;
};

// One round of `mirror`: fetches the server's checkpoint; when it is
// consistent with the replica (the replica's leaves plus the new ones the
// server offers give the signed root), appends the new leaves through the
// ledger's rules and records the note. An inconsistent checkpoint (a
// different history, a smaller size) fills `*evidence` and returns
// VerificationFailed; bundles that do not give the signed root although the
// tiles prove the checkpoint consistent are VerificationFailed without
// evidence; nothing is appended after any of these. A leaf that the rules
// reject although the signed root commits to it (the operator signed a
// broken log) stops the round there, like a submit.
// `accept`, when set, must pass an offered note before anything else is
// done with it (the witness requirement).
ledger::Result<MirrorRound> MirrorOnce(
    ledger::Ledger& replica, HttpClient& client, const RemoteTrust& trust,
    std::optional<Inconsistency>* evidence,
    const std::function<ledger::Status(const std::string&)>& accept = nullptr);

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_REMOTE_H_
