// `epcis import --server URL` (cli/cmd_epcis_remote.cpp, docs/epcis.md).
#ifndef RARELEDGER_CLI_EPCIS_REMOTE_H_
#define RARELEDGER_CLI_EPCIS_REMOTE_H_

#include <string_view>

#include "cli/cli.h"
#include "epcis/ledger_io.h"

namespace rareledger::cli {

// The same outcome as epcis::ImportDocument, over c.g.server: the context
// read from GET /v1/epcis/context (one committed state), the mapping and
// signing here (the key never leaves), and one all-or-nothing POST
// /v1/entries?atomic=true. A Status error appends nothing; when the log
// moved on since the context was read, its message says to run again.
ledger::Result<epcis::ImportOutcome> ImportOverServer(Context& c, const ledger::Signer& signer,
                                                      std::string_view text, bool dry_run);

// The Code named by a server's error code id ("invalid_argument", ...).
ledger::Code CodeFromId(const std::string& id);

}  // namespace rareledger::cli

#endif  // RARELEDGER_CLI_EPCIS_REMOTE_H_
