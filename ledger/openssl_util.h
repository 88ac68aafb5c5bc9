// OpenSSL plumbing shared by the hashing and key code. Internal to ledger/:
// not a public header.
#ifndef RARELEDGER_LEDGER_OPENSSL_UTIL_H_
#define RARELEDGER_LEDGER_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

namespace rareledger::ledger::internal {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// what + ": " + every queued OpenSSL error, oldest first; empties the queue.
std::string OpenSslError(const std::string& what);
// For failures that mean the process cannot go on (out of memory inside
// OpenSSL, a missing built-in algorithm): prints the error and aborts.
[[noreturn]] void Die(const char* what);

inline std::shared_ptr<void> Share(PkeyPtr key) {
  return std::shared_ptr<void>(key.release(), [](void* k) { EVP_PKEY_free(static_cast<EVP_PKEY*>(k)); });
}
inline EVP_PKEY* Get(const std::shared_ptr<void>& p) { return static_cast<EVP_PKEY*>(p.get()); }

}  // namespace rareledger::ledger::internal

#endif  // RARELEDGER_LEDGER_OPENSSL_UTIL_H_
