// Verifier: checks Ed25519 signatures by one public key. An auditor's code
// path only ever holds a Verifier, never a Signer (signer.h).
//
// Copyable and cheap to copy (copies share the parsed key read-only);
// Verify() may be called from many threads at once.
#ifndef RARELEDGER_LEDGER_VERIFIER_H_
#define RARELEDGER_LEDGER_VERIFIER_H_

#include <string_view>

#include "ledger/public_key.h"
#include "ledger/status.h"

namespace rareledger::ledger {

class Verifier {
 public:
  static Result<Verifier> Create(const PublicKey& key);
  // Ok when sig (64 raw bytes) is a valid Ed25519 signature of message;
  // VerificationFailed otherwise, InvalidArgument for a wrong-size sig.
  Status Verify(std::string_view message, std::string_view sig) const;
  const PublicKey& key() const { return key_; }

 private:
  explicit Verifier(PublicKey key) : key_(std::move(key)) {}
  PublicKey key_;
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_VERIFIER_H_
