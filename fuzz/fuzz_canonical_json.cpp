// ParseStrict + Canonicalize (ledger/canonical_json.h).
//
// Properties checked on every input that ParseStrict accepts:
//   - the value lies in the payload subset (CheckSubset ok);
//   - its canonical bytes parse again (ParseStrict(c) ok) and are a fixed
//     point: Canonicalize(ParseStrict(c)) == c;
//   - the canonical bytes are no longer than the input would allow (JCS never
//     needs more than 6 bytes per input byte: "\u001f" for one control char).
// Inputs ParseStrict rejects must come back as InvalidArgument with a
// one-line message. Nothing may throw, crash or trip ASan/UBSan.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "ledger/canonical_json.h"

using namespace rareledger::ledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseStrict(text);
  if (!parsed.ok()) {
    RL_FUZZ_CHECK(parsed.status().code() == Code::kInvalidArgument, "rejection is not InvalidArgument");
    RL_FUZZ_CHECK(parsed.status().message().find('\n') == std::string::npos, "multi-line error");
    RL_FUZZ_CHECK(!parsed.status().message().empty(), "empty error message");
    return 0;
  }
  Status subset = CheckSubset(*parsed);
  RL_FUZZ_CHECK(subset.ok(), subset.message().c_str());
  const std::string c1 = Canonicalize(*parsed);
  RL_FUZZ_CHECK(c1.size() <= 6 * size + 16, "canonical form much longer than the input");
  auto reparsed = ParseStrict(c1);
  RL_FUZZ_CHECK(reparsed.ok(), reparsed.status().message().c_str());
  const std::string c2 = Canonicalize(*reparsed);
  RL_FUZZ_CHECK(c1 == c2, "canonical(parse(canonical(x))) != canonical(x)");
  RL_FUZZ_CHECK(*reparsed == *parsed, "parse(canonical(x)) != parse(x)");
  return 0;
}
