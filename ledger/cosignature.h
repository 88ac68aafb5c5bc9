// Witness cosignatures: C2SP tlog-cosignature `cosignature/v1` (Ed25519).
//
// A witness cosigns a checkpoint note's text (origin, size, root and any
// extension lines) at a time T; the signed message is
//   "cosignature/v1\n" "time " DECIMAL(T) "\n" || note text
// and the signature line, appended to the note like any other, is
//   "— NAME BASE64(keyid4 || be64(T) || ed25519sig64)\n"
// with keyid4 = SHA-256(NAME || "\n" || 0x04 || pubkey32)[0:4]. The
// witness's verifier key is "NAME+HEX8(keyid)+BASE64(0x04 || pubkey32)".
// docs/witnesses.md works one example through with openssl.
#ifndef RARELEDGER_LEDGER_COSIGNATURE_H_
#define RARELEDGER_LEDGER_COSIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/status.h"

namespace rareledger::ledger {

// SHA-256(name || "\n" || 0x04 || pubkey)[0:4].
NoteKeyIdBytes CosignerKeyId(std::string_view name, const PublicKey& key);
// "NAME+HEX8+BASE64(0x04 || pubkey)".
std::string CosignerVerifierKey(std::string_view name, const PublicKey& key);
struct CosignerKey {
  std::string name;
  PublicKey key;
};
// Parses a cosigner verifier key (type 0x04, key id checked).
// InvalidArgument naming what is wrong.
Result<CosignerKey> ParseCosignerKey(std::string_view vkey);

// The bytes a cosignature at `timestamp` signs for a note whose text (the
// part before the blank line) is `note_text`.
std::string CosignedMessage(std::string_view note_text, uint64_t timestamp);

// A cosignature line ("— NAME BASE64(...)\n") by `signer` under `name` on
// the note `note` (its text is what is signed; its signatures are not).
// InvalidArgument for a note that does not parse, a bad name, or a
// timestamp past 2^63 - 1.
Result<std::string> Cosign(std::string_view note, std::string_view name, const Signer& signer,
                           uint64_t timestamp);

// The timestamp of the valid cosignature by `cosigner` on `note`.
// VerificationFailed when there is none ("no cosignature by NAME+ID"), when
// it is malformed, or does not verify. Lines of other keys are ignored.
Result<uint64_t> VerifyCosignature(std::string_view note, const CosignerKey& cosigner);

// Ok when `note` carries valid cosignatures by at least `quorum` of
// `witnesses`; else VerificationFailed naming how many were found, and
// which witnesses' cosignatures are missing or invalid and why.
Status CheckWitnessQuorum(std::string_view note, const std::vector<CosignerKey>& witnesses,
                          size_t quorum);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_COSIGNATURE_H_
