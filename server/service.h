// Service: the routes of `rareledger serve` (SPEC "Server", docs/server.md)
// over one ledger opened for writing.
//
// Writes go through the ledger's Sequencer: the lines of concurrent POSTs
// share chunks and fsyncs (group commit), each request's lines stay in
// order, and a request is answered 200 only once its entries are durable.
// Reads of records and assessments hold the sequencer's read lock, so what
// they report (records, size, root) is one committed state. Tiles and
// bundles are read from the stored tree at the committed size, never
// recomputed. A checkpoint is signed at start and whenever the log has
// grown, at most every `checkpoint_every`.
//
// Blocking work (submits, record reads, graphviz) runs on the service's
// own threads; tiles, /checkpoint, /healthz and /metrics are answered on
// the calling (I/O) thread.
#ifndef RARELEDGER_SERVER_SERVICE_H_
#define RARELEDGER_SERVER_SERVICE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "graph/assessment.h"
#include "graph/policy.h"
#include "ledger/cosignature.h"
#include "ledger/ledger.h"
#include "server/http_client.h"
#include "server/http_server.h"
#include "server/http_util.h"
#include "server/metrics.h"
#include "server/task_pool.h"
#include "server/tile_cache.h"

namespace rareledger::server {

// A witness the log asks for cosignatures (C2SP tlog-witness).
struct WitnessTarget {
  std::string url;           // its prefix: the log posts to URL/add-checkpoint
  ledger::CosignerKey key;   // its name and cosignature key
};

struct ServiceOptions {
  std::vector<graph::Policy> policies;  // served by id, in this order
  std::chrono::milliseconds checkpoint_every{1000};
  unsigned submit_threads = 96;  // POSTs waiting for their commit
  unsigned read_threads = 2;
  std::string dot = "dot";       // graphviz, for trace?format=svg
  // Full tiles and bundles served from memory (server/tile_cache.h): a read
  // from the store costs a RocksDB lookup per hash (docs/performance.md).
  size_t tile_cache_bytes = size_t{64} << 20;
  // With witnesses, /checkpoint serves the newest note with `witness_quorum`
  // of their cosignatures (503 until one has them).
  std::vector<WitnessTarget> witnesses;
  size_t witness_quorum = 0;
};

class Service {
 public:
  // `ledger` (opened writable) is borrowed and must outlive the service.
  // Fails when `operator_key` is not the operator's current key. Signs a
  // checkpoint now unless the latest one covers the whole log.
  static ledger::Result<std::unique_ptr<Service>> Start(ledger::Ledger& ledger,
                                                        ledger::Signer operator_key,
                                                        ServiceOptions options);
  // Finishes every submit in flight, signs a last checkpoint if the log
  // grew since the latest, and stops.
  ~Service();

  // The HttpServer handler.
  void Handle(Request&& req, Respond respond);
  // From now on every new request gets 503 with Retry-After.
  void BeginShutdown();
  // Waits until no request is in the service (true) or `timeout` passed.
  bool WaitIdle(std::chrono::milliseconds timeout);
  // For /metrics: the connection counts of the server in front.
  void set_http(const HttpServer* http) { http_ = http; }

  // The note /checkpoint serves now.
  std::string latest_note() const;

 private:
  struct Route;
  Service(ledger::Ledger& ledger, ledger::Signer key, ServiceOptions options);

  ledger::Status Checkpoint();  // signs one if the log grew
  void CheckpointLoop();
  // Asks each witness that has not cosigned the latest note yet; serves the
  // note once it has the quorum.
  void WitnessRound();
  ledger::Status AskWitness(size_t w, const std::string& note, uint64_t size);

  // Routes (service.cpp: dispatch, writes, tiles; service_reads.cpp: JSON).
  // POST /v1/entries[?atomic=true]: atomic, all or nothing (one commit).
  Response Submit(const Request& req, const Target& t);
  Response Tile(const std::string& path);
  Response LogStatus();
  Response Lot(const std::string& id);
  Response Lots(const Target& t);
  Response EntryAt(const std::string& n);
  Response Party(const std::string& id);
  Response Parties();
  Response Signer(const std::string& hex_key, const Target& t);
  Response LotTrace(const std::string& id, const Target& t);
  Response LotAssessment(const std::string& id, const Target& t);
  // service_epcis.cpp: GET /v1/epcis and GET /v1/epcis/context.
  Response Epcis(const Target& t);
  Response EpcisContext(const Target& t);
  Response Inclusion(const Target& t);
  Response Consistency(const Target& t);
  Response MetricsText();
  graph::Binding BindingNow();  // with the read lock held

  // The web viewer (service_ui.cpp): the route `path` names, blocking (run
  // on the read threads) or not; no `run` when it names none.
  struct UiRoute {
    std::string name;
    bool blocking = false;
    std::function<Response()> run;
  };
  UiRoute MatchUi(const std::string& path, const Target& t);
  Response UiLot(const std::string& id, const Target& t);
  Response UiSearch(const Target& t);

  ledger::Ledger& ledger_;
  ledger::Signer key_;
  ServiceOptions options_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  Metrics metrics_;
  const HttpServer* http_ = nullptr;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> active_{0};  // requests taken, not yet answered

  mutable std::mutex note_mu_;
  std::string note_;                  // the latest checkpoint note
  uint64_t note_size_ = 0;
  size_t note_index_ = 0;             // its number among stored checkpoints
  std::string served_note_;           // with witnesses: the newest quorum note

  struct WitnessState {
    std::unique_ptr<HttpClient> client;
    uint64_t size = 0;               // the size it holds, as far as we know
    std::string note;                // the note its `line` cosigns
    std::string line;
  };
  std::vector<WitnessState> witness_state_;  // the checkpoint thread's
  std::chrono::steady_clock::time_point note_time_;

  TileCache tiles_{options_.tile_cache_bytes};

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread checkpointer_;
  std::unique_ptr<TaskPool> submit_pool_;  // last: drained first
  std::unique_ptr<TaskPool> read_pool_;
};

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_SERVICE_H_
