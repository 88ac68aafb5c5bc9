// epcis import / epcis export: the CLI over epcis/ (docs/epcis.md).
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "cli/epcis_remote.h"
#include "epcis/export.h"
#include "epcis/import.h"
#include "epcis/ledger_io.h"

namespace rareledger::cli {
namespace {

using ledger::Status;
using nlohmann::json;

std::string Where(const epcis::EventReport& r) {
  if (r.index < 0) return "document";
  return "eventList[" + std::to_string(r.index) + "]" + (r.event_id.empty() ? "" : " " + r.event_id);
}

// One line per event: what became of it (`placed`: each payload's entry,
// once submitted).
void PrintReport(const epcis::ImportPlan& plan, const std::vector<epcis::Placement>& placed,
                 std::ostream& out) {
  const bool submitted = !placed.empty();
  for (const auto& r : plan.events) {
    out << Where(r) << ": " << r.result;
    if (r.result == "mapped" && !r.payloads.empty()) {
      out << (submitted ? " -> entries" : " -> payloads");
      for (size_t p : r.payloads) out << " " << (submitted ? placed[p].index : p + 1);
    } else if (r.result == "already_imported") {
      out << " (entries";
      for (uint64_t i : r.entries) out << " " << i;
      out << ")";
    }
    if (!r.reason.empty()) out << " (" << r.reason << ")";
    if (!r.message.empty() && r.result != "refused") out << ": " << r.message;
    out << "\n";
  }
}

int Refused(const Context& c, const epcis::ImportPlan& plan) {
  const auto& r = *plan.refusal;
  if (c.g.json) std::cout << epcis::PlanJson(plan, {}).dump(2) << "\n";
  else PrintReport(plan, {}, std::cout);
  std::cerr << "rareledger: refused: " << Where(r) << ": " << r.reason << ": " << r.message
            << " (nothing appended)\n";
  return kExitFailure;
}

}  // namespace

int CmdEpcisImport(Context& c, const EpcisImportOptions& o) {
  auto text = ReadInput(o.document);
  if (!text.ok()) return Fail(text.status());
  auto signer = LoadSigner(o.key);
  if (!signer.ok()) return Fail(signer.status());
  auto outcome = c.g.server.empty() ? epcis::ImportDocument(c.ledger(), *signer, *text, o.dry_run)
                                    : ImportOverServer(c, *signer, *text, o.dry_run);
  if (!outcome.ok()) return Fail(outcome.status().WithContext("nothing appended"));
  // Payloads found in the log already (an identical import that won a race)
  // are reported as a later import would report them.
  const epcis::ImportPlan plan = epcis::Placed(outcome->plan, outcome->placed);
  for (const auto& w : plan.warnings) Warn(w);
  if (plan.refused()) return Refused(c, plan);
  if (o.dry_run) {
    for (const auto& p : outcome->payloads) std::cout << p.dump() << "\n";
    if (c.g.json) std::cerr << epcis::PlanJson(plan, {}).dump() << "\n";
    else PrintReport(plan, {}, std::cerr);
    return kExitOk;
  }
  if (c.g.json) {
    std::cout << epcis::PlanJson(plan, outcome->placed).dump(2) << "\n";
  } else {
    PrintReport(plan, outcome->placed, std::cout);
    size_t appended = 0;
    for (const auto& p : outcome->placed) appended += p.duplicate ? 0 : 1;
    std::cout << "appended " << appended << " entries as " << outcome->party << "\n";
  }
  return kExitOk;
}

int CmdEpcisExport(Context& c, const EpcisExportOptions& o) {
  if ((o.up || o.down) && o.lot.empty()) return UsageError("--up and --down need --lot");
  epcis::ExportOptions options;
  if (!o.lot.empty()) options.lot = o.lot;
  options.down = o.down;
  options.party = o.party;
  options.with_values = o.with_values;
  auto doc = epcis::ExportDocument(c.ledger(), options);
  if (!doc.ok()) return Fail(doc.status());
  std::string text = doc->dump(2) + "\n";
  if (o.out.empty()) {
    std::cout << text;
    return kExitOk;
  }
  Status written = WriteFileAtomically(o.out, text);
  if (!written.ok()) return Fail(written);
  return kExitOk;
}

}  // namespace rareledger::cli
