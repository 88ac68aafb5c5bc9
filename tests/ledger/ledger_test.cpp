// End-to-end tests for ledger/ledger.h on a real ledger directory: submit,
// duplicates, rejected lines, proofs, checkpoints, verify after insider
// tampering, export bundles and their mutations, key rotation.
#include "ledger/ledger.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/records.h"
#include "ledger/store.h"
#include "ledger/store_format.h"
#include "test_util.h"
#include "tests/oracles/merkle_reference.h"

namespace rareledger::ledger {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using testing::CreateLotFields;
using testing::json;
using testing::LotMassJson;
using testing::OutputJson;

const std::string kLedgerId = "rare.example/ledger";
// Chunk size for the tests that cross chunk boundaries (the pipeline
// behaves the same at any size; the default is 4096).
constexpr size_t kSmallChunk = 64;

// The parties of the web and its first lot. Log indexes 1..5.
std::vector<std::string> PartiesAndOre(testing::Parties& p) {
  std::vector<std::string> lines;
  lines.push_back(p.Register("mine", {"producer"}, "CN"));      // 1
  lines.push_back(p.Register("sep", {"processor"}, "MY"));      // 2
  lines.push_back(p.Register("mag", {"manufacturer"}, "JP"));   // 3
  lines.push_back(p.Register("aud", {"auditor"}, "CH"));        // 4
  json ore = CreateLotFields("ore", 100000, 50000, "CN", "re_ore");
  ore["elements"] = {{"Nd", 8000}, {"Pr", 2000}};
  lines.push_back(p.Env("mine", "create_lot", ore));            // 5
  return lines;
}

// A small supply chain, as its parties would sign it. Log indexes 1..11.
std::vector<std::string> WebLines(testing::Parties& p) {
  std::vector<std::string> lines = PartiesAndOre(p);
  lines.push_back(p.Env("mine", "split", {{"lot", "ore"}, {"parts", {LotMassJson("ore-a", 40000)}}}));  // 6
  lines.push_back(p.Env("mine", "transfer", {{"lot", "ore-a"}, {"to", "sep"}, {"value", 30000}}));     // 7
  lines.push_back(p.Env("sep", "transform",
                        {{"process", "separation"}, {"facility_country", "MY"},
                         {"technology_origin", "CN"}, {"inputs", {LotMassJson("ore-a", 40000)}},
                         {"outputs", {OutputJson("ox", 5000, 90000, "re_oxide"),
                                      OutputJson("tail", 30000, 0, "other")}},
                         {"allocation", {{"ox", "1/1"}, {"tail", "0/1"}}}}));                         // 8
  lines.push_back(p.Env("sep", "transfer", {{"lot", "ox"}, {"to", "mag"}, {"value", 120000}}));        // 9
  lines.push_back(p.Env("mag", "transform",
                        {{"process", "magnet_manufacturing"}, {"facility_country", "JP"},
                         {"inputs", {LotMassJson("ox", 5000)}},
                         {"outputs", {OutputJson("mag-1", 4500, 400000, "re_magnet")}}}));            // 10
  lines.push_back(p.Env("aud", "attest", {{"subject", {{"lot", "mag-1"}}}, {"claim", "audited"}}));    // 11
  return lines;
}

// A fresh ledger with its operator, at dir/db.
struct Fixture {
  testing::TempDir dir;
  std::string path = dir.Sub("db");
  testing::Parties parties{kLedgerId};
  std::unique_ptr<Ledger> ledger;

  Fixture() {
    parties.Add(kOperatorId, testing::FreshSigner(), 1);
    ledger = testing::MustInit(path, kLedgerId, parties.key(kOperatorId));
  }
  const Signer& op() const { return parties.key(kOperatorId); }

  void SubmitOk(const std::vector<std::string>& lines) {
    SubmitReport r = testing::SubmitLines(*ledger, lines);
    INFO(r.error.ToString());
    REQUIRE(r.error.ok());
    REQUIRE(r.appended == lines.size());
  }
  // The web plus a checkpoint: size 12, one checkpoint.
  void BuildWeb() {
    SubmitOk(WebLines(parties));
    auto cp = ledger->IssueCheckpoint(op());
    INFO(cp.status().ToString());
    REQUIRE(cp.ok());
  }
  std::vector<std::string> Leaves() const { return LeavesOf(*ledger); }
  static std::vector<std::string> LeavesOf(const Ledger& l) {
    std::vector<std::string> out;
    REQUIRE(l.ScanLeaves(0, l.Info().size,
                             [&](uint64_t, std::string_view leaf) {
                               out.emplace_back(leaf);
                               return Status::Ok();
                             })
                .ok());
    return out;
  }
  void Close() { ledger.reset(); }
  void Reopen(bool writable) { ledger = testing::MustOpen(path, writable); }
};

std::vector<Hash> LeafHashes(const std::vector<std::string>& leaves, size_t n) {
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) out.push_back(LeafHash(leaves[i]));
  return out;
}

void ExpectUnchanged(const Ledger& l, const LedgerInfo& before) {
  LedgerInfo now = l.Info();
  CHECK(now.size == before.size);
  CHECK(now.root == before.root);
}

TEST_CASE("init, then submit a web of parties, lots, transfers, splits and transforms", "[ledger]") {
  Fixture f;
  LedgerInfo info0 = f.ledger->Info();
  CHECK(info0.ledger_id == kLedgerId);
  CHECK(info0.currency == "USD");
  CHECK(info0.size == 1);
  auto genesis = f.ledger->GetEntry(0);
  REQUIRE(genesis.ok());
  CHECK(genesis->type == EntryType::kRegisterParty);
  CHECK(genesis->party == kOperatorId);
  CHECK(std::get<RegisterParty>(genesis->body).pubkey == f.op().public_key().raw());

  std::vector<std::string> lines = WebLines(f.parties);
  std::vector<SubmitOutcome> outcomes;
  SubmitReport r = testing::SubmitLines(*f.ledger, lines, &outcomes);
  INFO(r.error.ToString());
  REQUIRE(r.error.ok());
  CHECK(r.appended == lines.size());
  CHECK(r.duplicates == 0);
  REQUIRE(outcomes.size() == lines.size());
  for (size_t i = 0; i < outcomes.size(); ++i) {
    CHECK(outcomes[i].line == i + 1);
    CHECK(outcomes[i].index == i + 1);
    CHECK_FALSE(outcomes[i].duplicate);
  }

  LedgerInfo info = f.ledger->Info();
  CHECK(info.size == lines.size() + 1);
  std::vector<std::string> leaves = f.Leaves();
  REQUIRE(leaves.size() == info.size);
  for (size_t i = 1; i < leaves.size(); ++i) CHECK(leaves[i] == lines[i - 1]);
  CHECK(info.root == reference::RootOf(LeafHashes(leaves, leaves.size())));

  auto ore = f.ledger->GetLot("ore");
  REQUIRE(ore.ok());
  CHECK(ore->remaining_g == 60000);
  CHECK(ore->holder == "mine");
  auto ore_a = f.ledger->GetLot("ore-a");
  REQUIRE(ore_a.ok());
  CHECK(ore_a->remaining_g == 0);
  CHECK(ore_a->holder == "sep");
  CHECK(ore_a->parent == std::optional<std::string>("ore"));
  auto mag = f.ledger->GetLot("mag-1");
  REQUIRE(mag.ok());
  CHECK(mag->holder == "mag");
  CHECK(mag->made_in == "JP");
  CHECK(f.ledger->GetLot("nope").status().code() == Code::kNotFound);
  CHECK(*f.ledger->ConsumersOf("ore-a") == std::vector<uint64_t>{8});
  auto e7 = f.ledger->GetEntry(7);
  REQUIRE(e7.ok());
  CHECK(e7->type == EntryType::kTransfer);
  CHECK(f.ledger->GetEntry(12).status().code() == Code::kNotFound);
  auto party = f.ledger->GetParty("mine");
  REQUIRE(party.ok());
  CHECK(party->last_seq == 3);

  auto report = f.ledger->Verify();
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  CHECK(report->entries == 12);
  CHECK(report->checkpoints == 0);
  CHECK(report->uncovered == 12);
  CHECK(report->root == info.root);
}

