// show, log, checkpoint, prove, verify, export, verify-bundle.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "graph/assessment.h"
#include "graph/ledger_source.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/record_json.h"

namespace rareledger::cli {
namespace {

using ledger::Ledger;
using nlohmann::json;

std::string EntryLine(uint64_t index, const ledger::Entry& e) {
  std::string out = std::to_string(index) + "\t" + ledger::EntryTypeName(e.type) + "\t" +
                    e.party + "#" + std::to_string(e.seq) + "\t" + e.time;
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, ledger::CreateLot>)
          out += "\t" + b.lot + " " + b.category + " " + std::to_string(b.mass_g) + " g, origin " + b.origin;
        else if constexpr (std::is_same_v<T, ledger::Transfer>)
          out += "\t" + b.lot + " -> " + b.to;
        else if constexpr (std::is_same_v<T, ledger::Split>)
          out += "\t" + b.lot + " into " + std::to_string(b.parts.size()) + " parts";
        else if constexpr (std::is_same_v<T, ledger::Transform>)
          out += "\t" + b.process + " in " + b.facility_country + ": " +
                 std::to_string(b.inputs.size()) + " in, " + std::to_string(b.outputs.size()) + " out";
        else if constexpr (std::is_same_v<T, ledger::RegisterParty>)
          out += "\t" + b.id + " (" + b.country + ")";
        else if constexpr (std::is_same_v<T, ledger::RevokeParty>)
          out += "\t" + b.id;
        else if constexpr (std::is_same_v<T, ledger::Attest>)
          out += "\t" + b.claim;
        else if constexpr (std::is_same_v<T, ledger::CorrectLot>)
          out += "\t" + b.lot + ": " + b.reason;
        else if constexpr (std::is_same_v<T, ledger::Licence>)
          out += "\t" + b.licence + " (" + b.kind + ", " + b.policy + ") for " + b.licensee;
        else if constexpr (std::is_same_v<T, ledger::RevokeLicence>)
          out += "\t" + b.licence + ": " + b.reason;
      },
      e.body);
  return out;
}

}  // namespace

int CmdShowLot(Context& c, const std::string& lot) {
  Ledger* l = &c.ledger();
  const Globals& g = c.g;
  auto rec = l->GetLot(lot);
  if (!rec.ok()) return Fail(rec.status());
  json j = ledger::LotJson(*rec);
  auto consumers = l->ConsumersOf(lot);
  if (!consumers.ok()) return Fail(consumers.status());
  j["consumed_by"] = *consumers;
  // Each attestation with who made it and what it claims, as trace and
  // assess show them.
  auto attestations = graph::AttestationsOf(graph::LedgerSource(*l), *rec);
  if (!attestations.ok()) return Fail(attestations.status());
  j["attestations"] = graph::AttestationsJson(*attestations);
  if (g.json) {
    std::cout << j.dump() << "\n";
  } else {
    std::cout << j.dump(2) << "\n";
  }
  return kExitOk;
}

int CmdShowEntry(Context& c, uint64_t index) {
  Ledger* l = &c.ledger();
  const Globals& g = c.g;
  auto e = l->GetEntry(index);
  if (!e.ok()) return Fail(e.status());
  std::cout << (g.json ? ledger::EntryJson(index, *e).dump() : ledger::EntryJson(index, *e).dump(2)) << "\n";
  return kExitOk;
}

int CmdShowParty(Context& c, const std::string& party) {
  Ledger* l = &c.ledger();
  const Globals& g = c.g;
  auto p = l->GetParty(party);
  if (!p.ok()) return Fail(p.status());
  std::cout << (g.json ? ledger::PartyJson(*p).dump() : ledger::PartyJson(*p).dump(2)) << "\n";
  return kExitOk;
}

int CmdPartyList(Context& c) {
  auto parties = c.ledger().AllParties();
  if (!parties.ok()) return Fail(parties.status());
  for (const auto& p : *parties) {
    if (c.g.json) {
      std::cout << ledger::PartyJson(p).dump() << "\n";
      continue;
    }
    std::string roles;
    for (const auto& r : p.roles) roles += (roles.empty() ? "" : ",") + r;
    std::cout << p.id << "\t" << p.country << "\t" << roles << "\t" << p.name
              << (p.revoked_at ? "\trevoked at entry " + std::to_string(*p.revoked_at) : "")
              << "\n";
  }
  return kExitOk;
}

