#include "server/service.h"

#include <iostream>
#include <sstream>

#include "ledger/checkpoint.h"
#include "server/http_client.h"
#include "server/http_util.h"

namespace rareledger::server {

namespace http = boost::beast::http;
using ledger::Result;
using ledger::Status;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> PathParts(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 1;
  for (size_t i = 1; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/') {
      parts.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

// The media type of a Content-Type header, lower-cased, without parameters.
std::string MediaType(std::string_view header) {
  std::string out(header.substr(0, header.find(';')));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

// What a request matched: its route pattern (for metrics), the one method
// it takes, where it runs, and what answers it.
struct Service::Route {
  enum class Where { kInline, kRead, kSubmit };
  std::string name;
  http::verb method = http::verb::get;
  Where where = Where::kInline;
  std::function<Response()> run;
};

Service::Service(ledger::Ledger& ledger, ledger::Signer key, ServiceOptions options)
    : ledger_(ledger), key_(std::move(key)), options_(std::move(options)) {}

Result<std::unique_ptr<Service>> Service::Start(ledger::Ledger& ledger,
                                                ledger::Signer operator_key,
                                                ServiceOptions options) {
  RL_ASSIGN_OR_RETURN(ledger::PartyRecord op, ledger.GetParty(ledger::kOperatorId));
  if (operator_key.public_key().raw() != op.current_key())
    return Status::InvalidArgument("--operator-key is not the operator's current key");
  std::unique_ptr<Service> s(new Service(ledger, std::move(operator_key), std::move(options)));
  s->sequencer_ = ledger.NewSequencer();
  RL_ASSIGN_OR_RETURN(std::vector<std::string> notes, ledger.Checkpoints());
  if (!notes.empty()) {
    RL_ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::ParseCheckpoint(notes.back()));
    s->note_ = notes.back();
    s->note_size_ = cp.size;
    s->note_time_ = Clock::now();
  }
  s->note_index_ = notes.empty() ? 0 : notes.size() - 1;
  if (notes.empty() || s->note_size_ != s->sequencer_->head().size) {
    s->note_size_ = UINT64_MAX;  // force one now
    RL_RETURN_IF_ERROR(s->Checkpoint());
  }
  for (const WitnessTarget& w : s->options_.witnesses) {
    WitnessState state;
    RL_ASSIGN_OR_RETURN(state.client, HttpClient::Create(w.url, std::chrono::seconds(5)));
    s->witness_state_.push_back(std::move(state));
  }
  if (!s->options_.witnesses.empty()) {
    // A stored note that already has the quorum (from an earlier run).
    for (auto it = notes.rbegin(); it != notes.rend(); ++it) {
      std::vector<ledger::CosignerKey> keys;
      for (const auto& w : s->options_.witnesses) keys.push_back(w.key);
      if (ledger::CheckWitnessQuorum(*it, keys, s->options_.witness_quorum).ok()) {
        s->served_note_ = *it;
        break;
      }
    }
    s->WitnessRound();
  }
  s->submit_pool_ = std::make_unique<TaskPool>(std::max(1u, s->options_.submit_threads));
  s->read_pool_ = std::make_unique<TaskPool>(std::max(1u, s->options_.read_threads));
  s->checkpointer_ = std::thread([p = s.get()] { p->CheckpointLoop(); });
  return s;
}

Service::~Service() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  read_pool_.reset();
  submit_pool_.reset();  // every submit in flight gets its answer
  if (Status s = Checkpoint(); !s.ok())
    std::cerr << "rareledger serve: last checkpoint failed: " << s.ToString() << "\n";
  sequencer_.reset();
}

std::string Service::latest_note() const {
  std::lock_guard<std::mutex> lock(note_mu_);
  return options_.witnesses.empty() ? note_ : served_note_;
}

Status Service::AskWitness(size_t w, const std::string& note, uint64_t size) {
  WitnessState& ws = witness_state_[w];
  const WitnessTarget& target = options_.witnesses[w];
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (ws.size > size)
      return Status::Rejected("witness " + target.key.name + " holds size " +
                              std::to_string(ws.size) + ", past this checkpoint's " +
                              std::to_string(size));
    std::string body = "old " + std::to_string(ws.size) + "\n";
    if (ws.size > 0 && ws.size < size) {
      auto gate = sequencer_->ReadLock();
      RL_ASSIGN_OR_RETURN(ledger::ConsistencyProofInfo p, ledger_.ProveConsistency(ws.size, size));
      for (const ledger::Hash& h : p.path)
        body += ledger::Base64Encode(
                    std::string_view(reinterpret_cast<const char*>(h.data()), h.size())) +
                "\n";
    }
    body += "\n" + note;
    RL_ASSIGN_OR_RETURN(HttpResponse r, ws.client->Post("/add-checkpoint", "text/plain", body));
    if (r.status == 409) {  // it holds another size: retry from there
      std::string text = r.body;
      while (!text.empty() && text.back() == '\n') text.pop_back();
      auto held = ParseUint(text);
      if (!held) return Status::IOError("witness " + target.key.name + ": 409 without a size");
      if (*held == ws.size)
        return Status::Rejected("witness " + target.key.name + " refuses: another root at size " +
                                std::to_string(ws.size));
      ws.size = *held;
      continue;
    }
    if (r.status != 200)
      return Status::IOError("witness " + target.key.name + ": HTTP " + std::to_string(r.status) +
                             ": " + r.body.substr(0, 200));
    // Keep only a line that verifies with the key we were given.
    auto ts = ledger::VerifyCosignature(note + r.body, target.key);
    if (!ts.ok()) return ts.status().WithContext("witness " + target.key.name);
    ws.size = size;
    ws.note = note;
    ws.line.clear();
    for (size_t at = 0; at < r.body.size();) {  // its line among any others
      size_t end = r.body.find('\n', at);
      if (end == std::string::npos) end = r.body.size();
      std::string line = r.body.substr(at, end - at + 1);
      at = end + 1;
      if (ledger::VerifyCosignature(note + line, target.key).ok()) ws.line = line;
    }
    return Status::Ok();
  }
  return Status::IOError("witness " + target.key.name + ": its size keeps changing");
}

void Service::WitnessRound() {
  std::string note;
  size_t index = 0;
  uint64_t size = 0;
  {
    std::lock_guard<std::mutex> lock(note_mu_);
    note = note_;
    index = note_index_;
    size = note_size_;
    if (note.empty() || served_note_.rfind(note, 0) == 0) return;
  }
  std::string lines;
  size_t cosigned = 0;
  for (size_t w = 0; w < witness_state_.size(); ++w) {
    if (witness_state_[w].note != note) {
      if (Status s = AskWitness(w, note, size); !s.ok())  // retried next round
        std::cerr << "rareledger serve: " << s.ToString() << "\n";
    }
    if (witness_state_[w].note == note && !witness_state_[w].line.empty()) {
      lines += witness_state_[w].line;
      ++cosigned;
    }
  }
  if (cosigned < options_.witness_quorum) return;
  const std::string full = note + lines;
  if (Status s = sequencer_->AddSignatures(index, full); !s.ok())
    std::cerr << "rareledger serve: keeping the cosigned checkpoint: " << s.ToString() << "\n";
  std::lock_guard<std::mutex> lock(note_mu_);
  served_note_ = full;
}

Status Service::Checkpoint() {
  const ledger::TreeHead head = sequencer_->head();
  {
    std::lock_guard<std::mutex> lock(note_mu_);
    if (head.size == note_size_) return Status::Ok();
  }
  size_t index = 0;
  RL_ASSIGN_OR_RETURN(std::string note, sequencer_->IssueCheckpoint(key_, &index));
  RL_ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::ParseCheckpoint(note));
  std::lock_guard<std::mutex> lock(note_mu_);
  note_ = std::move(note);
  note_size_ = cp.size;
  note_index_ = index;
  note_time_ = Clock::now();
  return Status::Ok();
}

