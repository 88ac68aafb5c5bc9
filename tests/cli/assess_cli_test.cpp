// `assess` and `trace` end to end on the demo ledger: several --policy, the
// binding, --bundle (verified, then read with no database), usage errors.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ledger/crypto.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Run {
  int code = -1;
  std::string out, err;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kPolicies = RL_POLICIES_DIR;
const std::string k61 = " --policy " + kPolicies + "/cn-mofcom-2025-61.json";
const std::string k18 = " --policy " + kPolicies + "/cn-mofcom-2025-18.json";

// A demo ledger (checkpointed at its full size) and its exported bundle.
class Demo {
 public:
  Demo() {
    char tmpl[] = "/tmp/rl-assess-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Run r = Rl("--db " + db() + " demo");
    INFO(r.err);
    REQUIRE(r.code == 0);
    demo_output_ = r.out;
    r = Rl("--db " + db() + " export " + bundle());
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  ~Demo() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string db() const { return (dir_ / "db").string(); }
  const std::string& demo_output() const { return demo_output_; }
  std::string bundle() const { return (dir_ / "bundle").string(); }
  fs::path path(const std::string& name) const { return dir_ / name; }

  Run Rl(const std::string& args) const {
    fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    int rc = std::system((std::string(RL_BINARY) + " " + args + " </dev/null >" + out.string() +
                          " 2>" + err.string())
                             .c_str());
    Run r;
    r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = Slurp(out);
    r.err = Slurp(err);
    return r;
  }
  Run Db(const std::string& args) const { return Rl("--db " + db() + " " + args); }
  Run Bundle(const std::string& args) const { return Rl(args + " --bundle " + bundle()); }

 private:
  fs::path dir_;
  std::string demo_output_;
};

TEST_CASE("assess: the same JSON from --db and from --bundle of its export", "[cli][assess]") {
  Demo d;
  for (const std::string& args : {"assess MAG-1-DE --as-of 2026-12-01 --format json" + k61,
                                  "assess CAR-2026-40 --as-of 2026-06-01 --format json" + k18 + k61,
                                  "assess --all --category re_magnet --as-of 2026-12-01" + k61,
                                  std::string("trace CAR-2026-40 --format json")}) {
    Run db = d.Db(args), b = d.Bundle(args);
    INFO(args << "\n" << db.err << b.err);
    REQUIRE(db.code == 0);
    REQUIRE(b.code == 0);
    CHECK(!db.out.empty());
    CHECK(db.out == b.out);  // byte-identical: the bundle covers the whole log
  }
}

TEST_CASE("assess: entries past the latest checkpoint are bound as such, from --db and --bundle",
          "[cli][assess]") {
  Demo d;
  const std::string key = d.db() + "-keys/us-car.key";
  Run r = d.Db("transfer --key " + key + " --lot CAR-2026-40 --to de-motor --value 1");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const std::string later = d.path("later").string();
  REQUIRE(d.Db("export " + later).code == 0);
  const std::string args = "assess CAR-2026-40 --as-of 2026-12-01 --format json" + k61;
  Run db = d.Db(args), b = d.Rl(args + " --bundle " + later);
  REQUIRE(db.code == 0);
  REQUIRE(b.code == 0);
  CHECK(db.out == b.out);
  json a = json::parse(db.out);
  CHECK(a["size"].get<uint64_t>() == a["checkpoint"]["size"].get<uint64_t>() + 1);
  Run text = d.Db("assess CAR-2026-40 --as-of 2026-12-01" + k61);
  CHECK(text.out.find("(1 later entry is not covered yet)") != std::string::npos);
}

TEST_CASE("assess: the binding names the log, its checkpoint, the policy file and the tool",
          "[cli][assess]") {
  Demo d;
  Run r = d.Db("assess MAG-1-DE --as-of 2026-12-01 --format json" + k61);
  REQUIRE(r.code == 0);
  json a = json::parse(r.out);
  json status = json::parse(d.Db("status --json").out);
  CHECK(a["ledger"] == status["ledger"]);
  CHECK(a["size"] == status["size"]);
  CHECK(a["root"] == status["root"]);
  CHECK(a["currency"] == "USD");
  CHECK(a["checkpoint"]["size"] == status["size"]);
  CHECK(a["checkpoint"]["note"] == Slurp(fs::path(d.bundle()) / "checkpoint"));
  CHECK(a["policy"] == "CN-MOFCOM-2025-61");
  CHECK(a["tool"] == std::string("rareledger ") + RL_PROJECT_VERSION);
  CHECK(a["policy_sha256"] == rareledger::ledger::HexEncode(rareledger::ledger::Sha256(
                                  Slurp(kPolicies + "/cn-mofcom-2025-61.json"))));
}

TEST_CASE("assess: several --policy, in order: summary lines, then a JSON array", "[cli][assess]") {
  Demo d;
  Run text = d.Db("assess MAG-1-DE --as-of 2026-12-01" + k18 + k61);
  REQUIRE(text.code == 0);
  std::istringstream lines(text.out);
  std::string l1, l2;
  std::getline(lines, l1);
  std::getline(lines, l2);
  CHECK(l1.rfind("CN-MOFCOM-2025-18: no licence required — 18-origin-item: not applicable", 0) ==
        0);
  CHECK(l2 ==
        "CN-MOFCOM-2025-61: LICENCE MAY BE REQUIRED (status unconfirmed) — licence may be "
        "required: the rule's status is unconfirmed since 2026-11-11 (were it in force: "
        "controlled content is 9.3333 % (exactly 7/75) of the lot's value, at or above the "
        "threshold 0.1000 %)");
  CHECK(text.out.find("lot value:          USD 9,000.00") != std::string::npos);
  Run j = d.Db("assess MAG-1-DE --as-of 2026-12-01 --format json" + k61 + k18);
  REQUIRE(j.code == 0);
  json arr = json::parse(j.out);
  REQUIRE(arr.is_array());
  REQUIRE(arr.size() == 2);
  CHECK(arr[0]["policy"] == "CN-MOFCOM-2025-61");
  CHECK(arr[1]["policy"] == "CN-MOFCOM-2025-18");
  // Without --policy: every shipped policy, by file name.
  Run all = d.Db("assess MAG-1-DE --as-of 2026-12-01 --format json");
  REQUIRE(all.code == 0);
  json every = json::parse(all.out);
  REQUIRE(every.is_array());
  CHECK(every.size() >= 3);
  CHECK(every[0]["policy"] == "CN-MOFCOM-2025-18");
}

TEST_CASE("assess: --all prints text with --format text, JSON lines by default", "[cli][assess]") {
  Demo d;
  Run text = d.Db("assess --all --category component --as-of 2026-12-01 --format text" + k61);
  REQUIRE(text.code == 0);
  // Annex 1 Part 2 reaches magnet-containing parts: the motors are subjects.
  CHECK(text.out.rfind("MOTOR-DE-1 CN-MOFCOM-2025-61: LICENCE MAY BE REQUIRED (status "
                       "unconfirmed) — ",
                       0) == 0);
  CHECK(text.out.find("\nMOTOR-DE-1-US CN-MOFCOM-2025-61: ") != std::string::npos);
  Run js = d.Db("assess --all --category component --as-of 2026-12-01" + k61);
  REQUIRE(js.code == 0);
  std::istringstream lines(js.out);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n)
    CHECK(json::parse(line)["policy"] == "CN-MOFCOM-2025-61");
  CHECK(n == 2);
}

