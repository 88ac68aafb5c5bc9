// The pieces of rl_server_bench (issue 12): the real `rareledger serve` as a
// child process (its CPU time and RSS from /proc), keep-alive POST load from
// many client threads, idle TCP connections, the disk's fsync time, and wrk.
#ifndef RARELEDGER_BENCH_SERVER_LOAD_H_
#define RARELEDGER_BENCH_SERVER_LOAD_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rareledger::bench {

// fork + execv(argv[0], argv) with stdout and stderr to the given files.
pid_t SpawnChild(const std::vector<std::string>& argv, const std::string& out_path,
                 const std::string& err_path);
// Sends `sig` and reaps: the exit code (-1 when killed by a signal).
int StopChild(pid_t pid, int sig);

// `rareledger --db DB serve --listen 127.0.0.1:0 ARGS...`; stdout and
// stderr go to files in `scratch`. Start waits for the "listening on" line.
class ServeProcess {
 public:
  ServeProcess(std::string bin, std::string db, std::vector<std::string> args, std::string scratch);
  ~ServeProcess();  // SIGTERM and reap, if still running
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  void Start();            // exits the benchmark with a message on failure
  int Stop();              // SIGTERM, wait; the exit code (-1 on a signal)
  pid_t pid() const { return pid_; }
  const std::string& url() const { return url_; }
  uint16_t port() const { return port_; }
  double CpuSeconds() const;  // utime + stime of /proc/PID/stat
  uint64_t RssKib() const;    // VmRSS of /proc/PID/status
  std::string Stderr() const;

 private:
  std::string bin_, db_, scratch_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string url_;
};

// `clients` threads, each with its own keep-alive HttpClient, POST their own
// bodies to /v1/entries in order, all starting together. Every response must
// be 200 appending exactly that body's lines (else the benchmark exits).
struct PostLoad {
  std::vector<std::vector<std::string>> bodies;  // [client][request]
  std::vector<uint64_t> lines;                   // [client]: lines per body
  std::string content_type;
};
struct PostResult {
  double wall_s = 0;
  uint64_t requests = 0;
  uint64_t entries = 0;
  std::vector<double> latencies_s;  // one per request
};
PostResult RunPosts(const std::string& url, const PostLoad& load);

// One POST (a single envelope) on a fresh connection: the HTTP status.
unsigned PostOnce(const std::string& url, const std::string& envelope);
// GET `path`: the body, or exits the benchmark unless 200.
std::string GetOrDie(const std::string& url, const std::string& path);

// Median over `n` runs of write(4 KiB) + fdatasync of a fresh file in `dir`.
double FsyncSeconds(const std::string& dir, int n);

// Opens `n` TCP connections to 127.0.0.1:port that never send a byte; they
// stay open until Close or destruction.
class IdleConnections {
 public:
  ~IdleConnections() { Close(); }
  size_t Open(uint16_t port, size_t n);  // returns how many connected
  void Close();

 private:
  std::vector<int> fds_;
};

// Whether a TCP connection to 127.0.0.1:port succeeds.
bool PortOpen(uint16_t port);

// Raises RLIMIT_NOFILE to the hard limit; returns the new soft limit.
uint64_t RaiseFileLimit();

// wrk -t THREADS -c CONNS -d SECONDS -s SCRIPT URL, where the script cycles
// through the paths in `paths_file`. Requests per second; exits the benchmark
// if wrk fails or saw a non-2xx response or a socket error.
struct WrkResult {
  double requests_per_s = 0;
  double mbytes_per_s = 0;
  std::string summary;  // wrk's latency line
};
WrkResult RunWrk(const std::string& wrk, const std::string& url, const std::string& paths_file,
                 unsigned threads, unsigned conns, double seconds, const std::string& scratch);

}  // namespace rareledger::bench

#endif  // RARELEDGER_BENCH_SERVER_LOAD_H_
