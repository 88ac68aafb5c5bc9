#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "cli/cli.h"
#include "ledger/signer.h"

#ifndef RL_SOURCE_POLICY_DIR
#error "RL_SOURCE_POLICY_DIR is set by cli/CMakeLists.txt"
#endif

namespace rareledger::cli {

ledger::Status Context::Open(Access access) {
  if (access == Access::kNone || opened) return ledger::Status::Ok();
  const bool writable = access == Access::kWrite;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(g.wait_seconds * 1000));
  for (;;) {
    auto l = ledger::Ledger::Open(g.db, writable);
    if (l.ok()) {
      opened = std::move(l).value();
      return ledger::Status::Ok();
    }
    if (l.status().code() != ledger::Code::kBusy || std::chrono::steady_clock::now() >= deadline) {
      if (l.status().code() == ledger::Code::kBusy && g.wait_seconds == 0)
        return ledger::Status::Busy(l.status().message() + " (--wait SECONDS waits for it)");
      return l.status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

ledger::Result<int64_t> ParseSeconds(const std::string& flag, const std::string& text) {
  const auto bad = [&] {
    return ledger::Status::InvalidArgument(flag + " \"" + text +
                                           "\": want seconds like 1, 0.5 or 2.25 (more than 0)");
  };
  const size_t dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  auto digits = [](const std::string& d) {
    return std::all_of(d.begin(), d.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  };
  if (whole.empty() || whole.size() > 7 || !digits(whole) || frac.size() > 3 || !digits(frac) ||
      (dot != std::string::npos && frac.empty()))
    return bad();
  int64_t ms = std::stoll(whole) * 1000;
  if (!frac.empty()) ms += std::stoll((frac + "00").substr(0, 3));
  if (ms <= 0) return bad();
  return ms;
}

void Warn(const std::string& message) { std::cerr << "rareledger: warning: " << message << "\n"; }

ledger::Result<ledger::Signer> LoadSigner(const std::string& path) {
  if (auto warning = ledger::KeyFilePermissionWarning(path)) Warn(*warning);
  return ledger::Signer::FromPemFile(path);
}

ledger::Result<std::string> PolicyDir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("RARELEDGER_POLICIES"); env != nullptr && *env != '\0') {
    if (!fs::is_directory(env))
      return ledger::Status::NotFound(std::string("$RARELEDGER_POLICIES is ") + env +
                                      ", which is not a directory");
    return std::string(env);
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = self.parent_path().parent_path() / "share" / "rareledger" / "policies";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  if (fs::is_directory(RL_SOURCE_POLICY_DIR, ec)) return std::string(RL_SOURCE_POLICY_DIR);
  return ledger::Status::NotFound(
      "no policy directory: set $RARELEDGER_POLICIES, or install rareledger (share/rareledger/policies)");
}

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

ledger::Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!(f << bytes) || !f.flush()) return ledger::Status::IOError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return ledger::Status::IOError("cannot rename " + tmp + " to " + path);
  }
  return ledger::Status::Ok();
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

ledger::Result<std::string> ResolvePolicyFile(const std::string& arg) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) return arg;
  if (arg.find('/') != std::string::npos)
    return ledger::Status::NotFound("no policy file " + arg);
  RL_ASSIGN_OR_RETURN(std::string dir, PolicyDir());
  std::string lower = arg;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string dashed = lower;  // an id's dots are dashes in file names
  std::replace(dashed.begin(), dashed.end(), '.', '-');
  for (const std::string& name : {arg, arg + ".json", lower, lower + ".json", dashed + ".json"})
    if (fs::is_regular_file(fs::path(dir) / name, ec)) return (fs::path(dir) / name).string();
  std::string known;
  for (const auto& f : fs::directory_iterator(dir, ec))
    if (f.path().extension() == ".json") known += (known.empty() ? "" : ", ") + f.path().stem().string();
  return ledger::Status::NotFound("no policy \"" + arg + "\": not a file, nor one of the shipped " +
                                  "policies in " + dir + " (" + known + ")");
}

}  // namespace rareledger::cli
