// Tests for ledger/checkpoint.h: C2SP signed-note and tlog-checkpoint
// encodings, checked against the published examples in
// tests/testdata/published-vectors.json (C2SP/C2SP signed-note.md and
// tlog-checkpoint.md, golang/mod sumdb/note tests, a real sum.golang.org
// checkpoint from sigsum/sigsum-go), and the ways a checkpoint can be forged.
#include "ledger/checkpoint.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/merkle.h"
#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;
using json = nlohmann::json;

const json& Vectors() { return testing::PublishedVectors(); }

std::string Unhex(const json& hex) {
  Result<std::string> bytes = HexDecode(hex.get<std::string>());
  REQUIRE(bytes.ok());
  return *bytes;
}

PublicKey KeyFrom(const json& verifier_key) {
  Result<PublicKey> key = PublicKey::FromRaw(Unhex(verifier_key["public_key_hex"]));
  REQUIRE(key.ok());
  return *key;
}

Signer SignerFromSeed(char fill) {
  Result<Signer> signer = Signer::FromSeed(std::string(32, fill));
  REQUIRE(signer.ok());
  return std::move(signer).value();
}

// Replaces the first occurrence of `from` (which must occur) with `to`.
std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

void RequireFailure(const Status& s, Code code, const std::string& reason) {
  INFO(s.ToString());
  REQUIRE(s.code() == code);
  REQUIRE_THAT(s.message(), Contains(reason));
}

const char kOrigin[] = "ledger.example/rare-1";

struct Signed {
  Signed() : signer(SignerFromSeed('\x2a')) {
    cp = Checkpoint{kOrigin, 1234, LeafHash("root")};
    Result<std::string> n = SignCheckpoint(cp, signer);
    REQUIRE(n.ok());
    note = *n;
  }
  Signer signer;
  Checkpoint cp;
  std::string note;
  std::string size_line() const { return "\n1234\n"; }
  std::string root_b64() const { return Base64Encode(AsBytes(cp.root)); }
};

TEST_CASE("signed checkpoint round-trips and has the C2SP layout", "[checkpoint]") {
  Signed s;
  const std::string body = CheckpointBody(s.cp);
  CHECK(body == std::string(kOrigin) + "\n1234\n" + s.root_b64() + "\n");
  // body, blank line, "— origin base64(keyid4 || sig64)\n"
  const std::string prefix = body + "\n\xE2\x80\x94 " + kOrigin + " ";
  REQUIRE(s.note.substr(0, prefix.size()) == prefix);
  REQUIRE(s.note.back() == '\n');
  Result<std::string> blob =
      Base64Decode(s.note.substr(prefix.size(), s.note.size() - prefix.size() - 1));
  REQUIRE(blob.ok());
  REQUIRE(blob->size() == 68);
  const auto id = NoteKeyId(kOrigin, s.signer.public_key());
  CHECK(blob->substr(0, 4) == std::string(id.begin(), id.end()));
  Result<std::string> sig = s.signer.Sign(body);
  REQUIRE(sig.ok());
  CHECK(blob->substr(4) == *sig);

  Result<Checkpoint> parsed = ParseCheckpoint(s.note);
  REQUIRE(parsed.ok());
  CHECK(*parsed == s.cp);
  Result<Checkpoint> verified = VerifyCheckpoint(s.note, kOrigin, s.signer.public_key());
  REQUIRE(verified.ok());
  CHECK(*verified == s.cp);
  CHECK(VerifyNote(s.note, kOrigin, s.signer.public_key()).ok());
}

