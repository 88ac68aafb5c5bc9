// The command line a new user meets: --version, suggestions, --db after the
// command, one-line usage errors, sign filling the header, --print, lists,
// key file warnings, the lock wait, and the installed layout.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "cli_util.h"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using rareledger::cli_testing::BuildWeb;
using rareledger::cli_testing::Run;
using rareledger::cli_testing::TempLedger;

size_t Lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST_CASE("the version flag names the tool and the ledger format", "[cli][usability]") {
  TempLedger t;
  Run r = t.Shell(std::string(RL_BINARY) + " --version");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, StartsWith("rareledger 0."));
  CHECK_THAT(r.out, Contains("(ledger format 1)"));
}

TEST_CASE("an unknown command suggests the nearest, in one line, exit 2", "[cli][usability]") {
  TempLedger t;
  Run r = t.Cli("lott list");
  CHECK(r.code == 2);
  CHECK(r.err == "rareledger: unknown command \"lott\" (did you mean \"lot\"?)\n");
  r = t.Cli("lot craete");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("unknown \"lot\" command \"craete\" (did you mean \"create\"?)"));
  r = t.Cli("frobnicate");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains("see rareledger --help"));
  // Parser errors have the same one-line form.
  r = t.Cli("show lot");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, StartsWith("rareledger: "));
  CHECK(Lines(r.err) == 1);
  r = t.Cli("log --limit lots");
  CHECK(r.code == 2);
  CHECK(Lines(r.err) == 1);
}

TEST_CASE("the db option is accepted after the command too", "[cli][usability]") {
  TempLedger t;
  t.Init();
  Run r = t.Shell(std::string(RL_BINARY) + " status --json --db " + t.path("db").string());
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(json::parse(r.out)["ledger"] == "test.example");
  r = t.Shell(std::string(RL_BINARY) + " status --format json --db " + t.path("db").string());
  REQUIRE(r.code == 0);
  CHECK(json::parse(r.out)["size"] == 1);
}

TEST_CASE("sign fills ledger, party, seq and time and signs JSON Lines with consecutive seqs",
          "[cli][usability]") {
  TempLedger t;
  BuildWeb(t);  // cn-a has signed seq 1 (lot) and 2 (transfer)
  t.Write("lots.jsonl",
          "{\"type\":\"create_lot\",\"lot\":\"L1\",\"material\":\"ore\",\"category\":\"re_ore\","
          "\"mass_g\":10,\"value\":5,\"origin\":\"CN\"}\n"
          "{\"type\":\"create_lot\",\"lot\":\"L2\",\"material\":\"ore\",\"category\":\"re_ore\","
          "\"mass_g\":10,\"value\":5,\"origin\":\"CN\",\"time\":\"2026-01-02T00:00:00Z\"}\n");
  Run r = t.Cli("sign --key " + t.path("cn.key").string() + " " + t.path("lots.jsonl").string());
  INFO(r.err);
  REQUIRE(r.code == 0);
  REQUIRE(Lines(r.out) == 2);
  std::istringstream lines(r.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  json a = json::parse(first)["payload"], b = json::parse(second)["payload"];
  CHECK(a["ledger"] == "test.example");
  CHECK(a["party"] == "cn-a");
  CHECK(a["seq"] == 3);
  CHECK(b["seq"] == 4);
  CHECK(b["time"] == "2026-01-02T00:00:00Z");  // given fields are kept
  t.Write("signed.jsonl", r.out);
  r = t.Cli("submit " + t.path("signed.jsonl").string());
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("line 2: appended"));
}

TEST_CASE("a shortcut with --print signs without submitting", "[cli][usability]") {
  TempLedger t;
  BuildWeb(t);
  const uint64_t before = t.Size();
  Run r = t.As("cn", "lot create --lot P1 --material ore --category re_ore --mass-g 5 --value 1 "
                     "--origin CN --print");
  INFO(r.err);
  REQUIRE(r.code == 0);
  json env = json::parse(r.out);
  CHECK(env["payload"]["lot"] == "P1");
  CHECK(env["payload"]["seq"] == 3);
  CHECK(t.Size() == before);
  t.Write("p1.json", r.out);
  REQUIRE(t.Cli("submit " + t.path("p1.json").string()).code == 0);
  CHECK(t.Size() == before + 1);
}

