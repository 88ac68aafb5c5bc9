#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/cli.h"

namespace rareledger::cli {

int Fail(const ledger::Status& status) {
  std::string msg = status.ToString();
  for (char& c : msg)
    if (c == '\n') c = ' ';
  std::cerr << "rareledger: " << msg << "\n";
  return kExitFailure;
}

int UsageError(const std::string& message) {
  std::cerr << "rareledger: " << message << "\n";
  return kExitUsage;
}

Progress::Progress(const char* what, bool quiet)
    : what_(what), enabled_(!quiet && isatty(STDERR_FILENO) == 1) {}

void Progress::Finish() {
  if (drawn_) std::cerr << "\n";
  drawn_ = false;
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
                 .count();
  if (now - last_ms_ < 250 && done != total) return;
  last_ms_ = now;
  drawn_ = true;
  std::cerr << "\r" << what_ << ": " << done;
  if (total > 0) std::cerr << "/" << total;
  std::cerr << " entries" << std::flush;
}

ledger::Result<std::string> ReadInput(const std::string& path) {
  if (path.empty() || path == "-") {
    std::string bytes((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return bytes;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ledger::Status::NotFound("cannot read " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes;
}

}  // namespace rareledger::cli