TEST_CASE("init refuses a bad currency and an existing ledger", "[ledger]") {
  testing::TempDir dir;
  Signer op = testing::FreshSigner();
  auto bad = Ledger::Init(dir.Sub("db"), kLedgerId, "usd", "DE", op, testing::kTime);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidArgument);
  CHECK_THAT(bad.status().message(), Contains("currency"));
  CHECK_FALSE(fs::exists(dir.Sub("db")));
  auto bad_id = Ledger::Init(dir.Sub("db"), "bad id", "USD", "DE", op, testing::kTime);
  CHECK(bad_id.status().code() == Code::kInvalidArgument);
  CHECK_FALSE(fs::exists(dir.Sub("db")));

  auto first = testing::MustInit(dir.Sub("db"), kLedgerId, op);
  const LedgerInfo before = first->Info();
  first.reset();
  auto again = Ledger::Init(dir.Sub("db"), "other", "USD", "DE", testing::FreshSigner(), testing::kTime);
  REQUIRE_FALSE(again.ok());
  CHECK_THAT(again.status().message(), Contains("already exists"));
  auto reopened = testing::MustOpen(dir.Sub("db"), false);
  ExpectUnchanged(*reopened, before);
  CHECK(reopened->Info().ledger_id == kLedgerId);
}

TEST_CASE("re-submitting the same lines reports duplicates and appends nothing", "[ledger]") {
  Fixture f;
  std::vector<std::string> lines = WebLines(f.parties);
  f.SubmitOk(lines);
  const LedgerInfo before = f.ledger->Info();

  std::vector<SubmitOutcome> outcomes;
  SubmitReport r = testing::SubmitLines(*f.ledger, lines, &outcomes);
  REQUIRE(r.error.ok());
  CHECK(r.appended == 0);
  CHECK(r.duplicates == lines.size());
  REQUIRE(outcomes.size() == lines.size());
  for (size_t i = 0; i < outcomes.size(); ++i) {
    CHECK(outcomes[i].duplicate);
    CHECK(outcomes[i].index == i + 1);
    CHECK(outcomes[i].line == i + 1);
  }
  ExpectUnchanged(*f.ledger, before);

  // Old lines followed by new ones: the old are skipped, the new appended.
  std::vector<std::string> more = {lines[3], lines[4],
                                   f.parties.Env("mine", "create_lot", CreateLotFields("ore-2", 10, 10))};
  outcomes.clear();
  SubmitReport r2 = testing::SubmitLines(*f.ledger, more, &outcomes);
  REQUIRE(r2.error.ok());
  CHECK(r2.duplicates == 2);
  CHECK(r2.appended == 1);
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0].index == 4);
  CHECK(outcomes[1].index == 5);
  CHECK(outcomes[2].index == before.size);
  CHECK_FALSE(outcomes[2].duplicate);
  CHECK(f.ledger->Info().size == before.size + 1);

  // The same line twice in one submit: appended once, then a duplicate.
  std::string twice = f.parties.Env("mine", "create_lot", CreateLotFields("ore-3", 10, 10));
  SubmitReport r3 = testing::SubmitLines(*f.ledger, {twice, twice});
  REQUIRE(r3.error.ok());
  CHECK(r3.appended == 1);
  CHECK(r3.duplicates == 1);
}

TEST_CASE("a bad line stops the submit: the prefix stays, the error names the line", "[ledger]") {
  Fixture f;
  f.SubmitOk(PartiesAndOre(f.parties));
  const LedgerInfo before = f.ledger->Info();

  std::string a = f.parties.Env("mine", "create_lot", CreateLotFields("a", 10, 10));
  std::string b = f.parties.Env("mine", "create_lot", CreateLotFields("b", 10, 10));
  // Breaks a rule: "sep" does not hold "ore".
  std::string bad = f.parties.Env("sep", "transfer", {{"lot", "ore"}, {"to", "sep"}});
  std::string c = f.parties.Env("mine", "create_lot", CreateLotFields("c", 10, 10));

  SECTION("a rule broken on line 3") {
    SubmitReport r = testing::SubmitLines(*f.ledger, {a, b, bad, c});
    REQUIRE_FALSE(r.error.ok());
    CHECK(r.error.code() == Code::kRejected);
    CHECK_THAT(r.error.message(), Contains("line 3"));
    CHECK_THAT(r.error.message(), Contains("only the holder (mine) may transfer"));
    CHECK(r.appended == 2);
    CHECK(f.ledger->Info().size == before.size + 2);
    CHECK(f.ledger->GetLot("b").ok());
    CHECK(f.ledger->GetLot("c").status().code() == Code::kNotFound);
  }
  SECTION("malformed JSON on line 4, with a blank line counted") {
    SubmitReport r = testing::SubmitLines(*f.ledger, {a, "", b, "{\"payload\": oops}", c});
    REQUIRE_FALSE(r.error.ok());
    CHECK(r.error.code() == Code::kInvalidArgument);
    CHECK_THAT(r.error.message(), Contains("line 4"));
    CHECK(r.appended == 2);
    CHECK(f.ledger->Info().size == before.size + 2);
  }
  SECTION("the first line is bad: nothing changes") {
    SubmitReport r = testing::SubmitLines(*f.ledger, {bad, a});
    REQUIRE_FALSE(r.error.ok());
    CHECK_THAT(r.error.message(), Contains("line 1"));
    CHECK(r.appended == 0);
    ExpectUnchanged(*f.ledger, before);
    CHECK(f.ledger->GetLot("a").status().code() == Code::kNotFound);
  }
  // Reopened, the ledger is what the report said, and it verifies.
  const LedgerInfo after = f.ledger->Info();
  f.Close();
  f.Reopen(true);
  ExpectUnchanged(*f.ledger, after);
  auto v = f.ledger->Verify();
  INFO(v.status().ToString());
  CHECK(v.ok());
}

TEST_CASE("after a fix the same file can be submitted again", "[ledger]") {
  Fixture f;
  std::vector<std::string> web = WebLines(f.parties);
  std::vector<std::string> broken = web;
  broken[6] = "{}";  // line 7
  SubmitReport r = testing::SubmitLines(*f.ledger, broken);
  REQUIRE_FALSE(r.error.ok());
  CHECK_THAT(r.error.message(), Contains("line 7"));
  CHECK(r.appended == 6);
  SubmitReport fixed = testing::SubmitLines(*f.ledger, web);
  INFO(fixed.error.ToString());
  REQUIRE(fixed.error.ok());
  CHECK(fixed.duplicates == 6);
  CHECK(fixed.appended == web.size() - 6);
  CHECK(f.ledger->Info().size == web.size() + 1);
}

