#include "bench/server_workload.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/baseline.h"
#include "ledger/envelope.h"
#include "ledger/ledger.h"

namespace rareledger::bench {
namespace {

using nlohmann::json;
constexpr const char* kLedgerId = "bench-ledger";
constexpr const char* kTime = "2026-12-02T01:00:00Z";

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "rl_server_bench: " << what << "\n";
  std::exit(1);
}

}  // namespace

ServerWorkload::ServerWorkload(size_t parties) : op_(SeededSigner("operator")) {
  for (size_t i = 0; i < parties; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "srv-%03zu", i);
    parties_.push_back({id, SeededSigner(std::string("server-party-") + id), 0});
  }
}

void ServerWorkload::InitLedger(const std::string& db, const std::string& dir) const {
  std::filesystem::remove_all(db);
  auto l = ledger::Ledger::Init(db, kLedgerId, "USD", "CH", op_, kTime);
  if (!l.ok()) Die("init " + db + ": " + l.status().ToString());
  const std::string key = dir + "/op.key";
  std::filesystem::remove(key);
  {
    std::ofstream out(key, std::ios::binary);
    out << op_.ToPem();
  }
  chmod(key.c_str(), 0600);
  std::ofstream(dir + "/op.pub", std::ios::binary) << op_.public_key().ToPem();
}

std::vector<std::string> ServerWorkload::SignAll(
    const std::vector<std::pair<size_t, std::string>>& payloads) {
  std::vector<std::string> out(payloads.size());
  std::vector<std::thread> pool;
  const unsigned threads = 2;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < payloads.size(); i += threads) {
        const ledger::Signer& s = payloads[i].first == SIZE_MAX ? op_ : parties_[payloads[i].first].signer;
        auto env = ledger::SignEnvelopeText(payloads[i].second, s);
        if (!env.ok()) Die("sign: " + env.status().ToString());
        out[i] = std::move(env).value();
      }
    });
  }
  for (auto& th : pool) th.join();
  signed_ += out.size();
  return out;
}

PostLoad ServerWorkload::Registrations() {
  std::vector<std::pair<size_t, std::string>> payloads;
  for (const Party& p : parties_) {
    json j = {{"type", "register_party"}, {"ledger", kLedgerId}, {"party", "operator"},
              {"seq", ++op_seq_}, {"time", kTime}, {"id", p.id},
              {"name", "Server bench party " + p.id + " Ltd."}, {"country", "AU"},
              {"roles", {"producer"}}, {"pubkey", p.signer.public_key().ToBase64()}};
    payloads.emplace_back(SIZE_MAX, j.dump());
  }
  std::string body;
  for (const std::string& e : SignAll(payloads)) body += e + "\n";
  return {{{body}}, {parties_.size()}, "application/jsonl"};
}

std::string ServerWorkload::Payload(size_t party) {
  Party& p = parties_[party];
  const int64_t seq = ++p.seq;
  const int64_t mass = 1000000 + seq;
  json j = {{"type", "create_lot"}, {"ledger", kLedgerId}, {"party", p.id}, {"seq", seq},
            {"time", kTime}, {"lot", "SRV-" + p.id + "-" + std::to_string(seq)},
            {"material", "NdPr oxide, 99.5% TREO, drummed, batch for magnet alloy"},
            {"category", "re_oxide"}, {"mass_g", mass}, {"value", mass * 38},
            {"origin", "AU"}, {"elements", {{"Nd", mass / 2}, {"Pr", mass / 6}}}};
  return j.dump();
}

PostLoad ServerWorkload::Singles(size_t first, size_t count, unsigned per_client) {
  return Batches(first, count, per_client, 1);
}

PostLoad ServerWorkload::Batches(size_t first, size_t count, unsigned per_client, unsigned lines) {
  std::vector<std::pair<size_t, std::string>> payloads;
  for (size_t c = first; c < first + count; ++c)
    for (uint64_t k = 0; k < uint64_t{per_client} * lines; ++k) payloads.emplace_back(c, Payload(c));
  std::vector<std::string> envelopes = SignAll(payloads);
  PostLoad load;
  load.content_type = lines == 1 ? "application/json" : "application/jsonl";
  size_t at = 0;
  for (size_t c = 0; c < count; ++c) {
    load.bodies.emplace_back();
    load.lines.push_back(lines);
    for (unsigned r = 0; r < per_client; ++r) {
      std::string body;
      for (unsigned k = 0; k < lines; ++k) body += envelopes[at++] + (lines == 1 ? "" : "\n");
      load.bodies.back().push_back(std::move(body));
    }
  }
  return load;
}

size_t ServerWorkload::ServerConnections(const std::string& url) {
  std::istringstream in(GetOrDie(url, "/metrics"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("rareledger_http_connections ", 0) == 0) return std::stoull(line.substr(28));
  Die("/metrics has no rareledger_http_connections");
}

}  // namespace rareledger::bench
