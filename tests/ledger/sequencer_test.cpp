// Tests for ledger/sequencer.h: many streams into one log, group commit,
// and the per-stream submit semantics when chunks are cut short. Small
// chunks make every case cross chunk boundaries in milliseconds.
#include "ledger/sequencer.h"

#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "sequencer_fixture.h"
#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;
using testing::CreateLotFields;
using namespace sequencer_testing;

TEST_CASE("streams from several threads all land, each in its own order", "[sequencer]") {
  Fixture f;
  f.Producers(4);
  std::vector<std::vector<std::string>> lines;
  for (size_t t = 0; t < 4; ++t) lines.push_back(f.Lots("p" + std::to_string(t), 30));
  std::vector<Recorder> recorders(4);
  std::vector<SubmitReport> reports(4);
  std::vector<size_t> taken(4, 0);  // Catch2 assertions are for the main thread only
  {
    auto seq = f.ledger->NewSequencer(Small());
    std::vector<std::thread> threads;
    for (size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        auto stream = seq->Open(recorders[t].Fn());
        for (size_t i = 0; i < lines[t].size(); ++i) taken[t] += stream->Add(lines[t][i], i + 1);
        reports[t] = stream->Finish();
      });
    }
    for (auto& th : threads) th.join();
    CHECK(taken == std::vector<size_t>(4, 30));
    CHECK(seq->stats().committed_entries == 120);
    CHECK(seq->stats().commits >= 1);
    CHECK(seq->stats().commits <= 120);
  }
  for (size_t t = 0; t < 4; ++t) {
    INFO("stream " << t << ": " << reports[t].error.ToString());
    REQUIRE(reports[t].error.ok());
    CHECK(reports[t].appended == 30);
    REQUIRE(recorders[t].outcomes.size() == 30);
    for (size_t i = 0; i < 30; ++i) {
      CHECK(recorders[t].outcomes[i].line == i + 1);
      if (i > 0) CHECK(recorders[t].outcomes[i].index > recorders[t].outcomes[i - 1].index);
    }
  }
  CHECK(f.ledger->Info().size == 1 + 4 + 120);
  auto v = f.ledger->Verify(nullptr, {3, 0});
  INFO(v.status().ToString());
  REQUIRE(v.ok());
}

TEST_CASE("a bad signature ends its stream only, the other streams' later lines are decided again",
          "[sequencer]") {
  Fixture f;
  f.Producers(2);
  std::vector<std::string> a = f.Lots("p0", 12);
  std::vector<std::string> b = f.Lots("p1", 12);
  a[5] = BreakSignature(a[5]);  // line 6 of stream a
  Recorder ra, rb;
  SubmitReport report_a, report_b;
  {
    auto seq = f.ledger->NewSequencer(Small());
    auto sa = seq->Open(ra.Fn());
    auto sb = seq->Open(rb.Fn());
    // Interleaved from one thread: the chunks hold lines of both.
    for (size_t i = 0; i < 12; ++i) {
      (void)sa->Add(a[i], i + 1);  // false once line 6 is known bad
      REQUIRE(sb->Add(b[i], i + 1));
    }
    report_a = sa->Finish();
    report_b = sb->Finish();
  }
  REQUIRE_FALSE(report_a.error.ok());
  CHECK(report_a.error.code() == Code::kVerificationFailed);
  CHECK_THAT(report_a.error.message(), Contains("line 6: signature invalid for party p0"));
  CHECK(report_a.appended == 5);
  CHECK(ra.outcomes.size() == 5);
  INFO(report_b.error.ToString());
  REQUIRE(report_b.error.ok());
  CHECK(report_b.appended == 12);
  CHECK(f.ledger->Info().size == 1 + 2 + 5 + 12);
  CHECK_FALSE(f.ledger->GetLot("p0-l5").ok());
  CHECK(f.ledger->GetLot("p1-l11").ok());
  REQUIRE(f.ledger->Verify(nullptr, {4, 0}).ok());
}

