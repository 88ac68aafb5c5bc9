// VerifyNotice (graph/notice.h): a Compliance Notice is hostile input from
// whoever hands it over.
//
// The input is a whole notice. Properties:
//   - no input crashes, throws or trips ASan/UBSan;
//   - every failure is InvalidArgument or VerificationFailed, one line;
//   - an accepted notice reports the lot, parties, policy and verdict it
//     states, and as many entries as it carries proofs.
// The operator key is the one fuzz/make_corpus.sh builds its ledger with
// (seed 0x11 * 32), so mutations of the seed notices reach the proofs and
// the entry signatures. Each input is checked as it is, and again re-signed
// with the key of the party it names as sender (make_corpus.sh's seeds:
// mine 0x02, maker's current key 0x05), so that mutations also reach what
// comes after the holder's signature: custody, licences, dates.
#include <cstddef>
#include <cstdint>
#include <string>
#include <map>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_util.h"
#include "graph/notice.h"
#include "graph/policy.h"
#include "ledger/canonical_json.h"
#include "ledger/encoding.h"
#include "ledger/signer.h"

using namespace rareledger;

namespace {
const ledger::Signer& Seeded(char byte) {
  static std::map<char, ledger::Signer>* keys = new std::map<char, ledger::Signer>();
  auto it = keys->find(byte);
  if (it == keys->end()) {
    auto s = ledger::Signer::FromSeed(std::string(32, byte));
    if (!s.ok()) std::abort();
    it = keys->emplace(byte, std::move(s).value()).first;
  }
  return it->second;
}

const std::string& OperatorKey() {
  static const std::string* raw = new std::string(Seeded('\x11').public_key().raw());
  return *raw;
}

void Check(std::string_view text) {
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
    return;
  }
  RL_FUZZ_CHECK(n.is_object(), "an accepted notice is a JSON object");
  RL_FUZZ_CHECK(r->lot == n["lot"] && r->from == n["from"] && r->to == n["to"] &&
                    r->policy == n["policy"] && r->verdict == n["verdict"] && r->ratio == n["ratio"],
                "an accepted notice reports what it states");
  RL_FUZZ_CHECK(r->entries == n["proofs"].size(), "every proof counted");
}

// The input re-signed by its sender, when make_corpus.sh's ledger has its
// key and the input is in the canonical subset; empty otherwise.
std::string Resigned(std::string_view text) {
  auto n = ledger::ParseStrict(text, graph::kMaxNoticeBytes);
  if (!n.ok() || !n->is_object() || !n->contains("from") || !(*n)["from"].is_string()) return "";
  const std::string from = (*n)["from"].get<std::string>();
  if (from != "mine" && from != "maker") return "";
  n->erase("signature");
  auto sig = Seeded(from == "mine" ? '\x02' : '\x05')
                 .Sign(std::string(graph::kNoticeDomain) + ledger::Canonicalize(*n));
  if (!sig.ok()) std::abort();
  (*n)["signature"] = ledger::Base64Encode(*sig);
  return n->dump();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Check(text);
  if (const std::string again = Resigned(text); !again.empty()) Check(again);
  return 0;
}
