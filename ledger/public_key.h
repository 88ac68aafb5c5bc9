// An Ed25519 public key: the 32 raw bytes (as payloads carry them, base64)
// plus the parsed OpenSSL key. Copies share the parsed key (read-only).
#ifndef RARELEDGER_LEDGER_PUBLIC_KEY_H_
#define RARELEDGER_LEDGER_PUBLIC_KEY_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/encoding.h"
#include "ledger/status.h"

namespace rareledger::ledger {

inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSignatureSize = 64;

class PublicKey {
 public:
  // InvalidArgument unless `raw32` is 32 bytes OpenSSL accepts as Ed25519.
  static Result<PublicKey> FromRaw(std::string_view raw32);
  // SPKI PEM ("-----BEGIN PUBLIC KEY-----"), as written by
  // `openssl pkey -pubout`.
  static Result<PublicKey> FromPem(std::string_view pem);
  static Result<PublicKey> FromPemFile(const std::string& path);

  const std::string& raw() const { return raw_; }
  std::string ToBase64() const { return Base64Encode(raw_); }
  std::string ToPem() const;
  bool operator==(const PublicKey& other) const { return raw_ == other.raw_; }

 private:
  friend class Verifier;
  friend class Signer;
  PublicKey() = default;
  std::string raw_;
  std::shared_ptr<void> pkey_;  // EVP_PKEY*, freed with EVP_PKEY_free
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_PUBLIC_KEY_H_
