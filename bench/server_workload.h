// The envelopes of rl_server_bench: a fresh ledger, its operator key files,
// and distinct valid create_lot envelopes pre-signed for each client, every
// client its own registered party with consecutive seqs.
#ifndef RARELEDGER_BENCH_SERVER_WORKLOAD_H_
#define RARELEDGER_BENCH_SERVER_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/server_load.h"
#include "ledger/signer.h"

namespace rareledger::bench {

class ServerWorkload {
 public:
  // `parties` parties srv-000.. (the single-POST clients come first, then
  // the batch clients; the caller chooses which by index).
  explicit ServerWorkload(size_t parties);

  // Initialises the ledger at `db` (wiping it) and writes DIR/op.key (0600)
  // and DIR/op.pub, the operator key `serve` and `verify --server` take.
  void InitLedger(const std::string& db, const std::string& dir) const;
  // One JSON Lines body registering every party (operator-signed).
  PostLoad Registrations();
  // Clients first..first+count-1, each `per_client` single-envelope bodies.
  PostLoad Singles(size_t first, size_t count, unsigned per_client);
  // The same with `lines`-line JSON Lines bodies.
  PostLoad Batches(size_t first, size_t count, unsigned per_client, unsigned lines);

  uint64_t signed_count() const { return signed_; }
  // Entries in the ledger once every envelope made so far is appended.
  uint64_t total_entries() const { return 1 + signed_; }

  // The serve process's open-connection gauge (GET /metrics).
  static size_t ServerConnections(const std::string& url);

 private:
  struct Party {
    std::string id;
    ledger::Signer signer;
    int64_t seq = 0;
  };
  std::string Payload(size_t party);  // the party's next create_lot, unsigned
  std::vector<std::string> SignAll(const std::vector<std::pair<size_t, std::string>>& payloads);

  ledger::Signer op_;
  int64_t op_seq_ = 1;  // entry 0 (init) has seq 1
  std::vector<Party> parties_;
  uint64_t signed_ = 0;
};

}  // namespace rareledger::bench

#endif  // RARELEDGER_BENCH_SERVER_WORKLOAD_H_
