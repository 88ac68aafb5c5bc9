// End-to-end tests of the real binary on temporary ledgers, with keys made
// by the openssl command line and signatures checked by it.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "ledger/crypto.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using rareledger::cli_testing::BuildWeb;
using rareledger::cli_testing::Run;
using rareledger::cli_testing::Slurp;
using rareledger::cli_testing::TempLedger;

}  // namespace

TEST_CASE("keygen writes a 0600 PKCS#8 key that openssl reads", "[cli]") {
  TempLedger t;
  t.Keygen("k");
  struct stat st {};
  REQUIRE(stat(t.path("k.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(t.Shell("openssl pkey -in " + t.path("k.key").string() + " -noout").code == 0);
  CHECK(t.Shell("openssl pkey -pubin -in " + t.path("k.pub").string() + " -noout").code == 0);
  // A second keygen to the same name is refused and leaves the key alone.
  std::string before = Slurp(t.path("k.key"));
  CHECK(t.Cli("keygen --out " + t.path("k").string()).code == 1);
  CHECK(Slurp(t.path("k.key")) == before);
}

TEST_CASE("a signature made by `sign` verifies with openssl pkeyutl -rawin", "[cli]") {
  TempLedger t;
  REQUIRE(t.Shell("openssl genpkey -algorithm ed25519 -out " + t.path("k.key").string()).code == 0);
  REQUIRE(t.Shell("openssl pkey -in " + t.path("k.key").string() + " -pubout -out " +
                  t.path("k.pub").string()).code == 0);
  t.Write("p.json", R"({"type":"transfer","lot":"L1","to":"b","ledger":"x","party":"a","seq":1,
                       "time":"2026-01-01T00:00:00Z"})");
  Run r = t.Cli("sign --key " + t.path("k.key").string() + " " + t.path("p.json").string());
  INFO(r.err);
  REQUIRE(r.code == 0);
  json env = json::parse(r.out);
  // The signed bytes are the canonical payload: keys sorted, no spaces.
  std::string msg = env.at("payload").dump();
  CHECK(msg.find(' ') == std::string::npos);
  t.Write("msg", msg);
  auto sig = rareledger::ledger::Base64Decode(env.at("sig").get<std::string>());
  REQUIRE(sig.ok());
  t.Write("sig", *sig);
  std::string verify = "openssl pkeyutl -verify -pubin -inkey " + t.path("k.pub").string() +
                       " -rawin -in " + t.path("msg").string() + " -sigfile " +
                       t.path("sig").string();
  CHECK(t.Shell(verify).code == 0);
  t.Write("msg", msg + " ");
  CHECK(t.Shell(verify).code != 0);
}

TEST_CASE("a supply web through the shortcuts, then reads", "[cli]") {
  TempLedger t;
  BuildWeb(t);
  CHECK(t.Size() == 6);
  Run r = t.Cli("show lot MAG --json");
  REQUIRE(r.code == 0);
  json lot = json::parse(r.out);
  CHECK(lot.at("holder") == "jp-b");
  CHECK(lot.at("made_in") == "JP");
  r = t.Cli("show lot OX --json");
  CHECK(json::parse(r.out).at("remaining_g") == 900);
  r = t.Cli("log --json --from 2 --limit 2");
  REQUIRE(r.code == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 2);
  CHECK(t.Cli("verify").code == 0);
}

TEST_CASE("rejected entries exit 1, name the rule and change nothing", "[cli]") {
  TempLedger t;
  BuildWeb(t);
  const uint64_t size = t.Size();
  Run r = t.As("cn", "transfer --lot OX --to cn-a");  // jp-b holds it now
  CHECK(r.code == 1);
  CHECK(r.err.find("only the holder") != std::string::npos);
  r = t.As("jp", "transform --process magnet_manufacturing --facility-country JP --input OX=901 "
                 "--output '{\"lot\":\"MAG2\",\"material\":\"m\",\"category\":\"re_magnet\","
                 "\"mass_g\":1,\"value\":1}'");
  CHECK(r.code == 1);
  CHECK(r.err.find("remain") != std::string::npos);
  t.Write("bad.jsonl", "{\"payload\": {\"a\": 1.5}, \"sig\": \"\"}\n");
  r = t.Cli("submit " + t.path("bad.jsonl").string());
  CHECK(r.code == 1);
  CHECK(r.err.find("line 1") != std::string::npos);
  CHECK(t.Size() == size);
  CHECK(t.Cli("show lot NOPE").code == 1);
  CHECK(t.Cli("status --no-such-flag").code == 2);
  CHECK(t.Cli("frobnicate").code == 2);
}

TEST_CASE("submit skips envelopes already present and reports their index", "[cli]") {
  TempLedger t;
  BuildWeb(t);
  Run r = t.Cli("log --json");
  REQUIRE(r.code == 0);
  // Re-submit every logged envelope: all are reported present, none appended.
  std::string lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    json e = json::parse(line);
    lines += json{{"payload", e.at("payload")}, {"sig", e.at("sig")}}.dump() + "\n";
  }
  t.Write("again.jsonl", lines);
  r = t.Cli("submit --json " + t.path("again.jsonl").string());
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("\"status\":\"appended\"") == std::string::npos);
  CHECK(r.out.find("\"index\":5,\"line\":6") != std::string::npos);
  CHECK(t.Size() == 6);
}

