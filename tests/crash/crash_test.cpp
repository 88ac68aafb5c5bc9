// Crash and resource-failure tests against the real binary (RL_BINARY).
// See docs/robustness.md.
//
// "kill -9 mid-submit": a JSON Lines file of a few thousand valid signed
// envelopes (a web of register_party, create_lot and transfer entries made
// with the ledger library) is submitted by `rareledger submit`, which is
// SIGKILLed after a random delay (fixed seed). After each kill the log must
// be an exact prefix of the file (leaf bytes equal the envelope lines, in
// order), `verify` must pass, every line the killed process reported as
// appended must be in the log, and submitting the same file again must
// complete it.
//
// Also: a second writer gets exit 1 "in use" while a submit runs, readers
// (status, verify) work meanwhile; a full disk (tiny tmpfs, when mount works)
// and RLIMIT_FSIZE make submit fail with exit 1 and one clear line while
// what is there still verifies; unwritable directories give a clear error.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/envelope.h"
#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace rareledger::ledger;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kLedgerId = "crash-test";
constexpr const char* kTime = "2026-01-31T12:00:00Z";
constexpr uint32_t kSeed = 20261128;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  REQUIRE(out.good());
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "rl-crash-test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// ---- running the binary ----

struct RunOptions {
  int stdin_fd = -1;                    // else /dev/null
  std::optional<rlim_t> fsize_limit;    // RLIMIT_FSIZE, SIGXFSZ ignored
  std::optional<uid_t> uid;             // drop to this uid/gid (as root)
};

// A started child; stdout and stderr go to files under `dir`.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& out_prefix,
        const RunOptions& o = {})
      : out_path_(out_prefix + ".out"), err_path_(out_prefix + ".err") {
    std::vector<std::string> full = {RL_BINARY};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int in = o.stdin_fd >= 0 ? o.stdin_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(out >= 0);
    REQUIRE(err >= 0);
    REQUIRE(in >= 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {  // only async-signal-safe calls from here
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      if (o.fsize_limit) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {*o.fsize_limit, *o.fsize_limit};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(126);
      }
      if (o.uid) {
        if (setgid(*o.uid) != 0 || setuid(*o.uid) != 0) _exit(126);
      }
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out);
    close(err);
    if (o.stdin_fd < 0) close(in);
    start_ = Clock::now();
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void Kill() {
    REQUIRE(kill(pid_, SIGKILL) == 0);
  }
  // Exit code; -signal when killed by a signal.
  int Wait() {
    if (reaped_) return Decode(status_);
    int status = 0;
    pid_t got;
    do {
      got = waitpid(pid_, &status, 0);
    } while (got < 0 && errno == EINTR);
    INFO("waitpid: " << std::strerror(errno));
    REQUIRE(got == pid_);
    reaped_ = true;
    elapsed_ = Clock::now() - start_;
    status_ = status;
    return Decode(status);
  }
  // True while the child runs. When it has ended, reaps it: Wait() then
  // returns the saved status.
  bool Running() {
    if (reaped_) return false;
    pid_t got = waitpid(pid_, &status_, WNOHANG);
    if (got == 0) return true;
    REQUIRE(got == pid_);
    reaped_ = true;
    elapsed_ = Clock::now() - start_;
    return false;
  }
  std::string out() const { return ReadFile(out_path_); }
  std::string err() const { return ReadFile(err_path_); }
  double seconds() const { return std::chrono::duration<double>(elapsed_).count(); }

 private:
  static int Decode(int status) {
    return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
  }
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  Clock::time_point start_;
  Clock::duration elapsed_{};
};

struct RunResult {
  int code = 0;
  std::string out, err;
  double seconds = 0;
};

RunResult Run(const std::vector<std::string>& args, const std::string& out_prefix,
              const RunOptions& o = {}) {
  Child c(args, out_prefix, o);
  RunResult r;
  r.code = c.Wait();
  r.out = c.out();
  r.err = c.err();
  r.seconds = c.seconds();
  return r;
}

// Exactly one non-empty line, "rareledger: ...".
bool OneClearLine(const std::string& err) {
  return !err.empty() && err.back() == '\n' && err.find('\n') == err.size() - 1 &&
         err.rfind("rareledger: ", 0) == 0 && err.size() > 20;
}

// ---- the envelope file ----