TEST_CASE("assess: conflicting or empty options are usage errors naming them", "[cli][assess]") {
  Demo d;
  Run r = d.Db("assess MAG-1-DE --all" + k61);
  CHECK(r.code == 2);
  CHECK(r.err.find("LOT and --all conflict") != std::string::npos);
  CHECK(r.out.empty());
  r = d.Db("assess MAG-1-DE --category re_magnet" + k61);
  CHECK(r.code == 2);
  CHECK(r.err.find("--category needs --all") != std::string::npos);
  r = d.Db("assess MAG-1-DE --as-of ''" + k61);
  CHECK(r.code == 2);
  CHECK(r.err.find("--as-of is empty") != std::string::npos);
  r = d.Db("assess MAG-1-DE --as-of 2026-02-30" + k61);
  CHECK(r.code == 2);
  CHECK(r.err.find("not a valid YYYY-MM-DD date") != std::string::npos);
  CHECK(d.Db("assess NOPE --as-of 2026-12-01" + k61).code == 1);
  // Usage is checked before any database is opened.
  r = d.Rl("--db " + d.path("no-such-db").string() + " assess MAG-1-DE --all" + k61);
  CHECK(r.code == 2);
  CHECK(r.err.find("LOT and --all conflict") != std::string::npos);
  CHECK(!fs::exists(d.path("no-such-db")));
}

TEST_CASE("assess --bundle verifies the bundle first: a tampered one answers nothing",
          "[cli][assess]") {
  Demo d;
  const fs::path entries = fs::path(d.bundle()) / "entries.jsonl";
  std::string text = Slurp(entries);
  size_t at = text.find("\"value\":8400000");
  REQUIRE(at != std::string::npos);
  text.replace(at, 15, "\"value\":8400001");
  std::ofstream(entries, std::ios::binary | std::ios::trunc) << text;
  for (const std::string& cmd :
       {"assess MAG-1-DE --as-of 2026-12-01" + k61, std::string("trace MAG-1-DE")}) {
    Run r = d.Bundle(cmd);
    INFO(cmd);
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK(r.err.find("bundle") != std::string::npos);
  }
  CHECK(d.Rl("assess MAG-1-DE --bundle " + d.path("nothing-here").string() + k61).code == 1);
}

