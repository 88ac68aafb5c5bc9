// DecodeEnvelope + Apply on a small MemoryState (ledger/entry.h,
// ledger/state.h).
//
// The input is JSON Lines: up to 8 envelopes, decided in order at the next
// log positions; each accepted one is committed to the state, so later lines
// see what earlier ones did. By default the lines follow a small base ledger
// "fuzz-ledger" (entries 0..6, as fuzz/make_corpus.sh builds it, with the
// same keys, so the seeds carry real signatures: the operator, producer
// "mine" (CN), maker
// "maker" (JP, processor+manufacturer), auditor "aud", and lots "ore-1",
// "ox-1" held by mine). If the first line is a register_party by "operator"
// with seq 1, the lines start a new ledger at entry 0 instead.
//
// Signatures are not checked here (Verifier is slow and a fuzzer cannot forge
// Ed25519); ExpectedSigningKey is, for its own rules.
//
// Properties: no crash/throw/ASan/UBSan; a decoded envelope's leaf is
// canonical (DecodeLeaf accepts it and gives the same leaf and signed
// bytes); rejections are InvalidArgument (decode) or
// Rejected (rules), on one line; every accepted mutation keeps lots sane
// (0 <= remaining <= mass, mass > 0, a value declaration present, value >= 0).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_util.h"
#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/state.h"

using namespace rareledger::ledger;
using json = nlohmann::json;

