// Tests for the Sequencer's atomic streams (ledger/sequencer.h): all or
// nothing in one chunk of their own, beside other streams that keep
// committing. Small chunks (4 lines) so an atomic batch is larger than one.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/sequencer.h"
#include "sequencer_fixture.h"
#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;
using sequencer_testing::BreakSignature;
using sequencer_testing::Fixture;
using sequencer_testing::Recorder;
using sequencer_testing::Small;
using testing::CreateLotFields;

// Submits `lines` through one stream (atomic or not); its report.
SubmitReport Run(Sequencer& seq, const std::vector<std::string>& lines, bool atomic,
                 Recorder* recorder = nullptr) {
  auto stream = seq.Open(recorder ? recorder->Fn() : nullptr, atomic);
  for (size_t i = 0; i < lines.size(); ++i)
    if (!stream->Add(lines[i], i + 1)) break;
  return stream->Finish();
}

TEST_CASE("an atomic batch whose last line is bad appends nothing, a concurrent stream lands",
          "[sequencer][atomic]") {
  Fixture f;
  f.Producers(2);
  std::vector<std::string> a = f.Lots("p0", 10);
  std::string why;
  SECTION("a broken rule") {
    a[9] = f.parties.Env("p0", "create_lot", CreateLotFields("p0-l0", 10, 10));  // lot exists
    why = "line 10:";
  }
  SECTION("a bad signature") {
    a[9] = BreakSignature(a[9]);
    why = "line 10: signature invalid for party p0";
  }
  std::vector<std::string> b = f.Lots("p1", 40);
  SubmitReport report_a, report_b;
  Recorder ra, rb;
  {
    auto seq = f.ledger->NewSequencer(Small());
    std::thread other([&] { report_b = Run(*seq, b, /*atomic=*/false, &rb); });
    report_a = Run(*seq, a, /*atomic=*/true, &ra);
    other.join();
  }
  REQUIRE_FALSE(report_a.error.ok());
  CHECK_THAT(report_a.error.message(), Contains(why));
  CHECK(report_a.error_line == 10);
  CHECK(report_a.appended == 0);
  CHECK(ra.outcomes.empty());
  for (int i = 0; i < 10; ++i) CHECK_FALSE(f.ledger->GetLot("p0-l" + std::to_string(i)).ok());
  INFO(report_b.error.ToString());
  REQUIRE(report_b.error.ok());
  CHECK(report_b.appended == 40);
  CHECK(f.ledger->Info().size == 1 + 2 + 40);
  REQUIRE(f.ledger->Verify().ok());
}

TEST_CASE("an atomic batch larger than a chunk commits in one write, its entries consecutive",
          "[sequencer][atomic]") {
  Fixture f;
  f.Producers(2);
  std::vector<std::string> a = f.Lots("p0", 50);
  std::vector<std::string> b = f.Lots("p1", 30);
  Recorder ra;
  SubmitReport report_a, report_b;
  {
    auto seq = f.ledger->NewSequencer(Small());
    SECTION("alone: exactly one commit") {
      report_a = Run(*seq, a, true, &ra);
      CHECK(seq->stats().commits == 1);
      CHECK(seq->stats().largest_commit == 50);
      b.clear();
    }
    SECTION("beside a stream of 4-line chunks") {
      std::thread other([&] { report_b = Run(*seq, b, false); });
      report_a = Run(*seq, a, true, &ra);
      other.join();
      REQUIRE(report_b.error.ok());
      CHECK(report_b.appended == 30);
      CHECK(seq->stats().largest_commit == 50);
    }
  }
  INFO(report_a.error.ToString());
  REQUIRE(report_a.error.ok());
  CHECK(report_a.appended == 50);
  REQUIRE(ra.outcomes.size() == 50);
  for (size_t i = 0; i < 50; ++i) {
    CHECK(ra.outcomes[i].line == i + 1);
    CHECK(ra.outcomes[i].index == ra.outcomes[0].index + i);  // no other stream's entry between
  }
  CHECK(f.ledger->Info().size == 1 + 2 + 50 + b.size());
  REQUIRE(f.ledger->Verify().ok());
}

