// A small benchmark harness: wall clocks, child processes with their peak
// RSS (wait4/getrusage), directory sizes, medians and the result table.
#ifndef RARELEDGER_BENCH_HARNESS_H_
#define RARELEDGER_BENCH_HARNESS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace rareledger::bench {

inline double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct ChildResult {
  int exit_code = -1;      // -1 when killed by a signal
  double wall_s = 0;       // fork to reap
  double user_s = 0;       // CPU time of the child
  double sys_s = 0;
  uint64_t max_rss_kib = 0;  // ru_maxrss of the child
  std::string out;         // stdout, captured to a file (first 64 KiB)
  std::string err;         // stderr (first 64 KiB)
};

// fork + execv(argv[0], argv); stdout and stderr go to temporary files in
// `scratch` so that a chatty child cannot block on a pipe.
ChildResult RunChild(const std::vector<std::string>& argv, const std::string& scratch);

struct DiskUsage {
  uint64_t apparent = 0;  // sum of st_size
  uint64_t allocated = 0;  // sum of st_blocks * 512
  uint64_t files = 0;
};
DiskUsage DirUsage(const std::string& dir);

double Median(std::vector<double> v);
double Percentile(std::vector<double> v, double p);  // p in [0,1]

std::string LoadAverage();  // /proc/loadavg, first three fields
std::string CpuModel();     // /proc/cpuinfo "model name"

// The result table: one row per figure.
struct Row {
  std::string measure;
  std::string figure;
  std::string ratio;
  std::string target;
  std::string verdict;  // "met", "MISSED", or "" (informational)
};
void PrintTable(const std::vector<Row>& rows);

std::string Fmt(double v, int decimals);

}  // namespace rareledger::bench

#endif  // RARELEDGER_BENCH_HARNESS_H_
