// The import's and export's side that touches a ledger: reading the
// ImportContext, signing a plan, submitting all or nothing.
//
// SubmitAll is the one place envelopes made by `epcis import` reach a local
// log; `epcis import --server` (cli/cmd_epcis_remote.cpp) reads the same
// ImportContext from GET /v1/epcis/context (context_json.h) and posts the
// same envelopes to POST /v1/entries?atomic=true, all or nothing.
#ifndef RARELEDGER_EPCIS_LEDGER_IO_H_
#define RARELEDGER_EPCIS_LEDGER_IO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "epcis/import.h"
#include "ledger/ledger.h"
#include "ledger/signer.h"

namespace rareledger::epcis {

// What MapDocument needs from `ledger` when `signer_party` imports: every
// party with a GLN that is not revoked, every lot with its holder,
// remaining mass and the entry that gave it to its holder, and the
// epcis_event (and epcis_group) ids already in the log. Reads the whole
// log once.
ledger::Result<ImportContext> LoadImportContext(const ledger::Ledger& ledger,
                                                const std::string& signer_party);
// The two halves of LoadImportContext, for a server whose log grows
// meanwhile. LoadImportRecords reads the records (size, parties, lots with
// acquired_at their creation, the signer's next seq): call it where they
// are one committed state (under the sequencer's read lock).
// AddImportHistory reads entries [0, context->next_index) only, which
// never change, so it needs no lock: acquired_at and the imported ids.
ledger::Result<ImportContext> LoadImportRecords(const ledger::Ledger& ledger,
                                                const std::string& signer_party);
ledger::Status AddImportHistory(const ledger::Ledger& ledger, ImportContext* context);

// The plan's payloads with `ledger`, `party` and consecutive `seq` from
// `first_seq` filled in (what `--dry-run` prints).
std::vector<nlohmann::json> FilledPayloads(const ImportPlan& plan, const std::string& ledger_id,
                                           const std::string& party, int64_t first_seq);
// Those payloads signed, as envelope lines (JSON Lines when joined).
ledger::Result<std::vector<std::string>> SignPayloads(const std::vector<nlohmann::json>& payloads,
                                                      const ledger::Signer& signer);

// Appends `envelopes` all or nothing: CheckAppend first (nothing is
// appended when any would be refused), then Submit. Returns the index of
// the first appended entry. `ledger` must be open for writing.
ledger::Result<uint64_t> SubmitAll(ledger::Ledger& ledger, const std::vector<std::string>& envelopes);

// One whole import, as `epcis import` runs it: resolves the key's party,
// maps `text`, signs, and (unless dry_run) submits through SubmitAll. A
// refused document is an ok result whose plan is refused (nothing
// appended); a Status error (unknown key, a payload the ledger refuses)
// also appends nothing.
struct ImportOutcome {
  ImportPlan plan;
  std::string party;                        // the signer
  std::vector<nlohmann::json> payloads;     // filled, in signing order
  std::vector<std::string> envelopes;       // signed
  std::optional<uint64_t> first_index;      // set once appended
  std::vector<Placement> placed;            // once appended: each payload's entry
};
ledger::Result<ImportOutcome> ImportDocument(ledger::Ledger& ledger, const ledger::Signer& signer,
                                             std::string_view text, bool dry_run);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_LEDGER_IO_H_
