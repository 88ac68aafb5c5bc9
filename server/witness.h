// Witness: a C2SP tlog-witness service (`rareledger witness`). It cosigns a
// log's checkpoint only if it is consistent with the latest one it cosigned
// for that origin, and it records that checkpoint durably before it
// answers, so that after kill -9 it never cosigns a checkpoint inconsistent
// with one it answered.
//
// POST /add-checkpoint, body: "old N\n", at most 63 base64 proof lines, a
// blank line, then the checkpoint note. Answers (tlog-witness):
//   200 text/plain   the cosignature/v1 line(s)
//   400              malformed body, old > size, proof lines past 63
//   403              no signature by the log key the witness trusts
//   404              unknown origin
//   409 text/x.tlog.size  old is not the size it holds ("N\n"), or the
//                    same size with another root
//   422              the consistency proof does not verify
// State: DIR/state, one line per origin "ORIGIN SIZE BASE64ROOT", replaced
// atomically (write, fsync, rename, fsync of DIR) under one lock with the
// check, so two requests cannot interleave.
#ifndef RARELEDGER_SERVER_WITNESS_H_
#define RARELEDGER_SERVER_WITNESS_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "server/http_server.h"
#include "server/task_pool.h"

namespace rareledger::server {

struct WitnessOptions {
  std::string name;  // the witness's key name
  std::string dir;   // its state directory (created if missing)
  // The logs it witnesses: origin -> the log's note verifier key.
  std::map<std::string, ledger::ParsedVerifierKey> logs;
};

class Witness {
 public:
  static ledger::Result<std::unique_ptr<Witness>> Open(WitnessOptions options,
                                                       ledger::Signer key);
  // The HttpServer handler; requests are decided one at a time.
  void Handle(Request&& req, Respond respond);
  // Decides one add-checkpoint body at `now` (seconds since the epoch).
  Response AddCheckpoint(const std::string& body, uint64_t now);

 private:
  struct Record {
    uint64_t size = 0;
    ledger::Hash root{};
  };
  Witness(WitnessOptions options, ledger::Signer key)
      : options_(std::move(options)), key_(std::move(key)) {}
  ledger::Status Load();
  ledger::Status Persist(const std::map<std::string, Record>& state) const;

  WitnessOptions options_;
  ledger::Signer key_;
  std::mutex mu_;
  std::map<std::string, Record> state_;  // guarded by mu_
  TaskPool pool_{1};
};

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_WITNESS_H_
