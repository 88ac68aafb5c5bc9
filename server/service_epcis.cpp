// The EPCIS routes of Service: the log as an EPCIS document, and the
// import context `epcis import --server` maps against (docs/server.md).

#include "epcis/context_json.h"
#include "epcis/export.h"
#include "epcis/ledger_io.h"
#include "ledger/encoding.h"
#include "server/service.h"

namespace rareledger::server {

namespace {

Response BadParam(const std::string& message) {
  return ErrorReply(400, "invalid_argument", message);
}

}  // namespace

Response Service::Epcis(const Target& t) {
  epcis::ExportOptions options;
  options.lot = t.One("lot");
  const std::string direction = t.One("direction").value_or("up");
  if (direction != "up" && direction != "down") return BadParam("direction must be up or down");
  options.down = direction == "down";
  options.party = t.One("party").value_or("");
  const std::string values = t.One("with_values").value_or("false");
  if (values != "true" && values != "false") return BadParam("with_values must be true or false");
  options.with_values = values == "true";
  auto gate = sequencer_->ReadLock();
  auto doc = epcis::ExportDocument(ledger_, options);
  if (!doc.ok()) return StatusReply(doc.status());
  return Reply(200, doc->dump() + "\n", "application/ld+json");
}

namespace {

// The signer's party: the one holding `hex` (as /v1/keys resolves it:
// never a rotated-out key or a revoked party), else `party`. With the read
// lock held.
ledger::Result<std::string> ContextParty(ledger::Ledger& ledger,
                                         const std::optional<std::string>& hex,
                                         const std::string& party) {
  if (!hex) {
    RL_ASSIGN_OR_RETURN(ledger::PartyRecord p, ledger.GetParty(party));
    return p.id;
  }
  auto raw = ledger::HexDecode(*hex);
  if (!raw.ok() || raw->size() != 32)
    return ledger::Status::InvalidArgument(
        "the key must be 64 hex digits (the raw Ed25519 public key)");
  RL_ASSIGN_OR_RETURN(ledger::PublicKey key, ledger::PublicKey::FromRaw(*raw));
  RL_ASSIGN_OR_RETURN(auto holder, ledger.FindKeyHolder(key.raw()));
  if (!holder) return ledger::Status::NotFound("no party holds or ever held this key");
  RL_ASSIGN_OR_RETURN(ledger::SignerIdentity who, ledger.ResolveSigner(key, party));
  return who.party;
}

}  // namespace

Response Service::EpcisContext(const Target& t) {
  const auto hex = t.One("key");
  const auto party = t.One("party");
  if (!hex && (!party || party->empty()))
    return BadParam("give key=HEX (the signer's raw public key) or party=ID");
  ledger::Result<epcis::ImportContext> context = ledger::Status::Corruption("not read");
  {
    auto gate = sequencer_->ReadLock();  // the records: one committed state
    auto who = ContextParty(ledger_, hex, party.value_or(""));
    if (!who.ok()) return StatusReply(who.status());
    context = epcis::LoadImportRecords(ledger_, *who);
  }
  if (!context.ok()) return StatusReply(context.status());
  // Entries before that state's size never change: read without the lock,
  // so a long log does not hold commits off.
  if (auto s = epcis::AddImportHistory(ledger_, &*context); !s.ok()) return StatusReply(s);
  return JsonReply(200, epcis::ContextJson(*context));
}

}  // namespace rareledger::server
