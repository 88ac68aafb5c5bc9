// The tool's version ("0.2.0", from CMake's project()) and the on-disk
// ledger format it reads and writes (store_format.h).
#ifndef RARELEDGER_LEDGER_VERSION_H_
#define RARELEDGER_LEDGER_VERSION_H_

#include <string>

namespace rareledger::ledger {

const char* ToolVersion();
// "rareledger 0.2.0": what assessments record as `tool`.
std::string ToolName();
// The ledger format number (1 for "rareledger/1").
int LedgerFormatNumber();

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_VERSION_H_
