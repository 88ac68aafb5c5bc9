#include "ledger/proof_check.h"

#include "ledger/canonical_json.h"
#include "ledger/entry.h"
#include "ledger/state.h"

namespace rareledger::ledger {
namespace {

using nlohmann::json;

Result<json> ParseObject(std::string_view text, const char* what) {
  auto j = ParseStrict(text);
  if (!j.ok()) return Status::InvalidArgument(std::string(what) + ": " + j.status().message());
  if (!j->is_object()) return Status::InvalidArgument(std::string(what) + ": not a JSON object");
  return j;
}

Result<uint64_t> Size(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer() || it->get<int64_t>() < 0)
    return Status::InvalidArgument(std::string("proof: \"") + key +
                                   "\" must be a non-negative integer");
  return static_cast<uint64_t>(it->get<int64_t>());
}

Result<Hash> HexHash(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    return Status::InvalidArgument(std::string("proof: \"") + key + "\" must be a hex hash");
  auto h = HashFromHex(it->get<std::string>());
  if (!h.ok()) return Status::InvalidArgument(std::string("proof: \"") + key + "\": " + h.status().message());
  return h;
}

Result<std::vector<Hash>> Path(const json& j) {
  auto it = j.find("path");
  if (it == j.end() || !it->is_array())
    return Status::InvalidArgument("proof: \"path\" must be an array of hex hashes");
  std::vector<Hash> out;
  for (const auto& h : *it) {
    auto parsed = h.is_string() ? HashFromHex(h.get<std::string>())
                                : Result<Hash>(Status::InvalidArgument("not a string"));
    if (!parsed.ok())
      return Status::InvalidArgument("proof: path[" + std::to_string(out.size()) +
                                     "]: " + parsed.status().message());
    out.push_back(*parsed);
  }
  return out;
}

Status Mismatch(const std::string& what) { return Status::VerificationFailed(what); }

}  // namespace

Result<InclusionProofInfo> ParseInclusionProofJson(std::string_view text) {
  RL_ASSIGN_OR_RETURN(json j, ParseObject(text, "inclusion proof"));
  InclusionProofInfo p;
  RL_ASSIGN_OR_RETURN(p.index, Size(j, "index"));
  RL_ASSIGN_OR_RETURN(p.size, Size(j, "size"));
  RL_ASSIGN_OR_RETURN(p.leaf_hash, HexHash(j, "leaf_hash"));
  RL_ASSIGN_OR_RETURN(p.path, Path(j));
  RL_ASSIGN_OR_RETURN(p.root, HexHash(j, "root"));
  return p;
}

Result<ConsistencyProofInfo> ParseConsistencyProofJson(std::string_view text) {
  RL_ASSIGN_OR_RETURN(json j, ParseObject(text, "consistency proof"));
  ConsistencyProofInfo p;
  RL_ASSIGN_OR_RETURN(p.old_size, Size(j, "old"));
  RL_ASSIGN_OR_RETURN(p.new_size, Size(j, "new"));
  RL_ASSIGN_OR_RETURN(p.old_root, HexHash(j, "old_root"));
  RL_ASSIGN_OR_RETURN(p.new_root, HexHash(j, "new_root"));
  RL_ASSIGN_OR_RETURN(p.path, Path(j));
  return p;
}

Result<Hash> EntryLeafHash(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  auto entry = DecodeEnvelope(text);
  if (!entry.ok()) return Status::InvalidArgument("entry: " + entry.status().message());
  return LeafHash(entry->leaf);
}

Result<Checkpoint> VerifyCheckpointWithVkey(std::string_view checkpoint_note,
                                            std::string_view vkey) {
  auto key = ParseVerifierKey(vkey);
  if (!key.ok()) return Status::InvalidArgument("vkey: " + key.status().message());
  return VerifyCheckpoint(checkpoint_note, key->name, key->name, key->public_key);
}

