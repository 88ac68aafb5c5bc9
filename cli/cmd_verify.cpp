// verify, verify-bundle, checkpoint --vkey, verify-proof: the checks a
// regulator runs. The checking is in the library (ledger/ledger.h,
// ledger/proof_check.h); this file parses files and prints.
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/proof_check.h"

namespace rareledger::cli {
namespace {

using ledger::Result;
using ledger::Status;
using ledger::VerifyReport;
using nlohmann::json;

}  // namespace

int PrintVerifyJson(const Result<VerifyReport>& r, const std::optional<std::string>& pinned) {
  json j = {{"ok", r.ok()}, {"entries", nullptr}, {"checkpoints", nullptr},
            {"uncovered", nullptr}, {"root", nullptr}, {"error", nullptr}};
  if (r.ok()) {
    j["entries"] = r->entries;
    j["checkpoints"] = r->checkpoints;
    j["uncovered"] = r->uncovered;
    j["root"] = ledger::HexEncode(r->root);
    j["operator_key_sha256"] = ledger::KeyFingerprint(r->operator_key);
    if (pinned) j["operator_key_pinned"] = !pinned->empty();
  } else {
    std::string msg = r.status().ToString();
    for (char& c : msg)
      if (c == '\n') c = ' ';
    j["error"] = msg;
  }
  std::cout << j.dump() << "\n";
  return r.ok() ? kExitOk : Fail(r.status());
}

namespace {

int PrintText(const char* what, const VerifyReport& r) {
  std::cout << what << ": ok: " << r.entries << " entries, every signature and rule holds; "
            << r.checkpoints << " checkpoint(s) match; root " << ledger::HexEncode(r.root) << "\n";
  if (r.checkpoints == 0)
    std::cerr << "rareledger: warning: no checkpoint: nothing signed by the operator commits to "
                 "this log yet\n";
  else if (r.uncovered > 0)
    std::cerr << "rareledger: warning: the last " << r.uncovered
              << " entries are not covered by a checkpoint yet\n";
  return kExitOk;
}

// The text after a bundle verified: what the trust rests on.
void PrintTrust(const VerifyReport& r, bool pinned) {
  const std::string key = "sha256 " + ledger::KeyFingerprint(r.operator_key) + " (base64 " +
                          ledger::Base64Encode(r.operator_key) + ")";
  if (pinned) {
    std::cout << "trust: entry 0 and operator.pub hold the pinned operator key, " << key << "\n";
  } else {
    std::cout << "trust: rests on the bundle's own operator.pub, operator key " << key
              << "; compare it with the operator's published key, or pin it with "
                 "--operator-key OP.pub\n";
  }
}

// A verifier key given as itself or as a file holding it.
Result<std::string> ReadVkey(const std::string& arg) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(arg, ec)) return arg;
  RL_ASSIGN_OR_RETURN(std::string text, ReadInput(arg));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  return text;
}

// The leaf hash --entry or --leaf-hash gives.
Result<ledger::Hash> LeafOf(const VerifyProofOptions& o) {
  if (o.entry.empty()) {
    auto h = ledger::HashFromHex(o.leaf_hash);
    if (!h.ok()) return h.status().WithContext("--leaf-hash");
    return h;
  }
  RL_ASSIGN_OR_RETURN(std::string text, ReadInput(o.entry));
  return ledger::EntryLeafHash(text);
}

}  // namespace

int CmdVerify(Context& c) {
  const Globals& g = c.g;
  Status opened = c.Open(Access::kRead);
  if (!opened.ok()) return g.json ? PrintVerifyJson(opened, std::nullopt) : Fail(opened);
  Progress progress("verify", g.quiet || g.json);
  Result<VerifyReport> r =
      c.ledger().Verify([&](uint64_t done, uint64_t total) { progress.Update(done, total); });
  progress.Finish();
  if (r.ok())
    if (Status w = CheckWitnesses(g, r->latest_note); !w.ok()) r = w;
  if (g.json) return PrintVerifyJson(r, std::nullopt);
  if (!r.ok()) return Fail(r.status());
  return PrintText("verify", *r);
}

int CmdVerifyBundle(Context& c, const VerifyBundleOptions& o) {
  const Globals& g = c.g;
  std::optional<std::string> pinned;
  if (!o.operator_key.empty()) {
    auto key = ledger::PublicKey::FromPemFile(o.operator_key);
    if (!key.ok()) return Fail(key.status().WithContext("--operator-key"));
    pinned = key->raw();
  }
  Result<VerifyReport> r = ledger::VerifyBundle(o.dir, {}, pinned);
  if (r.ok())
    if (Status w = CheckWitnesses(g, r->latest_note); !w.ok()) r = w;
  if (g.json) return PrintVerifyJson(r, std::optional<std::string>(pinned.value_or("")));
  if (!r.ok()) return Fail(r.status());
  PrintText("verify-bundle", *r);
  PrintTrust(*r, pinned.has_value());
  return kExitOk;
}

int CmdCheckpointVkey(Context& c) {
  auto vkey = ledger::OperatorVerifierKey(c.ledger());
  if (!vkey.ok()) return Fail(vkey.status());
  std::cout << *vkey << "\n";
  return kExitOk;
}

int CmdVerifyProofInclusion(const Globals& g, const VerifyProofOptions& o) {
  if (o.entry.empty() == o.leaf_hash.empty())
    return UsageError("verify-proof inclusion: give either --entry FILE or --leaf-hash HEX");
  auto leaf = LeafOf(o);
  if (!leaf.ok()) return Fail(leaf.status());
  auto note = ReadInput(o.checkpoint);
  auto proof = ReadInput(o.proof);
  auto vkey = ReadVkey(o.vkey);
  for (const Status* s : {&note.status(), &proof.status(), &vkey.status()})
    if (!s->ok()) return Fail(*s);
  auto cp = ledger::CheckInclusionProof(*note, *vkey, *leaf, *o.index, *proof);
  if (!cp.ok()) return Fail(cp.status());
  if (Status w = CheckWitnesses(g, *note); !w.ok()) return Fail(w);
  std::cout << "verify-proof: ok: entry " << *o.index << " (leaf hash " << ledger::HexEncode(*leaf)
            << ") is in the log of size " << cp->size << " with root "
            << ledger::HexEncode(cp->root) << ", as the checkpoint signed by " << cp->origin
            << " says\n";
  return kExitOk;
}

int CmdVerifyProofConsistency(const Globals& g, const VerifyProofOptions& o) {
  auto old_note = ReadInput(o.old_checkpoint);
  auto note = ReadInput(o.checkpoint);
  auto proof = ReadInput(o.proof);
  auto vkey = ReadVkey(o.vkey);
  for (const Status* s : {&old_note.status(), &note.status(), &proof.status(), &vkey.status()})
    if (!s->ok()) return Fail(*s);
  auto r = ledger::CheckConsistencyProof(*old_note, *note, *vkey, *proof);
  if (!r.ok()) return Fail(r.status());
  if (Status w = CheckWitnesses(g, *note); !w.ok()) return Fail(w);
  std::cout << "verify-proof: ok: the log of size " << r->old_checkpoint.size << " (root "
            << ledger::HexEncode(r->old_checkpoint.root) << ") is a prefix of the log of size "
            << r->new_checkpoint.size << " (root " << ledger::HexEncode(r->new_checkpoint.root)
            << "); both checkpoints signed by " << r->new_checkpoint.origin << "\n";
  return kExitOk;
}

}  // namespace rareledger::cli
