#include "epcis/ledger_io.h"

#include "ledger/envelope.h"

namespace rareledger::epcis {
namespace {

using ledger::Entry;
using ledger::Result;
using ledger::Status;

// Records which entry gave each lot to its holder, and the epcis ids.
void Note(const Entry& e, uint64_t index, std::map<std::string, uint64_t>* acquired,
          std::map<std::string, std::vector<uint64_t>>* imported) {
  if (const auto* c = std::get_if<ledger::CreateLot>(&e.body)) (*acquired)[c->lot] = index;
  if (const auto* t = std::get_if<ledger::Transfer>(&e.body)) (*acquired)[t->lot] = index;
  if (const auto* s = std::get_if<ledger::Split>(&e.body))
    for (const auto& p : s->parts) (*acquired)[p.lot] = index;
  if (const auto* t = std::get_if<ledger::Transform>(&e.body))
    for (const auto& o : t->outputs) (*acquired)[o.lot] = index;
  if (e.signed_bytes.find("\"epcis_") == std::string::npos) return;
  auto payload = nlohmann::json::parse(e.signed_bytes, nullptr, false);
  if (!payload.is_object()) return;
  if (payload.contains("epcis_event") && payload["epcis_event"].is_string())
    (*imported)[payload["epcis_event"].get<std::string>()].push_back(index);
  if (payload.contains("epcis_group") && payload["epcis_group"].is_array())
    for (const auto& id : payload["epcis_group"])
      if (id.is_string() && id != payload.value("epcis_event", ""))
        (*imported)[id.get<std::string>()].push_back(index);
}

}  // namespace

Result<ImportContext> LoadImportRecords(const ledger::Ledger& ledger, const std::string& signer_party) {
  ImportContext ctx;
  const auto info = ledger.Info();
  ctx.ledger_id = info.ledger_id;
  ctx.currency = info.currency;
  ctx.signer = signer_party;
  ctx.next_index = info.size;
  RL_ASSIGN_OR_RETURN(auto parties, ledger.AllParties());
  for (const auto& p : parties) {
    if (p.gln && !p.revoked_at) ctx.party_by_gln[*p.gln] = p.id;
    if (p.id == signer_party) ctx.next_seq = p.last_seq + 1;
  }
  if (ctx.next_seq == 0) return Status::NotFound("no party " + signer_party);
  RL_RETURN_IF_ERROR(ledger.ForEachLot([&](const ledger::LotRecord& l) {
    ctx.lots[l.id] = {l.holder, l.remaining_g, l.created_at};
    return Status::Ok();
  }));
  return ctx;
}

Status AddImportHistory(const ledger::Ledger& ledger, ImportContext* ctx) {
  std::map<std::string, uint64_t> acquired;
  RL_RETURN_IF_ERROR(ledger.ScanLeaves(0, ctx->next_index, [&](uint64_t index, std::string_view leaf) {
    RL_ASSIGN_OR_RETURN(Entry e, ledger::DecodeLeaf(leaf));
    Note(e, index, &acquired, &ctx->imported);
    return Status::Ok();
  }));
  for (auto& [id, lot] : ctx->lots)
    if (auto it = acquired.find(id); it != acquired.end()) lot.acquired_at = it->second;
  return Status::Ok();
}

Result<ImportContext> LoadImportContext(const ledger::Ledger& ledger, const std::string& signer_party) {
  RL_ASSIGN_OR_RETURN(ImportContext ctx, LoadImportRecords(ledger, signer_party));
  RL_RETURN_IF_ERROR(AddImportHistory(ledger, &ctx));
  return ctx;
}

std::vector<nlohmann::json> FilledPayloads(const ImportPlan& plan, const std::string& ledger_id,
                                           const std::string& party, int64_t first_seq) {
  std::vector<nlohmann::json> out;
  int64_t seq = first_seq;
  for (auto p : plan.payloads) {
    p["ledger"] = ledger_id;
    p["party"] = party;
    p["seq"] = seq++;
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<std::string>> SignPayloads(const std::vector<nlohmann::json>& payloads,
                                              const ledger::Signer& signer) {
  std::vector<std::string> out;
  for (size_t i = 0; i < payloads.size(); ++i) {
    auto env = ledger::SignEnvelope(payloads[i], signer);
    if (!env.ok()) return env.status().WithContext("payload " + std::to_string(i + 1));
    out.push_back(std::move(*env));
  }
  return out;
}

Result<uint64_t> SubmitAll(ledger::Ledger& ledger, const std::vector<std::string>& envelopes) {
  const uint64_t first = ledger.Info().size;
  if (envelopes.empty()) return first;
  RL_RETURN_IF_ERROR(ledger.CheckAppend(envelopes));
  size_t next = 0;
  auto report = ledger.Submit(
      [&](std::string* line) {
        if (next == envelopes.size()) return false;
        *line = envelopes[next++];
        return true;
      },
      [](const ledger::SubmitOutcome&) {});
  if (!report.error.ok()) return report.error;
  if (report.appended != envelopes.size())
    return Status::Rejected("appended " + std::to_string(report.appended) + " of " +
                            std::to_string(envelopes.size()) + " entries");
  return first;
}

Result<ImportOutcome> ImportDocument(ledger::Ledger& ledger, const ledger::Signer& signer,
                                     std::string_view text, bool dry_run) {
  ImportOutcome out;
  RL_ASSIGN_OR_RETURN(auto who, ledger.ResolveSigner(signer.public_key()));
  out.party = who.party;
  RL_ASSIGN_OR_RETURN(auto context, LoadImportContext(ledger, who.party));
  out.plan = MapDocument(text, context);
  if (out.plan.refused()) return out;
  out.payloads = FilledPayloads(out.plan, context.ledger_id, who.party, context.next_seq);
  RL_ASSIGN_OR_RETURN(out.envelopes, SignPayloads(out.payloads, signer));
  if (dry_run) return out;
  // The one submission point: a --server path replaces SubmitAll here.
  RL_ASSIGN_OR_RETURN(out.first_index, SubmitAll(ledger, out.envelopes));
  out.placed = Consecutive(*out.first_index, out.envelopes.size());
  return out;
}

}  // namespace rareledger::epcis
