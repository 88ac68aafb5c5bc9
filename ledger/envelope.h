// Building signed envelopes: the one place that canonicalises a payload and
// signs it (SPEC "Entries"). Used by init, `sign`, the shortcuts, the demo,
// the tests and the benchmarks alike, so that every envelope is made the
// way the log checks it.
#ifndef RARELEDGER_LEDGER_ENVELOPE_H_
#define RARELEDGER_LEDGER_ENVELOPE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/signer.h"
#include "ledger/status.h"

namespace rareledger::ledger {

// The common payload fields (SPEC "Entries"); an empty or absent member is
// not filled.
struct PayloadHeader {
  std::string ledger;
  std::string party;
  std::optional<int64_t> seq;
  std::string time;
};

// Sets each header field the payload does not carry; fields it carries are
// kept as given. InvalidArgument unless `payload` is a JSON object.
Status FillHeader(nlohmann::json* payload, const PayloadHeader& header);

// The envelope line of `payload`: its RFC 8785 canonical bytes, validated
// as DecodeEnvelope validates them (so a bad field fails here, naming it,
// before anything is signed), signed by `signer`.
Result<std::string> SignEnvelopeText(std::string_view payload_json, const Signer& signer);
// The same for a payload already built as JSON.
Result<std::string> SignEnvelope(const nlohmann::json& payload, const Signer& signer);

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_ENVELOPE_H_