Signer SeedSigner(uint32_t n) {
  std::string seed(32, '\0');
  for (int i = 0; i < 4; ++i) seed[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  seed[31] = 'k';
  auto s = Signer::FromSeed(seed);
  REQUIRE(s.ok());
  return std::move(s).value();
}

struct Fixture {
  std::string file_text;               // JSON Lines, one envelope a line
  std::vector<std::string> envelopes;  // canonical envelope bytes, in order
  std::string operator_pem;
};

// The operator registers 24 parties; producers create lots and transfer
// them along a random web of holders. `count` envelopes in all.
Fixture MakeFixture(size_t count) {
  Fixture f;
  Signer op = SeedSigner(1);
  f.operator_pem = op.ToPem();
  std::mt19937 rng(kSeed);
  struct Side {
    std::string id;
    Signer key;
    int64_t seq = 0;
  };
  std::vector<Side> parties;
  int64_t op_seq = 1;  // entry 0 (init) used seq 1
  auto sign = [&](const json& payload, const Signer& key) {
    auto envelope = SignEnvelope(payload, key);
    INFO(payload.dump() << ": " << envelope.status().ToString());
    REQUIRE(envelope.ok());
    f.envelopes.push_back(*envelope);
  };
  auto header = [](const char* type, const std::string& party, int64_t seq) {
    return json{{"type", type}, {"ledger", kLedgerId}, {"party", party},
                {"seq", seq},   {"time", kTime}};
  };
  const char* countries[] = {"CN", "AU", "US", "JP", "DE", "VN"};
  for (int i = 0; i < 24; ++i) {
    std::string id = (i < 8 ? "mine-" : "maker-") + std::to_string(i);
    Signer key = SeedSigner(100 + i);
    json p = header("register_party", "operator", ++op_seq);
    p.update({{"id", id},
              {"name", id + " Ltd"},
              {"country", countries[i % 6]},
              {"roles", i < 8 ? json{"producer"} : json{"processor", "manufacturer"}},
              {"pubkey", key.public_key().ToBase64()}});
    sign(p, op);
    parties.push_back(Side{id, std::move(key), 0});
  }
  std::vector<std::pair<std::string, size_t>> lots;  // lot id, holder
  size_t next_lot = 0;
  while (f.envelopes.size() < count) {
    if (lots.size() < 40 || rng() % 3 == 0) {
      size_t who = rng() % 8;
      Side& s = parties[who];
      std::string lot = "lot-" + std::to_string(next_lot++);
      json p = header("create_lot", s.id, ++s.seq);
      p.update({{"lot", lot},
                {"material", "NdPr oxide"},
                {"category", "re_oxide"},
                {"mass_g", 1000 + rng() % 100000},
                {"value", rng() % 1000000},
                {"origin", countries[who % 6]},
                {"elements", {{"Nd", 100}, {"Pr", 30}}}});
      sign(p, s.key);
      lots.emplace_back(lot, who);
    } else {
      auto& [lot, holder] = lots[rng() % lots.size()];
      size_t to = 8 + rng() % 16;
      if (to == holder) to = 8 + (to - 8 + 1) % 16;
      Side& s = parties[holder];
      json p = header("transfer", s.id, ++s.seq);
      p.update({{"lot", lot}, {"to", parties[to].id}});
      if (rng() % 2) p["value"] = rng() % 2000000;
      sign(p, s.key);
      holder = to;
    }
  }
  for (const auto& e : f.envelopes) f.file_text += e + "\n";
  return f;
}

const Fixture& TheFixture() {
  static const Fixture* f = new Fixture(MakeFixture(6000));
  return *f;
}

// A fresh ledger at `db` whose entry 0 is the fixture operator's.
void InitLedger(const std::string& db) {
  auto op = Signer::FromPem(TheFixture().operator_pem);
  REQUIRE(op.ok());
  auto l = Ledger::Init(db, kLedgerId, "USD", "DE", *op, kTime);
  INFO(l.status().ToString());
  REQUIRE(l.ok());
}

// Checks that the log at `db` holds entry 0 and then an exact prefix of the
// fixture's envelopes; returns the number of fixture envelopes present.
size_t CheckPrefix(const std::string& db) {
  auto l = Ledger::Open(db, /*writable=*/false);
  INFO(l.status().ToString());
  REQUIRE(l.ok());
  const uint64_t size = (*l)->Info().size;
  const auto& env = TheFixture().envelopes;
  REQUIRE(size >= 1);
  REQUIRE(size <= env.size() + 1);
  for (uint64_t i = 1; i < size; ++i) {
    auto e = (*l)->GetEntry(i);
    INFO("entry " << i << ": " << e.status().ToString());
    REQUIRE(e.ok());
    if (e->leaf != env[i - 1]) FAIL("entry " << i << " differs from line " << i << " of the file");
  }
  return static_cast<size_t>(size - 1);
}

void RequireVerifies(const std::string& db, const std::string& out_prefix) {
  RunResult v = Run({"--db", db, "verify"}, out_prefix);
  INFO("verify stdout: " << v.out << "\nstderr: " << v.err);
  REQUIRE(v.code == 0);
}

// Re-submits the whole file: exit 0, the log then holds all of it, and the
// summary counts what was already there.
void RequireResubmitCompletes(const std::string& db, const std::string& file, size_t present,
                              const std::string& out_prefix) {
  RunResult r = Run({"--db", db, "submit", file, "--quiet"}, out_prefix);
  INFO("resubmit stderr: " << r.err);
  REQUIRE(r.code == 0);
  const size_t n = TheFixture().envelopes.size();
  CHECK(r.err.find("appended " + std::to_string(n - present) + ", already present " +
                   std::to_string(present)) != std::string::npos);
  REQUIRE(CheckPrefix(db) == n);
}

// A failed submit prints its summary line ("rareledger: appended N, ...")
// and then the error as one line; nothing else.
bool ClearSubmitError(const std::string& err) {
  std::vector<std::string> lines = Lines(err);
  if (lines.empty() || lines.size() > 2) return false;
  for (const auto& l : lines)
    if (l.rfind("rareledger: ", 0) != 0) return false;
  if (lines.size() == 2 && lines[0].rfind("rareledger: appended ", 0) != 0) return false;
  return lines.back().rfind("rareledger: appended ", 0) != 0 && lines.back().size() > 20;
}

bool IsRoot() { return geteuid() == 0; }

}  // namespace

