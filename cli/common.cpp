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
