#include "bench/harness.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace rareledger::bench {

namespace {

std::string ReadHead(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string s(limit, '\0');
  in.read(s.data(), static_cast<std::streamsize>(limit));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

double Seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

}  // namespace

ChildResult RunChild(const std::vector<std::string>& argv, const std::string& scratch) {
  ChildResult r;
  std::string out_path = scratch + "/child.out", err_path = scratch + "/child.err";
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  double t0 = Now();
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return r;
  }
  if (pid == 0) {
    int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) _exit(127);
    dup2(o, 1);
    dup2(e, 2);
    close(o);
    close(e);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("wait4");
      return r;
    }
  }
  r.wall_s = Now() - t0;
  r.user_s = Seconds(ru.ru_utime);
  r.sys_s = Seconds(ru.ru_stime);
  r.max_rss_kib = static_cast<uint64_t>(ru.ru_maxrss);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadHead(out_path, 64 << 10);
  r.err = ReadHead(err_path, 64 << 10);
  return r;
}

DiskUsage DirUsage(const std::string& dir) {
  DiskUsage u;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (lstat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    u.apparent += static_cast<uint64_t>(st.st_size);
    u.allocated += static_cast<uint64_t>(st.st_blocks) * 512;
    ++u.files;
  }
  return u;
}

double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = p * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, v.size() - 1);
  double f = pos - static_cast<double>(lo);
  return v[lo] * (1 - f) + v[hi] * f;
}

std::string LoadAverage() {
  std::string s = ReadHead("/proc/loadavg", 256);
  std::istringstream in(s);
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

std::string Fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void PrintTable(const std::vector<Row>& rows) {
  size_t w[5] = {7, 6, 5, 6, 7};
  auto cells = [](const Row& r) {
    return std::vector<std::string>{r.measure, r.figure, r.ratio, r.target, r.verdict};
  };
  for (const auto& r : rows) {
    auto c = cells(r);
    for (size_t i = 0; i < 5; ++i) w[i] = std::max(w[i], c[i].size());
  }
  auto line = [&](const std::vector<std::string>& c) {
    std::cout << "|";
    for (size_t i = 0; i < 5; ++i) {
      std::cout << " " << c[i] << std::string(w[i] - c[i].size(), ' ') << " |";
    }
    std::cout << "\n";
  };
  line({"measure", "figure", "ratio", "target", "verdict"});
  std::cout << "|";
  for (size_t i = 0; i < 5; ++i) std::cout << std::string(w[i] + 2, '-') << "|";
  std::cout << "\n";
  for (const auto& r : rows) line(cells(r));
}

}  // namespace rareledger::bench
