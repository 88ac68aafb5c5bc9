// rl_server_bench: the server benchmark of issue 12 (docs/performance.md,
// "Server"). One run, against the real `rareledger serve` on a loopback port:
//   L    Ed25519 verifications per CPU-second (bench/baseline.h), before the
//        write phases and after them; the write ratios use the mean;
//   1.   64 keep-alive clients POST single envelopes: entries per server
//        CPU-second (utime+stime of the serve process) ÷ L;
//   3.   16 clients the same: p99 latency, next to the disk's fsync time;
//   2.   8 clients POST 1,000-line JSON Lines bodies: the same ratio as 1;
//   4.   full-tile GETs per second from serve ÷ from nginx serving the
//        `rareledger tiles` directory of the same ledger, same wrk load;
//   5.   `verify --server` entries/s ÷ `verify --db` entries/s;
//   6.   extra RSS of serve holding 10,000 idle connections, and a submit
//        that still succeeds meanwhile.
// Every envelope is distinct and valid, pre-signed here: each client is its
// own registered party with consecutive seqs.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/baseline.h"
#include "bench/harness.h"
#include "bench/server_load.h"
#include "bench/server_workload.h"
#include "ledger/ledger.h"
#include "ledger/tiles.h"

namespace fs = std::filesystem;
using namespace rareledger;
using namespace rareledger::bench;

namespace {

struct Options {
  std::string bin, work, wrk, nginx, nginx_conf;
  uint16_t nginx_port = 0;
  unsigned single_per_client = 120;  // row 1: POSTs per client (64 clients)
  unsigned latency_per_client = 100;  // row 3: POSTs per client (16 clients)
  unsigned batches_per_client = 11;  // row 2: 1,000-line POSTs per client (8 clients)
  double baseline_seconds = 3;
  double wrk_seconds = 5;
  size_t idle = 10000;
};

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "rl_server_bench: " << what << "\n";
  std::exit(1);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--bin") o.bin = val();
    else if (a == "--work") o.work = val();
    else if (a == "--wrk") o.wrk = val();
    else if (a == "--nginx") o.nginx = val();
    else if (a == "--nginx-conf") o.nginx_conf = val();
    else if (a == "--nginx-port") o.nginx_port = static_cast<uint16_t>(std::stoul(val()));
    else if (a == "--single-per-client") o.single_per_client = static_cast<unsigned>(std::stoul(val()));
    else if (a == "--latency-per-client") o.latency_per_client = static_cast<unsigned>(std::stoul(val()));
    else if (a == "--batches-per-client") o.batches_per_client = static_cast<unsigned>(std::stoul(val()));
    else if (a == "--baseline-seconds") o.baseline_seconds = std::stod(val());
    else if (a == "--wrk-seconds") o.wrk_seconds = std::stod(val());
    else if (a == "--idle") o.idle = std::stoul(val());
    else Die("unknown argument " + a);
  }
  if (o.bin.empty() || o.work.empty() || o.wrk.empty() || o.nginx.empty() || o.nginx_conf.empty() ||
      o.nginx_port == 0)
    Die("usage: rl_server_bench --bin RARELEDGER --work DIR --wrk WRK --nginx NGINX --nginx-conf CONF "
        "--nginx-port PORT [--single-per-client K] [--latency-per-client K] [--batches-per-client K] "
        "[--baseline-seconds S] [--wrk-seconds S] [--idle N]  (scripts/bench-server.sh runs it)");
  o.bin = fs::absolute(o.bin).string();
  o.work = fs::absolute(o.work).string();
  return o;
}

std::string Verdict(bool met) { return met ? "met" : "MISSED"; }

// Writes the absolute URL paths of the full tiles of a tree of `size`:
// hash tiles of every level to `hash_file`, entry bundles to `bundle_file`.
void WriteTilePaths(uint64_t size, const std::string& hash_file, const std::string& bundle_file,
                    size_t* hashes, size_t* bundles) {
  std::ofstream h(hash_file), b(bundle_file);
  *hashes = *bundles = 0;
  for (const ledger::TileId& t : ledger::NewTiles(0, size)) {
    if (!t.full()) continue;
    (t.entries ? b : h) << "/" << ledger::TilePath(t) << "\n";
    ++*(t.entries ? bundles : hashes);
  }
}

