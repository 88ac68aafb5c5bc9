// The machine's own limit that the benchmarks compare against: Ed25519
// verifications per second (and per CPU-second) with ledger::Verifier on
// pre-parsed keys and ~300-byte create_lot payloads, on `threads` threads.
#ifndef RARELEDGER_BENCH_BASELINE_H_
#define RARELEDGER_BENCH_BASELINE_H_

#include <string>

#include "ledger/signer.h"

namespace rareledger::bench {

struct VerifyRate {
  double per_s = 0;      // verifications per wall-second, all threads
  double per_cpu_s = 0;  // verifications per CPU-second of the verifying threads
};

// Runs `threads` verifying threads for `seconds`. Exits the process (with a
// message) if a verification fails.
VerifyRate MeasureVerifyRate(unsigned threads, double seconds);

// A deterministic key for `name` (benchmarks are reproducible byte for byte).
ledger::Signer SeededSigner(const std::string& name);

// CPU time of the calling thread, in seconds.
double ThreadCpu();

}  // namespace rareledger::bench

#endif  // RARELEDGER_BENCH_BASELINE_H_