void Service::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, options_.checkpoint_every, [&] { return stop_; })) {
    lock.unlock();
    if (Status s = Checkpoint(); !s.ok())  // the next round tries again
      std::cerr << "rareledger serve: checkpoint failed: " << s.ToString() << "\n";
    if (!options_.witnesses.empty()) WitnessRound();
    lock.lock();
  }
}

void Service::BeginShutdown() { draining_ = true; }

bool Service::WaitIdle(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (active_.load() > 0) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void Service::Handle(Request&& request, Respond respond) {
  const auto start = Clock::now();
  ++active_;
  auto req = std::make_shared<Request>(std::move(request));
  auto finish = [this, respond, start](const std::string& route, Response res) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    metrics_.Observe(route, res.result_int(), static_cast<uint64_t>(micros.count()));
    respond(std::move(res));
    --active_;
  };
  if (draining_) {
    Response res = ErrorReply(503, "shutting_down", "the server is shutting down");
    res.set(http::field::retry_after, "5");
    res.keep_alive(false);
    return finish("shutdown", std::move(res));
  }
  auto target = ParseTarget(Sv(req->target()));
  if (!target.ok()) return finish("bad_target", StatusReply(target.status()));
  const std::string path = target->path;
  const std::vector<std::string> parts = PathParts(path);
  const auto query = std::make_shared<Target>(*std::move(target));
  const Target& t = *query;  // both kept alive by the task below

  using Where = Route::Where;
  Route r;
  auto get = [&](std::string name, Where where, std::function<Response()> run) {
    r = {std::move(name), http::verb::get, where, std::move(run)};
  };
  auto id_at = [&](size_t i) { return PercentDecode(parts[i]); };
  const Request& q = *req;
  if (path == "/healthz") {
    get("/healthz", Where::kInline, [] { return Reply(200, "ok\n", "text/plain; charset=utf-8", "no-store"); });
  } else if (path == "/metrics") {
    get("/metrics", Where::kInline, [this] { return MetricsText(); });
  } else if (path == "/checkpoint") {
    get("/checkpoint", Where::kInline, [this] {
      std::string note = latest_note();
      if (note.empty()) {
        Response res = ErrorReply(503, "no_quorum",
                                  "no checkpoint has the witness quorum yet");
        res.set(http::field::retry_after, "1");
        return res;
      }
      return Reply(200, std::move(note), "text/plain; charset=utf-8", "public, max-age=1");
    });
  } else if (parts.size() >= 2 && parts[0] == "tile") {
    get(parts[1] == "entries" ? "/tile/entries" : "/tile", Where::kInline,
        [this, path] { return Tile(path); });
  } else if (path == "/v1/status") {
    get("/v1/status", Where::kRead, [this] { return LogStatus(); });
  } else if (path == "/v1/entries") {
    r = {"/v1/entries", http::verb::post, Where::kSubmit, [this, &q, &t] { return Submit(q, t); }};
  } else if (parts.size() == 3 && parts[0] == "v1" && parts[1] == "entries") {
    get("/v1/entries/{n}", Where::kRead, [this, n = parts[2]] { return EntryAt(n); });
  } else if (path == "/v1/lots") {
    get("/v1/lots", Where::kRead, [this, &t] { return Lots(t); });
  } else if (path == "/v1/parties") {
    get("/v1/parties", Where::kRead, [this] { return Parties(); });
  } else if (parts.size() >= 3 && parts.size() <= 4 && parts[0] == "v1" &&
             (parts[1] == "lots" || parts[1] == "parties")) {
    auto id = id_at(2);
    if (!id.ok()) return finish("bad_target", StatusReply(id.status()));
    const std::string suffix = parts.size() == 4 ? parts[3] : "";
    if (parts[1] == "parties" && suffix.empty())
      get("/v1/parties/{id}", Where::kRead, [this, id = *id] { return Party(id); });
    else if (suffix.empty())
      get("/v1/lots/{id}", Where::kRead, [this, id = *id] { return Lot(id); });
    else if (parts[1] == "lots" && suffix == "trace")
      get("/v1/lots/{id}/trace", Where::kRead, [this, id = *id, &t] { return LotTrace(id, t); });
    else if (parts[1] == "lots" && suffix == "assessment")
      get("/v1/lots/{id}/assessment", Where::kRead,
          [this, id = *id, &t] { return LotAssessment(id, t); });
  } else if (parts.size() == 3 && parts[0] == "v1" && parts[1] == "keys") {
    get("/v1/keys/{key}", Where::kRead, [this, k = parts[2], &t] { return Signer(k, t); });
  } else if (path == "/v1/epcis") {
    get("/v1/epcis", Where::kRead, [this, &t] { return Epcis(t); });
  } else if (path == "/v1/epcis/context") {
    get("/v1/epcis/context", Where::kRead, [this, &t] { return EpcisContext(t); });
  } else if (path == "/v1/proofs/inclusion") {
    get("/v1/proofs/inclusion", Where::kRead, [this, &t] { return Inclusion(t); });
  } else if (path == "/v1/proofs/consistency") {
    get("/v1/proofs/consistency", Where::kRead, [this, &t] { return Consistency(t); });
  } else if (UiRoute ui = MatchUi(path, t); ui.run) {  // the web viewer
    get(ui.name, ui.blocking ? Where::kRead : Where::kInline, std::move(ui.run));
  }
  if (!r.run) return finish("unknown", ErrorReply(404, "not_found", "no route " + path.substr(0, 200)));
  if (req->method() != r.method) {
    const char* allow = r.method == http::verb::get ? "GET" : "POST";
    Response res = ErrorReply(405, "method_not_allowed",
                              std::string(Sv(req->method_string())) + " " + r.name +
                                  ": this route takes " + allow);
    res.set(http::field::allow, allow);
    return finish(r.name, std::move(res));
  }
  // `q` refers to *req, kept alive by the task.
  auto task = [finish, req, query, route = std::move(r)] {
    Response res;
    try {
      res = route.run();
    } catch (const std::exception& e) {  // a bug, never a crash of the server
      res = ErrorReply(500, "internal", std::string("internal error: ") + e.what());
    }
    finish(route.name, std::move(res));
  };
  if (r.where == Where::kInline) return task();
  (r.where == Where::kSubmit ? submit_pool_ : read_pool_)->Post(std::move(task));
}

