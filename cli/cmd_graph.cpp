// assess and trace: the provenance model and the policy engine, reading a
// ledger database (--db) or a verified audit bundle (--bundle).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/binding.h"
#include "cli/cli.h"
#include "graph/assessment.h"
#include "graph/ledger_source.h"
#include "graph/policy.h"
#include "graph/trace.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/version.h"

namespace rareledger::cli {
namespace {

using ledger::Result;
using ledger::Status;

// The log a query reads, and what it is bound to: the context's ledger
// (opened by the command table) or a verified bundle held here. `source`
// reads from it.
struct OpenedLog {
  std::unique_ptr<ledger::LoadedBundle> bundle;
  std::unique_ptr<graph::ProvenanceSource> source;
  graph::Binding binding;
};

Result<std::unique_ptr<OpenedLog>> OpenDb(Context& c) {
  RL_RETURN_IF_ERROR(c.Open(Access::kRead));
  auto log = std::make_unique<OpenedLog>();
  RL_ASSIGN_OR_RETURN(log->binding, LedgerBinding(c.ledger()));
  log->source = std::make_unique<graph::LedgerSource>(c.ledger());
  return log;
}

// Verifies the bundle first (as verify-bundle does), then reads it in memory.
Result<std::unique_ptr<OpenedLog>> OpenBundle(const std::string& dir) {
  auto log = std::make_unique<OpenedLog>();
  auto b = ledger::LoadBundle(dir);
  if (!b.ok()) return b.status().WithContext("bundle " + dir);
  log->bundle = std::make_unique<ledger::LoadedBundle>(std::move(b).value());
  const ledger::LoadedBundle& lb = *log->bundle;
  log->binding = {lb.ledger_id,
                  lb.currency,
                  lb.report.entries,
                  ledger::HexEncode(lb.report.root),
                  graph::LogCheckpoint{lb.checkpoint_size, lb.checkpoint_note},
                  ledger::ToolName()};
  log->source = std::make_unique<graph::MemorySource>(lb.state, lb.entries);
  return log;
}

// Opens --db (read-only) when there is no --bundle: the command table
// leaves it to the handler so that usage errors come first and a bundle
// needs no database.
Result<std::unique_ptr<OpenedLog>> OpenLog(Context& c, const std::string& bundle) {
  return bundle.empty() ? OpenDb(c) : OpenBundle(bundle);
}

// Every *.json directly under the shipped policy directory, by file name.
Result<std::vector<std::string>> ShippedPolicies() {
  namespace fs = std::filesystem;
  auto dir = PolicyDir();
  if (!dir.ok()) return dir.status().WithContext("assess without --policy");
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(*dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  if (out.empty()) return Status::NotFound("assess without --policy: no *.json in " + *dir);
  return out;
}

// A usage problem of `assess`, or "" when the options fit together.
std::string AssessUsage(const AssessOptions& o) {
  if (o.all && !o.lot.empty()) return "assess: LOT and --all conflict: give one LOT, or --all";
  if (!o.all && o.lot.empty()) return "assess: give a LOT, or --all for every lot";
  if (!o.category.empty() && !o.all) return "assess: --category needs --all";
  if (!o.to.empty() && o.all) return "assess: --to needs one LOT, not --all";
  if ((!o.end_use.empty() || !o.end_user.empty()) && o.to.empty())
    return "assess: --end-use and --end-user describe a shipment: they need --to PARTY";
  if (o.as_of && o.as_of->empty())
    return "assess: --as-of is empty: give a date YYYY-MM-DD, or leave it out for today";
  if (o.as_of && !graph::IsValidDate(*o.as_of))
    return "assess: --as-of \"" + *o.as_of + "\" is not a valid YYYY-MM-DD date";
  return "";
}

Result<std::vector<graph::Policy>> LoadPolicies(const std::vector<std::string>& files) {
  std::vector<graph::Policy> out;
  for (const std::string& name : files) {
    RL_ASSIGN_OR_RETURN(std::string f, ResolvePolicyFile(name));
    RL_ASSIGN_OR_RETURN(graph::Policy p, graph::LoadPolicy(f));
    out.push_back(std::move(p));
  }
  return out;
}

int AssessEveryLot(const OpenedLog& log, const std::vector<graph::Policy>& policies,
                   const AssessOptions& o, const std::string& as_of) {
  graph::AssessAllOptions options;
  if (!o.category.empty()) options.categories = std::set<std::string>{o.category};
  const bool text = o.format == "text";
  for (const graph::Policy& policy : policies) {
    Status s = graph::AssessAll(*log.source, policy, as_of, options, [&](graph::Assessment a) {
      a.binding = log.binding;
      if (text)
        std::cout << a.lot << " " << graph::AssessmentSummary(a) << "\n";
      else
        std::cout << graph::AssessmentJson(a).dump() << "\n";
      return Status::Ok();
    });
    if (!s.ok()) return Fail(s);
  }
  return kExitOk;
}

}  // namespace

Result<graph::Binding> LedgerBinding(const ledger::Ledger& l) {
  const ledger::LedgerInfo info = l.Info();
  graph::Binding b{info.ledger_id, info.currency, info.size, ledger::HexEncode(info.root),
                   std::nullopt,   ledger::ToolName()};
  RL_ASSIGN_OR_RETURN(std::vector<std::string> notes, l.Checkpoints());
  if (!notes.empty()) {
    RL_ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::ParseCheckpoint(notes.back()));
    b.checkpoint = graph::LogCheckpoint{cp.size, notes.back()};
  }
  return b;
}

int CmdAssess(Context& c, const AssessOptions& o) {
  if (std::string usage = AssessUsage(o); !usage.empty()) return UsageError(usage);
  std::vector<std::string> files = o.policies;
  if (files.empty()) {
    auto shipped = ShippedPolicies();
    if (!shipped.ok()) return Fail(shipped.status());
    files = *std::move(shipped);
  }
  auto policies = LoadPolicies(files);
  if (!policies.ok()) return Fail(policies.status());
  auto log = OpenLog(c, o.bundle);
  if (!log.ok()) return Fail(log.status());
  const std::string as_of = o.as_of ? *o.as_of : graph::TodayUtc();
  if (o.all) return AssessEveryLot(**log, *policies, o, as_of);
  std::vector<graph::Assessment> all;
  for (const graph::Policy& policy : *policies) {
    std::optional<graph::Shipment> shipment;
    if (!o.to.empty()) shipment = graph::Shipment{o.to, std::nullopt, std::nullopt};
    if (!o.end_user.empty()) shipment->end_user = o.end_user;
    if (!o.end_use.empty()) shipment->end_use = o.end_use;
    auto a = graph::Assess(*(*log)->source, policy, o.lot, as_of, shipment);
    if (!a.ok()) return Fail(a.status());
    a->binding = (*log)->binding;
    all.push_back(std::move(a).value());
  }
  if (o.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : all) out.push_back(graph::AssessmentJson(a));
    std::cout << (all.size() == 1 ? out[0] : out).dump() << "\n";
  } else {
    std::cout << graph::AssessmentsText(all);
  }
  return kExitOk;
}

