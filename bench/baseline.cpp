// The Ed25519 baseline, shared by rl_bench and rl_server_bench.
#include "bench/baseline.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/harness.h"
#include "ledger/crypto.h"
#include "ledger/envelope.h"
#include "ledger/entry.h"

namespace rareledger::bench {
namespace {

using nlohmann::json;

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "bench baseline: " << what << "\n";
  std::exit(1);
}

template <typename T>
T Must(ledger::Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(r).value();
}

struct VerifyJob {
  std::string message;
  std::string sig;
  size_t key = 0;
};

}  // namespace

ledger::Signer SeededSigner(const std::string& name) {
  ledger::Hash seed = ledger::Sha256("rl_bench seed " + name);
  return Must(ledger::Signer::FromSeed(ledger::AsBytes(seed)), "seed key " + name);
}

double ThreadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

VerifyRate MeasureVerifyRate(unsigned threads, double seconds) {
  constexpr size_t kKeys = 64;
  std::vector<ledger::Verifier> verifiers;
  std::vector<VerifyJob> jobs;
  for (size_t k = 0; k < kKeys; ++k) {
    ledger::Signer s = SeededSigner("baseline-" + std::to_string(k));
    ledger::PublicKey pk = Must(ledger::PublicKey::FromRaw(s.public_key().raw()), "pubkey");
    verifiers.push_back(Must(ledger::Verifier::Create(pk), "verifier"));
    // A typical create_lot payload, padded to ~300 bytes.
    json p = {{"type", "create_lot"}, {"ledger", "bench-ledger"}, {"party", "p" + std::to_string(k)},
              {"seq", 12345}, {"time", "2026-11-28T10:00:00Z"}, {"lot", "LOT-BASELINE-" + std::to_string(k)},
              {"material", "NdPr oxide, 99.5% TREO, drummed, batch for magnet alloy"},
              {"category", "re_oxide"}, {"mass_g", 1000000}, {"value", 38000000},
              {"origin", "AU"}, {"elements", {{"Nd", 600000}, {"Pr", 200000}}}};
    std::string msg = Must(ledger::CanonicalPayload(p.dump()), "canonical");
    if (msg.size() + 12 < 300) {  // pad to ~300 bytes with a note field
      p["note"] = std::string(300 - msg.size() - 12, 'x');
      msg = Must(ledger::CanonicalPayload(p.dump()), "canonical");
    }
    std::string sig = Must(s.Sign(msg), "sign");
    jobs.push_back({msg, sig, k});
  }
  std::atomic<bool> go{false};
  std::vector<uint64_t> counts(threads, 0);
  std::vector<double> spans(threads, 0);
  std::vector<double> cpus(threads, 0);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      double t0 = Now(), t1 = t0, c0 = ThreadCpu();
      uint64_t n = 0;
      size_t i = t * 7;
      while (t1 - t0 < seconds) {
        for (int k = 0; k < 32; ++k, ++i) {
          const VerifyJob& j = jobs[i % jobs.size()];
          if (!verifiers[j.key].Verify(j.message, j.sig).ok()) Die("baseline verify failed");
          ++n;
        }
        t1 = Now();
      }
      counts[t] = n;
      spans[t] = t1 - t0;
      cpus[t] = ThreadCpu() - c0;
    });
  }
  go = true;
  for (auto& th : pool) th.join();
  uint64_t total = 0;
  double span = 0, cpu = 0;
  for (unsigned t = 0; t < threads; ++t) {
    total += counts[t];
    span = std::max(span, spans[t]);
    cpu += cpus[t];
  }
  return {static_cast<double>(total) / span, static_cast<double>(total) / cpu};
}

}  // namespace rareledger::bench
