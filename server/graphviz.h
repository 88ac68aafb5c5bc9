// Graphviz as a child process: DOT in, SVG out, bounded in time and size.
#ifndef RARELEDGER_SERVER_GRAPHVIZ_H_
#define RARELEDGER_SERVER_GRAPHVIZ_H_

#include <string>

#include "ledger/status.h"

namespace rareledger::server {

// Runs `dot_binary -Tsvg` on `dot`. IOError naming why when graphviz is
// missing, fails, prints more than 32 MiB or takes more than 20 seconds
// (then it is killed).
ledger::Result<std::string> RenderSvg(const std::string& dot_binary, const std::string& dot);

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_GRAPHVIZ_H_