TEST_CASE("kill -9 during submit leaves an exact verifiable prefix that a resubmit completes",
          "[crash]") {
  TempDir tmp;
  const Fixture& fx = TheFixture();
  const size_t n = fx.envelopes.size();
  const std::string file = tmp.Sub("entries.jsonl");
  WriteFile(file, fx.file_text);

  // Round 0: an uninterrupted submit, to know how long a whole one takes.
  const std::string db0 = tmp.Sub("db0");
  InitLedger(db0);
  RunResult full = Run({"--db", db0, "submit", file, "--quiet"}, tmp.Sub("full"));
  INFO("full submit stderr: " << full.err);
  REQUIRE(full.code == 0);
  REQUIRE(CheckPrefix(db0) == n);
  const double t_full = full.seconds;

  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<double> delay(0.0, 1.2 * t_full);
  const auto start = Clock::now();
  std::map<size_t, int> sizes;  // prefix length -> rounds
  int rounds = 0, killed_mid = 0, reported_checked = 0;
  for (; rounds < 16; ++rounds) {
    const double spent = std::chrono::duration<double>(Clock::now() - start).count();
    if (rounds >= 3 && spent > 25.0) break;  // ~30 s in all on an idle machine
    const std::string db = tmp.Sub("db" + std::to_string(rounds + 1));
    const std::string pre = tmp.Sub("r" + std::to_string(rounds + 1));
    InitLedger(db);
    // Odd rounds report every appended line (JSON) so that durability of
    // what was reported can be checked; even rounds use --quiet.
    const bool report = rounds % 2 == 1;
    std::vector<std::string> args = {"--db", db, "submit", file};
    args.push_back(report ? "--json" : "--quiet");
    Child c(args, pre);
    const double d = delay(rng);
    std::this_thread::sleep_for(std::chrono::duration<double>(d));
    const bool was_running = c.Running();
    if (was_running) c.Kill();
    const int code = c.Wait();
    if (was_running && code == -SIGKILL) ++killed_mid;
    INFO("round " << rounds + 1 << ": killed after " << d << " s, exit " << code
                  << ", stderr: " << c.err());
    REQUIRE((code == -SIGKILL || code == 0));

    const size_t present = CheckPrefix(db);
    if (code == 0) REQUIRE(present == n);
    ++sizes[present];
    if (report) {
      // Lines written before the kill (stdout is a file: whatever reached
      // it) must all be in the log: "appended" means durable.
      for (const std::string& line : Lines(c.out())) {
        auto j = json::parse(line, nullptr, false);
        if (j.is_discarded()) continue;  // the last line may be cut off
        if (j.value("status", "") != "appended") continue;
        uint64_t index = j.at("index").get<uint64_t>();
        INFO("reported appended: " << line);
        REQUIRE(index >= 1);
        REQUIRE(index <= present);
        ++reported_checked;
      }
    }
    RequireVerifies(db, pre + "-verify");
    // Every third round, crash the resubmit too before completing.
    size_t now_present = present;
    if (rounds % 3 == 2 && present < n) {
      Child again({"--db", db, "submit", file, "--quiet"}, pre + "-again");
      std::this_thread::sleep_for(std::chrono::duration<double>(delay(rng) / 2));
      if (again.Running()) again.Kill();
      int code2 = again.Wait();
      REQUIRE((code2 == -SIGKILL || code2 == 0));
      now_present = CheckPrefix(db);
      REQUIRE(now_present >= present);
      RequireVerifies(db, pre + "-verify2");
    }
    RequireResubmitCompletes(db, file, now_present, pre + "-resubmit");
  }
  std::cout << "crash test: " << n << " envelopes, full submit " << t_full << " s; " << rounds
            << " kill rounds (" << killed_mid << " killed mid-run), " << reported_checked
            << " reported-appended lines checked durable; prefix lengths seen:";
  for (const auto& [len, count] : sizes) std::cout << " " << len << "x" << count;
  std::cout << std::endl;
  CHECK(killed_mid >= 1);
}