// Every tile listed in `paths_file` from serve equals the file in `dir`.
void SameTiles(const std::string& url, const std::string& dir, const std::string& paths_file) {
  std::ifstream paths(paths_file);
  std::string path;
  size_t n = 0;
  while (std::getline(paths, path)) {
    std::ifstream f(dir + path, std::ios::binary);
    std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (file.empty() || file != GetOrDie(url, path)) Die(path + " from serve differs from " + dir + path);
    ++n;
  }
  if (n == 0) Die(paths_file + " lists no tile");
}

struct WritePhase {
  PostResult posts;
  double server_cpu_s = 0;
  double PerCpu() const { return static_cast<double>(posts.entries) / server_cpu_s; }
  double PerWall() const { return static_cast<double>(posts.entries) / posts.wall_s; }
};

WritePhase Measure(ServeProcess& serve, const PostLoad& load) {
  WritePhase w;
  const double c0 = serve.CpuSeconds();
  w.posts = RunPosts(serve.url(), load);
  w.server_cpu_s = serve.CpuSeconds() - c0;
  return w;
}

// nginx with the script's config, in the foreground (daemon off), until Stop.
class Nginx {
 public:
  explicit Nginx(const Options& o) {
    pid_ = SpawnChild({o.nginx, "-c", o.nginx_conf, "-e", o.work + "/nginx.err"},
                      o.work + "/nginx.out", o.work + "/nginx.stderr");
    url_ = "http://127.0.0.1:" + std::to_string(o.nginx_port);
    for (int i = 0; i < 200; ++i) {
      if (PortOpen(o.nginx_port)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    Die("nginx did not listen on " + url_ + "; see " + o.work + "/nginx.err");
  }
  ~Nginx() { StopChild(pid_, SIGQUIT); }
  const std::string& url() const { return url_; }

 private:
  pid_t pid_;
  std::string url_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  fs::create_directories(o.work);
  const std::string db = o.work + "/server.db", tiles = o.work + "/tiles";
  const uint64_t fd_limit = RaiseFileLimit();  // serve inherits it
  std::cout << "rl_server_bench: " << std::thread::hardware_concurrency() << " cpus, " << CpuModel()
            << "; load " << LoadAverage() << "; RLIMIT_NOFILE " << fd_limit << "\n";

  ServerWorkload work(72);
  work.InitLedger(db, o.work);
  VerifyRate L_before = MeasureVerifyRate(2, o.baseline_seconds);
  std::cout << "[L] Ed25519 verify: " << Fmt(L_before.per_s, 0) << "/s on 2 threads, "
            << Fmt(L_before.per_cpu_s, 0) << " per CPU-second\n";

  const double tg = Now();
  PostLoad single = work.Singles(0, 64, o.single_per_client);
  PostLoad latency = work.Singles(0, 16, o.latency_per_client);
  PostLoad batches = work.Batches(64, 8, o.batches_per_client, 1000);
  std::cout << "[gen] signed " << work.signed_count() << " envelopes in " << Fmt(Now() - tg, 1) << " s\n";

  ServeProcess serve(o.bin, db, {"--operator-key", o.work + "/op.key"}, o.work);
  serve.Start();
  std::cout << "[serve] " << serve.url() << ", pid " << serve.pid() << "\n";
  RunPosts(serve.url(), work.Registrations());

  WritePhase w1 = Measure(serve, single);
  std::cout << "[1] 64 clients x " << o.single_per_client << " single POSTs: " << w1.posts.entries
            << " entries in " << Fmt(w1.posts.wall_s, 2) << " s = " << Fmt(w1.PerWall(), 0)
            << "/s; server CPU " << Fmt(w1.server_cpu_s, 2) << " s = " << Fmt(w1.PerCpu(), 0)
            << " entries/CPU-s; load " << LoadAverage() << "\n";
  WritePhase w3 = Measure(serve, latency);
  const double p50 = Percentile(w3.posts.latencies_s, 0.5), p99 = Percentile(w3.posts.latencies_s, 0.99);
  std::cout << "[3] 16 clients x " << o.latency_per_client << " single POSTs: p50 " << Fmt(p50 * 1e3, 2)
            << " ms, p99 " << Fmt(p99 * 1e3, 2) << " ms, " << Fmt(w3.PerWall(), 0) << "/s\n";
  WritePhase w2 = Measure(serve, batches);
  std::cout << "[2] 8 clients x " << o.batches_per_client << " 1,000-line POSTs: " << w2.posts.entries
            << " entries in " << Fmt(w2.posts.wall_s, 2) << " s = " << Fmt(w2.PerWall(), 0)
            << "/s; server CPU " << Fmt(w2.server_cpu_s, 2) << " s = " << Fmt(w2.PerCpu(), 0)
            << " entries/CPU-s; load " << LoadAverage() << "\n";
  VerifyRate L_after = MeasureVerifyRate(2, o.baseline_seconds);
  const double Lcpu = (L_before.per_cpu_s + L_after.per_cpu_s) / 2;
  std::cout << "[L] after the writes: " << Fmt(L_after.per_cpu_s, 0) << " per CPU-second (mean "
            << Fmt(Lcpu, 0) << ")\n";
  const double fsync_s = FsyncSeconds(db, 50);
  std::cout << "[fsync] write 4 KiB + fdatasync in " << db << ": median " << Fmt(fsync_s * 1e3, 3)
            << " ms of 50\n";

  // The read side at the final size: wait for serve's checkpoint to cover it.
  const uint64_t size = work.total_entries();
  for (int i = 0;; ++i) {
    std::string note = GetOrDie(serve.url(), "/checkpoint");
    size_t a = note.find('\n');
    if (std::stoull(note.substr(a + 1)) == size) break;
    if (i == 100) Die("the checkpoint does not reach size " + std::to_string(size));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ChildResult t = RunChild({o.bin, "--db", db, "tiles", tiles}, o.work);
  if (t.exit_code != 0) Die("tiles failed: " + t.err);
  size_t nhash = 0, nbundle = 0;
  WriteTilePaths(size, o.work + "/hash_paths.txt", o.work + "/bundle_paths.txt", &nhash, &nbundle);
  WrkResult hs, hn, bs, bn;
  {
    hs = RunWrk(o.wrk, serve.url(), o.work + "/hash_paths.txt", 2, 64, o.wrk_seconds, o.work);
    bs = RunWrk(o.wrk, serve.url(), o.work + "/bundle_paths.txt", 2, 64, o.wrk_seconds, o.work);
    // What wrk was served (from serve's tile cache by now) is what nginx serves.
    SameTiles(serve.url(), tiles, o.work + "/hash_paths.txt");
    SameTiles(serve.url(), tiles, o.work + "/bundle_paths.txt");
    Nginx nginx(o);
    hn = RunWrk(o.wrk, nginx.url(), o.work + "/hash_paths.txt", 2, 64, o.wrk_seconds, o.work);
    bn = RunWrk(o.wrk, nginx.url(), o.work + "/bundle_paths.txt", 2, 64, o.wrk_seconds, o.work);
  }
  std::cout << "[4] wrk -t2 -c64 -d" << o.wrk_seconds << "s over " << nhash << " full hash tiles: serve "
            << Fmt(hs.requests_per_s, 0) << "/s, nginx " << Fmt(hn.requests_per_s, 0) << "/s; over "
            << nbundle << " full entry bundles: serve " << Fmt(bs.requests_per_s, 0) << "/s ("
            << Fmt(bs.mbytes_per_s, 0) << " MB/s), nginx " << Fmt(bn.requests_per_s, 0) << "/s ("
            << Fmt(bn.mbytes_per_s, 0) << " MB/s)\n";

  ChildResult vs = RunChild({o.bin, "verify", "--server", serve.url(), "--operator-key", o.work + "/op.pub"},
                            o.work);
  if (vs.exit_code != 0) Die("verify --server failed: " + vs.err + vs.out);
  ChildResult vl = RunChild({o.bin, "--db", db, "verify"}, o.work);
  if (vl.exit_code != 0) Die("verify --db failed: " + vl.err + vl.out);
  const double vs_rate = static_cast<double>(size) / vs.wall_s, vl_rate = static_cast<double>(size) / vl.wall_s;
  std::cout << "[5] verify --server: " << size << " entries in " << Fmt(vs.wall_s, 2) << " s = "
            << Fmt(vs_rate, 0) << "/s (user " << Fmt(vs.user_s, 1) << " s); verify --db: "
            << Fmt(vl.wall_s, 2) << " s = " << Fmt(vl_rate, 0) << "/s (user " << Fmt(vl.user_s, 1) << " s)\n";

  const PostLoad extra = work.Singles(0, 1, 1);  // party srv-000's next seq
  const uint64_t rss0 = serve.RssKib();
  IdleConnections idle;
  const double ti = Now();
  const size_t opened = idle.Open(serve.port(), o.idle);
  size_t held = 0;
  for (int i = 0; i < 100 && held < opened; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    held = work.ServerConnections(serve.url());
  }
  const uint64_t rss1 = serve.RssKib();
  const unsigned submit_status = PostOnce(serve.url(), extra.bodies[0][0]);
  std::cout << "[6] " << opened << " idle connections opened in " << Fmt(Now() - ti, 2)
            << " s; serve reports " << held << " open; VmRSS " << rss0 / 1024 << " -> " << rss1 / 1024
            << " MiB; a submit meanwhile: HTTP " << submit_status << "\n";
  idle.Close();
  const int serve_exit = serve.Stop();
  if (serve_exit != 0) Die("serve exited " + std::to_string(serve_exit) + ": " + serve.Stderr());

  const double r1 = w1.PerCpu() / Lcpu, r2 = w2.PerCpu() / Lcpu;
  const double p99_target = 4 * fsync_s + 0.010;
  const double r4 = hs.requests_per_s / hn.requests_per_s, r4b = bs.requests_per_s / bn.requests_per_s;
  const double r5 = vs_rate / vl_rate;
  const double extra_mib = (static_cast<double>(rss1) - static_cast<double>(rss0)) / 1024;
  const bool idle_ok = held >= o.idle && extra_mib < 64 && submit_status == 200;
  std::vector<Row> rows = {
      {"Ed25519 verify per CPU-second (before / after writes)",
       Fmt(L_before.per_cpu_s, 0) + " / " + Fmt(L_after.per_cpu_s, 0), "", "", ""},
      {"64 clients, single POSTs: entries per server CPU-s", Fmt(w1.PerCpu(), 0) + " (" + Fmt(w1.PerWall(), 0) + "/s wall)",
       Fmt(r1, 3), ">= 0.6", Verdict(r1 >= 0.6)},
      {"8 clients, 1,000-line POSTs: entries per server CPU-s", Fmt(w2.PerCpu(), 0) + " (" + Fmt(w2.PerWall(), 0) + "/s wall)",
       Fmt(r2, 3), ">= 0.85", Verdict(r2 >= 0.85)},
      {"16 clients, single POSTs: p99 latency (p50)", Fmt(p99 * 1e3, 2) + " ms (" + Fmt(p50 * 1e3, 2) + " ms)",
       "fsync " + Fmt(fsync_s * 1e3, 3) + " ms", "<= " + Fmt(p99_target * 1e3, 2) + " ms", Verdict(p99 <= p99_target)},
      {"full hash tiles, GET/s serve / nginx", Fmt(hs.requests_per_s, 0) + " / " + Fmt(hn.requests_per_s, 0),
       Fmt(r4, 3), ">= 0.5", Verdict(r4 >= 0.5)},
      {"full entry bundles, GET/s serve / nginx", Fmt(bs.requests_per_s, 0) + " / " + Fmt(bn.requests_per_s, 0),
       Fmt(r4b, 3), "", ""},
      {"verify --server / verify --db, entries/s (" + std::to_string(size) + ")",
       Fmt(vs_rate, 0) + " / " + Fmt(vl_rate, 0), Fmt(r5, 3), ">= 0.8", Verdict(r5 >= 0.8)},
      {std::to_string(held) + " idle connections: extra RSS, submit", Fmt(extra_mib, 1) + " MiB, HTTP " +
       std::to_string(submit_status), "", "< 64 MiB at 10,000", Verdict(idle_ok)},
  };
  PrintTable(rows);
  return 0;
}
