// Hashing, encodings and Ed25519 keys, all through OpenSSL 3 EVP.
//
// Signer and Verifier are separate types: an auditor's code path only ever
// holds a Verifier. Both are created by fallible factories and own their
// OpenSSL objects; they are movable, not copyable. Key material never travels
// as a loose std::string: raw public keys are wrapped in PublicKey.
//
// Thread safety: Sha256(), Verifier::Verify() and Signer::Sign() may be called
// from many threads at once (per-thread digest contexts; the EVP_PKEY is
// shared read-only).
#ifndef RARELEDGER_LEDGER_CRYPTO_H_
#define RARELEDGER_LEDGER_CRYPTO_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace rareledger::ledger {

using Hash = std::array<uint8_t, 32>;

// SHA-256 of data, using a digest fetched once and a per-thread reused
// context (implicit fetches through EVP_sha256() do not scale across threads).
Hash Sha256(std::string_view data);
// SHA-256 of the concatenation of parts, without copying them together.
Hash Sha256Parts(std::initializer_list<std::string_view> parts);

std::string_view AsBytes(const Hash& h);

// Base64, standard alphabet, padded (RFC 4648 section 4).
std::string Base64Encode(std::string_view bytes);
// Strict: rejects other alphabets, missing or extra padding, whitespace and
// non-zero trailing bits.
Result<std::string> Base64Decode(std::string_view text);

// Lowercase hex.
std::string HexEncode(std::string_view bytes);
std::string HexEncode(const Hash& h);
Result<std::string> HexDecode(std::string_view hex);
Result<Hash> HashFromHex(std::string_view hex);

inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSignatureSize = 64;

// An Ed25519 public key: 32 raw bytes plus the parsed OpenSSL key.
class PublicKey {
 public:
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

class Signer {
 public:
  // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), as written by
  // `openssl genpkey -algorithm ed25519`.
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

// Writes stem.key (PKCS#8 PEM, mode 0600, refused if it exists) and
// stem.pub (SPKI PEM). Nothing is left behind on failure.
Status WriteKeyPair(const Signer& signer, const std::string& stem);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_CRYPTO_H_
