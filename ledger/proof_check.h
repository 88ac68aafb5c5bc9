// Offline checks a regulator runs without the database: a proof printed by
// `rareledger prove` against checkpoints signed by the operator's verifier
// key (docs/auditing.md), and key fingerprints.
//
// Encodings: proofs (and `status`, `show entry`) give hashes in lowercase
// hex; checkpoints (signed notes) give the root in base64, as C2SP
// tlog-checkpoint says. These functions compare the decoded bytes.
#ifndef RARELEDGER_LEDGER_PROOF_CHECK_H_
#define RARELEDGER_LEDGER_PROOF_CHECK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/checkpoint.h"
#include "ledger/hash.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/status.h"

namespace rareledger::ledger {

// The `prove inclusion` JSON: {"index", "size", "leaf_hash", "path", "root"}
// (hex hashes); every field required, others ignored. InvalidArgument naming
// the problem otherwise.
Result<InclusionProofInfo> ParseInclusionProofJson(std::string_view text);
// The `prove consistency` JSON: {"old", "new", "old_root", "new_root", "path"}.
Result<ConsistencyProofInfo> ParseConsistencyProofJson(std::string_view text);

// The leaf hash of an entry given as a file's text: one envelope (a line
// of entries.jsonl, or any envelope of the same payload and signature:
// it is canonicalised first), one trailing newline allowed.
Result<Hash> EntryLeafHash(std::string_view text);

// Verifies `checkpoint_note` with the Go sumdb/note verifier key `vkey`
// (origin and key name: the vkey's name). VerificationFailed naming why.
Result<Checkpoint> VerifyCheckpointWithVkey(std::string_view checkpoint_note,
                                            std::string_view vkey);

// Ok iff the checkpoint is signed by `vkey` and the proof shows leaf
// `index` with `leaf_hash` in the tree the checkpoint commits to: the
// proof's index, size, leaf hash and root must be the given index, the
// checkpoint's size, `leaf_hash` and the checkpoint's root, and the path
// must verify (RFC 9162 2.1.3.2) against the checkpoint's root. Returns
// the checkpoint; VerificationFailed naming the first mismatch.
Result<Checkpoint> CheckInclusionProof(std::string_view checkpoint_note, std::string_view vkey,
                                       const Hash& leaf_hash, uint64_t index,
                                       std::string_view proof_json);

struct ConsistencyCheck {
  Checkpoint old_checkpoint, new_checkpoint;
};
// Ok iff both checkpoints are signed by `vkey` and the proof shows the old
// one's tree is a prefix of the new one's: sizes and roots as in the
// checkpoints, the path verifying (RFC 9162 2.1.4.2). VerificationFailed
// naming the first mismatch.
Result<ConsistencyCheck> CheckConsistencyProof(std::string_view old_note, std::string_view new_note,
                                               std::string_view vkey, std::string_view proof_json);

// The operator's current key as a Go sumdb/note verifier key, named by the
// ledger id: what `checkpoint --vkey` prints.
Result<std::string> OperatorVerifierKey(const Ledger& ledger);

// SHA-256 of the raw 32-byte key, lowercase hex: what verify-bundle prints
// as a key's fingerprint (`openssl pkey -pubin -in K.pub -outform DER |
// tail -c 32 | sha256sum` gives the same).
std::string KeyFingerprint(std::string_view raw_key);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_PROOF_CHECK_H_