// Submit and verify are pipelined in chunks of 4096 lines (ledger.cpp,
// replay.cpp): chunk k+1 is decided while chunk k's signatures are checked
// and it is committed. These lines cross three chunks, depend on records of
// the chunk before, repeat lines of the chunk before, and break a signature
// in the middle chunk while a valid third chunk follows.
TEST_CASE("a submit across chunks decides each against the uncommitted one before", "[ledger][pipeline]") {
  Fixture f;
  // Small chunks: the same cases as with the default 4096, in milliseconds.
  const SubmitOptions small{kSmallChunk, 0};
  std::vector<std::string> lines = PartiesAndOre(f.parties);  // lines 1..5
  const size_t lots = 75;  // lines 6..80: the first chunk ends at 64
  for (size_t i = 0; i < lots; ++i)
    lines.push_back(f.parties.Env("mine", "create_lot",
                                  CreateLotFields("l-" + std::to_string(i), 10, 10)));
  // Second chunk on: transfers of lots the first chunk created.
  for (size_t i = 0; i < 50; ++i)
    lines.push_back(f.parties.Env("mine", "transfer",
                                  {{"lot", "l-" + std::to_string(i)}, {"to", "sep"}}));
  // Repeats of a first-chunk line and of a line just before.
  const size_t dup_a = lines.size() + 1, dup_b = dup_a + 1;
  lines.push_back(lines[5]);    // line 6, entry 6
  lines.push_back(lines[100]);  // line 101, entry 101
  const size_t tail_from = lines.size();
  for (size_t i = 50; i < 75; ++i)  // into the third chunk
    lines.push_back(f.parties.Env("mine", "transfer",
                                  {{"lot", "l-" + std::to_string(i)}, {"to", "sep"}}));
  REQUIRE(lines.size() > 2 * kSmallChunk + 20);

  SECTION("all accepted, in order, and verify passes") {
    std::vector<SubmitOutcome> outcomes;
    SubmitReport r = testing::SubmitLines(*f.ledger, lines, &outcomes, small);
    INFO(r.error.ToString());
    REQUIRE(r.error.ok());
    CHECK(r.duplicates == 2);
    CHECK(r.appended == lines.size() - 2);
    REQUIRE(outcomes.size() == lines.size());
    uint64_t next = 1;
    for (size_t i = 0; i < outcomes.size(); ++i) {
      REQUIRE(outcomes[i].line == i + 1);
      if (i + 1 == dup_a) {
        CHECK(outcomes[i].duplicate);
        CHECK(outcomes[i].index == 6);
      } else if (i + 1 == dup_b) {
        CHECK(outcomes[i].duplicate);
        CHECK(outcomes[i].index == 101);
      } else {
        REQUIRE_FALSE(outcomes[i].duplicate);
        REQUIRE(outcomes[i].index == next++);
      }
    }
    CHECK(f.ledger->Info().size == next);
    auto held = f.ledger->GetLot("l-74");
    REQUIRE(held.ok());
    CHECK(held->holder == "sep");
    auto v = f.ledger->Verify(nullptr, {kSmallChunk, 0});
    INFO(v.status().ToString());
    REQUIRE(v.ok());
    CHECK(v->entries == next);

    // Everything again: all duplicates, nothing appended.
    SubmitReport again = testing::SubmitLines(*f.ledger, lines, nullptr, small);
    REQUIRE(again.error.ok());
    CHECK(again.appended == 0);
    CHECK(again.duplicates == lines.size());
  }
  SECTION("a bad signature in the middle chunk: exactly the lines before it stay") {
    const size_t bad_line = tail_from - 20;  // in the second chunk
    std::string& bad = lines[bad_line - 1];
    size_t at = bad.find("\"sig\":\"");
    REQUIRE(at != std::string::npos);
    const char original = bad[at + 8];
    bad[at + 8] = original == 'A' ? 'B' : 'A';
    const LedgerInfo before = f.ledger->Info();
    std::vector<SubmitOutcome> outcomes;
    SubmitReport r = testing::SubmitLines(*f.ledger, lines, &outcomes, small);
    REQUIRE_FALSE(r.error.ok());
    CHECK(r.error.code() == Code::kVerificationFailed);
    CHECK_THAT(r.error.message(), Contains("line " + std::to_string(bad_line) + ":"));
    CHECK(r.appended == bad_line - 1);
    CHECK(r.duplicates == 0);
    REQUIRE(outcomes.size() == bad_line - 1);
    CHECK(outcomes.back().line == bad_line - 1);
    CHECK(f.ledger->Info().size == before.size + bad_line - 1);
    REQUIRE(f.ledger->Verify(nullptr, {kSmallChunk, 0}).ok());
    // Fixed, the same file completes: the prefix is reported as present.
    bad[at + 8] = original;
    SubmitReport fixed = testing::SubmitLines(*f.ledger, lines, nullptr, small);
    INFO(fixed.error.ToString());
    REQUIRE(fixed.error.ok());
    CHECK(fixed.duplicates == bad_line - 1 + 2);
    CHECK(fixed.appended == lines.size() - bad_line + 1 - 2);  // less the two repeats
  }
  SECTION("a rule broken in the third chunk after a good second chunk") {
    lines.back() = f.parties.Env("mine", "transfer", {{"lot", "l-0"}, {"to", "sep"}});  // sep holds it
    SubmitReport r = testing::SubmitLines(*f.ledger, lines, nullptr, small);
    REQUIRE_FALSE(r.error.ok());
    CHECK(r.error.code() == Code::kRejected);
    CHECK_THAT(r.error.message(), Contains("line " + std::to_string(lines.size()) + ":"));
    CHECK(r.appended == lines.size() - 3);
    REQUIRE(f.ledger->Verify(nullptr, {kSmallChunk, 0}).ok());
  }
}

TEST_CASE("a payload edited after signing is rejected as a bad signature", "[ledger]") {
  Fixture f;
  f.SubmitOk({f.parties.Register("mine", {"producer"}), f.parties.Register("sep", {"processor"})});
  const LedgerInfo before = f.ledger->Info();

  std::string good = f.parties.Env("mine", "create_lot", CreateLotFields("ore", 777, 10));
  SECTION("edited mass") {
    std::string edited = good;
    size_t at = edited.find("\"mass_g\":777");
    REQUIRE(at != std::string::npos);
    edited.replace(at, 12, "\"mass_g\":778");
    SubmitReport r = testing::SubmitLines(*f.ledger, {edited});
    REQUIRE_FALSE(r.error.ok());
    CHECK(r.error.code() == Code::kVerificationFailed);
    CHECK_THAT(r.error.message(), Contains("line 1"));
    CHECK_THAT(r.error.message(), Contains("signature invalid for party mine"));
    CHECK(r.appended == 0);
    ExpectUnchanged(*f.ledger, before);
  }
  SECTION("signed by another party's key") {
    json payload = f.parties.Payload("mine", "create_lot", CreateLotFields("x", 1, 1));
    std::string forged = testing::SignedEnvelope(payload, f.parties.key("sep"));
    SubmitReport r = testing::SubmitLines(*f.ledger, {good, forged});
    REQUIRE_FALSE(r.error.ok());
    CHECK(r.error.code() == Code::kVerificationFailed);
    CHECK_THAT(r.error.message(), Contains("line 2"));
    CHECK_THAT(r.error.message(), Contains("party mine"));
    CHECK(r.appended == 1);
    CHECK(f.ledger->Info().size == before.size + 1);
  }
}

TEST_CASE("a closed ledger reopens with everything and one writer at a time", "[ledger]") {
  Fixture f;
  f.BuildWeb();
  const LedgerInfo before = f.ledger->Info();
  auto busy = Ledger::Open(f.path, true);
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.status().code() == Code::kBusy);
  CHECK_THAT(busy.status().message(), Contains("in use"));
  auto reader = Ledger::Open(f.path, false);
  REQUIRE(reader.ok());
  ExpectUnchanged(**reader, before);
  reader->reset();

  f.Close();
  f.Reopen(true);
  ExpectUnchanged(*f.ledger, before);
  CHECK(f.ledger->Info().ledger_id == kLedgerId);
  CHECK(f.ledger->GetLot("mag-1")->holder == "mag");
  CHECK(f.ledger->Checkpoints()->size() == 1);
  // Seq carries on where it stopped.
  f.SubmitOk({f.parties.Env("mine", "create_lot", CreateLotFields("ore-2", 10, 10))});
  CHECK(f.ledger->Info().size == before.size + 1);
  auto v = f.ledger->Verify();
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  CHECK(v->uncovered == 1);
  CHECK(v->checkpoints == 1);
}

