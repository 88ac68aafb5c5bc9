// Text encodings of bytes: base64 (payload keys and signatures, signed
// notes) and lowercase hex (hashes in proofs and status output).
#ifndef RARELEDGER_LEDGER_ENCODING_H_
#define RARELEDGER_LEDGER_ENCODING_H_

#include <string>
#include <string_view>

#include "ledger/hash.h"
#include "ledger/status.h"

namespace rareledger::ledger {

// Base64, standard alphabet, padded (RFC 4648 section 4).
std::string Base64Encode(std::string_view bytes);
// Strict: rejects other alphabets, missing or extra padding, whitespace and
// non-zero trailing bits.
Result<std::string> Base64Decode(std::string_view text);

// Lowercase hex.
std::string HexEncode(std::string_view bytes);
std::string HexEncode(const Hash& h);
// Either case; InvalidArgument for an odd length or a non-hex character.
Result<std::string> HexDecode(std::string_view hex);
// Exactly 64 hex digits.
Result<Hash> HashFromHex(std::string_view hex);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_ENCODING_H_