int CmdTrace(Context& c, const TraceOptions& o) {
  if (o.as_of && !graph::IsValidDate(*o.as_of))
    return UsageError("trace: --as-of \"" + *o.as_of + "\" is not a valid YYYY-MM-DD date");
  if (o.as_of && o.policy.empty()) return UsageError("trace: --as-of needs --policy");
  // Content and highlighting need a policy: the one given, else the shipped
  // No. 61 policy; a missing default is an error, never a silent plain trace.
  std::string path = o.policy;
  if (!path.empty()) {
    auto file = ResolvePolicyFile(path);
    if (!file.ok()) return Fail(file.status());
    path = *file;
  } else {
    auto dir = PolicyDir();
    if (!dir.ok()) return Fail(dir.status().WithContext("trace needs --policy FILE"));
    path = *dir + "/cn-mofcom-2025-61.json";
  }
  auto loaded = graph::LoadPolicy(path);
  if (!loaded.ok()) return Fail(loaded.status());
  std::optional<graph::Policy> policy = std::move(loaded).value();
  auto log = OpenLog(c, o.bundle);
  if (!log.ok()) return Fail(log.status());
  const graph::ProvenanceSource& source = *(*log)->source;
  auto t = graph::TraceLot(source, o.lot, o.down ? graph::Direction::kDown : graph::Direction::kUp,
                           policy ? &*policy : nullptr);
  if (!t.ok()) return Fail(t.status());
  if (o.format == "json") {
    std::cout << graph::TraceJson(*t).dump() << "\n";
  } else if (o.format == "dot") {
    graph::DotOptions dot;
    dot.currency = (*log)->binding.currency;
    std::optional<graph::Assessment> verdict;
    if (!o.policy.empty()) {  // a verdict only under a policy the user chose
      auto a = graph::Assess(source, *policy, o.lot, o.as_of ? *o.as_of : graph::TodayUtc());
      if (!a.ok()) return Fail(a.status());
      verdict = std::move(a).value();
      dot.verdict = &*verdict;
    }
    std::cout << graph::TraceDot(*t, dot);
  } else {
    std::cout << graph::TraceText(*t, (*log)->binding.currency);
  }
  return kExitOk;
}

}  // namespace rareledger::cli
