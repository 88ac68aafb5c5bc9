#include "bench/server_load.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/harness.h"
#include "server/http_client.h"

namespace rareledger::bench {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "rl_server_bench: " << what << "\n";
  std::exit(1);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::unique_ptr<server::HttpClient> Client(const std::string& url) {
  auto c = server::HttpClient::Create(url, std::chrono::seconds(120));
  if (!c.ok()) Die("client for " + url + ": " + c.status().ToString());
  return std::move(c).value();
}

}  // namespace

ServeProcess::ServeProcess(std::string bin, std::string db, std::vector<std::string> args,
                           std::string scratch)
    : bin_(std::move(bin)), db_(std::move(db)), scratch_(std::move(scratch)), args_(std::move(args)) {}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) Stop();
}

pid_t SpawnChild(const std::vector<std::string>& argv, const std::string& out_path,
                 const std::string& err_path) {
  std::vector<char*> cargs;
  for (const auto& a : argv) cargs.push_back(const_cast<char*>(a.c_str()));
  cargs.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  pid_t pid = fork();
  if (pid < 0) Die("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) _exit(127);
    dup2(o, 1);
    dup2(e, 2);
    execv(cargs[0], cargs.data());
    _exit(127);
  }
  return pid;
}

int StopChild(pid_t pid, int sig) {
  kill(pid, sig);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServeProcess::Start() {
  std::vector<std::string> argv = {bin_, "--db", db_, "serve", "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), args_.begin(), args_.end());
  const std::string out = scratch_ + "/serve.out", err = scratch_ + "/serve.err";
  pid_ = SpawnChild(argv, out, err);
  const double t0 = Now();
  while (Now() - t0 < 60) {
    std::string text = ReadFile(out);
    size_t at = text.find("listening on http://");
    size_t nl = text.find('\n');
    if (at != std::string::npos && nl != std::string::npos) {
      std::string rest = text.substr(at + 20, nl - at - 20);
      rest = rest.substr(0, rest.find(' '));  // HOST:PORT
      port_ = static_cast<uint16_t>(std::stoul(rest.substr(rest.rfind(':') + 1)));
      url_ = "http://" + rest;
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      Die("serve exited before listening: " + ReadFile(err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Die("serve did not print its address within 60 s");
}

int ServeProcess::Stop() {
  if (pid_ <= 0) return -1;
  int code = StopChild(pid_, SIGTERM);
  pid_ = -1;
  return code;
}

double ServeProcess::CpuSeconds() const {
  std::string stat = ReadFile("/proc/" + std::to_string(pid_) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) Die("cannot read /proc/" + std::to_string(pid_) + "/stat");
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields 3.. of proc(5): state is 3, utime 14, stime 15.
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

uint64_t ServeProcess::RssKib() const {
  std::istringstream in(ReadFile("/proc/" + std::to_string(pid_) + "/status"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  Die("no VmRSS for pid " + std::to_string(pid_));
}

std::string ServeProcess::Stderr() const { return ReadFile(scratch_ + "/serve.err"); }

PostResult RunPosts(const std::string& url, const PostLoad& load) {
  const size_t n = load.bodies.size();
  std::vector<std::vector<double>> lat(n);
  std::atomic<size_t> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (size_t c = 0; c < n; ++c) {
    pool.emplace_back([&, c] {
      auto client = Client(url);
      // Connect (and warm the connection) before the clock starts.
      auto h = client->Get("/healthz");
      if (!h.ok() || h->status != 200) Die("healthz before load failed");
      ++ready;
      while (!go.load()) std::this_thread::yield();
      for (const std::string& body : load.bodies[c]) {
        const double t0 = Now();
        auto r = client->Post("/v1/entries", load.content_type, body);
        lat[c].push_back(Now() - t0);
        if (!r.ok()) Die("POST: " + r.status().ToString());
        if (r->status != 200) Die("POST answered " + std::to_string(r->status) + ": " + r->body.substr(0, 300));
        auto j = nlohmann::json::parse(r->body, nullptr, false);
        if (j.is_discarded() || j.value("appended", uint64_t{0}) != load.lines[c])
          Die("POST did not append every line: " + r->body.substr(0, 300));
      }
    });
  }
  while (ready.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double t0 = Now();
  go = true;
  for (auto& t : pool) t.join();
  PostResult out;
  out.wall_s = Now() - t0;
  for (size_t c = 0; c < n; ++c) {
    out.requests += lat[c].size();
    out.entries += lat[c].size() * load.lines[c];
    out.latencies_s.insert(out.latencies_s.end(), lat[c].begin(), lat[c].end());
  }
  return out;
}

unsigned PostOnce(const std::string& url, const std::string& envelope) {
  auto r = Client(url)->Post("/v1/entries", "application/json", envelope);
  if (!r.ok()) Die("POST while connections are idle: " + r.status().ToString());
  return r->status;
}

std::string GetOrDie(const std::string& url, const std::string& path) {
  auto r = Client(url)->Get(path);
  if (!r.ok() || r->status != 200) Die("GET " + path + " failed");
  return r->body;
}

double FsyncSeconds(const std::string& dir, int n) {
  const std::string path = dir + "/rl_server_bench.fsync";
  const std::string block(4096, 'f');
  std::vector<double> times;
  for (int i = 0; i < n; ++i) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) Die("cannot create " + path);
    const double t0 = Now();
    if (write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) || fdatasync(fd) != 0)
      Die("write+fdatasync of " + path + " failed");
    times.push_back(Now() - t0);
    close(fd);
  }
  unlink(path.c_str());
  return Median(times);
}

bool PortOpen(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

uint64_t RaiseFileLimit() {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur;
}

size_t IdleConnections::Open(uint16_t port, size_t n) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  size_t connected = 0;
  constexpr size_t kBatch = 256;  // below the listen backlog
  for (size_t done = 0; done < n; done += kBatch) {
    std::vector<pollfd> batch;
    for (size_t i = done; i < std::min(n, done + kBatch); ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (fd < 0) Die("socket: " + std::string(std::strerror(errno)) + " after " + std::to_string(i));
      fds_.push_back(fd);
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        ++connected;
        continue;
      }
      if (errno != EINPROGRESS) Die("connect: " + std::string(std::strerror(errno)));
      batch.push_back({fd, POLLOUT, 0});
    }
    for (auto& p : batch) {
      if (poll(&p, 1, 10000) != 1) continue;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) ++connected;
    }
  }
  return connected;
}

void IdleConnections::Close() {
  for (int fd : fds_) close(fd);
  fds_.clear();
}

WrkResult RunWrk(const std::string& wrk, const std::string& url, const std::string& paths_file,
                 unsigned threads, unsigned conns, double seconds, const std::string& scratch) {
  const std::string script = scratch + "/paths.lua";
  std::ofstream(script) << "local paths = {}\n"
                           "for line in io.lines(\"" << paths_file << "\") do paths[#paths + 1] = line end\n"
                           "local i = math.random(#paths)\n"
                           "request = function()\n"
                           "  i = i % #paths + 1\n"
                           "  return wrk.format(\"GET\", paths[i])\n"
                           "end\n";
  ChildResult r = RunChild({wrk, "-t" + std::to_string(threads), "-c" + std::to_string(conns),
                            "-d" + std::to_string(static_cast<int>(seconds)) + "s", "-s", script, url},
                           scratch);
  if (r.exit_code != 0) Die("wrk failed: " + r.err + r.out);
  if (r.out.find("Non-2xx") != std::string::npos || r.out.find("Socket errors") != std::string::npos)
    Die("wrk against " + url + " saw errors:\n" + r.out);
  WrkResult w;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Requests/sec:", 0) == 0) w.requests_per_s = std::stod(line.substr(13));
    if (line.find("Latency") != std::string::npos && w.summary.empty()) w.summary = line;
    if (line.rfind("Transfer/sec:", 0) == 0) {
      double v = std::stod(line.substr(13));
      if (line.find("GB") != std::string::npos) v *= 1024;
      if (line.find("KB") != std::string::npos) v /= 1024;
      w.mbytes_per_s = v;
    }
  }
  if (w.requests_per_s <= 0) Die("no Requests/sec in wrk's output:\n" + r.out);
  return w;
}

}  // namespace rareledger::bench