TEST_CASE("published signed-note examples verify and their key ids match", "[checkpoint]") {
  for (const json& ex : Vectors()["signed_note_examples"]) {
    const json& vk = ex["verifier_key"];
    const std::string name = vk["key_name"];
    INFO(name);
    const PublicKey key = KeyFrom(vk);
    const auto id = NoteKeyId(name, key);
    CHECK(HexEncode(std::string_view(reinterpret_cast<const char*>(id.data()), 4)) ==
          vk["key_id_hex"].get<std::string>());
    CHECK(VerifierKey(name, key) == vk["vkey"].get<std::string>());

    Result<ParsedVerifierKey> parsed_key = ParseVerifierKey(vk["vkey"].get<std::string>());
    REQUIRE(parsed_key.ok());
    CHECK(parsed_key->name == name);
    CHECK(parsed_key->key_id == id);
    CHECK(parsed_key->public_key == key);

    const std::string note = ex["signed_note"];
    CHECK(VerifyNote(note, name, key).ok());
    Result<SignedNote> parsed = ParseNote(note);
    REQUIRE(parsed.ok());
    CHECK(parsed->text == ex["note_text"].get<std::string>());
    REQUIRE(parsed->signatures.size() == 1);
    CHECK(parsed->signatures[0].key_name == name);
    CHECK(parsed->signatures[0].key_id == id);
    CHECK(parsed->signatures[0].signature == Unhex(ex["signatures"][0]["signature_payload_hex"]));

    RequireFailure(VerifyNote(Replace(note, " is ", " was "), name, key), Code::kVerificationFailed,
                   "does not verify");
  }
}

TEST_CASE("signing reproduces the Go sumdb/note example byte for byte", "[checkpoint]") {
  const json& ex = Vectors()["signed_note_examples"][1];
  REQUIRE(ex["verifier_key"]["key_name"] == "PeterNeumann");
  Result<Signer> signer = Signer::FromSeed(Unhex(ex["signing_key"]["ed25519_seed"]));
  REQUIRE(signer.ok());
  Result<std::string> note = SignNote(ex["note_text"].get<std::string>(), "PeterNeumann", *signer);
  REQUIRE(note.ok());
  CHECK(*note == ex["signed_note"].get<std::string>());
  CHECK(VerifierKey("PeterNeumann", signer->public_key()) ==
        ex["verifier_key"]["vkey"].get<std::string>());
}

// The example in docs/merkle.md: RFC 8032 TEST 1 key, the published 8-leaf
// tree; the expected note was cross-checked with pyca/cryptography.
TEST_CASE("the docs/merkle.md example checkpoint is reproduced", "[checkpoint]") {
  const json& test1 = Vectors()["ed25519_rfc8032"]["vectors"][0];
  Result<Signer> signer = Signer::FromSeed(Unhex(test1["secret_key"]));
  REQUIRE(signer.ok());
  Result<Hash> root =
      HashFromHex(Vectors()["rfc6962_merkle_tree"]["roots_by_tree_size"]["8"].get<std::string>());
  REQUIRE(root.ok());
  Result<std::string> note =
      SignCheckpoint(Checkpoint{"rareledger.example/demo", 8, *root}, *signer);
  REQUIRE(note.ok());
  CHECK(*note ==
        "rareledger.example/demo\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
        "\xE2\x80\x94 rareledger.example/demo "
        "5WTifxT8U4dKqPa6lCSx6cNg2nYQ5Ehmvifis/1kplvXeAoX/xdvNEkeUPlkkMOs5bmrKuU3d2bvDz7jjtTBTT+"
        "FtwQ=\n");
  CHECK(VerifierKey("rareledger.example/demo", signer->public_key()) ==
        "rareledger.example/demo+e564e27f+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea");
}

TEST_CASE("the real sum.golang.org checkpoint parses and verifies", "[checkpoint]") {
  const json& ex = Vectors()["tlog_checkpoint"]["real_checkpoint_sum_golang_org"];
  const std::string note = ex["signed_note"];
  Result<Checkpoint> cp = ParseCheckpoint(note);
  REQUIRE(cp.ok());
  CHECK(cp->origin == "go.sum database tree");
  CHECK(cp->size == 30055305);
  CHECK(HexEncode(cp->root) == ex["parsed"]["root_hash"].get<std::string>());

  Result<ParsedVerifierKey> vkey = ParseVerifierKey(ex["verifier_key"]["vkey"].get<std::string>());
  REQUIRE(vkey.ok());
  CHECK(vkey->name == "sum.golang.org");
  CHECK(vkey->public_key == KeyFrom(ex["verifier_key"]));
  CHECK(VerifyNote(note, vkey->name, vkey->public_key).ok());
  Result<Checkpoint> verified =
      VerifyCheckpoint(note, "go.sum database tree", vkey->name, vkey->public_key);
  REQUIRE(verified.ok());
  CHECK(*verified == *cp);

  RequireFailure(VerifyCheckpoint(Replace(note, "30055305", "30055306"), "go.sum database tree",
                                  vkey->name, vkey->public_key)
                     .status(),
                 Code::kVerificationFailed, "signature by sum.golang.org+033de0ae does not verify");
  // Its key name is not its origin, so the ledger's origin-named form fails.
  RequireFailure(VerifyCheckpoint(note, "go.sum database tree", vkey->public_key).status(),
                 Code::kVerificationFailed, "no signature by go.sum database tree+");
}

