#include "ledger/checkpoint.h"

#include <algorithm>

namespace rareledger::ledger {
namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr char kEd25519Type = '\x01';

std::string_view KeyIdBytes(const NoteKeyIdBytes& id) {
  return std::string_view(reinterpret_cast<const char*>(id.data()), id.size());
}

// Go sumdb/note isValidName: non-empty, no whitespace or control bytes, no '+'.
Status CheckKeyName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("key name is empty");
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u == 0x7f || c == '+') {
      return Status::InvalidArgument("key name \"" + std::string(name) +
                                     "\": want no whitespace, control characters or '+'");
    }
  }
  return Status::Ok();
}

std::string KeyLabel(std::string_view name, const NoteKeyIdBytes& id) {
  return std::string(name) + "+" + HexEncode(KeyIdBytes(id));
}

// Splits text that ends in "\n" into its lines (without the newlines).
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return lines;
}

Result<NoteSignature> ParseSignatureLine(std::string_view line, size_t number) {
  const std::string where = "signature line " + std::to_string(number);
  if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
    return Status::InvalidArgument(where + ": want it to start with \"— \"");
  }
  line.remove_prefix(kSigPrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return Status::InvalidArgument(where + ": want \"— NAME BASE64\"");
  }
  const std::string_view name = line.substr(0, space);
  RL_RETURN_IF_ERROR(CheckKeyName(name).WithContext(where));
  Result<std::string> blob = Base64Decode(line.substr(space + 1));
  if (!blob.ok()) return blob.status().WithContext(where + ": signature");
  if (blob->size() < 5) {
    return Status::InvalidArgument(where + ": signature of " + std::to_string(blob->size()) +
                                   " bytes, want at least 5 (key id and signature)");
  }
  NoteSignature sig;
  sig.key_name = std::string(name);
  std::copy_n(blob->data(), 4, reinterpret_cast<char*>(sig.key_id.data()));
  sig.signature = blob->substr(4);
  return sig;
}

Result<uint64_t> ParseTreeSize(std::string_view text) {
  const std::string got = "tree size \"" + std::string(text) + "\"";
  if (text.empty()) return Status::InvalidArgument("tree size is empty");
  if (text.size() > 1 && text[0] == '0') {
    return Status::InvalidArgument(got + ": want decimal without leading zeros");
  }
  uint64_t size = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument(got + ": want decimal digits");
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (size > (UINT64_MAX - digit) / 10) {
      return Status::InvalidArgument(got + ": want at most 2^64-1");
    }
    size = size * 10 + digit;
  }
  return size;
}

Result<Hash> ParseRoot(std::string_view text) {
  Result<std::string> bytes = Base64Decode(text);
  if (!bytes.ok()) return bytes.status().WithContext("root hash");
  if (bytes->size() != 32) {
    return Status::InvalidArgument("root hash of " + std::to_string(bytes->size()) +
                                   " bytes, want 32");
  }
  Hash root;
  std::copy_n(bytes->data(), 32, reinterpret_cast<char*>(root.data()));
  return root;
}

Status AsVerificationFailure(const Status& status) {
  if (status.ok() || status.code() == Code::kVerificationFailed) return status;
  return Status::VerificationFailed("malformed note: " + status.message());
}

}  // namespace

NoteKeyIdBytes NoteKeyId(std::string_view key_name, const PublicKey& public_key) {
  const Hash h =
      Sha256Parts({key_name, "\n", std::string_view(&kEd25519Type, 1), public_key.raw()});
  NoteKeyIdBytes id;
  std::copy_n(h.begin(), id.size(), id.begin());
  return id;
}

std::string VerifierKey(std::string_view key_name, const PublicKey& public_key) {
  return KeyLabel(key_name, NoteKeyId(key_name, public_key)) + "+" +
         Base64Encode(std::string(1, kEd25519Type) + public_key.raw());
}

Status CheckNoteKeyName(std::string_view name) { return CheckKeyName(name); }

Result<ParsedVerifierKey> ParseVerifierKey(std::string_view vkey) {
  const size_t plus1 = vkey.find('+');
  const size_t plus2 = plus1 == std::string_view::npos ? plus1 : vkey.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) {
    return Status::InvalidArgument("verifier key: want NAME+KEYID+BASE64KEY");
  }
  const std::string_view name = vkey.substr(0, plus1);
  const std::string_view id_hex = vkey.substr(plus1 + 1, plus2 - plus1 - 1);
  RL_RETURN_IF_ERROR(CheckKeyName(name).WithContext("verifier key"));
  Result<std::string> key = Base64Decode(vkey.substr(plus2 + 1));
  if (!key.ok()) return key.status().WithContext("verifier key");
  if (key->size() != 1 + kPublicKeySize || (*key)[0] != kEd25519Type) {
    return Status::InvalidArgument("verifier key: want 0x01 (Ed25519) and 32 key bytes, got " +
                                   std::to_string(key->size()) + " bytes");
  }
  RL_ASSIGN_OR_RETURN(PublicKey public_key, PublicKey::FromRaw(std::string_view(*key).substr(1)));
  const NoteKeyIdBytes id = NoteKeyId(name, public_key);
  const std::string want_hex = HexEncode(KeyIdBytes(id));
  if (id_hex != want_hex) {
    return Status::InvalidArgument("verifier key: key id " + std::string(id_hex) + ", want " +
                                   want_hex);
  }
  return ParsedVerifierKey{std::string(name), id, std::move(public_key)};
}

