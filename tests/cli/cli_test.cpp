// End-to-end tests of the real binary on temporary ledgers, with keys made
// by the openssl command line and signatures checked by it.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/store.h"

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

// `checkpoint` into a file; returns its path.
std::string SaveCheckpoint(TempLedger& t, const std::string& name) {
  Run r = t.Cli("checkpoint --operator-key " + t.path("op.key").string());
  INFO(r.err);
  REQUIRE(r.code == 0);
  t.Write(name, r.out);
  return t.path(name).string();
}

// The sha256 fingerprint of a PEM public key, as docs/auditing.md computes it.
std::string OpensslFingerprint(TempLedger& t, const std::string& pub) {
  Run r = t.Shell("openssl pkey -pubin -in " + t.path(pub).string() +
                  " -outform DER | tail -c 32 | sha256sum | cut -c 1-64");
  REQUIRE(r.code == 0);
  REQUIRE(r.out.size() == 65);
  return r.out.substr(0, 64);
}

json OneJsonObject(const Run& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  json j = json::parse(r.out);
  REQUIRE(j.is_object());
  for (const char* k : {"ok", "entries", "checkpoints", "uncovered", "root", "error"})
    CHECK(j.contains(k));
  return j;
}

}  // namespace

TEST_CASE("verify --json and verify-bundle --json print one object, on failure too", "[cli]") {
  TempLedger t;
  BuildWeb(t);
  SaveCheckpoint(t, "cp");
  Run r = t.Cli("verify --json");
  CHECK(r.code == 0);
  json j = OneJsonObject(r);
  CHECK(j["ok"] == true);
  CHECK(j["entries"] == 6);
  CHECK(j["checkpoints"] == 1);
  CHECK(j["uncovered"] == 0);
  CHECK(j["root"] == json::parse(t.Cli("status --json").out)["root"]);
  CHECK(j["error"].is_null());
  REQUIRE(t.Cli("export " + t.path("bundle").string()).code == 0);
  const std::string bundle_cmd = std::string(RL_BINARY) + " verify-bundle --json " +
                                 t.path("bundle").string();
  j = OneJsonObject(t.Shell(bundle_cmd));
  CHECK(j["ok"] == true);
  CHECK(j["entries"] == 6);
  CHECK(j["operator_key_pinned"] == false);

  // An insider's extra leaf far past the log's size.
  {
    auto store = rareledger::ledger::Store::Open(t.path("db").string(),
                                                 rareledger::ledger::Store::Mode::kReadWrite);
    REQUIRE(store.ok());
    REQUIRE((*store)->RawPut("entries", std::string(7, '\0') + "\x28", "{}").ok());
  }
  r = t.Cli("verify --json");
  CHECK(r.code == 1);
  j = OneJsonObject(r);
  CHECK(j["ok"] == false);
  CHECK(j["entries"].is_null());
  CHECK_THAT(j["error"].get<std::string>(), Catch::Contains("entry 40"));
  CHECK(t.Cli("verify").code == 1);

  std::string entries = Slurp(t.path("bundle/entries.jsonl"));
  entries.replace(entries.find("\"value\":40000"), 13, "\"value\":40001");
  t.Write("bundle/entries.jsonl", entries);
  r = t.Shell(bundle_cmd);
  CHECK(r.code == 1);
  j = OneJsonObject(r);
  CHECK(j["ok"] == false);
  CHECK_THAT(j["error"].get<std::string>(), Catch::Contains("entry 4"));
  // No ledger at all: still one object.
  r = t.Shell(std::string(RL_BINARY) + " --db " + t.path("nope").string() + " verify --json");
  CHECK(r.code == 1);
  CHECK(OneJsonObject(r)["ok"] == false);
}

TEST_CASE("verify-bundle says what trust rests on, and --operator-key pins it", "[cli]") {
  TempLedger t;
  BuildWeb(t);
  SaveCheckpoint(t, "cp");
  REQUIRE(t.Shell("openssl pkey -in " + t.path("op.key").string() + " -pubout -out " +
                  t.path("op.pub").string()).code == 0);
  REQUIRE(t.Cli("export " + t.path("bundle").string()).code == 0);
  const std::string vb = std::string(RL_BINARY) + " verify-bundle " + t.path("bundle").string();
  const std::string op_fp = OpensslFingerprint(t, "op.pub");
  Run r = t.Shell(vb);
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("trust: rests on the bundle's own operator.pub"));
  CHECK_THAT(r.out, Catch::Contains("sha256 " + op_fp));
  r = t.Shell(vb + " --operator-key " + t.path("op.pub").string());
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("pinned operator key, sha256 " + op_fp));
  // Another key pinned: exit 1 naming both fingerprints.
  r = t.Shell(vb + " --operator-key " + t.path("cn.pub").string());
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("entry 0 registers operator key sha256 " + op_fp));
  CHECK_THAT(r.err, Catch::Contains("pinned operator key (sha256 " + OpensslFingerprint(t, "cn.pub")));
  // A bundle whose operator.pub was swapped, with the right key pinned.
  fs::copy_file(t.path("cn.pub"), t.path("bundle/operator.pub"), fs::copy_options::overwrite_existing);
  r = t.Shell(vb + " --operator-key " + t.path("op.pub").string());
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("operator.pub holds key sha256"));
  CHECK(t.Shell(vb + " --operator-key " + t.path("missing.pub").string()).code == 1);
}