int CmdLotList(Context& c, const LotListOptions& o) {
  size_t shown = 0;
  ledger::Status s = c.ledger().ForEachLot([&](const ledger::LotRecord& lot) {
    if (!o.holder.empty() && lot.holder != o.holder) return ledger::Status::Ok();
    if (!o.category.empty() && lot.category != o.category) return ledger::Status::Ok();
    ++shown;
    if (c.g.json) {
      std::cout << ledger::LotJson(lot).dump() << "\n";
    } else {
      std::cout << lot.id << "\t" << lot.category << "\t" << lot.holder << "\t"
                << lot.remaining_g << " of " << lot.mass_g << " g\tmade in " << lot.made_in
                << "\n";
    }
    return ledger::Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  if (shown == 0 && !c.g.json) std::cerr << "rareledger: no lot matches\n";
  return kExitOk;
}

int CmdLog(Context& c, uint64_t from, std::optional<uint64_t> limit) {
  Ledger* l = &c.ledger();
  const Globals& g = c.g;
  const uint64_t size = l->Info().size;
  uint64_t to = size;
  if (limit && from + *limit < size) to = from + *limit;
  if (from > size) return Fail(ledger::Status::InvalidArgument("--from is beyond the log size " + std::to_string(size)));
  ledger::Status s = l->ScanLeaves(from, to, [&](uint64_t i, std::string_view leaf) {
    RL_ASSIGN_OR_RETURN(ledger::Entry e, ledger::DecodeLeaf(leaf));
    std::cout << (g.json ? ledger::EntryJson(i, e).dump() : EntryLine(i, e)) << "\n";
    return ledger::Status::Ok();
  });
  return s.ok() ? kExitOk : Fail(s);
}

int CmdCheckpoint(Context& c, const CheckpointOptions& o) {
  const Globals& g = c.g;
  if (o.vkey + o.list + !o.operator_key.empty() != 1)
    return UsageError("checkpoint: give one of --operator-key, --list or --vkey");
  if (o.vkey) return CmdCheckpointVkey(c);
  if (o.list) {
    Ledger* l = &c.ledger();
    auto notes = l->Checkpoints();
    if (!notes.ok()) return Fail(notes.status());
    for (size_t n = 0; n < notes->size(); ++n) {
      if (g.json) {
        auto cp = ledger::ParseCheckpoint((*notes)[n]);
        json j = {{"n", n}, {"note", (*notes)[n]}};
        if (cp.ok()) j["size"] = cp->size, j["root"] = ledger::HexEncode(cp->root);
        std::cout << j.dump() << "\n";
      } else {
        std::cout << "# checkpoint " << n << "\n" << (*notes)[n] << "\n";
      }
    }
    return kExitOk;
  }
  auto key = LoadSigner(o.operator_key);
  if (!key.ok()) return Fail(key.status());
  Ledger* l = &c.ledger();
  auto note = l->IssueCheckpoint(*key);
  if (!note.ok()) return Fail(note.status());
  std::cout << *note;
  return kExitOk;
}

int CmdProveInclusion(Context& c, uint64_t index, std::optional<uint64_t> size) {
  Ledger* l = &c.ledger();
  auto p = l->ProveInclusion(index, size);
  if (!p.ok()) return Fail(p.status());
  std::cout << ledger::InclusionProofJson(*p).dump() << "\n";
  return kExitOk;
}

int CmdProveConsistency(Context& c, uint64_t old_size, std::optional<uint64_t> new_size) {
  Ledger* l = &c.ledger();
  auto p = l->ProveConsistency(old_size, new_size);
  if (!p.ok()) return Fail(p.status());
  std::cout << ledger::ConsistencyProofJson(*p).dump() << "\n";
  return kExitOk;
}

int CmdExport(Context& c, const std::string& dir) {
  Ledger* l = &c.ledger();
  const Globals& g = c.g;
  Progress progress("export", g.quiet);
  ledger::Status s =
      l->Export(dir, [&](uint64_t done, uint64_t total) { progress.Update(done, total); });
  progress.Finish();
  if (!s.ok()) return Fail(s);
  std::cout << "exported " << l->Info().size << " entries to " << dir << "\n";
  return kExitOk;
}

}  // namespace rareledger::cli
