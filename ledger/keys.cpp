#include "ledger/public_key.h"
#include "ledger/signer.h"
#include "ledger/verifier.h"

#include "ledger/encoding.h"
#include "ledger/openssl_util.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rareledger::ledger {
namespace {

using internal::BioPtr;
using internal::Die;
using internal::Get;
using internal::MdCtxPtr;
using internal::OpenSslError;
using internal::PkeyPtr;
using internal::Share;

constexpr size_t kMaxKeyFileBytes = 1 << 16;

// InvalidArgument unless key is an Ed25519 key.
Status CheckEd25519(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return Status::Ok();
  const char* name = EVP_PKEY_get0_type_name(key);
  return Status::InvalidArgument(std::string("key type is ") + (name ? name : "unknown") +
                                 ", want ED25519");
}

Result<std::string> RawPublicKey(EVP_PKEY* key) {
  std::string raw(kPublicKeySize, '\0');
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len) != 1 ||
      len != kPublicKeySize) {
    return Status::InvalidArgument(OpenSslError("cannot extract the raw Ed25519 public key"));
  }
  return raw;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

BioPtr MemBioOf(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Refuses passphrase prompts: encrypted PEM keys fail instead of reading a tty.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

Result<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || out.size() > kMaxKeyFileBytes) {
      const int saved_errno = errno;
      ::close(fd);
      return Status::IOError(path + (n < 0 ? std::string(": ") + std::strerror(saved_errno)
                                           : std::string(": too large for a key file")));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// Writes data to a new file (O_EXCL) with mode, synced. No file is left
// behind on failure.
Status WriteNewFile(const std::string& path, const std::string& data, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return Status::InvalidArgument(path + " exists (refusing to overwrite)");
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  bool ok = ::fchmod(fd, mode) == 0;  // exact mode, whatever the umask
  size_t done = 0;
  while (ok && done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    ::unlink(path.c_str());
    return Status::IOError(path + ": write failed: " + std::strerror(saved_errno));
  }
  return Status::Ok();
}

}  // namespace

// ---- PublicKey ----

Result<PublicKey> PublicKey::FromRaw(std::string_view raw32) {
  if (raw32.size() != kPublicKeySize) {
    return Status::InvalidArgument("public key: want 32 bytes, got " +
                                   std::to_string(raw32.size()));
  }
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                          reinterpret_cast<const unsigned char*>(raw32.data()),
                                          raw32.size()));
  if (key == nullptr) return Status::InvalidArgument(OpenSslError("public key rejected"));
  PublicKey pk;
  pk.raw_ = std::string(raw32);
  pk.pkey_ = Share(std::move(key));
  return pk;
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = MemBioOf(pem);
  PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (key == nullptr) {
    return Status::InvalidArgument(OpenSslError("not a PEM public key (SPKI)"));
  }
  RL_RETURN_IF_ERROR(CheckEd25519(key.get()));
  RL_ASSIGN_OR_RETURN(std::string raw, RawPublicKey(key.get()));
  PublicKey pk;
  pk.raw_ = std::move(raw);
  pk.pkey_ = Share(std::move(key));
  return pk;
}

Result<PublicKey> PublicKey::FromPemFile(const std::string& path) {
  RL_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  Result<PublicKey> key = FromPem(pem);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

std::string PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), Get(pkey_)) != 1) {
    Die("PEM_write_bio_PUBKEY");
  }
  return BioContents(bio.get());
}

// ---- Verifier ----

Result<Verifier> Verifier::Create(const PublicKey& key) {
  if (key.pkey_ == nullptr) return Status::InvalidArgument("verifier: empty public key");
  return Verifier(key);
}

