#include "ledger/openssl_util.h"

#include <openssl/err.h>

#include <cstdio>
#include <cstdlib>

namespace rareledger::ledger::internal {

std::string OpenSslError(const std::string& what) {
  std::string msg = what;
  const char* sep = ": ";
  unsigned long err;
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    msg += sep;
    msg += buf;
    sep = "; ";
  }
  return msg;
}

void Die(const char* what) {
  std::fprintf(stderr, "rareledger: fatal: %s\n", OpenSslError(what).c_str());
  std::abort();
}

}  // namespace rareledger::ledger::internal
