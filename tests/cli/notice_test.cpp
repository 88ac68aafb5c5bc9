// Compliance Notices through the real binary: `notice` makes one from a
// ledger, `verify-notice` checks it offline; each way of forging or
// misusing one fails naming why (graph/notice.h, docs/formats.md).
//
// Each test case builds its ledgers once and runs its cases in blocks, in
// an order where those that change the ledger come last (SECTIONs would
// rebuild the ledgers for each, which under the sanitizers costs minutes).
#include <catch2/catch.hpp>

#include "graph/notice.h"
#include "ledger/canonical_json.h"
#include "ledger/cosignature.h"
#include "ledger/encoding.h"
#include "ledger/signer.h"
#include "tests/cli/cli_util.h"

namespace rareledger::cli_testing {
namespace {

// op.pub, the operator's public key, as a recipient gets it (openssl).
void WriteOperatorPub(const TempLedger& t) {
  REQUIRE(t.Shell("openssl pkey -in " + t.path("op.key").string() + " -pubout -out " +
                  t.path("op.pub").string()).code == 0);
}

// BuildWeb, an unrelated lot (so not every entry is cited), a recipient
// de-c, and a checkpoint of the whole log. `time`: the last two entries'.
void NoticeWeb(TempLedger& t, const std::string& time = "") {
  BuildWeb(t);
  t.Keygen("de");
  const std::string at = time.empty() ? "" : " --time " + time;
  REQUIRE(t.As("cn", "lot create --lot OTHER --material 'Tb oxide' --category re_oxide "
                     "--mass-g 10 --value 900 --origin CN --element Tb=8" + at).code == 0);
  REQUIRE(t.As("op", "party add --id de-c --name 'DE C' --country DE --roles manufacturer "
                     "--pubkey " + t.path("de.pub").string() + at).code == 0);
  REQUIRE(t.Cli("checkpoint --operator-key " + t.path("op.key").string()).code == 0);
  WriteOperatorPub(t);
}

Run MakeNotice(const TempLedger& t, const std::string& key, const std::string& extra = "") {
  return t.Cli("notice MAG --policy cn-mofcom-2025-61 --to de-c --key " +
               t.path(key + ".key").string() + " --out " + t.path("n.json").string() + " " + extra);
}

json Notice(const TempLedger& t) { return json::parse(Slurp(t.path("n.json"))); }

Run VerifyNotice(const TempLedger& t, const json& notice, const std::string& extra = "") {
  t.Write("check.json", notice.dump(2));
  return t.Cli("verify-notice " + t.path("check.json").string() + " --operator-key " +
               t.path("op.pub").string() + " " + extra);
}

// verify-notice exits 1, its one-line error naming `why`.
void ExpectFailure(const TempLedger& t, const json& notice, const std::string& why,
                   const std::string& extra = "") {
  Run v = VerifyNotice(t, notice, extra);
  INFO(v.err);
  CHECK(v.code == 1);
  CHECK(v.err.find(why) != std::string::npos);
}

// Re-signs a changed notice with the holder's key, as a dishonest holder
// (or one that fetched a cosigned checkpoint) would.
json Resign(const TempLedger& t, json notice, const std::string& key) {
  notice.erase("signature");
  auto signer = ledger::Signer::FromPemFile(t.path(key + ".key").string());
  REQUIRE(signer.ok());
  auto sig = signer->Sign(std::string(graph::kNoticeDomain) + ledger::Canonicalize(notice));
  REQUIRE(sig.ok());
  notice["signature"] = ledger::Base64Encode(*sig);
  return notice;
}

TEST_CASE("notice: verify-notice accepts a fresh notice, and it says what assess says",
          "[cli][notice]") {
  TempLedger t;
  NoticeWeb(t);
  Run r = MakeNotice(t, "jp");
  INFO(r.err);
  REQUIRE(r.code == 0);
  json n = Notice(t);
  Run a = t.Cli("assess MAG --policy cn-mofcom-2025-61 --to de-c --as-of " + graph::TodayUtc() +
                " --json");
  REQUIRE(a.code == 0);
  json assessed = json::parse(a.out);
  CHECK(n["notice"] == graph::kNoticeFormat);
  CHECK(n["lot"] == "MAG");
  CHECK(n["from"] == "jp-b");
  CHECK(n["to"] == "de-c");
  CHECK(n["ratio"] == assessed["ratio"]);
  CHECK(n["verdict"] == assessed["verdict"]);
  CHECK(n["policy_sha256"] == assessed["policy_sha256"]);
  // Cited: the cone, custody, registrations, the newest entry; not OTHER.
  std::set<uint64_t> cited;
  for (const auto& p : n["proofs"]) cited.insert(p["index"].get<uint64_t>());
  const uint64_t size = t.Size();
  CHECK(cited.count(0) == 1);
  CHECK(cited.count(size - 1) == 1);  // de-c's registration, the newest entry
  CHECK(cited.count(size - 2) == 0);  // OTHER's creation: not in MAG's cone
  CHECK(cited.size() == size - 1);
  Run v = VerifyNotice(t, n);
  INFO(v.err);
  CHECK(v.code == 0);
  CHECK(v.out.find("notice ok: MAG from jp-b to de-c under CN-MOFCOM-2025-61") == 0);
  Run j = VerifyNotice(t, n, "--json");
  REQUIRE(j.code == 0);
  json report = json::parse(j.out);
  CHECK(report["ok"] == true);
  CHECK(report["entries"] == cited.size());
  CHECK(report["checkpoint_size"] == size);
  CHECK(v.err.empty());  // nothing to warn about
}

TEST_CASE("notice: a changed field fails the holder's signature, naming it", "[cli][notice]") {
  TempLedger t;
  NoticeWeb(t);
  REQUIRE(MakeNotice(t, "jp").code == 0);
  const json n = Notice(t);
  {  // the ratio, in both places
    json f = n;
    f["ratio"] = "0/1";
    f["assessment"]["ratio"] = "0/1";
    ExpectFailure(t, f, "the notice's signature does not verify with jp-b's key");
  }
  {  // the verdict, only at the top
    json f = n;
    f["verdict"] = "not_required";
    ExpectFailure(t, f, "the notice's verdict is not the assessment's verdict");
  }
  {  // the recipient, re-signed by the holder: de-c's registration is cited, x-y is not
    json f = n;
    f["to"] = "x-y";
    f["assessment"]["to"] = "x-y";
    ExpectFailure(t, Resign(t, f, "jp"), "does not cite the registration of its recipient x-y");
  }
  {  // the sender: another party's key cannot sign for the holder
    json f = n;
    f["from"] = "cn-a";
    f["assessment"]["holder"] = "cn-a";
    ExpectFailure(t, Resign(t, f, "cn"), "per the cited entries MAG is held by jp-b, not cn-a");
  }
  {  // a cited leaf
    json f = n;
    std::string leaf = f["proofs"][1]["leaf"];
    leaf.replace(leaf.find("\"seq\":"), 7, "\"seq\":9");
    f["proofs"][1]["leaf"] = leaf;
    ExpectFailure(t, f, "the proof of entry 1 does not verify against the checkpoint");
  }
  {  // a dropped proof: the entries it signed lose their key
    json f = n;
    json kept = json::array();
    for (const auto& p : f["proofs"])
      if (p["leaf"].get<std::string>().find("\"id\":\"jp-b\"") == std::string::npos) kept.push_back(p);
    REQUIRE(kept.size() + 1 == f["proofs"].size());
    f["proofs"] = kept;
    ExpectFailure(t, Resign(t, f, "jp"),
                  "is signed by party jp-b, whose registration the notice does not cite");
  }
  {  // not a notice at all
    ExpectFailure(t, json{{"lot", "MAG"}}, "not a compliance notice");
  }
}

TEST_CASE("notice: a proof or checkpoint from another log fails", "[cli][notice]") {
  TempLedger a, b;
  NoticeWeb(a);
  NoticeWeb(b);  // same ledger id and shape, other keys: another log
  REQUIRE(MakeNotice(a, "jp").code == 0);
  REQUIRE(MakeNotice(b, "jp").code == 0);
  const json na = Notice(a), nb = Notice(b);
  {  // a proof of b's log in a's notice
    json f = na;
    f["proofs"][2] = nb["proofs"][2];
    ExpectFailure(a, f, "the proof of entry " + std::to_string(nb["proofs"][2]["index"].get<int>()) +
                     " does not verify against the checkpoint");
  }
  {  // b's checkpoint in a's notice, re-signed
    json f = na;
    f["checkpoint"] = nb["checkpoint"];
    ExpectFailure(a, Resign(a, f, "jp"), "the checkpoint is not signed by the operator key given");
  }
  {  // b's whole notice, checked with a's operator key
    ExpectFailure(a, nb, "the checkpoint is not signed by the operator key given");
  }
}

TEST_CASE("notice: an expired notice or checkpoint fails naming the dates", "[cli][notice]") {
  TempLedger t;
  NoticeWeb(t, "2026-01-05T10:00:00Z");  // the newest entries are old
  Run r = MakeNotice(t, "jp");
  REQUIRE(r.code == 0);
  CHECK(r.err.find("warning: a recipient checking this notice with the defaults would refuse it: "
                   "the checkpoint has expired") != std::string::npos);
  const json n = Notice(t);
  ExpectFailure(t, n, "the checkpoint has expired: its newest entry dates it 2026-01-05T10:00:00Z, "
                   "more than 30 days before " + graph::TodayUtc());
  CHECK(VerifyNotice(t, n, "--max-checkpoint-age 100000").code == 0);

  {  // past valid_until
    ExpectFailure(t, n, "the notice expired on " + n["valid_until"].get<std::string>(),
                  "--max-checkpoint-age 100000 --at 2099-01-01");
  }
  {  // a witness's recent cosignature dates a quiet log's checkpoint
    auto w = ledger::Signer::Generate();
    REQUIRE(w.ok());
    const std::string vkey = ledger::CosignerVerifierKey("w.example/w", w->public_key());
    const std::string note = n["checkpoint"];
    auto when = graph::DayNumber(n["issued"].get<std::string>().substr(0, 10));
    REQUIRE(when);
    auto line = ledger::Cosign(note, "w.example/w", *w, static_cast<uint64_t>(*when) * 86400);
    REQUIRE(line.ok());
    json f = n;
    f["checkpoint"] = note + *line;
    f = Resign(t, f, "jp");
    Run ok = VerifyNotice(t, f, "--witness-vkey " + vkey);
    INFO(ok.err);
    CHECK(ok.code == 0);
    CHECK(ok.out.find("by the cosignature of witness w.example/w") != std::string::npos);
    CHECK(VerifyNotice(t, f).code == 1);  // without trusting the witness: still expired
    auto other = ledger::Signer::Generate();
    REQUIRE(other.ok());
    Run missing = VerifyNotice(
        t, f, "--witness-vkey " + ledger::CosignerVerifierKey("v.example/v", other->public_key()) +
                  " --max-checkpoint-age 100000");
    CHECK(missing.code == 1);  // a quorum of witnesses asked for and missing
  }
}

TEST_CASE("notice: misuse is refused and writes nothing", "[cli][notice]") {
  TempLedger t;
  NoticeWeb(t);
  {  // a key that is not the holder's
    Run r = MakeNotice(t, "cn");
    CHECK(r.code == 1);
    CHECK(r.err.find("the key given is party cn-a's current key, but MAG is held by jp-b") !=
          std::string::npos);
  }
  {  // an unknown recipient
    Run r = t.Cli("notice MAG --policy cn-mofcom-2025-61 --to nobody --key " +
                  t.path("jp.key").string() + " --out " + t.path("n.json").string());
    CHECK(r.code == 1);
    CHECK(r.err.find("nobody") != std::string::npos);
  }
  {  // the holder as recipient
    Run r = t.Cli("notice MAG --policy cn-mofcom-2025-61 --to jp-b --key " +
                  t.path("jp.key").string() + " --out " + t.path("n.json").string());
    CHECK(r.code == 1);
    CHECK(r.err.find("a notice goes to the next recipient, not to its holder") != std::string::npos);
  }
  {  // a determination date in the past
    Run r = MakeNotice(t, "jp", "--as-of 2020-01-01");
    CHECK(r.code == 1);
    CHECK(r.err.find("a notice is for a shipment from now on") != std::string::npos);
  }
  {  // a bad date is a usage error
    Run r = MakeNotice(t, "jp", "--valid-until 2026-02-30");
    CHECK(r.code == 2);
  }
  {  // a log past its latest checkpoint
    REQUIRE(t.As("cn", "lot create --lot MORE --material x --category other --mass-g 1 --value 1 "
                       "--origin CN").code == 0);
    Run r = MakeNotice(t, "jp");
    CHECK(r.code == 1);
    CHECK(r.err.find("the operator must sign a checkpoint of the whole log first") !=
          std::string::npos);
  }
  CHECK_FALSE(fs::exists(t.path("n.json")));
}

TEST_CASE("notice: --recompute catches a false determination the holder signed", "[cli][notice]") {
  TempLedger t, other;
  NoticeWeb(t);
  NoticeWeb(other);
  REQUIRE(MakeNotice(t, "jp").code == 0);
  const json n = Notice(t);
  Run honest = VerifyNotice(t, n, "--recompute");
  INFO(honest.err);
  CHECK(honest.code == 0);
  CHECK(honest.out.find("recomputed from the log at --db, at the checkpoint: the same "
                        "determination") != std::string::npos);

  json f = n;  // a false ratio, consistent and signed by the holder
  f["ratio"] = "0/1";
  f["assessment"]["ratio"] = "0/1";
  f = Resign(t, f, "jp");
  CHECK(VerifyNotice(t, f).code == 0);  // offline this cannot be told
  ExpectFailure(t, f, "--recompute: recomputed from the log at the checkpoint (size " +
                        std::to_string(t.Size()) + "), ratio is \"" +
                        n["ratio"].get<std::string>() + "\", not \"0/1\" as the notice says",
                "--recompute");

  {  // another log with the same id does not contain the checkpoint
    t.Write("check.json", n.dump());
    Run v = other.Cli("verify-notice " + t.path("check.json").string() + " --operator-key " +
                      t.path("op.pub").string() + " --recompute");
    CHECK(v.code == 1);
    CHECK(v.err.find("the log given does not contain the notice's checkpoint") != std::string::npos);
  }
  {  // a forged summary or rule reason is a difference too
    json g = n;
    g["summary"] = "CN-MOFCOM-2025-61: NO LICENCE REQUIRED";
    ExpectFailure(t, Resign(t, g, "jp"), "the summary is", "--recompute");
    json h = n;
    h["assessment"]["rules"][0]["reason"] = "no reason";
    ExpectFailure(t, Resign(t, h, "jp"), "rules is", "--recompute");
  }
  {  // a log grown since: the determination at the checkpoint still holds, with a warning
    REQUIRE(t.As("jp", "transfer --lot MAG --to cn-a").code == 0);
    Run v = VerifyNotice(t, n, "--recompute");
    INFO(v.err);
    CHECK(v.code == 0);
    CHECK(v.err.find("the log has grown to " + std::to_string(t.Size()) +
                     " entries, and MAG is now held by cn-a") != std::string::npos);
  }
}

TEST_CASE("notice: a rotated-out key and a revoked party", "[cli][notice]") {
  TempLedger t;
  NoticeWeb(t);
  REQUIRE(MakeNotice(t, "jp").code == 0);
  const json before = Notice(t);
  t.Keygen("jp2");
  REQUIRE(t.As("jp", "key rotate --new-pubkey " + t.path("jp2.pub").string()).code == 0);
  REQUIRE(t.As("cn", "lot create --lot AFTER --material x --category other --mass-g 1 --value 1 "
                     "--origin CN").code == 0);  // the newest entry is not the rotation
  REQUIRE(t.Cli("checkpoint --operator-key " + t.path("op.key").string()).code == 0);
  {  // the new key signs and verifies; the old one is refused
    Run r = MakeNotice(t, "jp2");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(VerifyNotice(t, Notice(t), "--recompute").code == 0);
    CHECK(MakeNotice(t, "jp").code == 1);
  }
  {  // the old key on a new checkpoint, its rotation left out: only --recompute sees it
    REQUIRE(MakeNotice(t, "jp2").code == 0);
    json f = Notice(t);
    json kept = json::array();
    for (const auto& p : f["proofs"])
      if (p["leaf"].get<std::string>().find("\"type\":\"rotate_key\"") == std::string::npos)
        kept.push_back(p);
    REQUIRE(kept.size() + 1 == f["proofs"].size());
    f["proofs"] = kept;
    f = Resign(t, f, "jp");
    CHECK(VerifyNotice(t, f).code == 0);  // offline, the rotation is not seen
    ExpectFailure(t, f, "is not signed with jp-b's key at the checkpoint per the log", "--recompute");
  }
  {  // a notice made before the rotation still verifies, on its own checkpoint
    CHECK(VerifyNotice(t, before, "--recompute").code == 0);
  }
  {  // a revoked recipient: no notice is made, and a cited revocation fails one
    REQUIRE(t.As("op", "party revoke --id de-c --reason 'contract ended'").code == 0);
    REQUIRE(t.Cli("checkpoint --operator-key " + t.path("op.key").string()).code == 0);
    Run r = MakeNotice(t, "jp2");
    CHECK(r.code == 1);
    CHECK(r.err.find("the recipient de-c was revoked at entry") != std::string::npos);
    Run v = VerifyNotice(t, before, "--recompute");  // its checkpoint predates the revocation
    CHECK(v.code == 0);
  }
}

TEST_CASE("notice: a licence covers the shipment, checked offline", "[cli][notice]") {
  TempLedger t;
  BuildWeb(t);
  t.Keygen("reg");
  WriteOperatorPub(t);
  REQUIRE(t.As("op", "party add --id mofcom --name MOFCOM --country CN --roles regulator --pubkey " +
                         t.path("reg.pub").string()).code == 0);
  REQUIRE(t.As("cn", "lot create --lot TB --material 'Tb oxide' --category re_oxide --mass-g 100 "
                     "--value 10000 --origin CN --element Tb=85").code == 0);
  const int64_t today = *graph::DayNumber(graph::TodayUtc());
  const std::string from = graph::DateOfDay(today - 10), to = graph::DateOfDay(today + 20);
  t.Write("licence.json", json{{"type", "licence"}, {"licence", "GL-1"}, {"authority", "MOFCOM"},
                               {"policy", "CN-MOFCOM-2025-18"}, {"licensee", "cn-a"},
                               {"kind", "general"}, {"scope", {{"categories", {"re_oxide"}}}},
                               {"valid", {{"from", from}, {"to", to}}}}.dump());
  Run envelope = t.Cli("sign --key " + t.path("reg.key").string() + " " +
                       t.path("licence.json").string());
  INFO(envelope.err);
  REQUIRE(envelope.code == 0);
  t.Write("env.json", envelope.out);
  REQUIRE(t.Cli("submit " + t.path("env.json").string()).code == 0);
  REQUIRE(t.Cli("checkpoint --operator-key " + t.path("op.key").string()).code == 0);
  Run r = t.Cli("notice TB --policy cn-mofcom-2025-18 --to jp-b --key " + t.path("cn.key").string() +
                " --out " + t.path("n.json").string());
  INFO(r.err);
  REQUIRE(r.code == 0);
  const json n = Notice(t);
  CHECK(n["covered_by"] == "GL-1");
  CHECK(n["valid_until"] == graph::DateOfDay(today + 19));  // not past the licence
  Run v = VerifyNotice(t, n, "--recompute");
  INFO(v.err);
  CHECK(v.code == 0);
  CHECK(v.out.find("covered by licence GL-1") != std::string::npos);
  {  // the notice may not outlive its licence
    json f = n;
    f["valid_until"] = graph::DateOfDay(today + 25);
    ExpectFailure(t, Resign(t, f, "cn"), "past the end of licence GL-1");
    CHECK(t.Cli("notice TB --policy cn-mofcom-2025-18 --to jp-b --valid-until " +
                graph::DateOfDay(today + 25) + " --key " + t.path("cn.key").string()).code == 1);
  }
  {  // a licence the notice does not cite
    json f = n;
    json kept = json::array();
    for (const auto& p : f["proofs"])
      if (p["leaf"].get<std::string>().find("\"type\":\"licence\"") == std::string::npos)
        kept.push_back(p);
    f["proofs"] = kept;
    ExpectFailure(t, Resign(t, f, "cn"), "the covering licence GL-1");
  }
}

TEST_CASE("notice: verify-notice --policy requires the policy file it was made under",
          "[cli][notice]") {
  TempLedger t;
  NoticeWeb(t);
  REQUIRE(MakeNotice(t, "jp").code == 0);
  const json n = Notice(t);
  CHECK(VerifyNotice(t, n, "--policy cn-mofcom-2025-61").code == 0);
  ExpectFailure(t, n, "the notice was made under CN-MOFCOM-2025-61", "--policy cn-mofcom-2025-18");
}

}  // namespace
}  // namespace rareledger::cli_testing
