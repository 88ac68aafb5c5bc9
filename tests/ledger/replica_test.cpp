// Tests for what a mirror and the server need of a ledger: InitReplica,
// RecordCheckpoint, RootWith, the Sequencer's head and checkpoints, and the
// 65,535-byte leaf limit of entry bundles.
#include <catch2/catch.hpp>

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;
const std::string kId = "rare.example/replica";

struct Source {
  testing::TempDir dir;
  testing::Parties parties{kId};
  std::unique_ptr<Ledger> ledger;
  Source() {
    parties.Add(kOperatorId, testing::FreshSigner(), 1);
    ledger = testing::MustInit(dir.Sub("db"), kId, parties.key(kOperatorId));
    std::vector<std::string> lines = {parties.Register("p", {"producer"}, "DE")};
    for (int i = 0; i < 5; ++i)
      lines.push_back(parties.Env("p", "create_lot", testing::CreateLotFields("l" + std::to_string(i), 10, 10)));
    REQUIRE(testing::SubmitLines(*ledger, lines).error.ok());
  }
  std::vector<std::string> Leaves(uint64_t from, uint64_t to) const {
    std::vector<std::string> out;
    REQUIRE(ledger->ScanLeaves(from, to, [&](uint64_t, std::string_view l) {
      out.emplace_back(l);
      return Status::Ok();
    }).ok());
    return out;
  }
};

TEST_CASE("a replica from entry 0 takes the same leaves and the operator's notes", "[replica]") {
  Source src;
  auto note = src.ledger->IssueCheckpoint(src.parties.key(kOperatorId));
  REQUIRE(note.ok());
  const auto leaves = src.Leaves(0, src.ledger->Info().size);
  auto replica = Ledger::InitReplica(src.dir.Sub("replica"), leaves[0], "EUR");
  REQUIRE(replica.ok());
  std::vector<std::string> rest(leaves.begin() + 1, leaves.end());
  CHECK((*replica)->RootWith(rest) == src.ledger->Info().root);
  CHECK((*replica)->Info().size == 1);  // RootWith writes nothing
  CHECK((*replica)->RecordCheckpoint(*note).code() == Code::kVerificationFailed);  // past its size
  REQUIRE(testing::SubmitLines(**replica, rest).error.ok());
  CHECK((*replica)->Info().root == src.ledger->Info().root);
  REQUIRE((*replica)->RecordCheckpoint(*note).ok());
  REQUIRE((*replica)->RecordCheckpoint(*note).ok());  // the same note again: recorded once
  CHECK((*replica)->Checkpoints()->size() == 1);
  auto report = (*replica)->Verify();
  REQUIRE(report.ok());
  CHECK(report->checkpoints == 1);
  CHECK((*replica)->Info().currency == "EUR");
}

TEST_CASE("a replica refuses a forged genesis and foreign or older notes", "[replica]") {
  Source src;
  const auto leaves = src.Leaves(0, 2);
  testing::TempDir other;
  // Entry 1 is not a genesis.
  auto bad = Ledger::InitReplica(other.Sub("a"), leaves[1], "USD");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Contains("not the operator's register_party"));
  // A genesis whose signature was changed.
  std::string forged = leaves[0];
  const size_t at = forged.find("\"sig\":\"") + 8;
  forged[at] = forged[at] == 'A' ? 'B' : 'A';
  CHECK_FALSE(Ledger::InitReplica(other.Sub("b"), forged, "USD").ok());
  CHECK_FALSE(std::filesystem::exists(other.Sub("b") + "/CURRENT"));

  auto replica = Ledger::InitReplica(other.Sub("c"), leaves[0], "USD");
  REQUIRE(replica.ok());
  // A note by another key, and one of another origin.
  Signer stranger = testing::FreshSigner();
  auto foreign = SignCheckpoint({kId, 1, (*replica)->Info().root}, stranger);
  REQUIRE(foreign.ok());
  CHECK((*replica)->RecordCheckpoint(*foreign).code() == Code::kVerificationFailed);
  auto other_origin = SignCheckpoint({"other.example/log", 1, (*replica)->Info().root},
                                     src.parties.key(kOperatorId));
  REQUIRE(other_origin.ok());
  CHECK_THAT((*replica)->RecordCheckpoint(*other_origin).message(), Contains("origin"));
  auto wrong_root = SignCheckpoint({kId, 1, LeafHash("x")}, src.parties.key(kOperatorId));
  REQUIRE(wrong_root.ok());
  CHECK_THAT((*replica)->RecordCheckpoint(*wrong_root).message(), Contains("root"));
  CHECK((*replica)->Checkpoints()->empty());
}

TEST_CASE("the sequencer's head and checkpoints follow its commits", "[replica]") {
  Source src;
  auto sequencer = src.ledger->NewSequencer();
  const uint64_t before = sequencer->head().size;
  CHECK(sequencer->IssueCheckpoint(testing::FreshSigner()).status().code() == Code::kInvalidArgument);
  auto stream = sequencer->Open(nullptr);
  REQUIRE(stream->Add(src.parties.Env("p", "create_lot", testing::CreateLotFields("n1", 10, 10)), 1));
  SubmitReport r = stream->Finish();
  REQUIRE(r.error.ok());
  CHECK(sequencer->head().size == before + 1);
  auto note = sequencer->IssueCheckpoint(src.parties.key(kOperatorId));
  REQUIRE(note.ok());
  auto cp = ParseCheckpoint(*note);
  REQUIRE(cp.ok());
  CHECK(cp->size == before + 1);
  CHECK(cp->root == sequencer->head().root);
  sequencer.reset();
  CHECK(src.ledger->Checkpoints()->size() == 1);
  CHECK(src.ledger->Verify().ok());
}

TEST_CASE("a rejected line's number is reported apart from its message", "[replica]") {
  Source src;
  auto sequencer = src.ledger->NewSequencer();
  auto stream = sequencer->Open(nullptr);
  REQUIRE(stream->Add(src.parties.Env("p", "create_lot", testing::CreateLotFields("n1", 10, 10)), 3));
  REQUIRE(stream->Add("{\"payload\": 1}", 7));
  SubmitReport r = stream->Finish();
  CHECK(r.appended == 1);
  CHECK(r.error_line == 7);
  CHECK_THAT(r.error.message(), Contains("line 7"));
}

TEST_CASE("a leaf over 65,535 bytes is refused: entry bundles cannot carry it", "[replica]") {
  Source src;
  nlohmann::json fields = {{"claim", "origin verified"},
                           {"subject", {{"lot", "l0"}}},
                           {"detail", std::string(65000, 'x')}};
  std::string small = src.parties.Env("p", "attest", fields);
  auto ok = DecodeEnvelope(small);
  CHECK(ok.ok());
  fields["detail"] = std::string(65500, 'x');
  src.parties.Add("q", testing::FreshSigner());
  std::string big = src.parties.Env("q", "attest", fields);
  auto refused = DecodeEnvelope(big);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Contains("65,535"));
}

}  // namespace
}  // namespace rareledger::ledger