TEST_CASE("trace --format dot of the demo car renders, with the verdict and currency",
          "[cli][assess][dot]") {
  Demo d;
  Run r = d.Bundle("trace CAR-2026-40 --format dot --as-of 2026-12-01" + k61);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("CN-MOFCOM-2025-61: no licence required") != std::string::npos);
  CHECK(r.out.find("value USD 1,200,000.00") != std::string::npos);
  std::ofstream(d.path("car.dot")) << r.out;
  REQUIRE(std::system("command -v dot >/dev/null 2>&1") == 0);  // graphviz is required
  for (const char* fmt : {"svg", "png"}) {
    const std::string cmd = std::string("dot -T") + fmt + " " + d.path("car.dot").string() +
                            " -o " + d.path(std::string("car.") + fmt).string();
    CHECK(std::system(cmd.c_str()) == 0);
    CHECK(fs::file_size(d.path(std::string("car.") + fmt)) > 0);
  }
}

const std::string kControl = " --policy " + kPolicies + "/cn-mofcom-2026-control-list.json";

TEST_CASE("assess --to: the demo's general licence covers one shipment, not the listed consignee",
          "[cli][assess][licence]") {
  Demo d;
  Run ok = d.Db("assess TBOX-2026-002 --to jp-mag --end-use civil --as-of 2026-12-01 --format json" +
                k18);
  INFO(ok.err);
  REQUIRE(ok.code == 0);
  json a = json::parse(ok.out);
  CHECK(a["verdict"] == "licence_required");
  CHECK(a["covered_by"] == "MOFCOM-GL-2026-0042");
  CHECK(a["licences"][0]["issued"] == true);
  CHECK(a["lists_sha256"].size() == 2);
  Run listed = d.Db("assess TBOX-2026-002 --to jp-ihi-aero --as-of 2026-12-01 --format json" + k18 +
                    kControl);
  REQUIRE(listed.code == 0);
  json both = json::parse(listed.out);
  CHECK(both[0]["covered_by"].is_null());
  CHECK(both[0]["screening"][0]["name"] == "IHI Aerospace");
  CHECK(both[0]["licences"][0]["reason"].get<std::string>().rfind(
            "a general licence never covers a consignee on a screening list", 0) == 0);
  CHECK(both[1]["verdict"] == "prohibited");
  // The same answer from the exported bundle.
  const std::string args = "assess TBOX-2026-002 --to jp-ihi-aero --as-of 2026-12-01" + k18;
  CHECK(d.Db(args).out == d.Bundle(args).out);
  // Before the listing (2026-02-24) there is no hit; before the licence's
  // validity (2026-07-01) it does not cover.
  json early = json::parse(
      d.Db("assess TBOX-2026-002 --to jp-ihi-aero --as-of 2026-06-30 --format json" + k18).out);
  CHECK(early["screening"].size() == 1);
  CHECK(early["licences"][0]["reason"] == "not yet valid on 2026-06-30 (from 2026-07-01)");
}

TEST_CASE("assess --to: usage errors and an unknown consignee", "[cli][assess][licence]") {
  Demo d;
  Run r = d.Db("assess --all --to jp-mag" + k18);
  CHECK(r.code == 2);
  CHECK(r.err.find("--to needs one LOT") != std::string::npos);
  r = d.Db("assess TBOX-2026-002 --end-use civil" + k18);
  CHECK(r.code == 2);
  CHECK(r.err.find("they need --to PARTY") != std::string::npos);
  r = d.Db("assess TBOX-2026-002 --to jp-mag --end-use war" + k18);
  CHECK(r.code == 2);
  r = d.Db("assess TBOX-2026-002 --to nobody" + k18);
  CHECK(r.code == 1);
  CHECK(r.err.find("consignee nobody is not a registered party") != std::string::npos);
}

TEST_CASE("demo: No. 61 unknown after the No. 70 window, No. 18 in force, a licence and a refusal",
          "[cli][assess]") {
  Demo d;
  const std::string& out = d.demo_output();
  CHECK(out.find("CN-MOFCOM-2025-61: LICENCE MAY BE REQUIRED (status unconfirmed) — licence may be "
                 "required: the rule's status is unconfirmed since 2026-11-11") !=
        std::string::npos);
  CHECK(out.find("CN-MOFCOM-2025-18: LICENCE REQUIRED — DYOX-2026-001-A is a controlled origin "
                 "item") != std::string::npos);
  CHECK(out.find("covered by licence MOFCOM-GL-2026-0042 (issued by cn-mofcom)") !=
        std::string::npos);
  CHECK(out.find("CN-MOFCOM-2026-CONTROL-LIST: PROHIBITED (no licence can cure it) — the "
                 "recipient matches \"IHI Aerospace\"") != std::string::npos);
}

}  // namespace