TEST_CASE("inclusion and consistency proofs verify for every index and size", "[ledger]") {
  Fixture f;
  std::vector<std::string> lines = WebLines(f.parties);
  for (int i = 0; lines.size() < 39; ++i)
    lines.push_back(f.parties.Env("mine", "create_lot", CreateLotFields("extra-" + std::to_string(i), 5, 5)));
  f.SubmitOk(lines);
  const std::vector<std::string> leaves = f.Leaves();
  const uint64_t n = leaves.size();
  REQUIRE(n == 40);
  const std::vector<Hash> hashes = LeafHashes(leaves, n);
  std::vector<Hash> roots(n + 1);
  for (uint64_t s = 1; s <= n; ++s) roots[s] = reference::RootOf(std::span<const Hash>(hashes.data(), s));

  for (uint64_t size = 1; size <= n; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      auto p = f.ledger->ProveInclusion(index, size);
      INFO("index " << index << " size " << size << ": " << p.status().ToString());
      REQUIRE(p.ok());
      CHECK(p->leaf_hash == hashes[index]);
      CHECK(p->root == roots[size]);
      CHECK(VerifyInclusion(index, size, hashes[index], p->path, roots[size]).ok());
    }
    for (uint64_t old = 1; old <= size; ++old) {
      auto c = f.ledger->ProveConsistency(old, size);
      INFO("old " << old << " new " << size << ": " << c.status().ToString());
      REQUIRE(c.ok());
      CHECK(c->old_root == roots[old]);
      CHECK(c->new_root == roots[size]);
      CHECK(VerifyConsistency(old, size, roots[old], roots[size], c->path).ok());
    }
  }
  // Defaults are the whole log.
  auto whole = f.ledger->ProveInclusion(3, std::nullopt);
  REQUIRE(whole.ok());
  CHECK(whole->size == n);
  auto cons = f.ledger->ProveConsistency(7, std::nullopt);
  REQUIRE(cons.ok());
  CHECK(cons->new_size == n);
  // A proof for one leaf does not prove another.
  CHECK_FALSE(VerifyInclusion(4, n, hashes[5], f.ledger->ProveInclusion(4, n)->path, roots[n]).ok());

  // Out-of-range requests are InvalidArgument.
  CHECK(f.ledger->ProveInclusion(5, 5).status().code() == Code::kInvalidArgument);
  CHECK(f.ledger->ProveInclusion(0, 0).status().code() == Code::kInvalidArgument);
  CHECK(f.ledger->ProveInclusion(0, n + 1).status().code() == Code::kInvalidArgument);
  CHECK(f.ledger->ProveInclusion(n, std::nullopt).status().code() == Code::kInvalidArgument);
  CHECK(f.ledger->ProveConsistency(0, n).status().code() == Code::kInvalidArgument);
  CHECK(f.ledger->ProveConsistency(9, 8).status().code() == Code::kInvalidArgument);
  CHECK(f.ledger->ProveConsistency(1, n + 1).status().code() == Code::kInvalidArgument);
}

TEST_CASE("checkpoints: only the operator's current key signs them", "[ledger]") {
  Fixture f;
  f.SubmitOk(WebLines(f.parties));
  auto refused = f.ledger->IssueCheckpoint(f.parties.key("mine"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kInvalidArgument);
  CHECK_THAT(refused.status().message(), Contains("not the operator's current key"));
  CHECK(f.ledger->Checkpoints()->empty());
  auto stranger = f.ledger->IssueCheckpoint(testing::FreshSigner());
  CHECK_FALSE(stranger.ok());

  auto note = f.ledger->IssueCheckpoint(f.op());
  REQUIRE(note.ok());
  auto cp = VerifyCheckpoint(*note, kLedgerId, f.op().public_key());
  INFO(cp.status().ToString());
  REQUIRE(cp.ok());
  CHECK(cp->size == f.ledger->Info().size);
  CHECK(cp->root == f.ledger->Info().root);
  CHECK(note->rfind(kLedgerId + "\n12\n", 0) == 0);
  REQUIRE(f.ledger->Checkpoints()->size() == 1);
  CHECK(f.ledger->Checkpoints()->front() == *note);

  f.SubmitOk({f.parties.Env("mine", "create_lot", CreateLotFields("late", 1, 1))});
  REQUIRE(f.ledger->IssueCheckpoint(f.op()).ok());
  auto v = f.ledger->Verify();
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  CHECK(v->checkpoints == 2);
  CHECK(v->uncovered == 0);
  CHECK(v->entries == 13);
}

// ---- insider tampering: Verify must fail and name what is wrong ----

// Tampers with the closed ledger through a raw writable store, then
// reopens it read-only for Verify.
template <typename Fn>
Result<VerifyReport> VerifyAfterTamper(Fixture& f, Fn tamper, size_t chunk = kDefaultChunkEntries) {
  f.Close();
  {
    auto store = Store::Open(f.path, Store::Mode::kReadWrite);
    REQUIRE(store.ok());
    tamper(**store);
  }
  f.Reopen(false);
  return f.ledger->Verify(nullptr, {chunk, 0});
}

void ExpectVerifyFails(const Result<VerifyReport>& r, const std::string& names) {
  INFO("want a failure naming: " << names);
  INFO("got: " << r.status().ToString());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() != Code::kOk);
  CHECK_THAT(r.status().message(), Contains(names));
}

std::string Key(uint64_t index) { return format::EntryKey(index); }

TEST_CASE("verify across chunks names the first bad entry, not a later one", "[ledger][pipeline][tamper]") {
  Fixture f;
  std::vector<std::string> lines = PartiesAndOre(f.parties);
  for (size_t i = 0; i < 200; ++i)
    lines.push_back(f.parties.Env("mine", "create_lot",
                                  CreateLotFields("l-" + std::to_string(i), 10, 10)));
  f.SubmitOk(lines);
  const std::vector<std::string> leaves = f.Leaves();
  // With chunks of 64: a bad signature at 100 (second chunk) and a broken
  // entry at 170 (third chunk, decided while the second one's signatures
  // are checked).
  std::string bad_sig = leaves[100];
  size_t at = bad_sig.find("\"sig\":\"");
  REQUIRE(at != std::string::npos);
  bad_sig[at + 8] = bad_sig[at + 8] == 'A' ? 'B' : 'A';
  std::string bad_form = leaves[170];
  bad_form[2] = 'P';
  ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                      REQUIRE(s.RawPut(format::kCfEntries, Key(100), bad_sig).ok());
                      REQUIRE(s.RawPut(format::kCfEntries, Key(170), bad_form).ok());
                    }, kSmallChunk),
                    "entry 100: signature invalid");
}

TEST_CASE("verify passes on an untouched ledger", "[ledger][tamper]") {
  Fixture f;
  f.BuildWeb();
  auto r = VerifyAfterTamper(f, [](Store&) {});
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->entries == 12);
  CHECK(r->checkpoints == 1);
  CHECK(r->uncovered == 0);
}

