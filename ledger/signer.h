// Signer: holds an Ed25519 private key and signs with it. Created by
// fallible factories; movable, not copyable. Sign() may be called from many
// threads at once.
#ifndef RARELEDGER_LEDGER_SIGNER_H_
#define RARELEDGER_LEDGER_SIGNER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/public_key.h"
#include "ledger/status.h"

namespace rareledger::ledger {

class Signer {
 public:
  // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), as written by
  // `openssl genpkey -algorithm ed25519`. A public key PEM given here is
  // refused with a message that says so.
  static Result<Signer> FromPem(std::string_view pem);
  static Result<Signer> FromPemFile(const std::string& path);
  // From the 32-byte RFC 8032 secret seed (tests and vectors).
  static Result<Signer> FromSeed(std::string_view seed32);
  static Result<Signer> Generate();

  Signer(Signer&&) noexcept = default;
  Signer& operator=(Signer&&) noexcept = default;
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  // 64 raw signature bytes (Ed25519 is deterministic).
  Result<std::string> Sign(std::string_view message) const;
  const PublicKey& public_key() const { return public_key_; }
  std::string ToPem() const;  // PKCS#8 PEM

 private:
  Signer() = default;
  // Wraps an Ed25519 EVP_PKEY* (ownership taken) and derives public_key_.
  static Result<Signer> FromKey(std::shared_ptr<void> pkey);
  std::shared_ptr<void> pkey_;  // EVP_PKEY*
  PublicKey public_key_;
};

// A warning when the private key file at `path` can be read or written by
// users other than its owner (mode & 077), e.g. "key.pem is readable by
// others (mode 0644): chmod 600 key.pem"; nothing when it is private or
// cannot be inspected (the read that follows reports that).
std::optional<std::string> KeyFilePermissionWarning(const std::string& path);

// Writes stem.key (PKCS#8 PEM, mode 0600, refused if it exists) and
// stem.pub (SPKI PEM). Nothing is left behind on failure.
Status WriteKeyPair(const Signer& signer, const std::string& stem);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_SIGNER_H_