TEST_CASE("party list and lot list", "[cli][usability]") {
  TempLedger t;
  BuildWeb(t);
  Run r = t.Cli("party list");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("cn-a\tCN\tproducer\tCN A"));
  CHECK(Lines(r.out) == 3);  // operator, cn-a, jp-b
  r = t.Cli("lot list --holder jp-b --json");
  REQUIRE(r.code == 0);
  CHECK(Lines(r.out) == 2);  // OX and MAG
  r = t.Cli("lot list --category re_magnet");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, StartsWith("MAG\tre_magnet\tjp-b"));
  CHECK(Lines(r.out) == 1);
}

TEST_CASE("key files: a public key given as --key, and a private key others can read",
          "[cli][usability]") {
  TempLedger t;
  BuildWeb(t);
  Run r = t.Cli("lot create --key " + t.path("cn.pub").string() +
                " --lot X --material ore --category re_ore --mass-g 5 --value 1 --origin CN");
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Contains("this is a public key"));
  fs::permissions(t.path("cn.key"), fs::perms::others_read, fs::perm_options::add);
  r = t.As("cn", "lot create --lot X --material ore --category re_ore --mass-g 5 --value 1 "
                 "--origin CN");
  CHECK(r.code == 0);
  CHECK_THAT(r.err, Contains("warning: " + t.path("cn.key").string() +
                             " is accessible to other users (mode 0604)"));
}

TEST_CASE("a writer waits for the lock with --wait, and says how when it does not",
          "[cli][usability]") {
  TempLedger t;
  BuildWeb(t);
  // A submit blocked on its input holds the write lock for 3 s.
  const std::string db = t.path("db").string();
  // It waits for the lock itself: the checkpoints below are writers too.
  std::string holder = "(sleep 3) | " + std::string(RL_BINARY) + " --db " + db +
                       " submit --wait 30 - >/dev/null 2>&1 &";
  REQUIRE(std::system(holder.c_str()) == 0);
  // Until the holder has the lock a checkpoint goes through (harmless); a
  // bounded number of tries, however slow the machine starts processes.
  Run busy;
  for (int i = 0; i < 100; ++i) {
    busy = t.Cli("checkpoint --operator-key " + t.path("op.key").string());
    if (busy.code != 0) break;
    std::system("sleep 0.2");  // leave the lock free for the holder's polls
  }
  CHECK(busy.code == 1);
  CHECK_THAT(busy.err, Contains("--wait SECONDS"));
  Run waited = t.Cli("checkpoint --wait 30 --operator-key " + t.path("op.key").string());
  INFO(waited.err);
  CHECK(waited.code == 0);
  CHECK_THAT(waited.out, Contains("test.example"));
}

TEST_CASE("cmake --install lays out bin/ and share/, and the installed binary finds its policies",
          "[cli][usability]") {
  TempLedger t;
  const fs::path prefix = t.path("prefix");
  Run r = t.Shell("cmake --install " + std::string(RL_BUILD_DIR) + " --prefix " + prefix.string());
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  REQUIRE(fs::exists(prefix / "bin" / "rareledger"));
  REQUIRE(fs::exists(prefix / "share" / "rareledger" / "policies" / "cn-mofcom-2025-61.json"));
  // A demo from the installed tree, with the source tree's policies hidden
  // behind an explicit, empty $RARELEDGER_POLICIES first: that must fail.
  r = t.Shell("cd " + t.path("").string() + " && RARELEDGER_POLICIES=/nonexistent " +
              (prefix / "bin" / "rareledger").string() + " --db d1 demo");
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Contains("RARELEDGER_POLICIES"));
  r = t.Shell("cd " + t.path("").string() + " && " + (prefix / "bin" / "rareledger").string() +
              " --db d2 demo");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Contains("MAG-1"));
  // The directory it chose is the installed one, not the source tree (the
  // error for an unknown policy name says where it looked).
  r = t.Shell("cd " + t.path("").string() + " && " + (prefix / "bin" / "rareledger").string() +
              " --db d2 assess MAG-1 --policy no-such-policy");
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Contains((prefix / "share" / "rareledger" / "policies").string()));
}

}  // namespace