TEST_CASE("lines already in the log are duplicates inside an atomic batch too",
          "[sequencer][atomic]") {
  Fixture f;
  f.Producers(1);
  std::vector<std::string> a = f.Lots("p0", 6);
  auto seq = f.ledger->NewSequencer(Small());
  SubmitReport first = Run(*seq, {a[0], a[1], a[2]}, false);
  REQUIRE(first.error.ok());
  const uint64_t size = seq->head().size;

  SECTION("all of them: nothing appended, each named with its index") {
    Recorder r;
    SubmitReport again = Run(*seq, {a[0], a[1], a[2]}, true, &r);
    REQUIRE(again.error.ok());
    CHECK(again.appended == 0);
    CHECK(again.duplicates == 3);
    REQUIRE(r.outcomes.size() == 3);
    for (size_t i = 0; i < 3; ++i) {
      CHECK(r.outcomes[i].duplicate);
      CHECK(r.outcomes[i].index == 2 + i);
    }
    CHECK(seq->head().size == size);
  }
  SECTION("with new lines after them: the new ones appended") {
    SubmitReport mixed = Run(*seq, a, true);
    REQUIRE(mixed.error.ok());
    CHECK(mixed.duplicates == 3);
    CHECK(mixed.appended == 3);
    CHECK(seq->head().size == size + 3);
  }
  SECTION("with a bad line after them: nothing appended, no duplicate counted") {
    std::vector<std::string> lines = a;
    lines[5] = BreakSignature(lines[5]);
    Recorder r;
    SubmitReport bad = Run(*seq, lines, true, &r);
    REQUIRE_FALSE(bad.error.ok());
    CHECK(bad.error_line == 6);
    CHECK(bad.appended == 0);
    CHECK(bad.duplicates == 0);
    CHECK(r.outcomes.empty());
    CHECK(seq->head().size == size);
  }
}

TEST_CASE("a line decided on top of a failed atomic batch is decided again without it",
          "[sequencer][atomic]") {
  Fixture f;
  f.Producers(1);
  // The atomic batch registers p9, then fails; p9's lot in another stream
  // must be refused whichever chunk it was first decided in.
  std::vector<std::string> a = {f.parties.Register("p9", {"producer"}, "FR"),
                                BreakSignature(f.parties.Register("px", {"producer"}, "FR"))};
  std::vector<std::string> b = f.Lots("p9", 1);
  SubmitReport report_a, report_b;
  {
    auto seq = f.ledger->NewSequencer(Small());
    auto sa = seq->Open(nullptr, true);
    auto sb = seq->Open(nullptr);
    REQUIRE(sa->Add(a[0], 1));
    REQUIRE(sa->Add(a[1], 2));
    std::thread finish_a([&] { report_a = sa->Finish(); });
    REQUIRE(sb->Add(b[0], 1));
    report_b = sb->Finish();
    finish_a.join();
  }
  CHECK(report_a.error.code() == Code::kVerificationFailed);
  CHECK(report_a.error_line == 2);
  CHECK(report_b.error.code() == Code::kRejected);
  CHECK(report_b.appended == 0);
  CHECK_FALSE(f.ledger->GetParty("p9").ok());
  CHECK(f.ledger->Info().size == 2);
  REQUIRE(f.ledger->Verify().ok());
}

TEST_CASE("an atomic stream with no lines finishes at once, many atomic streams interleave",
          "[sequencer][atomic]") {
  Fixture f;
  f.Producers(4);
  auto seq = f.ledger->NewSequencer(Small());
  SubmitReport empty = seq->Open(nullptr, true)->Finish();
  CHECK(empty.error.ok());
  CHECK(empty.appended == 0);
  std::vector<std::vector<std::string>> lines;
  for (size_t t = 0; t < 4; ++t) lines.push_back(f.Lots("p" + std::to_string(t), 9));
  std::vector<SubmitReport> reports(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] { reports[t] = Run(*seq, lines[t], /*atomic=*/t % 2 == 0); });
  for (auto& th : threads) th.join();
  for (const auto& r : reports) {
    INFO(r.error.ToString());
    REQUIRE(r.error.ok());
    CHECK(r.appended == 9);
  }
  CHECK(seq->head().size == 1 + 4 + 36);
}

}  // namespace
}  // namespace rareledger::ledger
