// graph::ParsePolicy (graph/policy.h).
//
// Any input must either parse or be rejected with one InvalidArgument line;
// an accepted policy must satisfy what the assessment relies on: valid
// dates, windows with from < to, a threshold with a positive denominator,
// and RuleInForce/ReviewDue must be callable on it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "graph/policy.h"
#include "graph/rational.h"

using namespace rareledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = graph::ParsePolicy(text);
  if (!policy.ok()) {
    RL_FUZZ_CHECK(policy.status().code() == ledger::Code::kInvalidArgument,
                  "rejection is not InvalidArgument");
    // One line (fuzz/crashes/README.md: keys and values from the file were
    // once echoed unescaped).
    RL_FUZZ_CHECK(policy.status().message().find('\n') == std::string::npos, "multi-line error");
    return 0;
  }
  static const char* const kDates[] = {"1970-01-01", "2025-10-09", "2025-12-01",
                                       "2026-11-10", "2026-11-11", "9999-12-31"};
  for (const graph::Rule& rule : policy->rules) {
    for (const auto* windows : {&rule.in_force, &rule.suspended}) {
      for (const graph::DateWindow& w : *windows) {
        RL_FUZZ_CHECK(graph::IsValidDate(w.from), "accepted an invalid from date");
        if (w.to) {
          RL_FUZZ_CHECK(graph::IsValidDate(*w.to), "accepted an invalid to date");
          RL_FUZZ_CHECK(w.from < *w.to, "accepted a window with from >= to");
        }
      }
    }
    if (rule.review_after)
      RL_FUZZ_CHECK(graph::IsValidDate(*rule.review_after), "accepted an invalid review_after");
    for (const char* d : kDates) {
      (void)graph::RuleInForce(rule, d);
      (void)graph::ReviewDue(rule, d);
    }
    (void)graph::RuleKindName(rule.kind);
    (void)rule.comparator();
    if (rule.kind == graph::RuleKind::kValueRatio) {
      RL_FUZZ_CHECK(rule.threshold >= 0, "negative threshold accepted");
      const std::string f = graph::FormatFraction(rule.threshold);
      auto back = graph::ParseRational(f);
      RL_FUZZ_CHECK(back.ok() && *back == rule.threshold, "threshold does not round-trip");
      (void)graph::FormatDecimal(rule.threshold, graph::kRatioDecimalDigits);
    }
  }
  return 0;
}