TEST_CASE("verify catches an insider who rewrites the store", "[ledger][tamper]") {
  Fixture f;
  f.BuildWeb();
  const std::vector<std::string> leaves = f.Leaves();
  REQUIRE(leaves.size() == 12);

  SECTION("a changed byte in a signed field of an entry") {
    std::string leaf = leaves[7];
    size_t at = leaf.find("\"value\":30000");
    REQUIRE(at != std::string::npos);
    leaf[at + 9] = '4';  // 30000 -> 40000, still canonical
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfEntries, Key(7), leaf).ok());
                      }),
                      "entry 7");
  }
  SECTION("a changed byte that breaks the entry's form") {
    std::string leaf = leaves[7];
    leaf[2] = 'P';  // "payload" -> "Payload"
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfEntries, Key(7), leaf).ok());
                      }),
                      "entry 7");
  }
  SECTION("a changed byte of the signature") {
    std::string leaf = leaves[9];
    size_t at = leaf.find("\"sig\":\"");
    REQUIRE(at != std::string::npos);
    char& c = leaf[at + 8];
    c = c == 'A' ? 'B' : 'A';
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfEntries, Key(9), leaf).ok());
                      }),
                      "entry 9");
  }
  SECTION("a deleted entry") {
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawDelete(format::kCfEntries, Key(6)).ok());
                      }),
                      "entry 6");
  }
  SECTION("two swapped entries") {
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfEntries, Key(6), leaves[7]).ok());
                        REQUIRE(s.RawPut(format::kCfEntries, Key(7), leaves[6]).ok());
                      }),
                      "entry 6");
  }
  SECTION("a truncated tail with a consistent frontier: the checkpoint catches it") {
    const uint64_t keep = 9;
    Frontier shorter;
    for (uint64_t i = 0; i < keep; ++i) shorter.Append(LeafHash(leaves[i]));
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        for (uint64_t i = keep; i < leaves.size(); ++i)
                          REQUIRE(s.RawDelete(format::kCfEntries, Key(i)).ok());
                        REQUIRE(s.RawPut("default", format::kMetaFrontier, shorter.Serialize()).ok());
                      }),
                      "checkpoint 0");
    CHECK(f.ledger->Info().size == keep);  // it did look consistent
  }
  SECTION("the latest checkpoint replaced by one signed with another key") {
    Signer mallory = testing::FreshSigner();
    Checkpoint cp{kLedgerId, 12, f.ledger->Info().root};
    auto forged = SignCheckpoint(cp, mallory);
    REQUIRE(forged.ok());
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfCheckpoints, format::Be64(0), *forged).ok());
                      }),
                      "checkpoint 0");
  }
  SECTION("the latest checkpoint's root edited under its signature") {
    auto notes = f.ledger->Checkpoints();
    REQUIRE(notes.ok());
    std::string note = notes->back();
    Checkpoint other{kLedgerId, 12, LeafHash("x")};
    std::string body = CheckpointBody(Checkpoint{kLedgerId, 12, f.ledger->Info().root});
    REQUIRE(note.rfind(body, 0) == 0);
    note.replace(0, body.size(), CheckpointBody(other));
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfCheckpoints, format::Be64(0), note).ok());
                      }),
                      "checkpoint 0");
  }
  SECTION("an edited lot record") {
    auto lot = f.ledger->GetLot("ore");
    REQUIRE(lot.ok());
    LotRecord edited = *lot;
    edited.remaining_g += 1000;
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfLots, "ore", EncodeLot(edited)).ok());
                      }),
                      "lot \"ore\"");
  }
  SECTION("a lot record handed to another holder") {
    auto lot = f.ledger->GetLot("mag-1");
    REQUIRE(lot.ok());
    LotRecord edited = *lot;
    edited.holder = "sep";
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfLots, "mag-1", EncodeLot(edited)).ok());
                      }),
                      "lot \"mag-1\"");
  }
  SECTION("a lot record in other bytes, even if it decodes the same") {
    auto lot = f.ledger->GetLot("ox");
    REQUIRE(lot.ok());
    std::string bytes = EncodeLot(*lot) + " ";
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfLots, "ox", bytes).ok());
                      }),
                      "lot \"ox\"");
  }
  SECTION("a deleted lot record") {
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawDelete(format::kCfLots, "tail").ok());
                      }),
                      "lot record");
  }
  SECTION("a party record with a swapped key") {
    auto party = f.ledger->GetParty("sep");
    REQUIRE(party.ok());
    PartyRecord edited = *party;
    edited.keys.back().pubkey = testing::FreshSigner().public_key().raw();
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfParties, "sep", EncodeParty(edited)).ok());
                      }),
                      "party \"sep\"");
  }
  SECTION("an entry stored beyond the recorded size") {
    ExpectVerifyFails(VerifyAfterTamper(f, [&](Store& s) {
                        REQUIRE(s.RawPut(format::kCfEntries, Key(12), leaves[11]).ok());
                      }),
                      "entry 12");
  }
  // Overwrites one stored tree node with a forged hash.
  auto forge_node = [](NodeId id) {
    return [id](Store& s) {
      Hash h = LeafHash("forged");
      REQUIRE(s.RawPut(format::kCfTree, format::TreeKey(id), std::string(AsBytes(h))).ok());
    };
  };
  SECTION("a rewritten tree node") {
    ExpectVerifyFails(VerifyAfterTamper(f, forge_node(NodeId{3, 0})), "tree node (level 3, index 0)");
  }
  SECTION("a rewritten leaf node (proofs take the leaf hash from it)") {
    ExpectVerifyFails(VerifyAfterTamper(f, forge_node(NodeId{0, 5})), "tree node (level 0, index 5)");
  }
}

// Party records are compared both ways: a record an insider adds with
// RawPut, never registered in the log, fails Verify (the writer would
// otherwise honour the phantom party's key).
TEST_CASE("verify catches a party record the log never registered", "[ledger][tamper]") {
  Fixture f;
  f.BuildWeb();
  auto mine = f.ledger->GetParty("mine");
  REQUIRE(mine.ok());
  PartyRecord phantom = *mine;
  phantom.id = "phantom";
  phantom.last_seq = 0;
  auto r = VerifyAfterTamper(f, [&](Store& s) {
    REQUIRE(s.RawPut(format::kCfParties, "phantom", EncodeParty(phantom)).ok());
  });
  ExpectVerifyFails(r, "party \"phantom\"");
}

// Every stored row the replay does not produce fails verify, in every
// column family, and the error names the row.
TEST_CASE("verify finds every stored row the log does not imply", "[ledger][tamper]") {
  Fixture f;
  f.BuildWeb();  // 12 entries, one checkpoint
  const std::vector<std::string> leaves = f.Leaves();
  auto put = [&](const std::string& cf, const std::string& key, const std::string& value) {
    return [=](Store& s) { REQUIRE(s.RawPut(cf, key, value).ok()); };
  };
  auto del = [&](const std::string& cf, const std::string& key) {
    return [=](Store& s) { REQUIRE(s.RawDelete(cf, key).ok()); };
  };
  auto fails = [&](auto tamper, const std::string& names) {
    ExpectVerifyFails(VerifyAfterTamper(f, tamper), names);
  };

  SECTION("entries past the log size, not at it (a point lookup at the size misses them)") {
    fails([&](Store& s) {
      put(format::kCfEntries, Key(14), leaves[3])(s);
      put(format::kCfEntries, Key(20), leaves[4])(s);
    }, "entry 14 is stored at or beyond the log size 12");
  }
  SECTION("one entry far past the log size") {
    fails(put(format::kCfEntries, Key(1000), leaves[3]), "entry 1000");
  }
  SECTION("an entries row under a malformed key, sorted before entry 0") {
    fails(put(format::kCfEntries, std::string(1, '\0'), leaves[0]), "malformed entries key 00");
  }
  SECTION("an extra party_seq row past the party's last seq") {
    fails(put(format::kCfPartySeq, format::PartySeqKey("mine", 99), format::Be64(3)),
          "party_seq row (party \"mine\", seq 99)");
  }
  SECTION("a party_seq row of a party the log never registered") {
    fails(put(format::kCfPartySeq, format::PartySeqKey("ghost", 1), format::Be64(3)),
          "party_seq row (party \"ghost\", seq 1) is not in the log");
  }
  SECTION("a party_seq row pointing at another entry") {
    fails(put(format::kCfPartySeq, format::PartySeqKey("mine", 1), format::Be64(7)),
          "party_seq row (party \"mine\", seq 1) does not point to entry 5");
  }
  SECTION("a deleted party_seq row") {
    fails(del(format::kCfPartySeq, format::PartySeqKey("sep", 1)),
          "lacks party_seq row (party \"sep\", seq 1)");
  }
  SECTION("a malformed party_seq key") {
    fails(put(format::kCfPartySeq, "mine", format::Be64(5)), "malformed party_seq key");
  }
  SECTION("a deleted party record") {
    fails(del(format::kCfParties, "aud"), "lacks party record \"aud\"");
  }
  SECTION("a party record in other bytes, even if it decodes the same") {
    auto party = f.ledger->GetParty("sep");
    REQUIRE(party.ok());
    fails(put(format::kCfParties, "sep", EncodeParty(*party) + " "),
          "record of party \"sep\" does not match the log");
  }
  SECTION("an extra lot record") {
    auto lot = f.ledger->GetLot("ox");
    REQUIRE(lot.ok());
    LotRecord ghost = *lot;
    ghost.id = "ghost-lot";
    fails(put(format::kCfLots, "ghost-lot", EncodeLot(ghost)),
          "record of lot \"ghost-lot\" is not in the log");
  }
  SECTION("a keys row for a key no party ever held") {
    fails(put(format::kCfKeys, std::string(32, 'k'), format::HolderValue(1, "mine")),
          "keys row " + Base64Encode(std::string(32, 'k')) + " is not in the log");
  }
  SECTION("a keys row giving a party's key to another party") {
    auto mine = f.ledger->GetParty("mine");
    REQUIRE(mine.ok());
    fails(put(format::kCfKeys, mine->current_key(), format::HolderValue(2, "sep")),
          "does not name party \"mine\" since entry 1");
  }
  SECTION("a deleted keys row (the key could then be registered again)") {
    auto sep = f.ledger->GetParty("sep");
    REQUIRE(sep.ok());
    fails(del(format::kCfKeys, sep->current_key()), "keys row " + Base64Encode(sep->current_key()));
  }
  SECTION("a glns row for a GLN no party registered") {
    fails(put(format::kCfGlns, "4006381333931", format::HolderValue(1, "mine")),
          "glns row \"4006381333931\" is not in the log");
  }
  SECTION("an extra consumers row") {
    fails(put(format::kCfConsumers, format::ConsumerKey("ore", 9), ""),
          "consumers row (lot \"ore\", entry 9) is not in the log");
  }
  SECTION("a consumers row of a lot the log does not have") {
    fails(put(format::kCfConsumers, format::ConsumerKey("nope", 8), ""),
          "consumers row (lot \"nope\", entry 8)");
  }
  SECTION("a deleted consumers row") {
    fails(del(format::kCfConsumers, format::ConsumerKey("ore-a", 8)),
          "lacks consumers row (lot \"ore-a\", entry 8)");
  }
  SECTION("a consumers row holding a value") {
    fails(put(format::kCfConsumers, format::ConsumerKey("ox", 10), "x"),
          "consumers row (lot \"ox\", entry 10) holds a value");
  }
  SECTION("a tree leaf node past the log size") {
    Hash h = LeafHash(leaves[3]);
    fails(put(format::kCfTree, format::TreeKey(NodeId{0, 12}), std::string(AsBytes(h))),
          "tree node (level 0, index 12) is not in a log of 12 entries");
  }
  SECTION("an inner tree node past the log size") {
    Hash h = LeafHash("x");
    fails(put(format::kCfTree, format::TreeKey(NodeId{2, 3}), std::string(AsBytes(h))),
          "tree node (level 2, index 3)");
  }
  SECTION("a tree node above the root") {
    Hash h = LeafHash("x");
    fails(put(format::kCfTree, format::TreeKey(NodeId{5, 0}), std::string(AsBytes(h))),
          "tree node (level 5, index 0)");
  }
  SECTION("a malformed tree key") {
    fails(put(format::kCfTree, format::Be64(3), std::string(32, 'h')), "malformed tree key");
  }
  SECTION("a deleted tree node") {
    fails(del(format::kCfTree, format::TreeKey(NodeId{1, 2})), "tree node (level 1, index 2)");
  }
  SECTION("a checkpoint row after a gap") {
    auto notes = f.ledger->Checkpoints();
    REQUIRE(notes.ok());
    fails(put(format::kCfCheckpoints, format::Be64(2), notes->front()),
          "checkpoint 1 is missing from the store (the next stored one is 2)");
  }
  SECTION("a checkpoint row that does not parse") {
    fails(put(format::kCfCheckpoints, format::Be64(1), "not a note\n"),
          "stored checkpoint 1 does not parse");
  }
  SECTION("a malformed checkpoints key") {
    auto notes = f.ledger->Checkpoints();
    REQUIRE(notes.ok());
    fails(put(format::kCfCheckpoints, "x", notes->front()), "malformed checkpoints key 78");
  }
  SECTION("a validly signed checkpoint of a smaller log, filed after a larger one") {
    Checkpoint cp{kLedgerId, 5, reference::RootOf(LeafHashes(leaves, 5))};
    auto note = SignCheckpoint(cp, f.op());
    REQUIRE(note.ok());
    fails(put(format::kCfCheckpoints, format::Be64(1), *note),
          "checkpoint 1 (size 5) is smaller than checkpoint 0 (size 12)");
  }
  SECTION("an unknown meta key") {
    fails(put("default", "backdoor", "1"), "unknown meta key \"backdoor\"");
  }
  SECTION("a frontier of the right size with other hashes") {
    Frontier other;
    for (size_t i = 0; i < leaves.size(); ++i) other.Append(LeafHash(i == 0 ? "x" : leaves[i]));
    fails(put("default", format::kMetaFrontier, other.Serialize()),
          "meta key \"frontier\" does not match the replayed log");
  }
  SECTION("a currency that is not a code") {
    fails(put("default", format::kMetaCurrency, "euro"), "meta key \"currency\"");
  }
}

