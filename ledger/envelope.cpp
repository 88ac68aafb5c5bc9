#include "ledger/envelope.h"

#include "ledger/entry.h"

namespace rareledger::ledger {

Status FillHeader(nlohmann::json* payload, const PayloadHeader& header) {
  if (!payload->is_object()) return Status::InvalidArgument("payload: want a JSON object");
  auto fill = [&](const char* name, const nlohmann::json& value) {
    if (!payload->contains(name)) (*payload)[name] = value;
  };
  if (!header.ledger.empty()) fill("ledger", header.ledger);
  if (!header.party.empty()) fill("party", header.party);
  if (header.seq) fill("seq", *header.seq);
  if (!header.time.empty()) fill("time", header.time);
  return Status::Ok();
}

Result<std::string> SignEnvelopeText(std::string_view payload_json, const Signer& signer) {
  RL_ASSIGN_OR_RETURN(std::string canonical, CanonicalPayload(payload_json));
  RL_ASSIGN_OR_RETURN(std::string sig, signer.Sign(canonical));
  return MakeEnvelope(canonical, sig);
}

Result<std::string> SignEnvelope(const nlohmann::json& payload, const Signer& signer) {
  return SignEnvelopeText(payload.dump(), signer);
}

}  // namespace rareledger::ledger