TEST_CASE("checkpoint, export and verify-bundle pass and a tampered bundle fails", "[cli]") {
  TempLedger t;
  BuildWeb(t);
  Run r = t.Cli("checkpoint --operator-key " + t.path("op.key").string());
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("test.example\n6\n", 0) == 0);
  CHECK(t.Cli("checkpoint --operator-key " + t.path("cn.key").string()).code == 1);
  REQUIRE(t.Cli("export " + t.path("bundle").string()).code == 0);
  CHECK(fs::exists(t.path("bundle/keys/jp-b.pub")));
  r = t.Shell(std::string(RL_BINARY) + " verify-bundle " + t.path("bundle").string());
  INFO(r.err);
  CHECK(r.code == 0);
  std::string entries = Slurp(t.path("bundle/entries.jsonl"));
  size_t at = entries.find("\"value\":40000");
  REQUIRE(at != std::string::npos);
  entries.replace(at, 13, "\"value\":40001");
  t.Write("bundle/entries.jsonl", entries);
  r = t.Shell(std::string(RL_BINARY) + " verify-bundle " + t.path("bundle").string());
  CHECK(r.code == 1);
  CHECK(r.err.find("entry 4") != std::string::npos);
}

TEST_CASE("demo builds a fresh ledger and explains the magnet's licence", "[cli]") {
  TempLedger t;
  Run r = t.Cli("demo");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("LICENCE REQUIRED") != std::string::npos);
  CHECK(t.Cli("verify").code == 0);
  CHECK(t.Cli("demo").code == 1);  // refuses to reuse an existing ledger
}

namespace {

TEST_CASE("lot correct: the creator corrects, show lot and assess show it, verify replays it",
          "[cli][corrections]") {
  TempLedger t;
  BuildWeb(t);  // OX: cn-a's Dy oxide, 100 g of it in jp-b's magnet MAG
  // Wrong vocabulary: exit 1 with the suggestion, nothing appended.
  const uint64_t size = t.Size();
  Run r = t.As("cn", "lot correct --lot OX --category oxide --reason typo");
  CHECK(r.code == 1);
  CHECK(r.err.find("(did you mean re_oxide?)") != std::string::npos);
  r = t.As("cn", "lot correct --lot OX --reason nothing");
  CHECK(r.code == 2);
  r = t.As("jp", "lot correct --lot OX --hs 2846 --reason not-mine");
  CHECK(r.code == 1);
  CHECK(r.err.find("only the creator (cn-a)") != std::string::npos);
  CHECK(t.Size() == size);

  r = t.As("cn", "lot correct --lot OX --category re_magnet --element Dy=600 --element Nd=100 "
                 "--reason 'magnet scrap, not oxide'");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("appended as entry " + std::to_string(size)) != std::string::npos);
  r = t.Cli("show lot OX --json");
  REQUIRE(r.code == 0);
  json lot = json::parse(r.out);
  CHECK(lot.at("category") == "re_magnet");
  CHECK(lot.at("elements") == json({{"Dy", 600}, {"Nd", 100}}));
  CHECK(lot.at("elements_remaining") == json({{"Dy", 540}, {"Nd", 90}}));
  CHECK(lot.at("uncorrected").at("category") == "re_oxide");
  CHECK(lot.at("corrections").at(0).at("entry") == size);
  CHECK(lot.at("corrections").at(0).at("reason") == "magnet scrap, not oxide");

  // The magnet was made before the correction: its assessment reads the
  // corrected oxide, and says the outcome changed.
  r = t.Cli("assess MAG --policy " + std::string(RL_POLICIES_DIR) +
            "/cn-mofcom-2025-61.json --as-of 2026-12-01 --format json");
  INFO(r.err);
  REQUIRE(r.code == 0);
  json a = json::parse(r.out);
  CHECK(a.at("corrections").size() == 1);
  bool changed = false;
  for (const auto& w : a.at("warnings"))
    changed = changed || w.get<std::string>().find("changed this determination") != std::string::npos;
  CHECK(changed);
  r = t.Cli("trace MAG --up");
  CHECK(r.out.find("corrected by entry " + std::to_string(size)) != std::string::npos);
  CHECK(t.Cli("verify").code == 0);
}

TEST_CASE("a key held by a party cannot be registered again, and the error names it", "[cli]") {
  TempLedger t;
  BuildWeb(t);
  Run r = t.As("op", "party add --id cn-c --name 'CN C' --country CN --roles producer --pubkey " +
                         t.path("cn.pub").string());
  CHECK(r.code == 1);
  CHECK(r.err.find("pubkey is already the key of party \"cn-a\" (since entry 1)") !=
        std::string::npos);
  r = t.As("op", "party add --id uk-a --name 'UK A' --country UK --roles producer --pubkey " +
                     t.path("jp.pub").string());
  CHECK(r.code == 1);
  CHECK(r.err.find("(did you mean GB?)") != std::string::npos);
}

}  // namespace
