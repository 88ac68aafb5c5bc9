// epcis import --server: the context from the server, the mapping and the
// signatures here, one atomic submission there (docs/epcis.md "Server").
#include <nlohmann/json.hpp>

#include "cli/epcis_remote.h"
#include "epcis/context_json.h"
#include "ledger/encoding.h"
#include "server/http_client.h"

namespace rareledger::cli {
namespace {

using ledger::Result;
using ledger::Status;
using nlohmann::json;

// The server's {"error": {"code", "message"}} as a Status, else the HTTP error.
Status ServerStatus(const std::string& what, const server::HttpResponse& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object())
    return Status::Of(CodeFromId(j["error"].value("code", "")), j["error"].value("message", ""));
  return server::HttpError(what, r);
}

Result<epcis::ImportContext> FetchContext(server::HttpClient& client,
                                          const ledger::Signer& signer) {
  const std::string path = "/v1/epcis/context?key=" + ledger::HexEncode(signer.public_key().raw());
  RL_ASSIGN_OR_RETURN(server::HttpResponse r, client.Get(path));
  if (r.status != 200) return ServerStatus("GET " + path, r);
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) return Status::IOError("GET /v1/epcis/context: the answer is not JSON");
  return epcis::ContextFromJson(j);
}

// A 422 from the atomic submit as the --db path words it ("envelope N:
// ..."), with a hint when the log moved on since `context` was read.
Status Refusal(const json& answer, const epcis::ImportContext& context) {
  const json& e = answer["error"];
  const size_t line = e.value("line", size_t{0});
  std::string message = e.value("message", "");
  const std::string prefix = "line " + std::to_string(line) + ": ";
  if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
  const uint64_t size = answer.value("size", context.next_index);
  if (size != context.next_index)
    message += " (the log grew from " + std::to_string(context.next_index) + " to " +
               std::to_string(size) + " entries since the import read it: run the import again)";
  return Status::Of(CodeFromId(e.value("code", "")), message)
      .WithContext("envelope " + std::to_string(line));
}

// POSTs the envelopes all or nothing; each payload's placement.
Result<std::vector<epcis::Placement>> SubmitAtomically(server::HttpClient& client,
                                                       const std::vector<std::string>& envelopes,
                                                       const epcis::ImportContext& context) {
  std::string body;
  for (const auto& e : envelopes) body += e + "\n";
  const std::string what = "POST /v1/entries?atomic=true";
  RL_ASSIGN_OR_RETURN(server::HttpResponse r,
                      client.Post("/v1/entries?atomic=true", "application/jsonl", std::move(body)));
  auto j = json::parse(r.body, nullptr, false);
  const bool has_error = j.is_object() && j.contains("error") && j["error"].is_object();
  if (r.status == 422 && has_error) return Refusal(j, context);
  if (r.status != 200) return ServerStatus(what, r);
  if (!j.is_object() || !j.contains("entries") || !j["entries"].is_array())
    return Status::IOError(what + ": the answer lacks \"entries\"");
  std::vector<epcis::Placement> placed(envelopes.size());
  std::vector<bool> seen(envelopes.size(), false);
  for (const auto& e : j["entries"]) {
    const size_t line = e.value("line", size_t{0});
    if (line < 1 || line > envelopes.size() || seen[line - 1])
      return Status::IOError(what + ": the answer names line " + std::to_string(line));
    seen[line - 1] = true;
    placed[line - 1] = {e.value("index", uint64_t{0}), e.value("duplicate", false)};
  }
  for (bool s : seen)
    if (!s) return Status::IOError(what + ": the answer does not place every envelope");
  return placed;
}

}  // namespace

Result<epcis::ImportOutcome> ImportOverServer(Context& c, const ledger::Signer& signer,
                                              std::string_view text, bool dry_run) {
  RL_ASSIGN_OR_RETURN(auto client, server::HttpClient::Create(c.g.server));
  RL_ASSIGN_OR_RETURN(epcis::ImportContext context, FetchContext(*client, signer));
  epcis::ImportOutcome out;
  out.party = context.signer;
  out.plan = epcis::MapDocument(text, context);
  if (out.plan.refused()) return out;
  out.payloads =
      epcis::FilledPayloads(out.plan, context.ledger_id, context.signer, context.next_seq);
  RL_ASSIGN_OR_RETURN(out.envelopes, epcis::SignPayloads(out.payloads, signer));
  if (dry_run || out.envelopes.empty()) {
    if (!dry_run) out.first_index = context.next_index;
    return out;
  }
  RL_ASSIGN_OR_RETURN(out.placed, SubmitAtomically(*client, out.envelopes, context));
  out.first_index = out.placed.front().index;
  return out;
}

}  // namespace rareledger::cli
