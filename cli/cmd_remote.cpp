// Clients of a rareledger server: submit/sign/shortcuts with --server,
// verify --server and mirror. The checking is in server/remote.h; this file
// talks to the server and prints what the local commands print.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/epcis_remote.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/proof_check.h"
#include "server/http_client.h"
#include "server/remote.h"

namespace rareledger::cli {
namespace {

namespace fs = std::filesystem;
using ledger::Result;
using ledger::Status;
using nlohmann::json;

Result<std::unique_ptr<server::HttpClient>> Client(const Context& c) {
  return server::HttpClient::Create(c.g.server);
}

// The server's JSON body, or the error it names.
Result<json> JsonBody(const server::HttpResponse& r, const std::string& what) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::IOError(what + ": HTTP " + std::to_string(r.status) + " without a JSON body");
  return j;
}

// A trusted operator key: a PEM public key, or a note verifier key.
Result<server::RemoteTrust> Trust(const RemoteVerifyOptions& o) {
  if (o.operator_key.empty() == o.vkey.empty())
    return Status::InvalidArgument("give one of --operator-key OP.pub or --vkey VKEY");
  if (!o.operator_key.empty()) {
    RL_ASSIGN_OR_RETURN(ledger::PublicKey key, ledger::PublicKey::FromPemFile(o.operator_key));
    return server::RemoteTrust{"", key};
  }
  std::string text = o.vkey;
  std::error_code ec;
  if (fs::is_regular_file(o.vkey, ec)) {
    RL_ASSIGN_OR_RETURN(text, ReadInput(o.vkey));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
      text.pop_back();
  }
  RL_ASSIGN_OR_RETURN(ledger::ParsedVerifierKey vkey, ledger::ParseVerifierKey(text));
  return server::RemoteTrust{vkey.name, vkey.public_key};
}

std::string Flatten(std::string text) {
  for (char& ch : text)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return text;
}

}  // namespace

ledger::Code CodeFromId(const std::string& id) {
  for (ledger::Code code : {ledger::Code::kInvalidArgument, ledger::Code::kNotFound,
                            ledger::Code::kCorruption, ledger::Code::kIOError,
                            ledger::Code::kRejected, ledger::Code::kVerificationFailed,
                            ledger::Code::kBusy}) {
    std::string name = ledger::CodeName(code);
    for (char& ch : name)
      if (ch == ' ') ch = '_';
    if (name == id || (code == ledger::Code::kIOError && id == "io_error")) return code;
  }
  return ledger::Code::kIOError;
}

Result<SignerContext> ResolveSigner(Context& c, const ledger::PublicKey& key,
                                    const std::string& party) {
  if (c.g.server.empty()) {
    RL_RETURN_IF_ERROR(c.Open(Access::kRead).WithContext("to fill ledger, party and seq"));
    RL_ASSIGN_OR_RETURN(ledger::SignerIdentity who, c.ledger().ResolveSigner(key, party));
    return SignerContext{c.ledger().Info().ledger_id, who};
  }
  RL_ASSIGN_OR_RETURN(auto client, Client(c));
  std::string path = "/v1/keys/" + ledger::HexEncode(key.raw());
  if (!party.empty()) path += "?party=" + party;
  RL_ASSIGN_OR_RETURN(server::HttpResponse r, client->Get(path));
  if (r.status != 200) {
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_object())
      return Status::Of(CodeFromId(j["error"].value("code", "")), j["error"].value("message", ""));
    return server::HttpError("GET " + path, r);
  }
  RL_ASSIGN_OR_RETURN(json j, JsonBody(r, "GET " + path));
  SignerContext out;
  out.ledger_id = j.value("ledger", "");
  out.who.party = j.value("party", "");
  out.who.next_seq = j.value("next_seq", int64_t{0});
  if (out.ledger_id.empty() || out.who.party.empty() || out.who.next_seq < 1)
    return Status::IOError("GET " + path + ": the answer lacks ledger, party or next_seq");
  return out;
}

