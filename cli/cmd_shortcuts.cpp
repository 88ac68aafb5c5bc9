// The shortcuts: build a payload, sign it where the key is, submit it.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/envelope.h"
#include "ledger/ledger.h"

namespace rareledger::cli {
namespace {

using ledger::Ledger;
using ledger::Result;
using ledger::Status;
using nlohmann::json;

// "NAME=VALUE" -> (NAME, VALUE).
Result<std::pair<std::string, std::string>> SplitPair(const std::string& text, const char* flag) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return Status::InvalidArgument(std::string(flag) + " \"" + text + "\": want NAME=VALUE");
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

Result<int64_t> ParseInt(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size()) return static_cast<int64_t>(v);
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument(what + ": \"" + text + "\" is not an integer");
}

// A public key given as a PEM file or as base64 of the raw 32 bytes.
Result<std::string> PublicKeyArg(const std::string& arg) {
  auto pem = ledger::PublicKey::FromPemFile(arg);
  if (pem.ok()) return pem->ToBase64();
  auto raw = ledger::Base64Decode(arg);
  if (raw.ok() && raw->size() == ledger::kPublicKeySize) return arg;
  return Status::InvalidArgument("public key \"" + arg +
                                 "\": not a readable PEM file nor base64 of 32 bytes");
}

// Signs `body` (the type-specific fields) as the party holding the key,
// with its next seq, then submits it (or prints it with --print).
int SignAndSubmit(Context& c, const Signing& s, const std::string& type, json body) {
  auto signer = LoadSigner(s.key);
  if (!signer.ok()) return Fail(signer.status());
  auto signing = ResolveSigner(c, signer->public_key(), s.party);
  if (!signing.ok()) return Fail(signing.status().WithContext(s.key));
  const ledger::SignerIdentity* who = &signing->who;
  body["type"] = type;
  Status filled = ledger::FillHeader(
      &body, {signing->ledger_id, who->party, who->next_seq,
              s.time.empty() ? ledger::UtcNow() : s.time});
  if (!filled.ok()) return Fail(filled);
  auto envelope = ledger::SignEnvelope(body, *signer);
  if (!envelope.ok()) return Fail(envelope.status());
  if (s.print) {
    std::cout << *envelope << "\n";
    return kExitOk;
  }
  if (!c.g.server.empty()) return SubmitToServer(c, {{*envelope, 1}}, /*single=*/true);
  bool given = false;
  auto report = c.ledger().Submit(
      [&](std::string* line) {
        if (given) return false;
        *line = *envelope;
        given = true;
        return true;
      },
      [&](const ledger::SubmitOutcome& o) {
        std::cout << "appended as entry " << o.index << " (" << type << " by " << who->party
                  << ", seq " << o.entry->seq << ")\n";
      });
  if (!report.error.ok()) {
    // Drop the "line 1: " context: there is only one entry here.
    std::string msg = report.error.message();
    if (msg.rfind("line 1: ", 0) == 0) msg = msg.substr(8);
    std::cerr << "rareledger: " << ledger::CodeName(report.error.code()) << ": " << msg << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

Result<json> LotMasses(const std::vector<std::string>& args, const char* flag) {
  json out = json::array();
  for (const auto& a : args) {
    RL_ASSIGN_OR_RETURN(auto kv, SplitPair(a, flag));
    RL_ASSIGN_OR_RETURN(int64_t mass, ParseInt(kv.second, std::string(flag) + " " + kv.first));
    out.push_back({{"lot", kv.first}, {"mass_g", mass}});
  }
  return out;
}

}  // namespace

int CmdPartyAdd(Context& c, const Signing& s, const PartyAddOptions& o) {
  auto key = PublicKeyArg(o.pubkey);
  if (!key.ok()) return Fail(key.status());
  json body = {{"id", o.id},       {"name", o.name},  {"country", o.country},
               {"roles", o.roles}, {"pubkey", *key}};
  if (!o.gln.empty()) body["gln"] = o.gln;
  return SignAndSubmit(c, s, "register_party", body);
}

int CmdPartyRevoke(Context& c, const Signing& s, const std::string& id,
                   const std::string& reason) {
  return SignAndSubmit(c, s, "revoke_party", {{"id", id}, {"reason", reason}});
}

int CmdKeyRotate(Context& c, const Signing& s, const std::string& new_pubkey) {
  auto key = PublicKeyArg(new_pubkey);
  if (!key.ok()) return Fail(key.status());
  return SignAndSubmit(c, s, "rotate_key", {{"pubkey", *key}});
}

namespace {

Result<json> ElementsArg(const std::vector<std::string>& args) {
  json elements = json::object();
  for (const auto& e : args) {
    RL_ASSIGN_OR_RETURN(auto kv, SplitPair(e, "--element"));
    RL_ASSIGN_OR_RETURN(int64_t grams, ParseInt(kv.second, "--element " + kv.first));
    elements[kv.first] = grams;
  }
  return elements;
}

}  // namespace

int CmdLotCreate(Context& c, const Signing& s, const LotCreateOptions& o) {
  json body = {{"lot", o.lot},         {"material", o.material}, {"category", o.category},
               {"mass_g", o.mass_g},   {"value", o.value},       {"origin", o.origin}};
  if (!o.elements.empty()) {
    auto elements = ElementsArg(o.elements);
    if (!elements.ok()) return Fail(elements.status());
    body["elements"] = *elements;
  }
  if (!o.hs.empty()) body["hs"] = o.hs;
  return SignAndSubmit(c, s, "create_lot", body);
}

int CmdLotCorrect(Context& c, const Signing& s, const LotCorrectOptions& o) {
  json corrections = json::object();
  if (o.material) corrections["material"] = *o.material;
  if (o.category) corrections["category"] = *o.category;
  if (o.hs) corrections["hs"] = *o.hs;
  if (!o.elements.empty()) {
    auto elements = ElementsArg(o.elements);
    if (!elements.ok()) return Fail(elements.status());
    corrections["elements"] = *elements;
  }
  if (corrections.empty())
    return UsageError("lot correct: give at least one of --material, --category, --element, --hs");
  return SignAndSubmit(c, s, "correct_lot",
                       {{"lot", o.lot}, {"corrections", corrections}, {"reason", o.reason}});
}

int CmdTransfer(Context& c, const Signing& s, const std::string& lot, const std::string& to,
                std::optional<int64_t> value) {
  json body = {{"lot", lot}, {"to", to}};
  if (value) body["value"] = *value;
  return SignAndSubmit(c, s, "transfer", body);
}

int CmdSplit(Context& c, const Signing& s, const std::string& lot,
             const std::vector<std::string>& parts) {
  auto p = LotMasses(parts, "--part");
  if (!p.ok()) return Fail(p.status());
  return SignAndSubmit(c, s, "split", {{"lot", lot}, {"parts", *p}});
}

int CmdTransform(Context& c, const Signing& s, const TransformOptions& o) {
  auto inputs = LotMasses(o.inputs, "--input");
  if (!inputs.ok()) return Fail(inputs.status());
  json outputs = json::array();
  for (const auto& text : o.outputs) {
    auto out = ledger::ParseStrict(text);
    if (!out.ok()) return Fail(out.status().WithContext("--output"));
    outputs.push_back(*out);
  }
  json body = {{"process", o.process},
               {"facility_country", o.facility_country},
               {"inputs", *inputs},
               {"outputs", outputs}};
  if (!o.technology_origin.empty()) body["technology_origin"] = o.technology_origin;
  if (!o.allocation.empty()) {
    json alloc = json::object();
    for (const auto& a : o.allocation) {
      auto kv = SplitPair(a, "--allocation");
      if (!kv.ok()) return Fail(kv.status());
      alloc[kv->first] = kv->second;
    }
    body["allocation"] = alloc;
  }
  return SignAndSubmit(c, s, "transform", body);
}

int CmdAttest(Context& c, const Signing& s, const AttestOptions& o) {
  if (o.lot.empty() == !o.entry.has_value())
    return UsageError("attest: give exactly one of --lot and --entry");
  json subject = o.lot.empty() ? json{{"entry", *o.entry}} : json{{"lot", o.lot}};
  json body = {{"subject", subject}, {"claim", o.claim}};
  if (!o.detail.empty()) body["detail"] = o.detail;
  return SignAndSubmit(c, s, "attest", body);
}

}  // namespace rareledger::cli