TEST_CASE("a read-only ledger refuses to append or checkpoint", "[ledger]") {
  Fixture f;
  f.BuildWeb();
  f.Close();
  f.Reopen(false);
  const LedgerInfo before = f.ledger->Info();
  SubmitReport r = testing::SubmitLines(
      *f.ledger, {f.parties.Env("mine", "create_lot", CreateLotFields("ro", 1, 1))});
  CHECK_FALSE(r.error.ok());
  CHECK(r.appended == 0);
  CHECK_FALSE(f.ledger->IssueCheckpoint(f.op()).ok());
  f.Close();
  f.Reopen(false);
  ExpectUnchanged(*f.ledger, before);
  CHECK(f.ledger->Checkpoints()->size() == 1);
}

TEST_CASE("the log stores canonical bytes whatever whitespace was submitted", "[ledger]") {
  Fixture f;
  f.SubmitOk({f.parties.Register("mine", {"producer"})});
  std::string canonical = f.parties.Env("mine", "create_lot", CreateLotFields("ore", 10, 10));
  Entry e = testing::MustDecode(canonical);
  json pretty = json::parse(canonical);
  std::string spaced = pretty.dump(2);
  spaced.erase(std::remove(spaced.begin(), spaced.end(), '\n'), spaced.end());
  REQUIRE(spaced != canonical);
  f.SubmitOk({spaced});
  auto stored = f.ledger->GetEntry(2);
  REQUIRE(stored.ok());
  CHECK(stored->leaf == canonical);
  std::vector<SubmitOutcome> outcomes;
  SubmitReport r = testing::SubmitLines(*f.ledger, {canonical}, &outcomes);
  REQUIRE(r.error.ok());
  CHECK(r.duplicates == 1);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].index == 2);
  // Same party and seq, different content: not a duplicate but a seq replay.
  json other = json::parse(canonical)["payload"];
  other["mass_g"] = 11;
  SubmitReport r2 = testing::SubmitLines(*f.ledger, {testing::SignedEnvelope(other, f.parties.key("mine"))});
  REQUIRE_FALSE(r2.error.ok());
  CHECK(r2.error.code() == Code::kRejected);
  CHECK_THAT(r2.error.message(), Contains("seq 1 is not the next for party mine (want 2)"));
}

// ---- export bundles ----

std::vector<std::string> ReadLines(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}
void WriteLines(const fs::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
}
void WriteText(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}
std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ExpectBundleFails(const std::string& dir, const std::string& names) {
  auto r = VerifyBundle(dir);
  INFO("want a failure naming: " << names);
  INFO("got: " << r.status().ToString());
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Contains(names));
}

TEST_CASE("export writes a bundle that verifies without the database", "[ledger][bundle]") {
  Fixture f;
  f.BuildWeb();
  const std::string out = f.dir.Sub("bundle");
  auto no_dir = VerifyBundle(f.dir.Sub("nothing-here"));
  CHECK_FALSE(no_dir.ok());
  REQUIRE(f.ledger->Export(out).ok());
  CHECK(ReadLines(fs::path(out) / "entries.jsonl") == f.Leaves());
  for (const char* name : {"operator.pub", "checkpoint", "keys/operator.pub", "keys/mine.pub",
                           "keys/sep.pub", "keys/mag.pub", "keys/aud.pub"}) {
    INFO(name);
    CHECK(fs::exists(fs::path(out) / name));
  }
  auto op = PublicKey::FromPemFile((fs::path(out) / "operator.pub").string());
  REQUIRE(op.ok());
  CHECK(*op == f.op().public_key());
  CHECK(ReadText(fs::path(out) / "checkpoint") == f.ledger->Checkpoints()->back());

  auto r = VerifyBundle(out);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->entries == 12);
  CHECK(r->root == f.ledger->Info().root);
  CHECK(r->uncovered == 0);

  // Export refuses a non-empty directory and a ledger without checkpoints.
  Status again = f.ledger->Export(out);
  CHECK(again.code() == Code::kInvalidArgument);
  Fixture g;
  Status none = g.ledger->Export(g.dir.Sub("bundle"));
  CHECK(none.code() == Code::kInvalidArgument);
  CHECK_THAT(none.message(), Contains("checkpoint"));
}

