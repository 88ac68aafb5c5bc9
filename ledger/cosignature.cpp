#include "ledger/cosignature.h"

#include <algorithm>
#include <set>

namespace rareledger::ledger {
namespace {

constexpr char kCosignatureType = '\x04';
constexpr size_t kCosignatureBytes = 8 + kSignatureSize;  // be64(time) || sig

std::string IdBytes(const NoteKeyIdBytes& id) {
  return std::string(reinterpret_cast<const char*>(id.data()), id.size());
}

std::string Label(const CosignerKey& c) {
  return c.name + "+" + HexEncode(IdBytes(CosignerKeyId(c.name, c.key)));
}

}  // namespace

NoteKeyIdBytes CosignerKeyId(std::string_view name, const PublicKey& key) {
  const Hash h = Sha256Parts({name, "\n", std::string_view(&kCosignatureType, 1), key.raw()});
  NoteKeyIdBytes id;
  std::copy_n(h.begin(), id.size(), id.begin());
  return id;
}

std::string CosignerVerifierKey(std::string_view name, const PublicKey& key) {
  return std::string(name) + "+" + HexEncode(IdBytes(CosignerKeyId(name, key))) + "+" +
         Base64Encode(std::string(1, kCosignatureType) + key.raw());
}

Result<CosignerKey> ParseCosignerKey(std::string_view vkey) {
  const size_t plus1 = vkey.find('+');
  const size_t plus2 = plus1 == std::string_view::npos ? plus1 : vkey.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos)
    return Status::InvalidArgument("witness key: want NAME+KEYID+BASE64KEY");
  const std::string_view name = vkey.substr(0, plus1);
  RL_RETURN_IF_ERROR(CheckNoteKeyName(name).WithContext("witness key"));
  auto raw = Base64Decode(vkey.substr(plus2 + 1));
  if (!raw.ok()) return raw.status().WithContext("witness key");
  if (raw->size() != 1 + kPublicKeySize || (*raw)[0] != kCosignatureType)
    return Status::InvalidArgument(
        "witness key: want type 0x04 (Ed25519 cosignature/v1) and 32 key bytes");
  RL_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromRaw(std::string_view(*raw).substr(1)));
  const std::string want = HexEncode(IdBytes(CosignerKeyId(name, key)));
  if (vkey.substr(plus1 + 1, plus2 - plus1 - 1) != want)
    return Status::InvalidArgument("witness key: key id " +
                                   std::string(vkey.substr(plus1 + 1, plus2 - plus1 - 1)) +
                                   ", want " + want);
  return CosignerKey{std::string(name), std::move(key)};
}

std::string CosignedMessage(std::string_view note_text, uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(note_text);
}

Result<std::string> Cosign(std::string_view note, std::string_view name, const Signer& signer,
                           uint64_t timestamp) {
  RL_RETURN_IF_ERROR(CheckNoteKeyName(name));
  if (timestamp > (uint64_t{1} << 63) - 1)
    return Status::InvalidArgument("cosignature timestamp past 2^63 - 1");
  RL_ASSIGN_OR_RETURN(SignedNote parsed, ParseNote(note));
  RL_ASSIGN_OR_RETURN(std::string sig, signer.Sign(CosignedMessage(parsed.text, timestamp)));
  std::string blob = IdBytes(CosignerKeyId(name, signer.public_key()));
  for (int shift = 56; shift >= 0; shift -= 8) blob.push_back(static_cast<char>(timestamp >> shift));
  blob += sig;
  return "\xE2\x80\x94 " + std::string(name) + " " + Base64Encode(blob) + "\n";
}

Result<uint64_t> VerifyCosignature(std::string_view note, const CosignerKey& cosigner) {
  auto parsed = ParseNote(note);
  if (!parsed.ok()) return Status::VerificationFailed("malformed note: " + parsed.status().message());
  const NoteKeyIdBytes id = CosignerKeyId(cosigner.name, cosigner.key);
  for (const NoteSignature& s : parsed->signatures) {
    if (s.key_name != cosigner.name || s.key_id != id) continue;  // another key: ignored
    if (s.signature.size() != kCosignatureBytes)
      return Status::VerificationFailed("cosignature by " + Label(cosigner) + " is " +
                                        std::to_string(s.signature.size() + 4) +
                                        " bytes, want 76");
    uint64_t timestamp = 0;
    for (int i = 0; i < 8; ++i) timestamp = (timestamp << 8) | static_cast<uint8_t>(s.signature[i]);
    if (timestamp > (uint64_t{1} << 63) - 1)
      return Status::VerificationFailed("cosignature by " + Label(cosigner) +
                                        " has a timestamp past 2^63 - 1");
    RL_ASSIGN_OR_RETURN(Verifier verifier, Verifier::Create(cosigner.key));
    Status ok = verifier.Verify(CosignedMessage(parsed->text, timestamp), s.signature.substr(8));
    if (!ok.ok())
      return Status::VerificationFailed("cosignature by " + Label(cosigner) +
                                        " does not verify: " + ok.message());
    return timestamp;
  }
  return Status::VerificationFailed("no cosignature by " + Label(cosigner));
}

Status CheckWitnessQuorum(std::string_view note, const std::vector<CosignerKey>& witnesses,
                          size_t quorum) {
  size_t valid = 0;
  std::string missing;
  std::set<std::string> seen;  // a key given twice counts once
  for (const CosignerKey& w : witnesses) {
    if (!seen.insert(Label(w) + w.key.raw()).second) continue;
    auto t = VerifyCosignature(note, w);
    if (t.ok()) {
      ++valid;
    } else {
      missing += (missing.empty() ? "" : "; ") + t.status().message();
    }
  }
  if (valid >= quorum) return Status::Ok();
  return Status::VerificationFailed("the checkpoint has " + std::to_string(valid) +
                                    " valid witness cosignature(s), the quorum is " +
                                    std::to_string(quorum) + ": " + missing);
}

}  // namespace rareledger::ledger
