// SHA-256 through OpenSSL 3 EVP.
//
// Thread safety: Sha256() and Sha256Parts() may be called from many threads
// at once (a digest fetched once, a reused context per thread: implicit
// fetches through EVP_sha256() do not scale across threads).
#ifndef RARELEDGER_LEDGER_HASH_H_
#define RARELEDGER_LEDGER_HASH_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace rareledger::ledger {

using Hash = std::array<uint8_t, 32>;

Hash Sha256(std::string_view data);
// SHA-256 of the concatenation of parts, without copying them together.
Hash Sha256Parts(std::initializer_list<std::string_view> parts);

// The 32 bytes of `h`, viewed as characters (valid while `h` lives).
std::string_view AsBytes(const Hash& h);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_HASH_H_