Response Service::Submit(const Request& req, const Target& t) {
  const std::string atomic = t.One("atomic").value_or("false");
  if (atomic != "true" && atomic != "false")
    return ErrorReply(400, "invalid_argument", "atomic must be true or false");
  const std::string media = MediaType(Sv(req[http::field::content_type]));
  const bool one = media == "application/json";
  if (!one && media != "application/jsonl" && media != "application/x-ndjson")
    return ErrorReply(415, "unsupported_media_type",
                      "POST /v1/entries takes application/json (one envelope) or "
                      "application/jsonl / application/x-ndjson (JSON Lines), not \"" +
                          media.substr(0, 100) + "\"");
  const std::string& body = req.body();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return ErrorReply(400, "invalid_argument", "the body is empty: send one envelope per line");
  if (one && !nlohmann::json::accept(body))
    return ErrorReply(400, "invalid_argument",
                      "the body is not one JSON document (for several envelopes, send JSON Lines "
                      "as application/jsonl)");
  nlohmann::json entries = nlohmann::json::array();
  auto stream = sequencer_->Open(
      [&entries](const ledger::SubmitOutcome& o) {
        entries.push_back({{"line", o.line}, {"index", o.index}, {"duplicate", o.duplicate}});
      },
      /*atomic=*/atomic == "true");
  if (one) {
    stream->Add(body, 1);
  } else {
    size_t line_no = 0, start = 0;
    while (start < body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string::npos) end = body.size();
      std::string line = body.substr(start, end - start);
      start = end + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      if (!stream->Add(std::move(line), line_no)) break;
    }
  }
  const ledger::SubmitReport report = stream->Finish();
  nlohmann::json out = {{"appended", report.appended},
                        {"duplicates", report.duplicates},
                        {"entries", std::move(entries)},
                        {"size", sequencer_->head().size}};
  if (report.error.ok()) return JsonReply(200, out);
  nlohmann::json error = {{"code", CodeId(report.error.code())},
                          {"message", report.error.message()}};
  if (report.error_line == 0) {  // nothing the client sent is to blame
    out["error"] = std::move(error);
    return JsonReply(500, out);
  }
  error["line"] = report.error_line;
  out["error"] = std::move(error);
  return JsonReply(422, out);
}