int SubmitToServer(Context& c, const std::vector<std::pair<std::string, size_t>>& envelopes,
                   bool single) {
  auto client = Client(c);
  if (!client.ok()) return UsageError(client.status().message());
  // Body line k holds the envelope that starts on input line k, so the
  // server's line numbers are the input's.
  std::string body;
  size_t line = 1;
  std::map<size_t, std::string> by_line;
  for (const auto& [text, line_no] : envelopes) {
    for (; line < line_no; ++line) body += "\n";
    body += Flatten(text) + "\n";
    ++line;
    by_line[line_no] = text;
  }
  auto r = (*client)->Post("/v1/entries", "application/jsonl", std::move(body));
  if (!r.ok()) return Fail(r.status());
  auto j = JsonBody(*r, "POST /v1/entries");
  if (!j.ok()) return Fail(j.status());
  if (r->status != 200 && r->status != 422) return Fail(server::HttpError("POST /v1/entries", *r));
  const Globals& g = c.g;
  for (const auto& e : (*j)["entries"]) {
    const size_t n = e.value("line", size_t{0});
    const uint64_t index = e.value("index", uint64_t{0});
    const bool duplicate = e.value("duplicate", false);
    auto entry = ledger::DecodeEnvelope(by_line[n]);
    const std::string type = entry.ok() ? ledger::EntryTypeName(entry->type) : "?";
    const std::string party = entry.ok() ? entry->party : "?";
    const int64_t seq = entry.ok() ? entry->seq : 0;
    if (single) {
      std::cout << (duplicate ? "already present as entry " : "appended as entry ") << index
                << " (" << type << " by " << party << ", seq " << seq << ")\n";
    } else if (g.json) {
      std::cout << json({{"line", n},
                         {"index", index},
                         {"status", duplicate ? "present" : "appended"},
                         {"type", type},
                         {"party", party},
                         {"seq", seq}})
                       .dump()
                << "\n";
    } else if (!g.quiet) {
      std::cout << "line " << n << ": " << (duplicate ? "already present as entry " : "appended as entry ")
                << index << " (" << type << " by " << party << ", seq " << seq << ")\n";
    }
  }
  if (!single)
    std::cerr << "rareledger: appended " << j->value("appended", 0) << ", already present "
              << j->value("duplicates", 0) << ", log size " << j->value("size", 0) << " at "
              << c.g.server << "\n";
  if (r->status == 422) {
    const json& e = (*j)["error"];
    std::string msg = e.value("message", "");
    if (single && msg.rfind("line 1: ", 0) == 0) msg = msg.substr(8);
    return Fail(Status::Of(CodeFromId(e.value("code", "")), msg));
  }
  return kExitOk;
}

int CmdVerifyServer(Context& c, const RemoteVerifyOptions& o) {
  auto trust = Trust(o);
  if (!trust.ok()) return UsageError("verify --server: " + trust.status().message());
  Result<ledger::VerifyReport> r = server::VerifyServer(c.g.server, *trust);
  if (r.ok())
    if (Status w = CheckWitnesses(c.g, r->latest_note); !w.ok()) r = w;
  const Globals& g = c.g;
  if (g.json) return PrintVerifyJson(r, std::nullopt);
  if (!r.ok()) return Fail(r.status());
  std::cout << "verify: ok: " << r->entries << " entries from " << c.g.server
            << ", every signature and rule holds; the checkpoint matches; root "
            << ledger::HexEncode(r->root) << "\n";
  return kExitOk;
}