TEST_CASE("C2SP spec examples parse and unknown signature lines are ignored", "[checkpoint]") {
  const json& tc = Vectors()["tlog_checkpoint"];
  Result<Checkpoint> cp = ParseCheckpoint(tc["spec_example_checkpoint"]["text"].get<std::string>());
  REQUIRE(cp.ok());
  CHECK(cp->origin == "example.com/behind-the-sofa");
  CHECK(cp->size == 20852163);
  CHECK(Base64Encode(AsBytes(cp->root)) == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");

  // The cosigned example carries a witness line (key id, timestamp, sig).
  const std::string cosigned = tc["cosignature_format_example"]["text"];
  Result<SignedNote> note = ParseNote(cosigned);
  REQUIRE(note.ok());
  REQUIRE(note->signatures.size() == 2);
  CHECK(note->signatures[1].key_name == "witness.example.com/w1");
  CHECK(note->signatures[1].signature.size() == 72);

  // Our own checkpoint with a stranger's line before ours still verifies.
  Signed s;
  const std::string witness_line =
      tc["cosignature_format_example"]["witness_signature"]["signature_line"];
  const std::string with_witness = Replace(s.note, "\n\n", "\n\n" + witness_line + "\n");
  CHECK(VerifyCheckpoint(with_witness, kOrigin, s.signer.public_key()).ok());
}

TEST_CASE("checkpoint verification rejects forgeries with a reason", "[checkpoint]") {
  Signed s;
  const PublicKey& key = s.signer.public_key();
  const Code kFail = Code::kVerificationFailed;
  auto verify = [&](const std::string& note) {
    return VerifyCheckpoint(note, kOrigin, key).status();
  };
  RequireFailure(verify(Replace(s.note, s.size_line(), "\n1235\n")), kFail, "does not verify");
  Hash other_root = s.cp.root;
  other_root[3] ^= 1;
  RequireFailure(verify(Replace(s.note, s.root_b64(), Base64Encode(AsBytes(other_root)))), kFail,
                 "does not verify");
  const Signer stranger = SignerFromSeed('\x07');
  RequireFailure(VerifyCheckpoint(s.note, kOrigin, stranger.public_key()).status(), kFail,
                 "no signature by " + std::string(kOrigin) + "+");
  RequireFailure(VerifyCheckpoint(s.note, "ledger.example/rare-2", key).status(), kFail,
                 "origin mismatch: got \"ledger.example/rare-1\", want \"ledger.example/rare-2\"");
  // A checkpoint signed by the same key for another origin.
  Result<std::string> other =
      SignCheckpoint(Checkpoint{"ledger.example/rare-2", 1234, s.cp.root}, s.signer);
  REQUIRE(other.ok());
  RequireFailure(VerifyCheckpoint(*other, kOrigin, key).status(), kFail, "origin mismatch");

  RequireFailure(verify(Replace(s.note, "\n\n", "\n")), kFail, "no blank line");
  RequireFailure(verify(Replace(s.note, s.size_line(), "\n01234\n")), kFail, "leading zeros");
  RequireFailure(verify(Replace(s.note, s.root_b64(), s.root_b64().substr(1))), kFail, "root hash");
  std::string bad_char_root = s.root_b64();
  bad_char_root[0] = '!';
  RequireFailure(verify(Replace(s.note, s.root_b64(), bad_char_root)), kFail, "root hash");

  // A signature cut short but still valid base64.
  const size_t sig_at = s.note.rfind(' ') + 1;
  Result<std::string> blob = Base64Decode(s.note.substr(sig_at, s.note.size() - sig_at - 1));
  REQUIRE(blob.ok());
  const std::string cut = s.note.substr(0, sig_at) + Base64Encode(blob->substr(0, 60)) + "\n";
  RequireFailure(verify(cut), kFail, "is 56 bytes, want 64");
  // Characters chopped off the line: no longer base64.
  RequireFailure(verify(s.note.substr(0, s.note.size() - 4) + "\n"), kFail, "signature");
  RequireFailure(verify(s.note.substr(0, s.note.size() - 1)), kFail, "newline");
}

TEST_CASE("checkpoint parsing is strict", "[checkpoint]") {
  Signed s;
  const Code kBad = Code::kInvalidArgument;
  auto parse = [](const std::string& note) { return ParseCheckpoint(note).status(); };
  RequireFailure(parse(Replace(s.note, s.size_line(), "\n01234\n")), kBad, "leading zeros");
  RequireFailure(parse(Replace(s.note, s.size_line(), "\n12a4\n")), kBad, "decimal digits");
  RequireFailure(parse(Replace(s.note, s.size_line(), "\n-1234\n")), kBad, "decimal digits");
  RequireFailure(parse(Replace(s.note, s.size_line(), "\n18446744073709551616\n")), kBad, "2^64-1");
  RequireFailure(parse(Replace(s.note, kOrigin, "")), kBad, "origin is empty");
  RequireFailure(parse(Replace(s.note, s.root_b64(), Base64Encode("short"))), kBad,
                 "root hash of 5 bytes, want 32");
  RequireFailure(parse(Replace(s.note, "\xE2\x80\x94 ", "- ")), kBad, "start with");
  RequireFailure(parse(s.note.substr(0, s.note.find("\n\n") + 2)), kBad, "no signature lines");
  RequireFailure(parse(Replace(s.note, s.size_line(), "\n")), kBad, "want at least 3");
  // Extension lines are allowed but not returned; empty ones are not.
  const std::string ext_text = CheckpointBody(s.cp) + "ext: value\n";
  Result<std::string> ext = SignNote(ext_text, kOrigin, s.signer);
  REQUIRE(ext.ok());
  Result<Checkpoint> with_ext = VerifyCheckpoint(*ext, kOrigin, s.signer.public_key());
  REQUIRE(with_ext.ok());
  CHECK(*with_ext == s.cp);
  RequireFailure(ParseCheckpointBody(CheckpointBody(s.cp) + "\nx\n").status(), kBad,
                 "empty extension line");
  CHECK(ParseCheckpointBody("o\n0\n" + s.root_b64() + "\n").ok());
}

TEST_CASE("signing and verifier keys check their inputs", "[checkpoint]") {
  Signed s;
  CHECK(SignCheckpoint(Checkpoint{"has space", 1, s.cp.root}, s.signer).status().code() ==
        Code::kInvalidArgument);
  CHECK(SignCheckpoint(Checkpoint{"a+b", 1, s.cp.root}, s.signer).status().code() ==
        Code::kInvalidArgument);
  CHECK(SignCheckpoint(Checkpoint{"", 1, s.cp.root}, s.signer).status().code() ==
        Code::kInvalidArgument);
  CHECK(SignNote("no newline", kOrigin, s.signer).status().code() == Code::kInvalidArgument);
  CHECK(SignNote("a\n\nb\n", kOrigin, s.signer).status().code() == Code::kInvalidArgument);

  const std::string vkey = VerifierKey(kOrigin, s.signer.public_key());
  Result<ParsedVerifierKey> round = ParseVerifierKey(vkey);
  REQUIRE(round.ok());
  CHECK(round->public_key == s.signer.public_key());
  const std::string id_hex = vkey.substr(std::string(kOrigin).size() + 1, 8);
  RequireFailure(ParseVerifierKey(Replace(vkey, id_hex, "00000000")).status(),
                 Code::kInvalidArgument, "key id 00000000, want " + id_hex);
  RequireFailure(ParseVerifierKey(Replace(vkey, kOrigin, "other.example")).status(),
                 Code::kInvalidArgument, "key id");
  RequireFailure(ParseVerifierKey(Replace(vkey, "+A", "+B")).status(), Code::kInvalidArgument,
                 "0x01 (Ed25519)");
  CHECK(ParseVerifierKey("no-plus-signs").status().code() == Code::kInvalidArgument);
  CHECK(ParseVerifierKey("+" + id_hex + "+AAAA").status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace rareledger::ledger
