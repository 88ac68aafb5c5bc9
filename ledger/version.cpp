#include "ledger/version.h"

#include <cstdlib>
#include <cstring>

#include "ledger/store_format.h"

#ifndef RL_VERSION
#error "RL_VERSION is set by ledger/CMakeLists.txt from project()"
#endif

namespace rareledger::ledger {

const char* ToolVersion() { return RL_VERSION; }

std::string ToolName() {
  static const std::string name = "rareledger " RL_VERSION;  // literal concatenation
  return name;
}

int LedgerFormatNumber() {
  const char* slash = std::strrchr(format::kFormatVersion, '/');
  return slash != nullptr ? std::atoi(slash + 1) : 0;
}

}  // namespace rareledger::ledger
