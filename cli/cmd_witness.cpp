// witness: a C2SP tlog-witness service; and the witness requirement of the
// verifying commands (--witness-vkey, --witness-quorum).
#include <signal.h>

#include <iostream>

#include "cli/cli.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "server/http_server.h"
#include "server/witness.h"

namespace rareledger::cli {

using ledger::Status;

Status CheckWitnesses(const Globals& g, const std::string& note) {
  if (g.witness_vkeys.empty()) {
    if (g.witness_quorum > 0) return Status::InvalidArgument("--witness-quorum needs --witness-vkey");
    return Status::Ok();
  }
  std::vector<ledger::CosignerKey> keys;
  for (const std::string& v : g.witness_vkeys) {
    auto k = ledger::ParseCosignerKey(v);
    if (!k.ok()) return k.status().WithContext("--witness-vkey");
    keys.push_back(*std::move(k));
  }
  const size_t quorum = g.witness_quorum == 0 ? keys.size() : g.witness_quorum;
  if (quorum > keys.size())
    return Status::InvalidArgument("--witness-quorum " + std::to_string(quorum) + " is more than the " +
                                   std::to_string(keys.size()) + " --witness-vkey given");
  if (note.empty())
    return Status::VerificationFailed("no checkpoint to check the witnesses' cosignatures on");
  return ledger::CheckWitnessQuorum(note, keys, quorum);
}

int CmdWitness(Context& c, const WitnessOptions& o) {
  auto key = LoadSigner(o.key);
  if (!key.ok()) return Fail(key.status());
  if (o.vkey) {
    if (auto s = ledger::CheckNoteKeyName(o.name); !s.ok()) return UsageError("--name: " + s.message());
    std::cout << ledger::CosignerVerifierKey(o.name, key->public_key()) << "\n";
    return kExitOk;
  }
  server::WitnessOptions options;
  options.name = o.name;
  options.dir = c.g.db;
  for (const std::string& arg : o.logs) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos) return UsageError("--log \"" + arg + "\": want ORIGIN=VKEY");
    auto vkey = ledger::ParseVerifierKey(arg.substr(eq + 1));
    if (!vkey.ok()) return UsageError("--log " + arg.substr(0, eq) + ": " + vkey.status().message());
    options.logs.insert_or_assign(arg.substr(0, eq), *std::move(vkey));
  }
  const size_t colon = o.listen.rfind(':');
  const std::string port_text = colon == std::string::npos ? "" : o.listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos || std::stoul(port_text) > 65535)
    return UsageError("--listen \"" + o.listen + "\": want HOST:PORT");
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);
  auto witness = server::Witness::Open(std::move(options), std::move(key).value());
  if (!witness.ok()) return Fail(witness.status());
  server::HttpLimits limits;
  limits.max_body_bytes = 64 << 10;  // 63 proof lines and a note fit many times over
  server::Witness* w = witness->get();
  auto port = std::stoul(port_text);
  auto http = server::HttpServer::Listen(
      o.listen.substr(0, colon), static_cast<uint16_t>(port), limits,
      [w](server::Request&& req, server::Respond respond) { w->Handle(std::move(req), respond); });
  if (!http.ok()) return Fail(http.status());
  (*http)->Start(1);
  std::cout << "rareledger witness: " << o.name << " listening on http://"
            << o.listen.substr(0, colon) << ":" << (*http)->port() << std::endl;
  int sig = 0;
  sigwait(&stop, &sig);
  (*http)->StopAccepting();
  (*http)->Stop();
  return kExitOk;
}

}  // namespace rareledger::cli
