// VerifyNotice (graph/notice.h): a Compliance Notice is hostile input from
// whoever hands it over.
//
// The input is a whole notice. Properties:
//   - no input crashes, throws or trips ASan/UBSan;
//   - every failure is InvalidArgument or VerificationFailed, one line;
//   - an accepted notice reports the lot, parties, policy and verdict it
//     states, and as many entries as it carries proofs.
// The operator key is the one fuzz/make_corpus.sh builds its ledger with
// (seed 0x11 * 32), so mutations of the seed notices reach the proofs,
// the entry signatures and the holder's signature.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_util.h"
#include "graph/notice.h"
#include "graph/policy.h"
#include "ledger/signer.h"

using namespace rareledger;

namespace {
const std::string& OperatorKey() {
  static const std::string* raw = [] {
    auto s = ledger::Signer::FromSeed(std::string(32, '\x11'));
    if (!s.ok()) std::abort();
    return new std::string(s->public_key().raw());
  }();
  return *raw;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  graph::NoticeCheckOptions o;
  o.operator_key = OperatorKey();
  o.max_checkpoint_age_days = 1000000;
  o.at = "2026-02-01";  // within the seeds' validity
  const nlohmann::json n = nlohmann::json::parse(text, nullptr, false);
  if (n.is_object() && n.contains("issued") && n["issued"].is_string()) {
    const std::string day = n["issued"].get<std::string>().substr(0, 10);
    if (graph::IsValidDate(day)) o.at = day;
  }
  auto r = graph::VerifyNotice(text, o);
  if (!r.ok()) {
    const auto code = r.status().code();
    RL_FUZZ_CHECK(code == ledger::Code::kInvalidArgument ||
                      code == ledger::Code::kVerificationFailed,
                  r.status().ToString().c_str());
    RL_FUZZ_CHECK(r.status().message().find('\n') == std::string::npos, "a one-line error");
    return 0;
  }
  RL_FUZZ_CHECK(n.is_object(), "an accepted notice is a JSON object");
  RL_FUZZ_CHECK(r->lot == n["lot"] && r->from == n["from"] && r->to == n["to"] &&
                    r->policy == n["policy"] && r->verdict == n["verdict"] && r->ratio == n["ratio"],
                "an accepted notice reports what it states");
  RL_FUZZ_CHECK(r->entries == n["proofs"].size(), "every proof counted");
  return 0;
}
