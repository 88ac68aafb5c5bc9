// Shared helpers for the EPCIS tests: test documents and a ledger with the
// four-company chain's parties registered with their GLNs.
#ifndef RARELEDGER_TESTS_EPCIS_EPCIS_UTIL_H_
#define RARELEDGER_TESTS_EPCIS_EPCIS_UTIL_H_

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "epcis/ledger_io.h"
#include "tests/ledger/test_util.h"

namespace rareledger::epcis::testing {

using ledger::testing::Parties;
using ledger::testing::TempDir;
using nlohmann::json;

inline std::string EpcisData(const std::string& rel) {
  return std::string(RL_TESTDATA_DIR) + "/epcis/" + rel;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  INFO(path);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The chain's parties in registration order, each with its GLN and country.
struct ChainParty {
  const char* id;
  const char* country;
  const char* gln;
  const char* document;  // chain/ file it imports
};
inline const std::vector<ChainParty>& ChainParties() {
  static const std::vector<ChainParty> k = {
      {"cn-sep", "CN", "9521101000009", "chain/1-cn-separator.jsonld"},
      {"au-ndpr", "AU", "9521102000008", "chain/2-au-ndpr.jsonld"},
      {"jp-mag", "JP", "9521103000007", "chain/3-jp-magnets.jsonld"},
      {"de-motor", "DE", "9521104000006", "chain/4-de-motors.jsonld"},
      {"us-car", "US", "9521105000005", "chain/5-us-vehicles.jsonld"}};
  return k;
}

inline constexpr const char* kDyox = "https://id.gs1.org/01/09521101100013/10/DYOX-2603-A";
inline constexpr const char* kMagnet = "https://id.gs1.org/01/09521103200018/10/MAG-2604-7";

// A fresh ledger "chain-test" (USD) in its own directory with the chain's
// parties registered (deterministic keys: the same on every run, so two
// such ledgers sign identical bytes).
class ChainLedger {
 public:
  ChainLedger() : parties_("chain-test") {
    ledger_ = ledger::testing::MustInit(dir_.Sub("db"), "chain-test", op_);
    parties_.Add(ledger::kOperatorId, ledger::testing::SeedSigner(1), 1);
    uint8_t seed = 10;
    for (const auto& p : ChainParties()) {
      ledger::Signer key = ledger::testing::SeedSigner(seed++);
      std::string env = parties_.Env(
          ledger::kOperatorId, "register_party",
          {{"id", p.id}, {"name", std::string(p.id) + " Ltd"}, {"country", p.country},
           {"roles", {"producer", "processor", "manufacturer"}}, {"pubkey", key.public_key().ToBase64()},
           {"gln", p.gln}});
      auto report = ledger::testing::SubmitLines(*ledger_, {env});
      INFO(report.error.ToString());
      REQUIRE(report.error.ok());
      parties_.Add(p.id, std::move(key));
    }
  }
  ledger::Ledger& ledger() { return *ledger_; }
  const ledger::Signer& key(const std::string& party) const { return parties_.key(party); }
  uint64_t size() const { return ledger_->Info().size; }

  // Imports `text` as `party`; the outcome must be ok (refused or not).
  ImportOutcome Import(const std::string& party, const std::string& text) {
    auto outcome = ImportDocument(*ledger_, key(party), text, false);
    INFO(outcome.status().ToString());
    REQUIRE(outcome.ok());
    return std::move(outcome).value();
  }
  // Imports the first `n` chain documents, each by its party; all must map.
  void ImportChain(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const auto& p = ChainParties()[i];
      ImportOutcome o = Import(p.id, ReadFile(EpcisData(p.document)));
      INFO(p.document << ": " << (o.plan.refused() ? o.plan.refusal->message : ""));
      REQUIRE_FALSE(o.plan.refused());
    }
  }

 private:
  TempDir dir_;
  ledger::Signer op_ = ledger::testing::SeedSigner(1);
  Parties parties_;
  std::unique_ptr<ledger::Ledger> ledger_;
};

}  // namespace rareledger::epcis::testing

#endif  // RARELEDGER_TESTS_EPCIS_EPCIS_UTIL_H_
