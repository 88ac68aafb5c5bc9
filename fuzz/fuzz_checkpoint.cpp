// ParseCheckpoint / VerifyCheckpoint and the signed-note layer under them
// (ledger/checkpoint.h).
//
// The input is a whole note. Properties:
//   - no input crashes, throws or trips ASan/UBSan;
//   - an accepted checkpoint re-encodes to a body that parses back equal;
//   - VerifyCheckpoint never succeeds on what ParseCheckpoint rejects, and
//     when it succeeds it returns the same checkpoint;
//   - every VerifyCheckpoint failure is VerificationFailed (one line).
// The fixed key is the one the seed corpus was signed with (seed 0x11 * 32,
// origin "fuzz-ledger"), so mutations of valid notes reach the
// signature check.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"

using namespace rareledger::ledger;

namespace {
const Signer& Key() {
  static const Signer* signer = [] {
    auto s = Signer::FromSeed(std::string(32, '\x11'));
    if (!s.ok()) std::abort();
    return new Signer(std::move(s).value());
  }();
  return *signer;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view note(reinterpret_cast<const char*>(data), size);
  const PublicKey& pub = Key().public_key();

  auto parsed = ParseCheckpoint(note);
  if (parsed.ok()) {
    auto body = ParseCheckpointBody(CheckpointBody(*parsed));
    RL_FUZZ_CHECK(body.ok(), body.status().message().c_str());
    RL_FUZZ_CHECK(*body == *parsed, "checkpoint body does not round-trip");
    (void)VerifierKey(parsed->origin, pub);
  }

  // Verify under the origin the note claims (so a mutated signature is what
  // fails) and under the fixed one.
  std::string origin = parsed.ok() ? parsed->origin : "fuzz-ledger";
  auto verified = VerifyCheckpoint(note, origin, pub);
  if (verified.ok()) {
    RL_FUZZ_CHECK(parsed.ok(), "VerifyCheckpoint accepted what ParseCheckpoint rejects");
    RL_FUZZ_CHECK(*verified == *parsed, "verified checkpoint differs from parsed one");
  } else {
    RL_FUZZ_CHECK(verified.status().code() == Code::kVerificationFailed,
                  verified.status().ToString().c_str());
    RL_FUZZ_CHECK(verified.status().message().find('\n') == std::string::npos, "multi-line error");
  }
  auto fixed = VerifyCheckpoint(note, "fuzz-ledger", pub);
  if (fixed.ok()) RL_FUZZ_CHECK(parsed.ok(), "VerifyCheckpoint accepted an unparsable note");

  // The note layer and verifier keys on the same bytes.
  auto n = ParseNote(note);
  if (n.ok()) RL_FUZZ_CHECK(!n->text.empty() && n->text.back() == '\n', "note text must end in \\n");
  (void)ParseVerifierKey(note);
  return 0;
}
