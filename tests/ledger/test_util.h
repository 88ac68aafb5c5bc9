// Shared helpers for the ledger tests: temporary directories, deterministic
// keys, and signed envelopes built the way a party builds them (canonical
// payload, Ed25519 signature: SignEnvelope).
#ifndef RARELEDGER_TESTS_LEDGER_TEST_UTIL_H_
#define RARELEDGER_TESTS_LEDGER_TEST_UTIL_H_

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/envelope.h"
#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"

namespace rareledger::ledger::testing {

using json = nlohmann::json;

inline constexpr const char* kTime = "2026-01-31T12:00:00Z";

// tests/testdata/published-vectors.json (sources named inside), parsed once.
inline const json& PublishedVectors() {
  static const json v = [] {
    std::ifstream in(std::string(RL_TESTDATA_DIR) + "/published-vectors.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return v;
}

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rl-ledger-test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A deterministic key: the RFC 8032 seed is 32 copies of `n` (n != 0 avoids
// the all-zero seed only for readability; any byte works).
inline Signer SeedSigner(uint8_t n) {
  auto s = Signer::FromSeed(std::string(32, static_cast<char>(n)));
  REQUIRE(s.ok());
  return std::move(s).value();
}

inline Signer FreshSigner() {
  auto s = Signer::Generate();
  REQUIRE(s.ok());
  return std::move(s).value();
}

inline std::string B64Key(const Signer& s) { return s.public_key().ToBase64(); }

// The payload header every entry carries.
inline json Header(const std::string& type, const std::string& ledger, const std::string& party,
                   int64_t seq) {
  return {{"type", type}, {"ledger", ledger}, {"party", party}, {"seq", seq}, {"time", kTime}};
}

// Canonical payload, signed by `key`, as one envelope line.
inline std::string SignedEnvelope(const json& payload, const Signer& key) {
  auto envelope = SignEnvelope(payload, key);
  INFO(payload.dump() << ": " << envelope.status().ToString());
  REQUIRE(envelope.ok());
  return *envelope;
}

// Signs Canonicalize(payload) without validating it: for lines that the
// ledger must refuse on their form.
inline std::string SignedEnvelopeUnchecked(const json& payload, const Signer& key) {
  std::string canonical = Canonicalize(payload);
  auto sig = key.Sign(canonical);
  REQUIRE(sig.ok());
  return MakeEnvelope(canonical, *sig);
}

// An envelope with a zero signature: for tests that decide rules only.
inline std::string UnsignedEnvelope(const json& payload) {
  return MakeEnvelope(Canonicalize(payload), std::string(kSignatureSize, '\0'));
}

// Decodes an envelope that must decode.
inline Entry MustDecode(const std::string& envelope) {
  auto e = DecodeEnvelope(envelope);
  INFO(envelope);
  INFO(e.status().ToString());
  REQUIRE(e.ok());
  return std::move(e).value();
}

// The parties of one ledger as their own signing sides: each holds its key
// and its next seq. Env() builds, signs and counts.
class Parties {
 public:
  explicit Parties(std::string ledger_id) : ledger_(std::move(ledger_id)) {}

  // Adds a party with its key; `last_seq` is its last used seq.
  void Add(const std::string& id, Signer key, int64_t last_seq = 0) {
    parties_.erase(id);
    parties_.emplace(id, Side{std::move(key), last_seq});
  }
  const Signer& key(const std::string& id) const { return parties_.at(id).key; }
  int64_t last_seq(const std::string& id) const { return parties_.at(id).last_seq; }
  void set_key(const std::string& id, Signer key) { parties_.at(id).key = std::move(key); }
  // Consumes `id`'s next seq without signing (rule-only tests).
  void Bump(const std::string& id) { ++parties_.at(id).last_seq; }
  const std::string& ledger() const { return ledger_; }

  // The payload `fields` of `type` with the header for `party`'s next seq.
  json Payload(const std::string& party, const std::string& type, const json& fields) const {
    json p = Header(type, ledger_, party, parties_.at(party).last_seq + 1);
    for (const auto& [k, v] : fields.items()) p[k] = v;
    return p;
  }
  // Signed envelope of Payload(), consuming the seq.
  std::string Env(const std::string& party, const std::string& type, const json& fields) {
    std::string env = SignedEnvelope(Payload(party, type, fields), parties_.at(party).key);
    ++parties_.at(party).last_seq;
    return env;
  }
  // The operator registers a new party with a fresh deterministic key.
  std::string Register(const std::string& id, const std::vector<std::string>& roles,
                       const std::string& country = "DE") {
    Signer key = SeedSigner(next_seed_++);
    std::string env = Env(kOperatorId, "register_party",
                          {{"id", id}, {"name", id + " Ltd"}, {"country", country},
                           {"roles", roles}, {"pubkey", B64Key(key)}});
    Add(id, std::move(key));
    return env;
  }

 private:
  struct Side {
    Signer key;
    int64_t last_seq = 0;
  };
  std::string ledger_;
  std::map<std::string, Side> parties_;
  uint8_t next_seed_ = 100;
};

inline json CreateLotFields(const std::string& lot, int64_t mass_g, int64_t value,
                            const std::string& origin = "CN",
                            const std::string& category = "re_oxide") {
  return {{"lot", lot},         {"material", "NdPr oxide"}, {"category", category},
          {"mass_g", mass_g},   {"value", value},           {"origin", origin}};
}

inline json LotMassJson(const std::string& lot, int64_t mass_g) {
  return {{"lot", lot}, {"mass_g", mass_g}};
}

inline json OutputJson(const std::string& lot, int64_t mass_g, int64_t value,
                       const std::string& category = "re_metal") {
  return {{"lot", lot}, {"material", "NdPr metal"}, {"category", category},
          {"mass_g", mass_g}, {"value", value}};
}

inline SubmitReport SubmitLines(Ledger& ledger, const std::vector<std::string>& lines,
                                std::vector<SubmitOutcome>* outcomes = nullptr,
                                const SubmitOptions& options = {}) {
  size_t i = 0;
  return ledger.Submit(
      [&](std::string* line) {
        if (i == lines.size()) return false;
        *line = lines[i++];
        return true;
      },
      [&](const SubmitOutcome& o) {
        if (outcomes != nullptr) {
          SubmitOutcome copy = o;
          copy.entry = nullptr;  // valid only during the callback
          outcomes->push_back(copy);
        }
      },
      options);
}

inline std::unique_ptr<Ledger> MustInit(const std::string& path, const std::string& ledger_id,
                                        const Signer& op) {
  auto l = Ledger::Init(path, ledger_id, "USD", "DE", op, kTime);
  INFO(l.status().ToString());
  REQUIRE(l.ok());
  return std::move(l).value();
}

inline std::unique_ptr<Ledger> MustOpen(const std::string& path, bool writable) {
  auto l = Ledger::Open(path, writable);
  INFO(l.status().ToString());
  REQUIRE(l.ok());
  return std::move(l).value();
}

}  // namespace rareledger::ledger::testing

#endif  // RARELEDGER_TESTS_LEDGER_TEST_UTIL_H_