namespace {

TEST_CASE("an unknown lot id suggests the near ones", "[cli][usability]") {
  TempLedger t;
  BuildWeb(t);
  Run r = t.Cli("show lot MAG2");
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Contains("no lot \"MAG2\" (did you mean MAG?)"));
  r = t.Cli("show lot NOTHING-LIKE-IT");
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Contains("no lot \"NOTHING-LIKE-IT\"\n"));
}

TEST_CASE("submit from a slow pipe commits each line as it arrives", "[cli][usability]") {
  TempLedger t;
  BuildWeb(t);
  Run a = t.As("cn", "lot create --lot S1 --material ore --category re_ore --mass-g 5 --value 1 "
                     "--origin CN --print");
  REQUIRE(a.code == 0);
  t.Write("a.json", a.out);
  // The second line is written only once the first is reported appended:
  // if submit held the first line back for more input, this would hang
  // until the (bounded) wait below gives up, and the test fails.
  const std::string fifo = t.path("in").string(), out = t.path("out").string();
  REQUIRE(t.Shell("mkfifo " + fifo).code == 0);
  const std::string script =
      "( (cat " + t.path("a.json").string() + "; "
      "for i in $(seq 1 200); do grep -q 'line 1: appended' " + out + " && break; sleep 0.05; done; "
      "grep -q 'line 1: appended' " + out + " && echo ok >" + t.path("seen").string() + ") >" + fifo +
      " & " + std::string(RL_BINARY) + " --db " + t.path("db").string() + " submit - <" + fifo +
      " >" + out + " )";
  Run r = t.Shell(script);
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(rareledger::cli_testing::Slurp(t.path("seen")) == "ok\n");
}

}  // namespace

namespace {

TEST_CASE("party add takes a GLN, checks its digit and keeps it unique", "[cli][usability]") {
  TempLedger t;
  BuildWeb(t);
  t.Keygen("de");
  t.Keygen("fr");
  const std::string add = "party add --country DE --roles manufacturer --pubkey ";
  Run r = t.As("op", add + t.path("de.pub").string() + " --id de-a --name 'DE A' --gln 4006381333932");
  CHECK(r.code == 1);  // check digit 1, not 2
  r = t.As("op", add + t.path("de.pub").string() + " --id de-a --name 'DE A' --gln 4006381333931");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(t.Cli("show party de-a --json").out, Contains("\"gln\":\"4006381333931\""));
  r = t.As("op", add + t.path("fr.pub").string() + " --id fr-a --name 'FR A' --gln 4006381333931");
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Contains("de-a"));
}

}  // namespace

namespace {

TEST_CASE("attestations are shown in show lot, trace and assess", "[cli][usability]") {
  TempLedger t;
  Run demo = t.Cli("demo");
  INFO(demo.err);
  REQUIRE(demo.code == 0);
  Run r = t.Cli("show lot DYOX-2026-001 --json");
  REQUIRE(r.code == 0);
  json lot = json::parse(r.out);
  REQUIRE(lot.at("attestations").size() == 1);
  CHECK(lot["attestations"][0]["auditor"] == "ch-audit");
  CHECK(lot["attestations"][0]["claim"] == "origin CN confirmed by mill certificate");
  CHECK(lot["attestations"][0]["detail"] == "site visit 2026-02-03");
  r = t.Cli("trace CAR-2026-40 --up");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("attested by ch-audit at entry"));
  r = t.Cli("assess DYOX-2026-001 --policy cn-mofcom-2025-61 --format json --as-of 2026-12-01");
  REQUIRE(r.code == 0);
  CHECK(json::parse(r.out).at("attestations").at(0).at("claim") ==
        "origin CN confirmed by mill certificate");
  r = t.Cli("assess DYOX-2026-001 --policy cn-mofcom-2025-61 --as-of 2026-12-01");
  CHECK_THAT(r.out, Contains("Attestations about DYOX-2026-001"));
  // A lot nobody attested has an empty list, and the records still verify.
  CHECK(json::parse(t.Cli("show lot MAG-1 --json").out).at("attestations").empty());
  CHECK(t.Cli("verify").code == 0);
}

}  // namespace