TEST_CASE("a second writer is refused while a submit runs and readers still work", "[crash]") {
  TempDir tmp;
  const Fixture& fx = TheFixture();
  const size_t n = fx.envelopes.size();
  const std::string db = tmp.Sub("db");
  InitLedger(db);
  const std::string one = tmp.Sub("one.jsonl");
  WriteFile(one, fx.envelopes[0] + "\n");

  // The writer reads from a pipe we hold open: after its first chunk of
  // lines it is committed, holds the lock, and waits for more input.
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  RunOptions o;
  o.stdin_fd = fds[0];
  auto writer = std::make_unique<Child>(std::vector<std::string>{"--db", db, "submit", "-", "--quiet"},
                                        tmp.Sub("writer"), o);
  close(fds[0]);
  signal(SIGPIPE, SIG_IGN);
  const size_t head = 5000;  // > one 4096-line chunk and > 1 MiB
  REQUIRE(n > head);
  auto write_lines = [&](size_t from, size_t to) {
    std::string bytes;
    for (size_t i = from; i < to; ++i) bytes += fx.envelopes[i] + "\n";
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t w = write(fds[1], bytes.data() + off, bytes.size() - off);
      REQUIRE(w > 0);
      off += static_cast<size_t>(w);
    }
  };
  write_lines(0, head);

  // Wait until a reader sees the writer's first commit.
  uint64_t seen = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    RunResult s = Run({"--db", db, "status", "--json"}, tmp.Sub("status"));
    REQUIRE(s.code == 0);
    seen = json::parse(s.out).at("size").get<uint64_t>();
    if (seen > 1) break;
    REQUIRE(writer->Running());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(seen > 1);
  REQUIRE(writer->Running());

  RunResult second = Run({"--db", db, "submit", one}, tmp.Sub("second"));
  INFO("second writer stderr: " << second.err);
  CHECK(second.code == 1);
  CHECK(second.err.find("in use") != std::string::npos);
  CHECK(OneClearLine(second.err));

  RunResult status = Run({"--db", db, "status"}, tmp.Sub("status2"));
  CHECK(status.code == 0);
  RunResult verify = Run({"--db", db, "verify"}, tmp.Sub("verify"));
  INFO("verify during write: " << verify.out << verify.err);
  CHECK(verify.code == 0);
  RunResult log = Run({"--db", db, "log", "--json", "--limit", "3"}, tmp.Sub("log"));
  CHECK(log.code == 0);
  REQUIRE(writer->Running());

  write_lines(head, n);
  close(fds[1]);
  int code = writer->Wait();
  INFO("writer stderr: " << writer->err());
  REQUIRE(code == 0);
  REQUIRE(CheckPrefix(db) == n);
  RequireVerifies(db, tmp.Sub("verify-end"));
}

namespace {

// Submits the fixture into a ledger that runs out of space (however
// `opts` arranges that) and checks the failure and what is left.
void CheckOutOfSpace(const std::string& db, const std::string& file, const std::string& pre,
                     const RunOptions& opts, const char* what) {
  RunResult r = Run({"--db", db, "submit", file, "--quiet"}, pre, opts);
  std::cout << what << ": submit exit " << r.code << ", stderr: " << r.err;
  INFO(what << ": submit stderr: " << r.err);
  REQUIRE(r.code != 0);
  CHECK(r.code == 1);  // not a crash (see docs/robustness.md, "Known issues")
  CHECK(ClearSubmitError(r.err));
  const size_t present = CheckPrefix(db);
  std::cout << what << ": " << present << " envelopes present afterwards, an exact prefix"
            << std::endl;
  CHECK(present < TheFixture().envelopes.size());
  RequireVerifies(db, pre + "-verify");
}

}  // namespace

