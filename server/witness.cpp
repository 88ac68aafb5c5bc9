#include "server/witness.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/merkle.h"
#include "server/http_util.h"

namespace rareledger::server {

namespace fs = std::filesystem;
using ledger::Result;
using ledger::Status;

namespace {

constexpr size_t kMaxProofLines = 63;

Response SizeConflict(uint64_t size) {
  return Reply(409, std::to_string(size) + "\n", "text/x.tlog.size", "no-store");
}

Response Plain(unsigned status, const std::string& message) {
  return Reply(status, message + "\n", "text/plain; charset=utf-8", "no-store");
}

Status SyncPath(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  const int rc = fsync(fd);
  close(fd);
  if (rc != 0) return Status::IOError("cannot fsync " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Witness>> Witness::Open(WitnessOptions options, ledger::Signer key) {
  RL_RETURN_IF_ERROR(ledger::CheckNoteKeyName(options.name).WithContext("--name"));
  if (options.logs.empty()) return Status::InvalidArgument("give at least one --log ORIGIN=VKEY");
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status::IOError("cannot create " + options.dir + ": " + ec.message());
  std::unique_ptr<Witness> w(new Witness(std::move(options), std::move(key)));
  RL_RETURN_IF_ERROR(w->Load());
  return w;
}

Status Witness::Load() {
  std::ifstream in(fs::path(options_.dir) / "state", std::ios::binary);
  if (!in) return Status::Ok();  // a new witness
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream fields(line);
    std::string origin, size, root;
    fields >> origin >> size >> root;
    auto parsed_size = ParseUint(size);
    auto hash = ledger::Base64Decode(root);
    if (origin.empty() || !parsed_size || !hash.ok() || hash->size() != 32)
      return Status::Corruption(options_.dir + "/state line " + std::to_string(n) +
                                " does not parse: the witness will not guess its state");
    Record r;
    r.size = *parsed_size;
    std::memcpy(r.root.data(), hash->data(), 32);
    state_[origin] = r;
  }
  return Status::Ok();
}

Status Witness::Persist(const std::map<std::string, Record>& state) const {
  const std::string path = (fs::path(options_.dir) / "state").string();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    for (const auto& [origin, r] : state)
      out << origin << " " << r.size << " "
          << ledger::Base64Encode(std::string_view(reinterpret_cast<const char*>(r.root.data()), 32))
          << "\n";
    out.flush();
    if (!out) return Status::IOError("cannot write " + tmp);
  }
  RL_RETURN_IF_ERROR(SyncPath(tmp, O_RDONLY));
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::IOError("cannot rename " + tmp + ": " + std::strerror(errno));
  return SyncPath(options_.dir, O_RDONLY | O_DIRECTORY);
}

void Witness::Handle(Request&& req, Respond respond) {
  const std::string target(Sv(req.target()));
  if (target != "/add-checkpoint") return respond(Plain(404, "no route " + target.substr(0, 100)));
  if (req.method() != boost::beast::http::verb::post) {
    Response res = Plain(405, "POST /add-checkpoint only");
    res.set(boost::beast::http::field::allow, "POST");
    return respond(std::move(res));
  }
  auto body = std::make_shared<std::string>(std::move(req.body()));
  pool_.Post([this, body, respond] {
    respond(AddCheckpoint(*body, static_cast<uint64_t>(std::time(nullptr))));
  });
}

Response Witness::AddCheckpoint(const std::string& body, uint64_t now) {
  // "old N\n" proof lines "\n" note
  const size_t first = body.find('\n');
  if (first == std::string::npos || body.compare(0, 4, "old ") != 0)
    return Plain(400, "the body must start with \"old N\"");
  const std::string old_text = body.substr(4, first - 4);
  auto old = ParseUint(old_text);
  if (!old || (old_text.size() > 1 && old_text[0] == '0'))
    return Plain(400, "old size \"" + old_text.substr(0, 30) + "\" is not a decimal without leading zeros");
  std::vector<ledger::Hash> proof;
  size_t at = first + 1;
  for (;;) {
    const size_t end = body.find('\n', at);
    if (end == std::string::npos) return Plain(400, "no blank line before the checkpoint");
    const std::string line = body.substr(at, end - at);
    at = end + 1;
    if (line.empty()) break;
    if (proof.size() == kMaxProofLines) return Plain(400, "more than 63 consistency proof lines");
    auto hash = ledger::Base64Decode(line);
    if (!hash.ok() || hash->size() != 32)
      return Plain(400, "proof line " + std::to_string(proof.size() + 1) + " is not base64 of 32 bytes");
    ledger::Hash h;
    std::memcpy(h.data(), hash->data(), 32);
    proof.push_back(h);
  }
  const std::string note = body.substr(at);
  auto cp = ledger::ParseCheckpoint(note);
  if (!cp.ok()) return Plain(400, "checkpoint: " + cp.status().message());
  auto log = options_.logs.find(cp->origin);
  if (log == options_.logs.end()) return Plain(404, "unknown log origin " + cp->origin.substr(0, 100));
  if (auto s = ledger::VerifyNote(note, log->second.name, log->second.public_key); !s.ok())
    return Plain(403, "checkpoint: " + s.message());
  if (*old > cp->size) return Plain(400, "old size " + old_text + " is past the checkpoint's size");

  std::lock_guard<std::mutex> lock(mu_);  // check and persist atomically
  const auto it = state_.find(cp->origin);
  const Record held = it == state_.end() ? Record{} : it->second;
  if (*old != held.size) return SizeConflict(held.size);
  if (*old == cp->size) {
    if (!proof.empty()) return Plain(422, "old size equals the size: the proof must be empty");
    if (it != state_.end() && held.root != cp->root) return SizeConflict(held.size);
  } else if (*old == 0) {
    if (!proof.empty()) return Plain(422, "old size 0: the proof must be empty");
  } else if (auto s = ledger::VerifyConsistency(*old, cp->size, held.root, cp->root, proof);
             !s.ok()) {
    return Plain(422, "consistency proof: " + s.message());
  }
  auto line = ledger::Cosign(note, options_.name, key_, now);
  if (!line.ok()) return Plain(500, line.status().message());
  std::map<std::string, Record> next = state_;
  next[cp->origin] = Record{cp->size, cp->root};
  if (Status s = Persist(next); !s.ok()) return Plain(500, "state not saved, not cosigned: " + s.message());
  state_ = std::move(next);
  return Reply(200, *line, "text/plain; charset=utf-8", "no-store");
}

}  // namespace rareledger::server