TEST_CASE("verify-bundle fails on every mutation of a bundle", "[ledger][bundle][tamper]") {
  Fixture f;
  f.BuildWeb();
  const fs::path good = f.dir.Sub("bundle");
  REQUIRE(f.ledger->Export(good.string()).ok());
  REQUIRE(VerifyBundle(good.string()).ok());
  const fs::path bad = f.dir.Sub("bad");
  fs::copy(good, bad, fs::copy_options::recursive);
  const fs::path entries = bad / "entries.jsonl";
  std::vector<std::string> lines = ReadLines(entries);
  REQUIRE(lines.size() == 12);

  SECTION("an edited byte in entries.jsonl") {
    size_t at = lines[10].find("\"mass_g\":4500");
    REQUIRE(at != std::string::npos);
    lines[10][at + 9] = '5';
    WriteLines(entries, lines);
    ExpectBundleFails(bad.string(), "entry 10");
  }
  SECTION("a deleted line") {
    lines.erase(lines.begin() + 5);
    WriteLines(entries, lines);
    ExpectBundleFails(bad.string(), "entry 5");
  }
  SECTION("swapped lines") {
    std::swap(lines[6], lines[7]);
    WriteLines(entries, lines);
    ExpectBundleFails(bad.string(), "entry 6");
  }
  SECTION("a truncated tail") {
    lines.resize(9);
    WriteLines(entries, lines);
    ExpectBundleFails(bad.string(), "checkpoint");
  }
  SECTION("an appended forged line") {
    lines.push_back(lines.back());
    WriteLines(entries, lines);
    ExpectBundleFails(bad.string(), "entry 12");
  }
  SECTION("a replaced checkpoint, signed by another key") {
    Checkpoint cp{kLedgerId, 12, f.ledger->Info().root};
    auto forged = SignCheckpoint(cp, testing::FreshSigner());
    REQUIRE(forged.ok());
    WriteText(bad / "checkpoint", *forged);
    ExpectBundleFails(bad.string(), "checkpoint");
    fs::remove_all(bad / "checkpoints");  // no older notes to fall back on
    ExpectBundleFails(bad.string(), "checkpoint");
  }
  SECTION("a replaced checkpoint for a shorter log, with the tail cut to match") {
    Frontier shorter;
    for (size_t i = 0; i < 9; ++i) shorter.Append(LeafHash(lines[i]));
    auto forged = SignCheckpoint(Checkpoint{kLedgerId, 9, shorter.Root()}, testing::FreshSigner());
    REQUIRE(forged.ok());
    lines.resize(9);
    WriteLines(entries, lines);
    WriteText(bad / "checkpoint", *forged);
    WriteText(bad / "checkpoints" / "0", *forged);
    ExpectBundleFails(bad.string(), "checkpoint");
  }
  SECTION("the wrong operator.pub") {
    WriteText(bad / "operator.pub", testing::FreshSigner().public_key().ToPem());
    ExpectBundleFails(bad.string(), "entry 0");
  }
  SECTION("a missing key file") {
    fs::remove(bad / "keys" / "sep.pub");
    ExpectBundleFails(bad.string(), "keys/sep.pub");
  }
  SECTION("a key file holding another key") {
    WriteText(bad / "keys" / "mag.pub", testing::FreshSigner().public_key().ToPem());
    ExpectBundleFails(bad.string(), "keys/mag.pub");
  }
  SECTION("a missing entries.jsonl") {
    fs::remove(entries);
    ExpectBundleFails(bad.string(), "entries.jsonl");
  }
  SECTION("a blank line in entries.jsonl") {
    lines.insert(lines.begin() + 3, "");
    WriteLines(entries, lines);
    ExpectBundleFails(bad.string(), "entries.jsonl");
  }
}

// ---- key rotation ----

TEST_CASE("a party rotates its key: old entries verify, the old key is refused after", "[ledger][rotation]") {
  Fixture f;
  f.BuildWeb();
  Signer old_key = testing::SeedSigner(100);  // mine's key (first Register)
  REQUIRE(old_key.public_key() == f.parties.key("mine").public_key());
  Signer new_key = testing::FreshSigner();
  const uint64_t at = f.ledger->Info().size;
  f.SubmitOk({f.parties.Env("mine", "rotate_key", {{"pubkey", testing::B64Key(new_key)}})});
  auto party = f.ledger->GetParty("mine");
  REQUIRE(party.ok());
  REQUIRE(party->keys.size() == 2);
  CHECK(party->keys[1].from_index == at);
  CHECK(party->current_key() == new_key.public_key().raw());

  // Signed with the old key after the rotation: refused.
  const LedgerInfo before = f.ledger->Info();
  json payload = f.parties.Payload("mine", "create_lot", CreateLotFields("after", 5, 5));
  SubmitReport r = testing::SubmitLines(*f.ledger, {testing::SignedEnvelope(payload, old_key)});
  REQUIRE_FALSE(r.error.ok());
  CHECK(r.error.code() == Code::kVerificationFailed);
  CHECK_THAT(r.error.message(), Contains("signature invalid for party mine"));
  CHECK_THAT(r.error.message(),
             Contains("the key was party mine's until entry " + std::to_string(at)));
  ExpectUnchanged(*f.ledger, before);

  // The retired key is still mine's for ever: nobody may register it.
  SubmitReport reuse = testing::SubmitLines(
      *f.ledger, {testing::SignedEnvelope(
                     f.parties.Payload(kOperatorId, "register_party",
                                       {{"id", "thief"}, {"name", "Thief"}, {"country", "DE"},
                                        {"roles", {"producer"}}, {"pubkey", testing::B64Key(old_key)}}),
                     f.op())});
  REQUIRE_FALSE(reuse.error.ok());
  CHECK_THAT(reuse.error.message(), Contains("pubkey was the key of party \"mine\""));
  ExpectUnchanged(*f.ledger, before);

  // With the new key: accepted.
  f.parties.set_key("mine", Signer(std::move(new_key)));
  f.SubmitOk({f.parties.Env("mine", "create_lot", CreateLotFields("after", 5, 5))});
  REQUIRE(f.ledger->IssueCheckpoint(f.op()).ok());

  auto v = f.ledger->Verify();
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  CHECK(v->entries == before.size + 1);

  // The bundle carries both keys and verifies.
  const std::string out = f.dir.Sub("bundle");
  REQUIRE(f.ledger->Export(out).ok());
  auto k1 = PublicKey::FromPemFile(out + "/keys/mine.pub");
  auto k2 = PublicKey::FromPemFile(out + "/keys/mine@2.pub");
  REQUIRE(k1.ok());
  REQUIRE(k2.ok());
  CHECK(*k1 == old_key.public_key());
  CHECK(*k2 == f.parties.key("mine").public_key());
  auto b = VerifyBundle(out);
  INFO(b.status().ToString());
  CHECK(b.ok());
}

TEST_CASE("the operator rotates its key: later checkpoints need the new key", "[ledger][rotation]") {
  Fixture f;
  f.SubmitOk(WebLines(f.parties));
  Signer new_op = testing::FreshSigner();
  f.SubmitOk({f.parties.Env(kOperatorId, "rotate_key", {{"pubkey", testing::B64Key(new_op)}})});

  auto old_cp = f.ledger->IssueCheckpoint(f.op());
  REQUIRE_FALSE(old_cp.ok());
  CHECK(old_cp.status().code() == Code::kInvalidArgument);
  CHECK(f.ledger->Checkpoints()->empty());

  // Signed with the old key after the rotation, a registration is refused.
  json reg = f.parties.Payload(kOperatorId, "register_party",
                               {{"id", "late"}, {"name", "Late"}, {"country", "FR"},
                                {"roles", {"producer"}}, {"pubkey", testing::B64Key(testing::FreshSigner())}});
  SubmitReport r = testing::SubmitLines(*f.ledger, {testing::SignedEnvelope(reg, f.op())});
  REQUIRE_FALSE(r.error.ok());
  CHECK(r.error.code() == Code::kVerificationFailed);
  CHECK_THAT(r.error.message(), Contains("party operator"));

  f.parties.set_key(kOperatorId, std::move(new_op));
  f.SubmitOk({f.parties.Env(kOperatorId, "register_party",
                            {{"id", "late"}, {"name", "Late"}, {"country", "FR"},
                             {"roles", {"producer"}}, {"pubkey", testing::B64Key(testing::FreshSigner())}})});
  auto cp = f.ledger->IssueCheckpoint(f.op());
  INFO(cp.status().ToString());
  REQUIRE(cp.ok());
  CHECK(VerifyCheckpoint(*cp, kLedgerId, f.op().public_key()).ok());

  auto v = f.ledger->Verify();
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  CHECK(v->checkpoints == 1);
  // The bundle's trust anchor stays the genesis key; the rotation is in the log.
  const std::string out = f.dir.Sub("bundle");
  REQUIRE(f.ledger->Export(out).ok());
  auto b = VerifyBundle(out);
  INFO(b.status().ToString());
  CHECK(b.ok());
}