namespace {

constexpr const char* kLedger = "fuzz-ledger";
constexpr const char* kTime = "2026-01-31T12:00:00Z";

std::string Key(char seed) {
  auto s = Signer::FromSeed(std::string(32, seed));
  if (!s.ok()) std::abort();
  return s->public_key().ToBase64();
}

struct Base {
  MemoryState state;
  uint64_t size = 0;
};

void MustApply(Base& b, const json& payload) {
  auto canonical = CanonicalPayload(payload.dump());
  RL_FUZZ_CHECK(canonical.ok(), canonical.status().message().c_str());
  auto entry = DecodeEnvelope(MakeEnvelope(*canonical, std::string(kSignatureSize, '\0')));
  RL_FUZZ_CHECK(entry.ok(), entry.status().message().c_str());
  auto m = Apply(b.state, LedgerIdentity{kLedger}, *entry, b.size);
  RL_FUZZ_CHECK(m.ok(), m.status().message().c_str());
  b.state.Commit(*m);
  ++b.size;
}

json Header(const char* type, const char* party, int64_t seq) {
  return {{"type", type}, {"ledger", kLedger}, {"party", party}, {"seq", seq}, {"time", kTime}};
}

const Base& BaseLedger() {
  static const Base* base = [] {
    auto* b = new Base;
    json p = Header("register_party", "operator", 1);
    p.update({{"id", "operator"}, {"name", "Operator"}, {"country", "DE"},
              {"roles", {"operator"}}, {"pubkey", Key('\x11')}});
    MustApply(*b, p);
    int64_t seq = 2;
    struct P { const char* id; const char* country; std::vector<std::string> roles; char seed; };
    for (const P& party : {P{"mine", "CN", {"producer"}, '\x02'},
                           P{"maker", "JP", {"processor", "manufacturer"}, '\x03'},
                           P{"aud", "DE", {"auditor"}, '\x04'}}) {
      p = Header("register_party", "operator", seq++);
      p.update({{"id", party.id}, {"name", std::string(party.id) + " Ltd"},
                {"country", party.country}, {"roles", party.roles},
                {"pubkey", Key(party.seed)}});
      MustApply(*b, p);
    }
    p = Header("create_lot", "mine", 1);
    p.update({{"lot", "ore-1"}, {"material", "bastnaesite ore"}, {"category", "re_ore"},
              {"mass_g", 1000000}, {"value", 500000}, {"origin", "CN"},
              {"elements", {{"Nd", 30000}, {"Dy", 500}}}});
    MustApply(*b, p);
    p = Header("create_lot", "mine", 2);
    p.update({{"lot", "ox-1"}, {"material", "Dy oxide"}, {"category", "re_oxide"},
              {"mass_g", 20000}, {"value", 9000000}, {"origin", "CN"}});
    MustApply(*b, p);
    p = Header("transfer", "mine", 3);
    p.update({{"lot", "ox-1"}, {"to", "maker"}, {"value", 9500000}});
    MustApply(*b, p);
    return b;
  }();
  return *base;
}

void CheckMutation(const Mutation& m, uint64_t index) {
  RL_FUZZ_CHECK(m.index == index, "mutation index differs from the entry index");
  for (const LotRecord& lot : m.lots) {
    RL_FUZZ_CHECK(lot.mass_g > 0, "lot with mass <= 0");
    RL_FUZZ_CHECK(lot.remaining_g >= 0, "lot with negative remaining mass");
    RL_FUZZ_CHECK(lot.remaining_g <= lot.mass_g, "lot with remaining > mass");
    RL_FUZZ_CHECK(!lot.values.empty(), "lot without a value declaration");
    for (const ValueDeclaration& v : lot.values) {
      RL_FUZZ_CHECK(v.value >= 0 && v.value <= kMaxSafeInteger, "value out of range");
      RL_FUZZ_CHECK(v.mass_g > 0, "value declared over mass <= 0");
    }
    RL_FUZZ_CHECK(!lot.holder.empty(), "lot without holder");
  }
  for (const PartyRecord& p : m.parties) {
    RL_FUZZ_CHECK(!p.keys.empty(), "party without a key");
    for (const KeyEpoch& k : p.keys) RL_FUZZ_CHECK(k.pubkey.size() == kPublicKeySize, "bad key size");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  while (!input.empty() && lines.size() < 8) {
    size_t nl = input.find('\n');
    lines.push_back(input.substr(0, nl));
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  }

  MemoryState state;
  uint64_t index = 0;
  LedgerIdentity id{kLedger};
  bool first = true;
  for (std::string_view line : lines) {
    auto entry = DecodeEnvelope(line);
    if (!entry.ok()) {
      RL_FUZZ_CHECK(entry.status().code() == Code::kInvalidArgument, entry.status().ToString().c_str());
      // Messages are one line (fuzz/crashes/README.md: they once echoed
      // input strings unescaped).
      RL_FUZZ_CHECK(entry.status().message().find('\n') == std::string::npos, "multi-line error");
      if (first) {
        state = BaseLedger().state;
        index = BaseLedger().size;
        first = false;
      }
      continue;
    }
    // The leaf is canonical and a fixed point (the canonical bytes
    // themselves are the fuzz_canonical_json target's business).
    auto leaf = DecodeLeaf(entry->leaf);
    RL_FUZZ_CHECK(leaf.ok(), leaf.status().message().c_str());
    RL_FUZZ_CHECK(leaf->leaf == entry->leaf && leaf->signed_bytes == entry->signed_bytes,
                  "DecodeLeaf(leaf) differs");
    RL_FUZZ_CHECK(entry->sig.size() == kSignatureSize, "signature is not 64 bytes");

    if (first) {
      first = false;
      if (entry->type == EntryType::kRegisterParty && entry->party == kOperatorId && entry->seq == 1) {
        id.ledger_id = entry->ledger;  // a new ledger, as Init does
      } else {
        state = BaseLedger().state;
        index = BaseLedger().size;
      }
    }
    auto key = ExpectedSigningKey(state, *entry, index);
    if (key.ok()) RL_FUZZ_CHECK(key->size() == kPublicKeySize, "expected key is not 32 bytes");
    auto m = Apply(state, id, *entry, index);
    if (!m.ok()) {
      RL_FUZZ_CHECK(m.status().code() == Code::kRejected || m.status().code() == Code::kInvalidArgument,
                    m.status().ToString().c_str());
      RL_FUZZ_CHECK(m.status().message().find('\n') == std::string::npos, "multi-line error");
      continue;
    }
    CheckMutation(*m, index);
    state.Commit(*m);
    ++index;
  }
  return 0;
}
