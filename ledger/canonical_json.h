// Strict JSON input and RFC 8785 (JCS) canonical bytes for the payload subset.
//
// The subset: null, true/false, integers with magnitude <= 2^53-1, strings of
// valid UTF-8 without NUL, arrays and objects (unique keys), nested at most
// kMaxJsonDepth deep. Payloads are signed over Canonicalize(payload), so two
// parties that agree on a value agree on its bytes.
//
// Values are nlohmann::json. ParseStrict stores every integer as
// number_integer (int64_t), never number_unsigned or number_float.
//
// Thread safety: all functions are pure and may be called concurrently.
#ifndef RARELEDGER_LEDGER_CANONICAL_JSON_H_
#define RARELEDGER_LEDGER_CANONICAL_JSON_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace rareledger::ledger {

inline constexpr size_t kMaxEntryBytes = 1 << 20;  // 1 MiB
inline constexpr int kMaxJsonDepth = 64;
inline constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

// Parses exactly one JSON value, strictly. Rejected, each with
// Status::InvalidArgument and a one-line message naming the problem:
//   - empty (or whitespace-only) input: "empty input"
//   - input over kMaxEntryBytes: "input larger than 1048576 bytes"
//   - bytes that are not well-formed UTF-8 anywhere, including overlong forms
//     and encoded surrogates: "invalid UTF-8 at byte N"
//   - a raw NUL byte anywhere, or \u0000 in a string or key: "NUL ..."
//   - \u escapes that leave a lone surrogate: "lone surrogate ..."
//   - a duplicate key within one object: "duplicate key \"lot\""
//   - fractions or exponents ("1.0", "1e3"):
//     "fraction or exponent in number: numbers must be integers"
//   - integers with magnitude > kMaxSafeInteger: "integer out of range: ..."
//   - arrays/objects nested deeper than kMaxJsonDepth (a top-level scalar has
//     depth 0, "[]" depth 1): "nesting deeper than 64"
//   - anything but whitespace after the value: "trailing data after ..."
//   - any other syntax error: "invalid JSON at byte N: ..."
// "-0" is accepted and read as the integer 0 (JCS prints it as "0" anyway).
// Parsing is iterative: hostile nesting cannot overflow the stack. Never throws.
Result<nlohmann::json> ParseStrict(std::string_view text);
// The same for documents that are not entries (a Compliance Notice),
// larger than kMaxEntryBytes: at most `max_bytes`.
Result<nlohmann::json> ParseStrict(std::string_view text, size_t max_bytes);

// Checks that a value built in code (not by ParseStrict) lies in the subset:
// integral numbers within +-kMaxSafeInteger (number_float is rejected even when
// integral), strings and keys valid UTF-8 without NUL, depth <= kMaxJsonDepth,
// no binary values. InvalidArgument naming the first problem and its JSON
// pointer otherwise. Call it before Canonicalize on values built in code.
Status CheckSubset(const nlohmann::json& value);

// RFC 8785 (JCS) bytes of value: object keys sorted by their UTF-16 code
// units, no whitespace, strings escaped as ECMAScript JSON.stringify does
// (\" \\ \b \f \n \r \t; other controls below 0x20 as \u00xx in lowercase hex;
// everything else, '/' included, as literal UTF-8), integers in decimal.
// Precondition: CheckSubset(value).ok() (always true for ParseStrict output).
// Outside the subset the output is deterministic but not JCS: integral floats
// print as integers, other floats as nlohmann's shortest round-trip form,
// binary values as null.
std::string Canonicalize(const nlohmann::json& value);

// Appends s as a JCS string literal (with the quotes) to out.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_CANONICAL_JSON_H_
