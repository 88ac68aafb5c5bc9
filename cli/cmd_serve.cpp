// serve: the ledger as an HTTP service; tiles: its read side as static files.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "graph/policy.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/tiles.h"
#include "server/http_server.h"
#include "server/service.h"

namespace rareledger::cli {
namespace {

namespace fs = std::filesystem;
using ledger::Result;
using ledger::Status;

// The operator key must be the operator's alone: refuse to start otherwise
// (SPEC: the server never runs with a key others can read).
Status CheckKeyPrivate(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return Status::NotFound("cannot read " + path);
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::InvalidArgument("--operator-key " + path + " has mode " + mode +
                                   ": group or others may read it; chmod 600 " + path +
                                   " before serving");
  }
  return Status::Ok();
}

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size())
    return Status::InvalidArgument("--listen \"" + listen + "\": want HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535)
    return Status::InvalidArgument("--listen \"" + listen + "\": the port must be 0..65535");
  return std::make_pair(host, static_cast<uint16_t>(std::stoul(port)));
}

Result<std::vector<graph::Policy>> ServedPolicies(const std::string& dir_arg) {
  std::string dir = dir_arg;
  if (dir.empty()) {
    RL_ASSIGN_OR_RETURN(dir, PolicyDir());
  }
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path().string());
  if (ec) return Status::NotFound("--policies " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) return Status::NotFound("--policies " + dir + ": no *.json policy in it");
  std::vector<graph::Policy> out;
  for (const auto& f : files) {
    RL_ASSIGN_OR_RETURN(graph::Policy p, graph::LoadPolicy(f));
    for (const auto& q : out)
      if (q.id == p.id) return Status::InvalidArgument("--policies: two files hold policy " + p.id);
    out.push_back(std::move(p));
  }
  return out;
}