Result<SignedNote> ParseNote(std::string_view note) {
  if (note.empty() || note.back() != '\n') {
    return Status::InvalidArgument("note does not end in a newline");
  }
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument("note has no blank line between text and signatures");
  }
  SignedNote parsed;
  parsed.text = std::string(note.substr(0, split + 1));
  const std::vector<std::string_view> lines = SplitLines(note.substr(split + 2));
  if (lines.empty()) return Status::InvalidArgument("note has no signature lines");
  for (size_t i = 0; i < lines.size(); ++i) {
    RL_ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(lines[i], i + 1));
    parsed.signatures.push_back(std::move(sig));
  }
  return parsed;
}

Result<std::string> SignNote(std::string_view text, std::string_view key_name,
                             const Signer& signer) {
  RL_RETURN_IF_ERROR(CheckKeyName(key_name));
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("note text: want it to end in a newline");
  }
  if (text.front() == '\n' || text.find("\n\n") != std::string_view::npos) {
    return Status::InvalidArgument("note text: want no blank lines");
  }
  RL_ASSIGN_OR_RETURN(std::string sig, signer.Sign(text));
  const std::string blob = std::string(KeyIdBytes(NoteKeyId(key_name, signer.public_key()))) + sig;
  return std::string(text) + "\n" + std::string(kSigPrefix) + std::string(key_name) + " " +
         Base64Encode(blob) + "\n";
}

Status VerifyNote(std::string_view note, std::string_view key_name, const PublicKey& public_key) {
  Result<SignedNote> parsed = ParseNote(note);
  if (!parsed.ok()) return AsVerificationFailure(parsed.status());
  const NoteKeyIdBytes id = NoteKeyId(key_name, public_key);
  const std::string label = KeyLabel(key_name, id);
  std::string seen;
  for (const NoteSignature& sig : parsed->signatures) {
    if (sig.key_name != key_name || sig.key_id != id) {  // unknown key: ignored
      seen += (seen.empty() ? "" : ", ") + KeyLabel(sig.key_name, sig.key_id);
      continue;
    }
    if (sig.signature.size() != kSignatureSize) {
      return Status::VerificationFailed("signature by " + label + " is " +
                                        std::to_string(sig.signature.size()) + " bytes, want 64");
    }
    RL_ASSIGN_OR_RETURN(Verifier verifier, Verifier::Create(public_key));
    Status valid = verifier.Verify(parsed->text, sig.signature);
    if (!valid.ok()) {
      return Status::VerificationFailed("signature by " + label +
                                        " does not verify: " + valid.message());
    }
    return Status::Ok();
  }
  return Status::VerificationFailed("no signature by " + label + " (signed by: " + seen + ")");
}

std::string CheckpointBody(const Checkpoint& checkpoint) {
  return checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
         Base64Encode(AsBytes(checkpoint.root)) + "\n";
}

Result<Checkpoint> ParseCheckpointBody(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("checkpoint text does not end in a newline");
  }
  const std::vector<std::string_view> lines = SplitLines(text);
  if (lines.size() < 3) {
    return Status::InvalidArgument("checkpoint has " + std::to_string(lines.size()) +
                                   " lines, want at least 3 (origin, size, root)");
  }
  if (lines[0].empty()) return Status::InvalidArgument("checkpoint origin is empty");
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Status::InvalidArgument("checkpoint has an empty extension line");
  }
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  RL_ASSIGN_OR_RETURN(cp.size, ParseTreeSize(lines[1]));
  RL_ASSIGN_OR_RETURN(cp.root, ParseRoot(lines[2]));
  return cp;
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const Signer& signer) {
  RL_RETURN_IF_ERROR(CheckKeyName(checkpoint.origin).WithContext("checkpoint origin"));
  return SignNote(CheckpointBody(checkpoint), checkpoint.origin, signer);
}

Result<Checkpoint> ParseCheckpoint(std::string_view note) {
  RL_ASSIGN_OR_RETURN(SignedNote parsed, ParseNote(note));
  return ParseCheckpointBody(parsed.text);
}

Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view origin,
                                    std::string_view key_name, const PublicKey& public_key) {
  Result<Checkpoint> cp = ParseCheckpoint(note);
  if (!cp.ok()) return AsVerificationFailure(cp.status());
  if (cp->origin != origin) {
    return Status::VerificationFailed("checkpoint origin mismatch: got \"" + cp->origin +
                                      "\", want \"" + std::string(origin) + "\"");
  }
  RL_RETURN_IF_ERROR(VerifyNote(note, key_name, public_key));
  return cp;
}

Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view origin,
                                    const PublicKey& public_key) {
  return VerifyCheckpoint(note, origin, origin, public_key);
}

}  // namespace rareledger::ledger
