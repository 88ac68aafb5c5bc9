// Shared by the sequencer tests: a ledger with producers, lines to submit,
// and a recorder of a stream's outcomes.
#ifndef RARELEDGER_TESTS_LEDGER_SEQUENCER_FIXTURE_H_
#define RARELEDGER_TESTS_LEDGER_SEQUENCER_FIXTURE_H_

#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/sequencer.h"
#include "test_util.h"

namespace rareledger::ledger::sequencer_testing {

using testing::CreateLotFields;

inline const std::string kLedgerId = "rare.example/seq";

struct Fixture {
  testing::TempDir dir;
  testing::Parties parties{kLedgerId};
  std::unique_ptr<Ledger> ledger;
  Fixture() {
    parties.Add(kOperatorId, testing::FreshSigner(), 1);
    ledger = testing::MustInit(dir.Sub("db"), kLedgerId, parties.key(kOperatorId));
  }
  // Registers producers p0..p{n-1} (log indexes 1..n).
  void Producers(size_t n) {
    std::vector<std::string> lines;
    for (size_t i = 0; i < n; ++i)
      lines.push_back(parties.Register("p" + std::to_string(i), {"producer"}, "DE"));
    SubmitReport r = testing::SubmitLines(*ledger, lines);
    REQUIRE(r.error.ok());
  }
  std::vector<std::string> Lots(const std::string& party, size_t n) {
    std::vector<std::string> lines;
    for (size_t i = 0; i < n; ++i)
      lines.push_back(parties.Env(party, "create_lot",
                                  CreateLotFields(party + "-l" + std::to_string(i), 10, 10)));
    return lines;
  }
};

inline std::string BreakSignature(std::string envelope) {
  size_t at = envelope.find("\"sig\":\"");
  REQUIRE(at != std::string::npos);
  envelope[at + 8] = envelope[at + 8] == 'A' ? 'B' : 'A';
  return envelope;
}

// Outcomes of one stream, in the order they were reported.
struct Recorder {
  std::mutex mu;
  std::vector<SubmitOutcome> outcomes;
  Sequencer::OutcomeFn Fn() {
    return [this](const SubmitOutcome& o) {
      std::lock_guard<std::mutex> lock(mu);
      SubmitOutcome copy = o;
      copy.entry = nullptr;
      outcomes.push_back(copy);
    };
  }
};

inline SequencerOptions Small() {
  SequencerOptions o;
  o.chunk_entries = 4;
  o.max_queued_per_stream = 8;
  return o;
}

}  // namespace rareledger::ledger::sequencer_testing

#endif  // RARELEDGER_TESTS_LEDGER_SEQUENCER_FIXTURE_H_