Result<Checkpoint> CheckInclusionProof(std::string_view checkpoint_note, std::string_view vkey,
                                       const Hash& leaf_hash, uint64_t index,
                                       std::string_view proof_json) {
  RL_ASSIGN_OR_RETURN(Checkpoint cp, VerifyCheckpointWithVkey(checkpoint_note, vkey));
  RL_ASSIGN_OR_RETURN(InclusionProofInfo p, ParseInclusionProofJson(proof_json));
  if (p.index != index)
    return Mismatch("the proof is for entry " + std::to_string(p.index) + ", not entry " +
                    std::to_string(index));
  if (p.size != cp.size)
    return Mismatch("the proof is for a log of size " + std::to_string(p.size) +
                    ", the checkpoint commits to size " + std::to_string(cp.size) +
                    " (run `prove inclusion --size " + std::to_string(cp.size) + "`)");
  if (p.leaf_hash != leaf_hash)
    return Mismatch("the proof is for leaf hash " + HexEncode(p.leaf_hash) +
                    ", the entry's leaf hash is " + HexEncode(leaf_hash));
  if (p.root != cp.root)
    return Mismatch("the proof's root " + HexEncode(p.root) + " is not the checkpoint's root " +
                    HexEncode(cp.root));
  Status s = VerifyInclusion(index, cp.size, leaf_hash, p.path, cp.root);
  if (!s.ok()) return Mismatch("inclusion proof does not verify: " + s.message());
  return cp;
}

Result<ConsistencyCheck> CheckConsistencyProof(std::string_view old_note, std::string_view new_note,
                                               std::string_view vkey, std::string_view proof_json) {
  auto old_cp = VerifyCheckpointWithVkey(old_note, vkey);
  if (!old_cp.ok()) return old_cp.status().WithContext("old checkpoint");
  auto new_cp = VerifyCheckpointWithVkey(new_note, vkey);
  if (!new_cp.ok()) return new_cp.status().WithContext("checkpoint");
  RL_ASSIGN_OR_RETURN(ConsistencyProofInfo p, ParseConsistencyProofJson(proof_json));
  if (p.old_size != old_cp->size || p.new_size != new_cp->size) {
    std::string hint = old_cp->size <= new_cp->size
                           ? " (run `prove consistency --old " + std::to_string(old_cp->size) +
                                 " --new " + std::to_string(new_cp->size) + "`)"
                           : " (the old checkpoint is the larger one)";
    return Mismatch("the proof is from size " + std::to_string(p.old_size) + " to " +
                    std::to_string(p.new_size) + ", the checkpoints commit to sizes " +
                    std::to_string(old_cp->size) + " and " + std::to_string(new_cp->size) + hint);
  }
  if (p.old_root != old_cp->root)
    return Mismatch("the proof's old root " + HexEncode(p.old_root) +
                    " is not the old checkpoint's root " + HexEncode(old_cp->root));
  if (p.new_root != new_cp->root)
    return Mismatch("the proof's new root " + HexEncode(p.new_root) +
                    " is not the checkpoint's root " + HexEncode(new_cp->root));
  if (old_cp->size == 0) return Mismatch("the old checkpoint is of an empty log: nothing to prove");
  Status s = VerifyConsistency(old_cp->size, new_cp->size, old_cp->root, new_cp->root, p.path);
  if (!s.ok()) return Mismatch("consistency proof does not verify: " + s.message());
  return ConsistencyCheck{*old_cp, *new_cp};
}

Result<std::string> OperatorVerifierKey(const Ledger& ledger) {
  RL_ASSIGN_OR_RETURN(PartyRecord op, ledger.GetParty(kOperatorId));
  RL_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromRaw(op.current_key()));
  return VerifierKey(ledger.Info().ledger_id, key);
}

std::string KeyFingerprint(std::string_view raw_key) { return HexEncode(Sha256(raw_key)); }

}  // namespace rareledger::ledger