// Writes `bytes` to `path` through a temporary file and a rename, so a
// reader (or a crash) never sees half a file.
Status WriteAtomically(const fs::path& path, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Status::IOError("cannot create " + path.parent_path().string() + ": " + ec.message());
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return Status::IOError("cannot write " + tmp.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) return Status::IOError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

// serve --witness NAME=URL=VKEY: the VKEY starts with "NAME+" (base64 may
// end in '=', so the split is by the name, not by the last '=').
Result<std::vector<server::WitnessTarget>> WitnessTargets(const ServeOptions& o) {
  std::vector<server::WitnessTarget> out;
  for (const std::string& arg : o.witnesses) {
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const size_t vkey_at = eq == std::string::npos ? eq : arg.find("=" + name + "+", eq + 1);
    if (eq == std::string::npos || name.empty() || vkey_at == std::string::npos)
      return Status::InvalidArgument("--witness \"" + arg + "\": want NAME=URL=VKEY (VKEY named NAME)");
    auto key = ledger::ParseCosignerKey(arg.substr(vkey_at + 1));
    if (!key.ok()) return key.status().WithContext("--witness " + name);
    out.push_back({arg.substr(eq + 1, vkey_at - eq - 1), *std::move(key)});
  }
  if (o.witness_quorum > out.size())
    return Status::InvalidArgument("--witness-quorum " + std::to_string(o.witness_quorum) +
                                   " is more than the " + std::to_string(out.size()) + " --witness given");
  return out;
}

int CmdServe(Context& c, const ServeOptions& o) {
  auto listen = ParseListen(o.listen);
  if (!listen.ok()) return UsageError(listen.status().message());
  if (o.checkpoint_every_ms < 1) return UsageError("--checkpoint-every must be positive");
  if (Status s = CheckKeyPrivate(o.operator_key); !s.ok()) return Fail(s);
  auto key = ledger::Signer::FromPemFile(o.operator_key);
  if (!key.ok()) return Fail(key.status());
  auto policies = ServedPolicies(o.policies);
  if (!policies.ok()) return Fail(policies.status());
  auto witnesses = WitnessTargets(o);
  if (!witnesses.ok()) return UsageError(witnesses.status().message());

  // SIGTERM and SIGINT are taken by sigwait below, on this thread only:
  // block them before any thread starts, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (Status s = c.Open(Access::kWrite); !s.ok()) return Fail(s);
  server::ServiceOptions options;
  options.policies = *std::move(policies);
  options.checkpoint_every = std::chrono::milliseconds(o.checkpoint_every_ms);
  options.witness_quorum = o.witness_quorum == 0 ? witnesses->size() : o.witness_quorum;
  options.witnesses = *std::move(witnesses);
  auto service = server::Service::Start(c.ledger(), std::move(key).value(), std::move(options));
  if (!service.ok()) return Fail(service.status());
  server::HttpLimits limits;
  limits.max_body_bytes = o.max_body_bytes;
  limits.header_timeout = std::chrono::milliseconds(o.header_timeout_ms);
  limits.body_timeout = std::chrono::milliseconds(o.body_timeout_ms);
  limits.write_timeout = std::chrono::milliseconds(o.write_timeout_ms);
  limits.max_connections = o.max_connections;
  server::Service* svc = service->get();
  auto http = server::HttpServer::Listen(
      listen->first, listen->second, limits,
      [svc](server::Request&& req, server::Respond respond) { svc->Handle(std::move(req), respond); });
  if (!http.ok()) return Fail(http.status());
  svc->set_http(http->get());
  (*http)->Start(o.threads);
  const ledger::LedgerInfo info = c.ledger().Info();
  std::cout << "rareledger serve: listening on http://" << listen->first << ":" << (*http)->port()
            << " (ledger " << info.ledger_id << ", " << info.size << " entries)" << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cerr << "rareledger serve: " << (signal_number == SIGTERM ? "SIGTERM" : "SIGINT")
            << ": finishing the requests in flight" << std::endl;
  // New requests get 503; what was taken finishes and is answered.
  svc->BeginShutdown();
  (*http)->StopAccepting();
  if (!svc->WaitIdle(std::chrono::seconds(30)))
    std::cerr << "rareledger serve: requests still running after 30 s; stopping anyway\n";
  // Give the last answers a moment to reach their clients.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*http)->Stop();
  service->reset();  // finishes submits, signs the last checkpoint
  std::cerr << "rareledger serve: stopped at " << c.ledger().Info().size << " entries" << std::endl;
  return kExitOk;
}

int CmdTiles(Context& c, const std::string& dir) {
  auto notes = c.ledger().Checkpoints();
  if (!notes.ok()) return Fail(notes.status());
  if (notes->empty())
    return Fail(Status::NotFound("the ledger has no checkpoint: sign one with `rareledger "
                                 "checkpoint --operator-key OP.key` (or run serve)"));
  auto latest = ledger::ParseCheckpoint(notes->back());
  if (!latest.ok()) return Fail(latest.status());
  const fs::path root(dir);
  // What the directory holds already: the tree of its checkpoint.
  uint64_t old_size = 0;
  if (std::ifstream in(root / "checkpoint", std::ios::binary); in) {
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto old = ledger::ParseCheckpoint(text);
    if (!old.ok()) return Fail(old.status().WithContext((root / "checkpoint").string()));
    if (old->origin != latest->origin)
      return Fail(Status::InvalidArgument(dir + " holds the tiles of ledger " + old->origin +
                                          ", not " + latest->origin));
    if (old->size > latest->size)
      return Fail(Status::InvalidArgument(dir + " holds a checkpoint of size " +
                                          std::to_string(old->size) + ", past the ledger's " +
                                          std::to_string(latest->size)));
    old_size = old->size;
  }
  size_t written = 0, kept = 0;
  for (const ledger::TileId& tile : ledger::NewTiles(old_size, latest->size)) {
    const fs::path path = root / ledger::TilePath(tile);
    std::error_code ec;
    if (tile.full() && fs::exists(path, ec)) {  // written once, never again
      ++kept;
      continue;
    }
    auto bytes = c.ledger().ReadTile(tile, latest->size);
    if (!bytes.ok()) return Fail(bytes.status());
    if (Status s = WriteAtomically(path, *bytes); !s.ok()) return Fail(s);
    ++written;
  }
  // The checkpoint last: a reader that sees it finds every tile it needs.
  if (Status s = WriteAtomically(root / "checkpoint", notes->back()); !s.ok()) return Fail(s);
  std::cout << "tiles: " << dir << " at size " << latest->size << " (" << written
            << " files written, " << kept << " already there)\n";
  return kExitOk;
}

}  // namespace rareledger::cli