TEST_CASE("checkpoint --vkey and verify-proof check printed proofs offline", "[cli]") {
  TempLedger t;
  BuildWeb(t);
  const std::string cp6 = SaveCheckpoint(t, "cp6");
  REQUIRE(t.As("cn", "lot create --lot OX2 --material m --category re_oxide --mass-g 5 --value 1 "
                     "--origin CN").code == 0);
  const std::string cp7 = SaveCheckpoint(t, "cp7");
  Run r = t.Cli("checkpoint --vkey");
  REQUIRE(r.code == 0);
  const std::string vkey = r.out.substr(0, r.out.size() - 1);
  CHECK(vkey.rfind("test.example+", 0) == 0);
  CHECK(t.Cli("checkpoint --vkey --list").code == 2);
  REQUIRE(t.Cli("export " + t.path("bundle").string()).code == 0);
  std::istringstream lines(Slurp(t.path("bundle/entries.jsonl")));
  std::string line;
  for (int i = 0; i <= 3; ++i) std::getline(lines, line);
  t.Write("entry3", line + "\n");

  const std::string vp = std::string(RL_BINARY) + " verify-proof ";
  const std::string entry3 = "--entry " + t.path("entry3").string();
  auto inclusion = [&](const std::string& proof, const std::string& cp, const std::string& vk,
                       const std::string& leaf) {
    t.Write("proof.json", proof);
    return t.Shell(vp + "inclusion --checkpoint " + cp + " --vkey '" + vk + "' " + leaf +
                   " --index 3 " + t.path("proof.json").string());
  };
  r = t.Cli("prove inclusion --index 3 --size 6");
  REQUIRE(r.code == 0);
  const std::string proof6 = r.out;
  r = inclusion(proof6, cp6, vkey, entry3);
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("verify-proof: ok: entry 3"));
  const std::string leaf_hash = json::parse(t.Cli("show entry 3 --json").out)["leaf_hash"];
  CHECK(inclusion(proof6, cp6, vkey, "--leaf-hash " + leaf_hash).code == 0);
  t.Write("vkey.txt", vkey + "\n");
  CHECK(inclusion(proof6, cp6, t.path("vkey.txt").string(), entry3).code == 0);

  // Failures: a wrong vkey, a tampered proof, a proof for another size,
  // another entry, both or neither of --entry and --leaf-hash.
  auto cn = rareledger::ledger::PublicKey::FromPemFile(t.path("cn.pub").string());
  REQUIRE(cn.ok());
  r = inclusion(proof6, cp6, rareledger::ledger::VerifierKey("test.example", *cn), entry3);
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("no signature by"));
  json tampered = json::parse(proof6);
  tampered["path"][0] = std::string(64, 'a');
  r = inclusion(tampered.dump(), cp6, vkey, entry3);
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("does not verify"));
  r = inclusion(t.Cli("prove inclusion --index 3").out, cp6, vkey, entry3);
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("the proof is for a log of size 7, the checkpoint commits to size 6"));
  r = inclusion(proof6, cp6, vkey, "--leaf-hash " + std::string(64, '0'));
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("leaf hash"));
  CHECK(inclusion(proof6, cp6, vkey, "").code == 2);
  CHECK(inclusion(proof6, cp6, vkey, "--leaf-hash " + leaf_hash + " " + entry3).code == 2);

  // Consistency from the size-6 checkpoint to the size-7 one.
  r = t.Cli("prove consistency --old 6 --new 7");
  REQUIRE(r.code == 0);
  t.Write("cons.json", r.out);
  const std::string cons = vp + "consistency --vkey '" + vkey + "' " + t.path("cons.json").string();
  r = t.Shell(cons + " --old-checkpoint " + cp6 + " --checkpoint " + cp7);
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("the log of size 6"));
  r = t.Shell(cons + " --old-checkpoint " + cp7 + " --checkpoint " + cp6);
  CHECK(r.code == 1);
  json bad = json::parse(Slurp(t.path("cons.json")));
  bad["path"][0] = std::string(64, 'b');
  t.Write("cons.json", bad.dump());
  r = t.Shell(cons + " --old-checkpoint " + cp6 + " --checkpoint " + cp7);
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("does not verify"));
}

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
