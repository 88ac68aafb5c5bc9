// Tests for ledger/crypto.h: RFC 8032 vectors, SHA-256 known answers, strict
// encodings, PEM handling and interop with the openssl CLI.
#include "ledger/crypto.h"
#include "test_util.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;

struct Vector {
  std::string name, seed, public_key, message, signature;  // raw bytes
};

std::string Unhex(std::string_view hex) {
  Result<std::string> r = HexDecode(hex);
  REQUIRE(r.ok());
  return *r;
}

// RFC 8032 section 7.1 TEST 1..3, from tests/testdata/published-vectors.json.
std::vector<Vector> Rfc8032Vectors() {
  const nlohmann::json& all = testing::PublishedVectors();
  std::vector<Vector> out;
  for (const auto& v : all.at("ed25519_rfc8032").at("vectors")) {
    out.push_back({v.at("name").get<std::string>(), Unhex(v.at("secret_key").get<std::string>()),
                   Unhex(v.at("public_key").get<std::string>()),
                   Unhex(v.at("message").get<std::string>()),
                   Unhex(v.at("signature").get<std::string>())});
  }
  REQUIRE(out.size() == 3);
  return out;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/rl_crypto_test_XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  REQUIRE(out.good());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Shell(const std::string& cmd) { return std::system((cmd + " 2>/dev/null").c_str()); }

Signer MustFromSeed(std::string_view seed) {
  Result<Signer> s = Signer::FromSeed(seed);
  REQUIRE(s.ok());
  return std::move(s).value();
}

Signer MustGenerate() {
  Result<Signer> s = Signer::Generate();
  REQUIRE(s.ok());
  return std::move(s).value();
}

Verifier MustVerifier(const PublicKey& key) {
  Result<Verifier> v = Verifier::Create(key);
  REQUIRE(v.ok());
  return std::move(v).value();
}

TEST_CASE("crypto: RFC 8032 vectors sign and verify byte for byte", "[crypto]") {
  for (const Vector& v : Rfc8032Vectors()) {
    INFO(v.name);
    Signer signer = MustFromSeed(v.seed);
    CHECK(signer.public_key().raw() == v.public_key);
    Result<std::string> sig = signer.Sign(v.message);
    REQUIRE(sig.ok());
    CHECK(HexEncode(*sig) == HexEncode(v.signature));

    Result<PublicKey> pub = PublicKey::FromRaw(v.public_key);
    REQUIRE(pub.ok());
    CHECK(*pub == signer.public_key());
    Verifier verifier = MustVerifier(*pub);
    CHECK(verifier.Verify(v.message, v.signature).ok());
  }
}

TEST_CASE("crypto: Verify rejects a flipped bit in message or signature", "[crypto]") {
  for (const Vector& v : Rfc8032Vectors()) {
    INFO(v.name);
    Verifier verifier = MustVerifier(*PublicKey::FromRaw(v.public_key));
    std::string msg = v.message.empty() ? std::string("\x01") : v.message;
    if (!v.message.empty()) msg[0] ^= 0x01;
    CHECK(verifier.Verify(msg, v.signature).code() == Code::kVerificationFailed);
    for (size_t byte : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
      std::string sig = v.signature;
      sig[byte] ^= 0x80;
      CHECK(verifier.Verify(v.message, sig).code() == Code::kVerificationFailed);
    }
  }
}

TEST_CASE("crypto: Verify rejects wrong-size signatures and keys", "[crypto]") {
  const Vector v = Rfc8032Vectors()[0];
  Verifier verifier = MustVerifier(*PublicKey::FromRaw(v.public_key));
  Status s = verifier.Verify(v.message, v.signature.substr(0, 63));
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK_THAT(s.message(), Contains("want 64 bytes, got 63"));
  CHECK(verifier.Verify(v.message, v.signature + "x").code() == Code::kInvalidArgument);
  CHECK(verifier.Verify(v.message, "").code() == Code::kInvalidArgument);
  CHECK_THAT(PublicKey::FromRaw(v.public_key.substr(1)).status().message(),
             Contains("want 32 bytes, got 31"));
  CHECK(Signer::FromSeed(v.seed + "x").status().code() == Code::kInvalidArgument);
}

TEST_CASE("crypto: a signature does not verify under another key", "[crypto]") {
  const auto vectors = Rfc8032Vectors();
  Verifier other = MustVerifier(*PublicKey::FromRaw(vectors[1].public_key));
  CHECK(other.Verify(vectors[0].message, vectors[0].signature).code() == Code::kVerificationFailed);
}

TEST_CASE("crypto: SHA-256 known answers", "[crypto]") {
  CHECK(HexEncode(Sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(HexEncode(Sha256("")) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(HexEncode(Sha256(std::string(1000000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(Sha256Parts({"a", "", "bc"}) == Sha256("abc"));
  CHECK(Sha256Parts({}) == Sha256(""));
  const Hash h = Sha256("abc");
  CHECK(AsBytes(h).size() == 32);
  CHECK(AsBytes(h)[0] == '\xba');
}

TEST_CASE("crypto: base64 RFC 4648 vectors and round trips", "[crypto]") {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(Base64Encode(plain) == encoded);
    Result<std::string> decoded = Base64Decode(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == plain);
  }
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    Result<std::string> back = Base64Decode(Base64Encode(bytes));
    REQUIRE(back.ok());
    CHECK(*back == bytes);
    bytes.push_back(static_cast<char>(n * 37 + 200));
  }
}

TEST_CASE("crypto: base64 decoding is strict", "[crypto]") {
  const std::pair<const char*, const char*> bad[] = {{"Zg=", "not a multiple of 4"},
                                                     {"Zg", "not a multiple of 4"},
                                                     {"Zm9v\n", "not a multiple of 4"},
                                                     {"Zm 9", "invalid character at offset 2"},
                                                     {"Zm9v\nZm8", "invalid character"},
                                                     {"Zh==", "non-zero trailing bits"},
                                                     {"Zm9=", "non-zero trailing bits"},
                                                     {"Z===", "invalid character at offset 1"},
                                                     {"=Zg=", "invalid character at offset 0"},
                                                     {"Zg==Zg==", "invalid character"},
                                                     {"-_8=", "invalid character"},
                                                     {"Zm8=\n", "not a multiple of 4"}};
  for (const auto& [text, why] : bad) {
    INFO(text);
    Result<std::string> r = Base64Decode(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK_THAT(r.status().message(), Contains(why));
  }
}

TEST_CASE("crypto: hex round trips and strict rejections", "[crypto]") {
  const std::string bytes("\x00\x01\x7f\x80\xff", 5);
  CHECK(HexEncode(bytes) == "00017f80ff");
  CHECK(*HexDecode("00017f80ff") == bytes);
  CHECK(*HexDecode("00017F80FF") == bytes);  // uppercase is accepted on input
  CHECK(HexDecode("abc").status().code() == Code::kInvalidArgument);
  CHECK_THAT(HexDecode("0g").status().message(), Contains("invalid character at offset 1"));
  CHECK_THAT(HexDecode(" 00").status().message(), Contains("odd length"));
  const Hash h = Sha256("abc");
  Result<Hash> back = HashFromHex(HexEncode(h));
  REQUIRE(back.ok());
  CHECK(*back == h);
  CHECK_THAT(HashFromHex("abcd").status().message(), Contains("want 64 hex characters, got 4"));
  CHECK(HashFromHex(std::string(63, 'a') + "z").status().code() == Code::kInvalidArgument);
}

TEST_CASE("crypto: PEM round trip of private and public keys", "[crypto]") {
  Result<Signer> generated = Signer::Generate();
  REQUIRE(generated.ok());
  const std::string pem = generated->ToPem();
  CHECK_THAT(pem, Contains("-----BEGIN PRIVATE KEY-----"));
  Result<Signer> reloaded = Signer::FromPem(pem);
  REQUIRE(reloaded.ok());
  CHECK(reloaded->public_key() == generated->public_key());
  CHECK(*reloaded->Sign("m") == *generated->Sign("m"));

  const std::string pub_pem = generated->public_key().ToPem();
  CHECK_THAT(pub_pem, Contains("-----BEGIN PUBLIC KEY-----"));
  Result<PublicKey> pub = PublicKey::FromPem(pub_pem);
  REQUIRE(pub.ok());
  CHECK(*pub == generated->public_key());
  CHECK(pub->ToBase64().size() == 44);
  CHECK(*Base64Decode(pub->ToBase64()) == pub->raw());
}

TEST_CASE("crypto: malformed PEM and missing files are rejected", "[crypto]") {
  CHECK(Signer::FromPem("").status().code() == Code::kInvalidArgument);
  CHECK(Signer::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            .status()
            .code() == Code::kInvalidArgument);
  // A public key is not a private key and vice versa.
  Signer signer = MustGenerate();
  CHECK(Signer::FromPem(signer.public_key().ToPem()).status().code() == Code::kInvalidArgument);
  CHECK(PublicKey::FromPem(signer.ToPem()).status().code() == Code::kInvalidArgument);
  Result<Signer> missing = Signer::FromPemFile("/nonexistent/rl.key");
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK_THAT(missing.status().message(), Contains("/nonexistent/rl.key"));
  CHECK(PublicKey::FromPemFile("/nonexistent/rl.pub").status().code() == Code::kNotFound);
}

TEST_CASE("crypto: keys from openssl genpkey load and interoperate", "[crypto]") {
  TempDir dir;
  REQUIRE(Shell("openssl genpkey -algorithm ed25519 -out " + dir / "k.pem") == 0);
  REQUIRE(Shell("openssl pkey -in " + dir / "k.pem" + " -pubout -out " + dir / "pub.pem") == 0);
  Result<Signer> signer = Signer::FromPemFile(dir / "k.pem");
  REQUIRE(signer.ok());
  CHECK(signer->public_key().ToPem() == ReadAll(dir / "pub.pem"));
  Result<PublicKey> pub = PublicKey::FromPemFile(dir / "pub.pem");
  REQUIRE(pub.ok());
  CHECK(*pub == signer->public_key());

  const std::string message = "{\"lot\":\"L-1\",\"seq\":1}";
  WriteFile(dir / "msg", message);
  WriteFile(dir / "sig", *signer->Sign(message));
  const std::string verify = "openssl pkeyutl -verify -pubin -inkey " + dir / "pub.pem" +
                             " -rawin -in " + dir / "msg" + " -sigfile " + dir / "sig" +
                             " >/dev/null";
  CHECK(Shell(verify) == 0);
  WriteFile(dir / "msg", message + " ");
  CHECK(Shell(verify) != 0);

  // And the other way: openssl signs, we verify.
  WriteFile(dir / "msg", message);
  REQUIRE(Shell("openssl pkeyutl -sign -inkey " + dir / "k.pem" + " -rawin -in " + dir / "msg" +
                " -out " + dir / "sig2") == 0);
  CHECK(MustVerifier(*pub).Verify(message, ReadAll(dir / "sig2")).ok());
}

TEST_CASE("crypto: RSA, EC and encrypted keys are rejected", "[crypto]") {
  TempDir dir;
  REQUIRE(Shell("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out " +
                dir / "rsa.pem") == 0);
  REQUIRE(Shell("openssl pkey -in " + dir / "rsa.pem" + " -pubout -out " + dir / "rsa.pub") == 0);
  Result<Signer> rsa = Signer::FromPemFile(dir / "rsa.pem");
  CHECK(rsa.status().code() == Code::kInvalidArgument);
  CHECK_THAT(rsa.status().message(), Contains("key type is RSA, want ED25519"));
  CHECK_THAT(PublicKey::FromPemFile(dir / "rsa.pub").status().message(),
             Contains("key type is RSA, want ED25519"));

  REQUIRE(Shell("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                dir / "ec.pem") == 0);
  CHECK_THAT(Signer::FromPemFile(dir / "ec.pem").status().message(),
             Contains("key type is EC, want ED25519"));

  // Encrypted PKCS#8 fails instead of prompting for a passphrase.
  REQUIRE(Shell("openssl genpkey -algorithm ed25519 -aes256 -pass pass:secret -out " +
                dir / "enc.pem") == 0);
  CHECK(Signer::FromPemFile(dir / "enc.pem").status().code() == Code::kInvalidArgument);
}

TEST_CASE("crypto: WriteKeyPair writes 0600 key and refuses to overwrite", "[crypto]") {
  TempDir dir;
  Signer signer = MustGenerate();
  const std::string stem = dir / "party";
  REQUIRE(WriteKeyPair(signer, stem).ok());
  struct stat st;
  REQUIRE(::stat((stem + ".key").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(Signer::FromPemFile(stem + ".key")->public_key() == signer.public_key());
  CHECK(*PublicKey::FromPemFile(stem + ".pub") == signer.public_key());

  const std::string before = ReadAll(stem + ".key");
  Signer other = MustGenerate();
  Status again = WriteKeyPair(other, stem);
  CHECK_FALSE(again.ok());
  CHECK_THAT(again.message(), Contains("party.key exists"));
  CHECK(ReadAll(stem + ".key") == before);

  // A stale .pub makes it fail too, and the fresh .key is removed again.
  const std::string stem2 = dir / "second";
  WriteFile(stem2 + ".pub", "stale");
  CHECK_THAT(WriteKeyPair(other, stem2).message(), Contains("second.pub exists"));
  CHECK_FALSE(std::filesystem::exists(stem2 + ".key"));
  CHECK(ReadAll(stem2 + ".pub") == "stale");

  CHECK(WriteKeyPair(other, dir / "no/such/dir/x").code() == Code::kIOError);
}

TEST_CASE("crypto: Sha256 and Verify agree across threads", "[crypto]") {
  const Vector v = Rfc8032Vectors()[2];
  Signer signer = MustFromSeed(v.seed);
  Verifier verifier = MustVerifier(signer.public_key());
  constexpr int kMessages = 200;
  std::vector<std::string> messages, sigs;
  std::vector<Hash> want;
  for (int i = 0; i < kMessages; ++i) {
    messages.push_back("entry " + std::to_string(i));
    sigs.push_back(*signer.Sign(messages.back()));
    want.push_back(Sha256(messages.back()));
  }
  sigs[17][5] ^= 1;  // one bad signature must fail in every thread
  auto run = [&](std::vector<Hash>* hashes, std::vector<bool>* verdicts) {
    for (int round = 0; round < 5; ++round) {
      for (int i = 0; i < kMessages; ++i) {
        (*hashes)[i] = Sha256Parts({"entry ", std::to_string(i)});
        (*verdicts)[i] = verifier.Verify(messages[i], sigs[i]).ok();
      }
    }
  };
  std::vector<Hash> h1(kMessages), h2(kMessages);
  std::vector<bool> ok1(kMessages), ok2(kMessages);
  std::thread t1(run, &h1, &ok1);
  std::thread t2(run, &h2, &ok2);
  t1.join();
  t2.join();
  CHECK(h1 == want);
  CHECK(h2 == want);
  CHECK(ok1 == ok2);
  for (int i = 0; i < kMessages; ++i) CHECK(ok1[i] == (i != 17));
}

}  // namespace
}  // namespace rareledger::ledger
