// What the CLI binds an assessment to when it reads a ledger database:
// shared by `assess`, `trace` and `demo` (cmd_graph.cpp defines it).
#ifndef RARELEDGER_CLI_BINDING_H_
#define RARELEDGER_CLI_BINDING_H_

#include "graph/assessment.h"
#include "ledger/ledger.h"

namespace rareledger::cli {

// The ledger's id, currency, size and root, its latest checkpoint (or
// none) and this tool's version.
ledger::Result<graph::Binding> LedgerBinding(const ledger::Ledger& ledger);

}  // namespace rareledger::cli

#endif  // RARELEDGER_CLI_BINDING_H_