// A checkpoint is checked with the operator key current at ITS size, even
// when a later entry of the same replay chunk rotates the operator key.
TEST_CASE("checkpoints before and after an operator rotation both verify", "[ledger][rotation]") {
  Fixture f;
  f.SubmitOk(WebLines(f.parties));
  REQUIRE(f.ledger->IssueCheckpoint(f.op()).ok());  // size 12, old key
  Signer new_op = testing::FreshSigner();
  f.SubmitOk({f.parties.Env(kOperatorId, "rotate_key", {{"pubkey", testing::B64Key(new_op)}})});
  f.parties.set_key(kOperatorId, std::move(new_op));
  REQUIRE(f.ledger->IssueCheckpoint(f.op()).ok());  // size 13, new key

  auto v = f.ledger->Verify();
  INFO(v.status().ToString());
  CHECK(v.ok());
  const std::string out = f.dir.Sub("bundle");
  REQUIRE(f.ledger->Export(out).ok());
  auto b = VerifyBundle(out);
  INFO(b.status().ToString());
  CHECK(b.ok());
}

// Rotated keys are keys/P@N.pub: '@' never occurs in a party id, so party
// "acme" rotating its key and a party named "acme.2" cannot collide.
TEST_CASE("bundle key files of a rotated party and a party named like its suffix don't collide",
          "[ledger][bundle]") {
  Fixture f;
  f.SubmitOk({f.parties.Register("acme", {"producer"}), f.parties.Register("acme.2", {"producer"})});
  f.SubmitOk({f.parties.Env("acme", "rotate_key", {{"pubkey", testing::B64Key(testing::FreshSigner())}})});
  REQUIRE(f.ledger->IssueCheckpoint(f.op()).ok());
  REQUIRE(f.ledger->Verify().ok());
  const std::string out = f.dir.Sub("bundle");
  REQUIRE(f.ledger->Export(out).ok());
  auto b = VerifyBundle(out);
  INFO(b.status().ToString());
  CHECK(b.ok());
}

// Party ids name key files in a bundle, so they are restricted to
// [A-Za-z0-9._-]: "org/unit" would have escaped keys/ on export.
TEST_CASE("a party id with '/' or '@' is refused before it reaches the log", "[ledger][bundle]") {
  Fixture f;
  f.SubmitOk({f.parties.Register("mine", {"producer"})});
  const LedgerInfo before = f.ledger->Info();
  for (const char* id : {"org/unit", "acme@2", "a:b"}) {
    INFO(id);
    json reg = f.parties.Payload(kOperatorId, "register_party",
                                 {{"id", id}, {"name", "X"}, {"country", "FR"},
                                  {"roles", {"producer"}}, {"pubkey", testing::B64Key(testing::FreshSigner())}});
    auto canonical = CanonicalPayload(reg.dump());
    REQUIRE_FALSE(canonical.ok());
    CHECK(canonical.status().code() == Code::kInvalidArgument);
    CHECK_THAT(canonical.status().message(), Contains("payload.id: "));
    CHECK_THAT(canonical.status().message(), Contains("ids use only letters, digits and - _ ."));
    // Signed anyway (over Canonicalize) and submitted: refused, nothing appended.
    std::string env = testing::SignedEnvelopeUnchecked(reg, f.op());
    SubmitReport r = testing::SubmitLines(*f.ledger, {env});
    REQUIRE_FALSE(r.error.ok());
    CHECK(r.error.code() == Code::kInvalidArgument);
    CHECK_THAT(r.error.message(), Contains("line 1"));
    CHECK_THAT(r.error.message(), Contains("payload.id: "));
    ExpectUnchanged(*f.ledger, before);
  }
  // The same restriction for the signer and a transfer's recipient.
  json t = f.parties.Payload("mine", "transfer", {{"lot", "x"}, {"to", "org/unit"}});
  CHECK_THAT(CanonicalPayload(t.dump()).status().message(), Contains("payload.to: party ids"));
  json p = testing::Header("create_lot", kLedgerId, "org/unit", 1);
  p.update(CreateLotFields("y", 1, 1));
  CHECK_THAT(CanonicalPayload(p.dump()).status().message(), Contains("payload.party: party ids"));
}

}  // namespace
}  // namespace rareledger::ledger

namespace rareledger::ledger {
namespace {

TEST_CASE("the keys index: written with each entry, kept across reopen, rebuilt for old ledgers",
          "[ledger][keys]") {
  Fixture f;
  f.SubmitOk(PartiesAndOre(f.parties));
  auto holder = f.ledger->FindKeyHolder(f.parties.key("sep").public_key().raw());
  REQUIRE(holder.ok());
  REQUIRE(holder->has_value());
  CHECK((*holder)->party == "sep");
  CHECK((*holder)->since == 2);
  f.Close();
  f.Reopen(false);
  auto again = f.ledger->FindKeyHolder(f.op().public_key().raw());
  REQUIRE(again.ok());
  REQUIRE(again->has_value());
  CHECK((*again)->party == kOperatorId);
  CHECK((*again)->since == 0);
  f.Close();

  // A ledger from before the index: drop the families as an old version
  // never had them.
  {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), f.path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), f.path, families, &handles, &raw).ok());
    for (auto* h : handles) {
      if (h->GetName() == "keys" || h->GetName() == "glns") REQUIRE(raw->DropColumnFamily(h).ok());
    }
    for (auto* h : handles) REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
    delete raw;
  }
  auto ro = Ledger::Open(f.path, false);
  REQUIRE_FALSE(ro.ok());
  CHECK_THAT(ro.status().message(), Contains("predates the keys index"));
  f.Reopen(true);
  auto rebuilt = f.ledger->FindKeyHolder(f.parties.key("aud").public_key().raw());
  REQUIRE(rebuilt.ok());
  REQUIRE(rebuilt->has_value());
  CHECK((*rebuilt)->party == "aud");
  CHECK((*rebuilt)->since == 4);
  // And the rule holds on the rebuilt index.
  SubmitReport r = testing::SubmitLines(
      *f.ledger, {f.parties.Env(kOperatorId, "register_party",
                                {{"id", "dup"}, {"name", "Dup"}, {"country", "DE"},
                                 {"roles", {"producer"}},
                                 {"pubkey", testing::B64Key(f.parties.key("aud"))}})});
  REQUIRE_FALSE(r.error.ok());
  CHECK_THAT(r.error.message(), Contains("pubkey is already the key of party \"aud\" (since entry 4)"));
  auto v = f.ledger->Verify();
  INFO(v.status().ToString());
  CHECK(v.ok());
}

TEST_CASE("corrections replay: verify and verify-bundle reproduce the corrected records",
          "[ledger][corrections]") {
  Fixture f;
  std::vector<std::string> lines = WebLines(f.parties);
  lines.push_back(f.parties.Env(
      "mine", "correct_lot",
      {{"lot", "ore"}, {"corrections", {{"category", "re_concentrate"}, {"hs", "2530.90"}}},
       {"reason", "assay"}}));  // 12
  f.SubmitOk(lines);
  REQUIRE(f.ledger->IssueCheckpoint(f.op()).ok());
  auto ore = f.ledger->GetLot("ore");
  REQUIRE(ore.ok());
  CHECK(ore->category == "re_concentrate");
  REQUIRE(ore->corrections.size() == 1);
  CHECK(ore->corrections[0].index == 12);
  // The part split off at entry 6 takes the correction too.
  auto part = f.ledger->GetLot("ore-a");
  REQUIRE(part.ok());
  CHECK(part->category == "re_concentrate");
  auto v = f.ledger->Verify();
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  CHECK(v->entries == 13);
  const std::string out = f.dir.Sub("bundle");
  REQUIRE(f.ledger->Export(out).ok());
  auto b = VerifyBundle(out);
  INFO(b.status().ToString());
  CHECK(b.ok());
  // A record that disagrees with the replayed correction is caught.
  std::string rec = EncodeLot(*part);
  LotRecord forged = *part;
  forged.category = "re_ore";
  f.Close();
  {
    auto store = Store::Open(f.path, Store::Mode::kReadWrite);
    REQUIRE(store.ok());
    REQUIRE((*store)->RawPut("lots", "ore-a", EncodeLot(forged)).ok());
  }
  f.Reopen(false);
  auto bad = f.ledger->Verify();
  CHECK_FALSE(bad.ok());
}

}  // namespace
}  // namespace rareledger::ledger