TEST_CASE("disk full on a tiny tmpfs makes submit fail cleanly and what is there verifies", "[crash]") {
  TempDir tmp;
  const std::string mnt = tmp.Sub("mnt");
  fs::create_directory(mnt);
  if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1536k") != 0) {
    WARN("skipped: cannot mount a tmpfs here (" << std::strerror(errno)
                                                << "); the RLIMIT_FSIZE test covers disk-full");
    return;
  }
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};
  const std::string file = tmp.Sub("entries.jsonl");
  WriteFile(file, TheFixture().file_text);
  const std::string db = mnt + "/db";
  InitLedger(db);
  CheckOutOfSpace(db, file, tmp.Sub("full"), {}, "tmpfs full");
  // With room again, the same file completes.
  REQUIRE(mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0);
  RequireResubmitCompletes(db, file, CheckPrefix(db), tmp.Sub("after"));
  RequireVerifies(db, tmp.Sub("after-verify"));
}

TEST_CASE("RLIMIT_FSIZE makes submit fail cleanly and what is there verifies",
          "[crash]") {
  TempDir tmp;
  const std::string file = tmp.Sub("entries.jsonl");
  WriteFile(file, TheFixture().file_text);
  const std::string db = tmp.Sub("db");
  InitLedger(db);
  RunOptions o;
  o.fsize_limit = 512 * 1024;
  CheckOutOfSpace(db, file, tmp.Sub("fsize"), o, "RLIMIT_FSIZE 512 KiB");
  RequireResubmitCompletes(db, file, CheckPrefix(db), tmp.Sub("after"));
}

TEST_CASE("unwritable directories give one clear error line", "[crash]") {
  TempDir tmp;
  // As root, permission bits do not stop us: run the binary as nobody.
  RunOptions o;
  if (IsRoot()) o.uid = 65534;
  fs::permissions(tmp.path(), fs::perms::all, fs::perm_options::replace);  // nobody may enter
  const std::string ro_parent = tmp.Sub("ro");
  fs::create_directory(ro_parent);
  fs::permissions(ro_parent, fs::perms::owner_read | fs::perms::owner_exec |
                                 fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec,
                  fs::perm_options::replace);
  // A private key the user running init owns and alone can read (a key
  // others can read would add a warning line).
  const std::string key = tmp.Sub("op.key");
  WriteFile(key, TheFixture().operator_pem);
  fs::permissions(key, fs::perms::owner_read, fs::perm_options::replace);
  if (IsRoot()) REQUIRE(::chown(key.c_str(), 65534, 65534) == 0);

  RunResult init = Run({"--db", ro_parent + "/db", "init", "--ledger-id", kLedgerId,
                        "--operator-key", key},
                       tmp.Sub("init"), o);
  std::cout << "init in unwritable dir: exit " << init.code << ", stderr: " << init.err;
  INFO("init stderr: " << init.err);
  CHECK(init.code == 1);
  CHECK(OneClearLine(init.err));
  CHECK(!fs::exists(ro_parent + "/db"));

  // An existing ledger whose directory and files are read-only to us.
  const std::string db = tmp.Sub("db");
  InitLedger(db);
  const std::string one = tmp.Sub("one.jsonl");
  WriteFile(one, TheFixture().envelopes[0] + "\n");
  fs::permissions(one, fs::perms::all, fs::perm_options::replace);
  for (const auto& e : fs::recursive_directory_iterator(db))
    fs::permissions(e.path(), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::replace);
  fs::permissions(db, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                          fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec,
                  fs::perm_options::replace);
  RunResult submit = Run({"--db", db, "submit", one}, tmp.Sub("submit"), o);
  std::cout << "submit to read-only ledger: exit " << submit.code << ", stderr: " << submit.err;
  INFO("submit stderr: " << submit.err);
  CHECK(submit.code == 1);
  CHECK(OneClearLine(submit.err));
  RunResult status = Run({"--db", db, "status", "--json"}, tmp.Sub("status"), o);
  std::cout << "status on read-only ledger: exit " << status.code << ", stderr: " << status.err;
  // The log itself is untouched.
  fs::permissions(db, fs::perms::owner_all, fs::perm_options::add);
  for (const auto& e : fs::recursive_directory_iterator(db))
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  CHECK(CheckPrefix(db) == 0);
}
