// Helpers of the CLI tests: a temporary ledger driven through the real
// binary (RL_BINARY) with a shell, and a small supply web built with the
// shortcuts.
#ifndef RARELEDGER_TESTS_CLI_CLI_UTIL_H_
#define RARELEDGER_TESTS_CLI_CLI_UTIL_H_

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

namespace rareledger::cli_testing {


namespace fs = std::filesystem;
using nlohmann::json;

struct Run {
  int code = -1;
  std::string out, err;
};

inline std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempLedger {
 public:
  TempLedger() {
    char tmpl[] = "/tmp/rl-cli-XXXXXX";
    dir_ = mkdtemp(tmpl);
    db_ = dir_ / "db";
  }
  ~TempLedger() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path path(const std::string& name) const { return dir_ / name; }

  // Runs `rareledger --db DB args` (args are shell words, already quoted).
  Run Cli(const std::string& args, const std::string& stdin_file = "") const {
    return Shell(std::string(RL_BINARY) + " --db " + db_.string() + " " + args +
                 (stdin_file.empty() ? " </dev/null" : " <" + stdin_file));
  }
  Run Shell(const std::string& cmd) const {
    fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    int rc = std::system((cmd + " >" + out.string() + " 2>" + err.string()).c_str());
    Run r;
    r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = Slurp(out);
    r.err = Slurp(err);
    return r;
  }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  uint64_t Size() const {
    Run r = Cli("status --json");
    REQUIRE(r.code == 0);
    return json::parse(r.out).at("size").get<uint64_t>();
  }
  // An operator key made by openssl, and an initialised ledger.
  void Init() {
    REQUIRE(Shell("openssl genpkey -algorithm ed25519 -out " + path("op.key").string()).code == 0);
    Run r = Cli("init --ledger-id test.example --operator-key " + path("op.key").string());
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  void Keygen(const std::string& name) {
    Run r = Cli("keygen --out " + path(name).string());
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  Run As(const std::string& key, const std::string& args) const {
    return Cli(args + " --key " + path(key + ".key").string());
  }

 private:
  fs::path dir_, db_;
};

inline void BuildWeb(TempLedger& t) {
  t.Init();
  t.Keygen("cn");
  t.Keygen("jp");
  REQUIRE(t.As("op", "party add --id cn-a --name 'CN A' --country CN --roles producer --pubkey " +
                         t.path("cn.pub").string()).code == 0);
  REQUIRE(t.As("op", "party add --id jp-b --name 'JP B' --country JP --roles manufacturer --pubkey " +
                         t.path("jp.pub").string()).code == 0);
  Run r = t.As("cn", "lot create --lot OX --material 'Dy oxide' --category re_oxide --mass-g 1000 "
                     "--value 35000 --origin CN --element Dy=870");
  INFO(r.err);
  REQUIRE(r.code == 0);
  REQUIRE(t.As("cn", "transfer --lot OX --to jp-b --value 40000").code == 0);
  r = t.As("jp", "transform --process magnet_manufacturing --facility-country JP --input OX=100 "
                 "--output '{\"lot\":\"MAG\",\"material\":\"NdFeB\",\"category\":\"re_magnet\","
                 "\"mass_g\":2000,\"value\":900000}'");
  INFO(r.err);
  REQUIRE(r.code == 0);
}


}  // namespace rareledger::cli_testing

#endif  // RARELEDGER_TESTS_CLI_CLI_UTIL_H_