TEST_CASE("a line that depended on a rejected stream's later lines is decided without them",
          "[sequencer]") {
  Fixture f;
  f.Producers(1);
  // Stream a (the operator): a bad line, then the registration of p9.
  // Stream b: p9's first lot. p9 is never registered, so b must fail,
  // whichever chunk its line was first decided in.
  std::vector<std::string> a = {BreakSignature(f.parties.Register("px", {"producer"}, "FR")),
                                f.parties.Register("p9", {"producer"}, "FR")};
  std::vector<std::string> b = f.Lots("p9", 1);
  SubmitReport report_a, report_b;
  {
    auto seq = f.ledger->NewSequencer(Small());
    auto sa = seq->Open(nullptr);
    auto sb = seq->Open(nullptr);
    (void)sa->Add(a[0], 1);
    (void)sa->Add(a[1], 2);
    (void)sb->Add(b[0], 1);
    report_a = sa->Finish();
    report_b = sb->Finish();
  }
  CHECK(report_a.error.code() == Code::kVerificationFailed);
  CHECK(report_a.appended == 0);
  CHECK(report_b.error.code() == Code::kRejected);
  CHECK_THAT(report_b.error.message(), Contains("line 1:"));
  CHECK(report_b.appended == 0);
  CHECK(f.ledger->Info().size == 2);
  REQUIRE(f.ledger->Verify().ok());
}

TEST_CASE("a broken rule in one stream leaves the other streams alone", "[sequencer]") {
  Fixture f;
  f.Producers(2);
  std::vector<std::string> a = f.Lots("p0", 6);
  std::vector<std::string> b = f.Lots("p1", 6);
  // p0's line 3 repeats lot p0-l0 under the next seq: a duplicate lot id.
  a[2] = f.parties.Env("p0", "create_lot", CreateLotFields("p0-l0", 10, 10));
  SubmitReport report_a, report_b;
  {
    auto seq = f.ledger->NewSequencer(Small());
    auto sa = seq->Open(nullptr);
    auto sb = seq->Open(nullptr);
    for (size_t i = 0; i < 6; ++i) {
      (void)sa->Add(a[i], i + 1);
      REQUIRE(sb->Add(b[i], i + 1));
    }
    report_a = sa->Finish();
    report_b = sb->Finish();
    CHECK_FALSE(sa->Add(a[5], 7));  // a failed stream takes nothing more
  }
  CHECK(report_a.error.code() == Code::kRejected);
  CHECK_THAT(report_a.error.message(), Contains("line 3:"));
  CHECK(report_a.appended == 2);
  REQUIRE(report_b.error.ok());
  CHECK(report_b.appended == 6);
  REQUIRE(f.ledger->Verify().ok());
}

TEST_CASE("a stream with no lines finishes at once, and duplicates across streams are reported",
          "[sequencer]") {
  Fixture f;
  f.Producers(1);
  std::vector<std::string> a = f.Lots("p0", 3);
  auto seq = f.ledger->NewSequencer(Small());
  SubmitReport empty = seq->Open(nullptr)->Finish();
  CHECK(empty.error.ok());
  CHECK(empty.appended == 0);
  auto s1 = seq->Open(nullptr);
  for (size_t i = 0; i < 3; ++i) REQUIRE(s1->Add(a[i], i + 1));
  SubmitReport first = s1->Finish();
  REQUIRE(first.error.ok());
  CHECK(first.appended == 3);
  Recorder r;
  auto s2 = seq->Open(r.Fn());
  REQUIRE(s2->Add(a[1], 1));
  SubmitReport second = s2->Finish();
  REQUIRE(second.error.ok());
  CHECK(second.duplicates == 1);
  REQUIRE(r.outcomes.size() == 1);
  CHECK(r.outcomes[0].duplicate);
  CHECK(r.outcomes[0].index == 3);
}

TEST_CASE("the slow input of one line is committed without waiting for more", "[sequencer]") {
  Fixture f;
  f.Producers(1);
  std::vector<std::string> a = f.Lots("p0", 2);
  auto seq = f.ledger->NewSequencer();  // default chunk of 4096
  Recorder r;
  auto s = seq->Open(r.Fn());
  REQUIRE(s->Add(a[0], 1));
  // The stream stays open: the line must become durable anyway.
  for (int i = 0; i < 2000; ++i) {
    {
      std::lock_guard<std::mutex> lock(r.mu);
      if (!r.outcomes.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  {
    std::lock_guard<std::mutex> lock(r.mu);
    REQUIRE(r.outcomes.size() == 1);
  }
  REQUIRE(s->Add(a[1], 2));
  SubmitReport rep = s->Finish();
  REQUIRE(rep.error.ok());
  CHECK(rep.appended == 2);
}

}  // namespace
}  // namespace rareledger::ledger