Response Service::Tile(const std::string& path) {
  auto tile = ledger::ParseTilePath(path);
  if (!tile.ok()) return StatusReply(tile.status());
  constexpr const char* kImmutable = "public, max-age=31536000, immutable";
  // A full tile is immutable once in the tree, and the tree only grows: a
  // cached one is still in it and still the same bytes.
  const std::string key = ledger::TilePath(*tile);
  if (tile->full())
    if (auto hit = tiles_.Get(key)) return Reply(200, *hit, "application/octet-stream", kImmutable);
  auto bytes = ledger_.ReadTile(*tile, sequencer_->head().size);
  if (!bytes.ok()) return StatusReply(bytes.status());
  if (!tile->full()) return Reply(200, *std::move(bytes), "application/octet-stream", "public, max-age=1");
  tiles_.Put(key, *bytes);
  return Reply(200, *std::move(bytes), "application/octet-stream", kImmutable);
}

Response Service::MetricsText() {
  const ledger::SequencerStats st = sequencer_->stats();
  const ledger::TreeHead head = sequencer_->head();
  uint64_t age_micros = 0, note_size = 0;
  {
    std::lock_guard<std::mutex> lock(note_mu_);
    age_micros = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - note_time_).count());
    note_size = note_size_;
  }
  std::ostringstream o;
  auto metric = [&](const char* name, const char* type, const char* help, const std::string& v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
      << name << " " << v << "\n";
  };
  metric("rareledger_log_entries", "gauge", "Entries in the log (committed).",
         std::to_string(head.size));
  metric("rareledger_checkpoint_size", "gauge", "Tree size of the served checkpoint.",
         std::to_string(note_size));
  metric("rareledger_checkpoint_age_seconds", "gauge", "Time since the served checkpoint was signed.",
         MicrosAsSeconds(age_micros));
  metric("rareledger_commits_total", "counter", "Synced commits of submitted entries.",
         std::to_string(st.commits));
  metric("rareledger_committed_entries_total", "counter", "Entries appended by those commits.",
         std::to_string(st.committed_entries));
  metric("rareledger_commit_largest_entries", "gauge", "Entries in the largest commit so far.",
         std::to_string(st.largest_commit));
  if (http_ != nullptr) {
    metric("rareledger_http_connections", "gauge", "Open client connections.",
           std::to_string(http_->connections()));
    metric("rareledger_http_protocol_errors_total", "counter",
           "Requests refused before routing (400, 413, 431).",
           std::to_string(http_->protocol_errors()));
    metric("rareledger_http_timeouts_total", "counter", "Connections closed by a timeout.",
           std::to_string(http_->timeouts()));
  }
  return Reply(200, o.str() + metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8",
               "no-store");
}

}  // namespace rareledger::server
