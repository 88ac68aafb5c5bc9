// assess and trace: the provenance model and the policy engine.
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "graph/assessment.h"
#include "graph/ledger_source.h"
#include "graph/policy.h"
#include "graph/trace.h"
#include "ledger/ledger.h"

namespace rareledger::cli {
namespace {

std::string Today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

int CmdAssess(Context& c, const AssessOptions& o) {
  if (o.all == !o.lot.empty()) return UsageError("assess: give a LOT or --all");
  if (!o.category.empty() && !o.all) return UsageError("assess: --category goes with --all");
  auto file = ResolvePolicyFile(o.policy);
  if (!file.ok()) return Fail(file.status());
  auto policy = graph::LoadPolicy(*file);
  if (!policy.ok()) return Fail(policy.status());
  graph::LedgerSource source(c.ledger());
  const std::string as_of = o.as_of.empty() ? Today() : o.as_of;
  if (o.all) {
    graph::AssessAllOptions options;
    if (!o.category.empty()) options.categories = std::set<std::string>{o.category};
    ledger::Status s = graph::AssessAll(source, *policy, as_of, options,
                                        [](const graph::Assessment& a) {
                                          std::cout << graph::AssessmentJson(a).dump() << "\n";
                                          return ledger::Status::Ok();
                                        });
    return s.ok() ? kExitOk : Fail(s);
  }
  auto a = graph::Assess(source, *policy, o.lot, as_of);
  if (!a.ok()) return Fail(a.status());
  if (o.format == "json")
    std::cout << graph::AssessmentJson(*a).dump() << "\n";
  else
    std::cout << graph::AssessmentText(*a);
  return kExitOk;
}

int CmdTrace(Context& c, const TraceOptions& o) {
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
  graph::LedgerSource source(c.ledger());
  auto t = graph::TraceLot(source, o.lot, o.down ? graph::Direction::kDown : graph::Direction::kUp,
                           policy ? &*policy : nullptr);
  if (!t.ok()) return Fail(t.status());
  if (o.format == "json")
    std::cout << graph::TraceJson(*t).dump() << "\n";
  else if (o.format == "dot")
    std::cout << graph::TraceDot(*t);
  else
    std::cout << graph::TraceText(*t);
  return kExitOk;
}

}  // namespace rareledger::cli
