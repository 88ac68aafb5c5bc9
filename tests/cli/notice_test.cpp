// Compliance Notices through the real binary: `notice` makes one from a
// ledger, `verify-notice` checks it offline; each way of forging or
// misusing one fails naming why (graph/notice.h, docs/formats.md).
#include <catch2/catch.hpp>

#include "graph/notice.h"
#include "ledger/canonical_json.h"
#include "ledger/cosignature.h"
#include "ledger/encoding.h"
#include "ledger/signer.h"
#include "tests/cli/cli_util.h"

namespace rareledger::cli_testing {
namespace {

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
}

Run MakeNotice(const TempLedger& t, const std::string& key, const std::string& extra = "") {
  return t.Cli("notice MAG --policy cn-mofcom-2025-61 --to de-c --as-of 2026-12-01 --key " +
               t.path(key + ".key").string() + " --out " + t.path("n.json").string() + " " + extra);
}

json Notice(const TempLedger& t) { return json::parse(Slurp(t.path("n.json"))); }

Run VerifyNotice(const TempLedger& t, const json& notice, const std::string& extra = "") {
  t.Write("check.json", notice.dump(2));
  return t.Cli("verify-notice " + t.path("check.json").string() + " --operator-key " +
               t.path("op.pub").string() + " " + extra);
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
  REQUIRE(t.Shell("openssl pkey -in " + t.path("op.key").string() + " -pubout -out " +
                  t.path("op.pub").string()).code == 0);
  Run r = MakeNotice(t, "jp");
  INFO(r.err);
  REQUIRE(r.code == 0);
  json n = Notice(t);
  Run a = t.Cli("assess MAG --policy cn-mofcom-2025-61 --to de-c --as-of 2026-12-01 --json");
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
  // openssl reads the keys; jq-style consumers read the file as JSON.
  CHECK(v.err.empty());
}

TEST_CASE("notice: a changed field fails the holder's signature, naming it", "[cli][notice]") {
  TempLedger t;
  NoticeWeb(t);
  REQUIRE(t.Shell("openssl pkey -in " + t.path("op.key").string() + " -pubout -out " +
                  t.path("op.pub").string()).code == 0);
  REQUIRE(MakeNotice(t, "jp").code == 0);
  const json n = Notice(t);
  SECTION("the ratio, in both places") {
    json f = n;
    f["ratio"] = "0/1";
    f["assessment"]["ratio"] = "0/1";
    Run v = VerifyNotice(t, f);
    CHECK(v.code == 1);
    CHECK(v.err.find("the notice's signature does not verify with jp-b's key") != std::string::npos);
  }
  SECTION("the verdict, only at the top") {
    json f = n;
    f["verdict"] = "not_required";
    Run v = VerifyNotice(t, f);
    CHECK(v.code == 1);
    CHECK(v.err.find("the notice's verdict is not the assessment's verdict") != std::string::npos);
  }
  SECTION("the recipient, re-signed by the holder: de-c's registration is cited, x-y is not") {
    json f = n;
    f["to"] = "x-y";
    f["assessment"]["to"] = "x-y";
    Run v = VerifyNotice(t, Resign(t, f, "jp"));
    CHECK(v.code == 1);
    CHECK(v.err.find("does not cite the registration of its recipient x-y") != std::string::npos);
  }
  SECTION("the sender: another party's key cannot sign for the holder") {
    json f = n;
    f["from"] = "cn-a";
    f["assessment"]["holder"] = "cn-a";
    Run v = VerifyNotice(t, Resign(t, f, "cn"));
    CHECK(v.code == 1);
    CHECK(v.err.find("per the cited entries MAG is held by jp-b, not cn-a") != std::string::npos);
  }
  SECTION("a cited leaf") {
    json f = n;
    std::string leaf = f["proofs"][1]["leaf"];
    leaf.replace(leaf.find("\"seq\":"), 7, "\"seq\":9");
    f["proofs"][1]["leaf"] = leaf;
    Run v = VerifyNotice(t, f);
    CHECK(v.code == 1);
    CHECK(v.err.find("the proof of entry 1 does not verify against the checkpoint") !=
          std::string::npos);
  }
  SECTION("a dropped proof: the entries it signed lose their key") {
    json f = n;
    json kept = json::array();
    for (const auto& p : f["proofs"])
      if (p["leaf"].get<std::string>().find("\"id\":\"jp-b\"") == std::string::npos) kept.push_back(p);
    REQUIRE(kept.size() + 1 == f["proofs"].size());
    f["proofs"] = kept;
    Run v = VerifyNotice(t, Resign(t, f, "jp"));
    CHECK(v.code == 1);
    CHECK(v.err.find("is signed by party jp-b, whose registration the notice does not cite") !=
          std::string::npos);
  }
  SECTION("not a notice at all") {
    Run v = VerifyNotice(t, json{{"lot", "MAG"}});
    CHECK(v.code == 1);
    CHECK(v.err.find("not a compliance notice") != std::string::npos);
  }
}

TEST_CASE("notice: a proof or checkpoint from another log fails", "[cli][notice]") {
  TempLedger a, b;
  NoticeWeb(a);
  NoticeWeb(b);  // same ledger id and shape, other keys: another log
  for (TempLedger* t : {&a, &b})
    REQUIRE(t->Shell("openssl pkey -in " + t->path("op.key").string() + " -pubout -out " +
                     t->path("op.pub").string()).code == 0);
  REQUIRE(MakeNotice(a, "jp").code == 0);
  REQUIRE(MakeNotice(b, "jp").code == 0);
  const json na = Notice(a), nb = Notice(b);
  SECTION("a proof of b's log in a's notice") {
    json f = na;
    f["proofs"][2] = nb["proofs"][2];
    Run v = VerifyNotice(a, f);
    CHECK(v.code == 1);
    CHECK(v.err.find("the proof of entry " + std::to_string(nb["proofs"][2]["index"].get<int>()) +
                     " does not verify against the checkpoint") != std::string::npos);
  }
  SECTION("b's checkpoint in a's notice, re-signed") {
    json f = na;
    f["checkpoint"] = nb["checkpoint"];
    Run v = VerifyNotice(a, Resign(a, f, "jp"));
    CHECK(v.code == 1);
    CHECK(v.err.find("the checkpoint is not signed by the operator key given") != std::string::npos);
  }
  SECTION("b's whole notice, checked with a's operator key") {
    Run v = VerifyNotice(a, nb);
    CHECK(v.code == 1);
    CHECK(v.err.find("the checkpoint is not signed by the operator key given") != std::string::npos);
  }
}

TEST_CASE("notice: an expired notice or checkpoint fails naming the dates", "[cli][notice]") {
  TempLedger t;
  NoticeWeb(t, "2026-01-05T10:00:00Z");  // the newest entries are old
  REQUIRE(t.Shell("openssl pkey -in " + t.path("op.key").string() + " -pubout -out " +
                  t.path("op.pub").string()).code == 0);
  Run r = MakeNotice(t, "jp");
  REQUIRE(r.code == 0);
  CHECK(r.err.find("warning: a recipient checking this notice with the defaults would refuse it: "
                   "the checkpoint has expired") != std::string::npos);
  const json n = Notice(t);
  Run v = VerifyNotice(t, n);
  CHECK(v.code == 1);
  CHECK(v.err.find("the checkpoint has expired: its newest entry dates it 2026-01-05T10:00:00Z, "
                   "more than 30 days before the notice was issued") != std::string::npos);
  CHECK(VerifyNotice(t, n, "--max-checkpoint-age 100000").code == 0);

  SECTION("past valid_until") {
    Run late = VerifyNotice(t, n, "--max-checkpoint-age 100000 --at 2099-01-01");
    CHECK(late.code == 1);
    CHECK(late.err.find("the notice expired on " + n["valid_until"].get<std::string>()) !=
          std::string::npos);
  }
  SECTION("a witness's recent cosignature dates a quiet log's checkpoint") {
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
  SECTION("a key that is not the holder's") {
    Run r = MakeNotice(t, "cn");
    CHECK(r.code == 1);
    CHECK(r.err.find("the key given is party cn-a's current key, but MAG is held by jp-b") !=
          std::string::npos);
  }
  SECTION("a log past its latest checkpoint") {
    REQUIRE(t.As("cn", "lot create --lot MORE --material x --category other --mass-g 1 --value 1 "
                       "--origin CN").code == 0);
    Run r = MakeNotice(t, "jp");
    CHECK(r.code == 1);
    CHECK(r.err.find("the operator must sign a checkpoint of the whole log first") !=
          std::string::npos);
  }
  SECTION("an unknown recipient") {
    Run r = t.Cli("notice MAG --policy cn-mofcom-2025-61 --to nobody --key " +
                  t.path("jp.key").string() + " --out " + t.path("n.json").string());
    CHECK(r.code == 1);
    CHECK(r.err.find("nobody") != std::string::npos);
  }
  SECTION("the holder as recipient") {
    Run r = t.Cli("notice MAG --policy cn-mofcom-2025-61 --to jp-b --key " +
                  t.path("jp.key").string() + " --out " + t.path("n.json").string());
    CHECK(r.code == 1);
    CHECK(r.err.find("a notice goes to the next recipient, not to its holder") != std::string::npos);
  }
  SECTION("a bad date is a usage error") {
    Run r = MakeNotice(t, "jp", "--valid-until 2026-02-30");
    CHECK(r.code == 2);
  }
  CHECK_FALSE(fs::exists(t.path("n.json")));
}

TEST_CASE("notice: --recompute catches a false determination the holder signed", "[cli][notice]") {
  TempLedger t, other;
  NoticeWeb(t);
  NoticeWeb(other);
  REQUIRE(t.Shell("openssl pkey -in " + t.path("op.key").string() + " -pubout -out " +
                  t.path("op.pub").string()).code == 0);
  REQUIRE(MakeNotice(t, "jp").code == 0);
  const json n = Notice(t);
  Run honest = VerifyNotice(t, n, "--recompute");
  INFO(honest.err);
  CHECK(honest.code == 0);
  CHECK(honest.out.find("recomputed from the log at --db: the same determination") !=
        std::string::npos);

  json f = n;  // a false ratio, consistent and signed by the holder
  f["ratio"] = "0/1";
  f["assessment"]["ratio"] = "0/1";
  f = Resign(t, f, "jp");
  CHECK(VerifyNotice(t, f).code == 0);  // offline this cannot be told
  Run caught = VerifyNotice(t, f, "--recompute");
  CHECK(caught.code == 1);
  CHECK(caught.err.find("--recompute: recomputed from the log (size " + std::to_string(t.Size()) +
                        "), ratio is \"" + n["ratio"].get<std::string>() +
                        "\", not \"0/1\" as the notice says") != std::string::npos);

  SECTION("another log with the same id does not contain the checkpoint") {
    t.Write("check.json", n.dump());
    Run v = other.Cli("verify-notice " + t.path("check.json").string() + " --operator-key " +
                      t.path("op.pub").string() + " --recompute");
    CHECK(v.code == 1);
    CHECK(v.err.find("the log given does not contain the notice's checkpoint") != std::string::npos);
  }
  SECTION("a log grown since: a changed determination says so") {
    REQUIRE(t.As("jp", "transfer --lot MAG --to cn-a").code == 0);
    Run v = VerifyNotice(t, n, "--recompute");
    CHECK(v.code == 1);
    CHECK(v.err.find("holder is \"cn-a\", not \"jp-b\"") != std::string::npos);
    CHECK(v.err.find("the log has grown from " + std::to_string(t.Size() - 1) + " to " +
                     std::to_string(t.Size()) + " entries") != std::string::npos);
  }
}

TEST_CASE("notice: verify-notice --policy requires the policy file it was made under",
          "[cli][notice]") {
  TempLedger t;
  NoticeWeb(t);
  REQUIRE(t.Shell("openssl pkey -in " + t.path("op.key").string() + " -pubout -out " +
                  t.path("op.pub").string()).code == 0);
  REQUIRE(MakeNotice(t, "jp").code == 0);
  const json n = Notice(t);
  CHECK(VerifyNotice(t, n, "--policy cn-mofcom-2025-61").code == 0);
  Run v = VerifyNotice(t, n, "--policy cn-mofcom-2025-18");
  CHECK(v.code == 1);
  CHECK(v.err.find("the notice was made under CN-MOFCOM-2025-61") != std::string::npos);
}

}  // namespace
}  // namespace rareledger::cli_testing
