#include "ledger/hash.h"

#include "ledger/openssl_util.h"

namespace rareledger::ledger {
namespace {

using internal::Die;
using internal::MdCtxPtr;

const EVP_MD* Sha256Md() {
  // Fetched once and intentionally never freed (it must outlive every thread).
  static const EVP_MD* const md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) Die("EVP_MD_fetch(SHA256)");
    return m;
  }();
  return md;
}

EVP_MD_CTX* ThreadDigestCtx() {
  thread_local MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) Die("EVP_MD_CTX_new");
  return ctx.get();
}

}  // namespace

Hash Sha256Parts(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* ctx = ThreadDigestCtx();
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1) Die("EVP_DigestInit_ex2");
  for (std::string_view part : parts) {
    if (EVP_DigestUpdate(ctx, part.data(), part.size()) != 1) Die("EVP_DigestUpdate");
  }
  Hash h;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, h.data(), &len) != 1 || len != h.size()) Die("EVP_DigestFinal_ex");
  return h;
}

Hash Sha256(std::string_view data) { return Sha256Parts({data}); }

std::string_view AsBytes(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace rareledger::ledger