namespace {

// Writes both notes of an inconsistency to DIR/evidence/ and names them.
Status KeepEvidence(const std::string& db, const server::Inconsistency& e) {
  const fs::path dir = fs::path(db) / "evidence";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  const std::string stamp = ledger::UtcNow();
  const fs::path accepted = dir / (stamp + "-accepted.note");
  const fs::path offered = dir / (stamp + "-offered.note");
  std::ofstream(accepted, std::ios::binary) << e.accepted_note;
  std::ofstream(offered, std::ios::binary) << e.offered_note;
  std::cerr << "rareledger: evidence kept: " << accepted.string()
            << (e.accepted_note.empty() ? " (empty: no checkpoint accepted before)" : "") << " and "
            << offered.string() << "\n";
  return Status::Ok();
}

// Creates the replica from the server's entry 0 when --db holds no ledger.
Status InitMirror(Context& c, server::HttpClient& client, const server::RemoteTrust& trust,
                  const MirrorOptions& o) {
  std::error_code ec;
  if (fs::exists(fs::path(c.g.db) / "CURRENT", ec)) return Status::Ok();
  RL_ASSIGN_OR_RETURN(server::SignedCheckpoint latest, server::FetchCheckpoint(client, trust));
  if (latest.cp.size == 0) return Status::NotFound("the server's log is empty");
  std::string genesis;
  RL_RETURN_IF_ERROR(server::FetchLeaves(client, 0, 1, latest.cp.size,
                                         [&](uint64_t, std::string leaf) {
                                           genesis = std::move(leaf);
                                           return Status::Ok();
                                         }));
  std::string currency = o.currency;
  if (currency.empty()) {
    RL_ASSIGN_OR_RETURN(server::HttpResponse r, client.Get("/v1/status"));
    auto j = json::parse(r.body, nullptr, false);
    if (r.status == 200 && j.is_object()) currency = j.value("currency", "");
    if (currency.empty())
      return Status::NotFound("the server does not say its currency: give --currency");
  }
  // The genesis must hold the key the user trusts.
  auto entry = ledger::DecodeLeaf(genesis);
  if (!entry.ok()) return entry.status().WithContext("the server's entry 0");
  RL_ASSIGN_OR_RETURN(auto ledger, ledger::Ledger::InitReplica(c.g.db, genesis, currency));
  RL_ASSIGN_OR_RETURN(ledger::PartyRecord op, ledger->GetParty(ledger::kOperatorId));
  if (op.keys.front().pubkey != trust.key.raw()) {
    ledger.reset();
    fs::remove_all(c.g.db, ec);
    return Status::VerificationFailed("the server's entry 0 registers another operator key");
  }
  return Status::Ok();
}

}  // namespace

int CmdMirror(Context& c, const MirrorOptions& o) {
  auto trust = Trust(o.trust);
  if (!trust.ok()) return UsageError("mirror: " + trust.status().message());
  auto client = Client(c);
  if (!client.ok()) return UsageError(client.status().message());
  auto interval = ParseSeconds("--interval", o.interval);
  if (!interval.ok()) return UsageError(interval.status().message());
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  if (o.follow) pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  if (Status s = InitMirror(c, **client, *trust, o); !s.ok()) return Fail(s);
  if (Status s = c.Open(Access::kWrite); !s.ok()) return Fail(s);
  for (;;) {
    std::optional<server::Inconsistency> evidence;
    auto round = server::MirrorOnce(c.ledger(), **client, *trust, &evidence,
                                    [&](const std::string& note) { return CheckWitnesses(c.g, note); });
    if (!round.ok()) {
      if (evidence) (void)KeepEvidence(c.g.db, *evidence);
      return Fail(round.status());
    }
    if (round->appended > 0 || !o.follow)
      std::cout << "mirror: " << c.g.db << " at size " << round->size << " (" << round->appended
                << " new), verified against the server's signed checkpoint" << std::endl;
    if (!o.follow) return kExitOk;
    timespec wait{*interval / 1000, (*interval % 1000) * 1000000};
    if (sigtimedwait(&stop, nullptr, &wait) > 0) return kExitOk;
  }
}

}  // namespace rareledger::cli