Status Verifier::Verify(std::string_view message, std::string_view sig) const {
  if (sig.size() != kSignatureSize) {
    return Status::InvalidArgument("signature: want 64 bytes, got " + std::to_string(sig.size()));
  }
  if (key_.pkey_ == nullptr) return Status::InvalidArgument("verifier: no key (moved from?)");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, Get(key_.pkey_)) != 1) {
    return Status::IOError(OpenSslError("EVP_DigestVerifyInit failed"));
  }
  const int rc =
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();  // a failed verification queues errors nobody needs
  if (rc != 1) return Status::VerificationFailed("Ed25519 signature does not verify");
  return Status::Ok();
}

// ---- Signer ----

Result<Signer> Signer::FromKey(std::shared_ptr<void> pkey) {
  RL_ASSIGN_OR_RETURN(std::string raw, RawPublicKey(Get(pkey)));
  RL_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromRaw(raw));
  Signer s;
  s.pkey_ = std::move(pkey);
  s.public_key_ = std::move(pub);
  return s;
}

Result<Signer> Signer::FromPem(std::string_view pem) {
  if (pem.find("-----BEGIN PUBLIC KEY-----") != std::string_view::npos)
    return Status::InvalidArgument(
        "this is a public key (SPKI PEM); signing needs the private key (PKCS#8 PEM, the .key file)");
  ERR_clear_error();
  BioPtr bio = MemBioOf(pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (key == nullptr) {
    return Status::InvalidArgument(OpenSslError("not an unencrypted PEM private key (PKCS#8)"));
  }
  RL_RETURN_IF_ERROR(CheckEd25519(key.get()));
  return FromKey(Share(std::move(key)));
}

Result<Signer> Signer::FromPemFile(const std::string& path) {
  RL_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  Result<Signer> signer = FromPem(pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!signer.ok()) return signer.status().WithContext(path);
  return signer;
}

Result<Signer> Signer::FromSeed(std::string_view seed32) {
  if (seed32.size() != 32) {
    return Status::InvalidArgument("Ed25519 seed: want 32 bytes, got " +
                                   std::to_string(seed32.size()));
  }
  ERR_clear_error();
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char*>(seed32.data()),
                                           seed32.size()));
  if (key == nullptr) return Status::InvalidArgument(OpenSslError("Ed25519 seed rejected"));
  return FromKey(Share(std::move(key)));
}

Result<Signer> Signer::Generate() {
  ERR_clear_error();
  EVP_PKEY* raw_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (raw_key == nullptr) return Status::IOError(OpenSslError("Ed25519 key generation failed"));
  PkeyPtr key(raw_key);
  return FromKey(Share(std::move(key)));
}

Result<std::string> Signer::Sign(std::string_view message) const {
  if (pkey_ == nullptr) return Status::InvalidArgument("signer: no key (moved from?)");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string sig(kSignatureSize, '\0');
  size_t len = sig.size();
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, Get(pkey_)) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != kSignatureSize) {
    return Status::IOError(OpenSslError("Ed25519 signing failed"));
  }
  return sig;
}

std::string Signer::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr || PEM_write_bio_PKCS8PrivateKey(bio.get(), Get(pkey_), nullptr, nullptr, 0,
                                                      nullptr, nullptr) != 1) {
    Die("PEM_write_bio_PKCS8PrivateKey");
  }
  return BioContents(bio.get());
}

std::optional<std::string> KeyFilePermissionWarning(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return path + " is accessible to other users (mode " + mode + "): chmod 600 " + path;
}

Status WriteKeyPair(const Signer& signer, const std::string& stem) {
  const std::string key_path = stem + ".key";
  const std::string pub_path = stem + ".pub";
  std::string pem = signer.ToPem();
  Status s = WriteNewFile(key_path, pem, 0600);
  OPENSSL_cleanse(pem.data(), pem.size());
  RL_RETURN_IF_ERROR(s);
  s = WriteNewFile(pub_path, signer.public_key().ToPem(), 0644);
  if (!s.ok()) ::unlink(key_path.c_str());
  return s;
}

}  // namespace rareledger::ledger

