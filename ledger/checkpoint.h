// Checkpoints: the log's signed tree heads, as C2SP tlog-checkpoint bodies
// wrapped in C2SP signed-note envelopes (the Go sumdb/note format), so that a
// C2SP witness or golang.org/x/mod/sumdb/note can check them. See
// docs/merkle.md for the byte format and an example.
//
// Signed note (C2SP signed-note):
//   text        one or more lines, each ending in "\n"
//   "\n"        a blank line
//   signatures  one or more lines "— NAME BASE64(keyid4 || signature)\n"
//               ("—" is U+2014 EM DASH, then one space)
// keyid4 = SHA-256(NAME || "\n" || 0x01 || pubkey32)[0:4] for Ed25519 keys,
// and the Ed25519 signature covers the text bytes including the final "\n".
// Signature lines by unknown keys are ignored when verifying.
//
// Checkpoint text (C2SP tlog-checkpoint):
//   ORIGIN "\n" SIZE "\n" BASE64(root) "\n" [extension lines, each non-empty]
// where SIZE is ASCII decimal without leading zeros and root is the 32-byte
// RFC 9162 tree hash in padded standard base64. The ledger signs with the
// operator key under the key name ORIGIN (the ledger id).
#ifndef RARELEDGER_LEDGER_CHECKPOINT_H_
#define RARELEDGER_LEDGER_CHECKPOINT_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace rareledger::ledger {

using NoteKeyIdBytes = std::array<uint8_t, 4>;

// ---- signed notes ----

// SHA-256(key_name || "\n" || 0x01 || public_key.raw())[0:4].
NoteKeyIdBytes NoteKeyId(std::string_view key_name, const PublicKey& public_key);

// The Go sumdb/note verifier key: "NAME+hex8(keyid)+BASE64(0x01 || pubkey32)",
// e.g. "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k".
std::string VerifierKey(std::string_view key_name, const PublicKey& public_key);

struct ParsedVerifierKey {
  std::string name;
  NoteKeyIdBytes key_id;
  PublicKey public_key;
};
// Ok for a valid note key name: non-empty, no whitespace, no '+'.
Status CheckNoteKeyName(std::string_view name);

// Parses a verifier key: valid name, 8 lowercase hex digits, base64 of 33
// bytes starting with the Ed25519 type 0x01; the key id must match the one
// recomputed from name and key. InvalidArgument otherwise.
Result<ParsedVerifierKey> ParseVerifierKey(std::string_view vkey);

struct NoteSignature {
  std::string key_name;
  NoteKeyIdBytes key_id;
  std::string signature;  // the bytes after the key id (64 for Ed25519)
};
struct SignedNote {
  std::string text;  // ends in "\n"; this is what signatures cover
  std::vector<NoteSignature> signatures;
};

// Splits a note at its last "\n\n" into text and signature lines. Strict:
// the note ends in "\n", has at least one signature line, each line starts
// with "— ", names a valid key name and carries base64 of at least 5 bytes.
// InvalidArgument naming the problem otherwise.
Result<SignedNote> ParseNote(std::string_view note);

// Signs `text` (which must end in "\n" and contain no blank line) and returns
// text + "\n" + "— key_name BASE64(keyid || sig)\n". key_name must be a valid
// key name: non-empty, no whitespace, no '+'.
Result<std::string> SignNote(std::string_view text, std::string_view key_name,
                             const Signer& signer);

// Ok iff the note parses and carries a valid signature line by key_name with
// the key id of `public_key`. Lines by other keys are ignored. A matching line
// whose signature does not verify fails. Every failure, including a note that
// does not parse ("malformed note: ..."), is VerificationFailed naming why.
Status VerifyNote(std::string_view note, std::string_view key_name, const PublicKey& public_key);

// ---- checkpoints ----

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  bool operator==(const Checkpoint&) const = default;
};

// "ORIGIN\nSIZE\nBASE64(root)\n".
std::string CheckpointBody(const Checkpoint& checkpoint);

// Parses the checkpoint text (the part of a note before the blank line).
// Strict: origin non-empty, size decimal without leading zeros and within
// uint64, root base64 of exactly 32 bytes, extension lines non-empty (they are
// accepted but not returned). InvalidArgument naming the problem otherwise.
Result<Checkpoint> ParseCheckpointBody(std::string_view text);

// CheckpointBody signed by `signer` under the key name checkpoint.origin.
// InvalidArgument if the origin is not a valid key name.
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const Signer& signer);

// Parses a signed checkpoint note (ParseNote + ParseCheckpointBody). Checks
// the format only, not any signature.
Result<Checkpoint> ParseCheckpoint(std::string_view note);

// Parses the note, checks that its origin is `origin`, and that it carries a
// valid signature by key_name / public_key (VerifyNote). Returns the
// checkpoint only if all hold; otherwise VerificationFailed naming why
// ("malformed note: ...", "checkpoint origin mismatch: ...", "no signature by
// NAME+KEYID ...", "signature by NAME+KEYID does not verify: ...").
Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view origin,
                                    std::string_view key_name, const PublicKey& public_key);
// The ledger's own form: the key name is the origin.
Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view origin,
                                    const PublicKey& public_key);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_CHECKPOINT_H_
