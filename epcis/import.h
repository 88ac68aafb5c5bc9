// EPCIS 2.0 document -> ledger payloads (docs/epcis.md "Import").
//
// MapDocument is a pure function of the document text and an ImportContext
// (what the ledger holds that the mapping reads: parties by GLN, lots with
// their holders, events already imported). It never touches a database, so
// the CLI, the server and the tests share it. Import is per party: every
// payload is the signer's act; an event of another party refuses the whole
// document. The result is either every event's payloads, in the order they
// must be signed and appended, or a refusal naming the reason code, the
// event's index in eventList and its id, with no payloads at all.
#ifndef RARELEDGER_EPCIS_IMPORT_H_
#define RARELEDGER_EPCIS_IMPORT_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rareledger::epcis {

// A lot as the mapping sees it.
struct LotHolding {
  std::string holder;        // party id
  int64_t remaining_g = 0;
  uint64_t acquired_at = 0;  // entry that gave it to its holder (create, split, transform, transfer)
  bool operator==(const LotHolding&) const = default;
};

struct ImportContext {
  std::string ledger_id;
  std::string currency;                               // the ledger's (ISO 4217)
  std::string signer;                                 // the key's party id
  std::map<std::string, std::string> party_by_gln;    // GLN-13 -> party (not revoked)
  std::map<std::string, LotHolding> lots;             // every lot id
  std::map<std::string, std::vector<uint64_t>> imported;  // epcis_event -> entry indices
  uint64_t next_index = 0;                            // the log's size
  int64_t next_seq = 0;  // the signer's next seq (for signing; the mapping ignores it)
  bool operator==(const ImportContext&) const = default;
};

// What became of one event.
struct EventReport {
  int64_t index = -1;     // position in epcisBody.eventList; -1: the document itself
  std::string event_id;   // eventID, or the computed id (document.h)
  std::string result;     // mapped, skipped, refused, already_imported
  std::vector<size_t> payloads;   // mapped: indices into ImportPlan::payloads
  std::vector<uint64_t> entries;  // already_imported: the log entries it gave
  std::string reason;             // skipped / refused: the reason code
  std::string message;            // one line, for people
};

struct ImportPlan {
  // Each payload's type-specific fields with `type`, `time` (the event's
  // eventTime in UTC) and `epcis_event`; `ledger`, `party` and `seq` are
  // filled when signing. Empty when refused.
  std::vector<nlohmann::json> payloads;
  std::vector<EventReport> events;  // in processing order (eventTime, then document order)
  std::optional<EventReport> refusal;
  std::vector<std::string> warnings;
  bool refused() const { return refusal.has_value(); }
};

ImportPlan MapDocument(std::string_view text, const ImportContext& context);

// Where a submitted payload is in the log: appended at `index`, or found
// there already (an identical envelope: a concurrent or repeated import).
struct Placement {
  uint64_t index = 0;
  bool duplicate = false;
};
// The placements of payloads appended at consecutive indices from `first`.
std::vector<Placement> Consecutive(uint64_t first, size_t count);

// A mapped event all of whose payloads were found in the log already, as
// `already_imported` naming their entries (what a later import reports).
// `placed`: one per payload, or empty (not submitted): then unchanged.
ImportPlan Placed(ImportPlan plan, const std::vector<Placement>& placed);

// The report as SPEC's `--json` form: {"appended", "events": [{"index",
// "event_id", "result", "entries", "reason"}], "warnings"}; `entries` are
// log indices once submitted (`placed`, one per payload; `appended` counts
// those not already there), else payload positions with `appended` 0.
nlohmann::json PlanJson(const ImportPlan& plan, const std::vector<Placement>& placed);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_IMPORT_H_
