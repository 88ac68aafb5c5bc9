// Tests for ledger/canonical_json.h: RFC 8785 vectors, and every strict-parse
// rejection with its message.
#include "ledger/canonical_json.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace rareledger::ledger {
namespace {

using json = nlohmann::json;
using Catch::Matchers::Contains;

// Message of the InvalidArgument that ParseStrict must return for text.
std::string RejectionOf(std::string_view text) {
  Result<json> r = ParseStrict(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

json ParseOk(std::string_view text) {
  Result<json> r = ParseStrict(text);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string CanonicalOf(std::string_view text) { return Canonicalize(ParseOk(text)); }

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_CASE("canonical_json: RFC 8785 3.2.3 sorts keys by UTF-16 code units", "[json]") {
  const std::string input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  const std::string want =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
      "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
      "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
      "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";
  CHECK(CanonicalOf(input) == want);
}

TEST_CASE("canonical_json: astral keys sort before U+E000..U+FFFF (not bytewise)", "[json]") {
  // UTF-8 bytewise order would put U+E000 (EE ..) before U+1F600 (F0 ..).
  CHECK(CanonicalOf(R"({"\ue000":1,"\ud83d\ude00":2,"a":3})") ==
        "{\"a\":3,\"\xF0\x9F\x98\x80\":2,\"\xEE\x80\x80\":1}");
}

TEST_CASE("canonical_json: RFC 8785 3.2.2 string and literal vectors", "[json]") {
  CHECK(CanonicalOf(R"({"string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"})") ==
        "{\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
  CHECK(CanonicalOf(R"({"literals": [null, true, false]})") == R"({"literals":[null,true,false]})");
}

TEST_CASE("canonical_json: escapes exactly as JSON.stringify", "[json]") {
  CHECK(CanonicalOf(R"("\b\f\n\r\t\"\\")") == R"("\b\f\n\r\t\"\\")");
  CHECK(CanonicalOf(R"("\u0001\u001F\u001f\u000B")") == R"("\u0001\u001f\u001f\u000b")");
  CHECK(CanonicalOf(R"("\u007f\u00e9/\/")") == "\"\x7F\xC3\xA9//\"");
  CHECK(CanonicalOf(R"("\u2028\u2029")") == "\"\xE2\x80\xA8\xE2\x80\xA9\"");
  std::string out;
  AppendJsonString(std::string("a\x1b"
                               "b",
                               3),
                   &out);
  CHECK(out == R"("a\u001bb")");
}

TEST_CASE("canonical_json: canonical bytes round-trip and drop whitespace", "[json]") {
  const std::string input =
      " {\n \"payload\" : { \"seq\" : 3 , \"type\":\"transfer\", \"parts\" : [ {\"lot\":\"L-1\","
      "\"mass_g\": 9007199254740991}, [], {} ], \"neg\": -42, \"zero\": -0 } }\r\n\t";
  const std::string canonical = CanonicalOf(input);
  CHECK(canonical ==
        R"({"payload":{"neg":-42,"parts":[{"lot":"L-1","mass_g":9007199254740991},[],{}],)"
        R"("seq":3,"type":"transfer","zero":0}})");
  CHECK(CanonicalOf(canonical) == canonical);
  CHECK(CanonicalOf("1") == "1");
  CHECK(CanonicalOf("\"x\"") == "\"x\"");
  CHECK(CanonicalOf("null") == "null");
}

TEST_CASE("canonical_json: integers are stored as number_integer", "[json]") {
  CHECK(ParseOk("5").type() == json::value_t::number_integer);
  CHECK(ParseOk("9007199254740991").get<int64_t>() == kMaxSafeInteger);
  CHECK(ParseOk("-9007199254740991").get<int64_t>() == -kMaxSafeInteger);
  CHECK(ParseOk("-0").get<int64_t>() == 0);
}

TEST_CASE("canonical_json: rejects duplicate keys, also nested", "[json]") {
  CHECK_THAT(RejectionOf(R"({"lot":"a","lot":"b"})"), Contains("duplicate key \"lot\""));
  CHECK_THAT(RejectionOf(R"({"a":[{"x":1,"y":2,"x":3}]})"), Contains("duplicate key \"x\""));
  // Same key after \u escape decoding is still a duplicate.
  CHECK_THAT(RejectionOf(R"({"lot":1,"l\u006ft":2})"), Contains("duplicate key \"lot\""));
  // Same key in sibling objects is fine.
  ParseOk(R"([{"lot":1},{"lot":2}])");
}

TEST_CASE("canonical_json: rejects fractions and exponents", "[json]") {
  for (const char* text : {"1.5", "1.0", "1e3", "1E3", "-2.5e-3", "[0.0]", R"({"m":1e0})"}) {
    INFO(text);
    CHECK(RejectionOf(text) == "fraction or exponent in number: numbers must be integers");
  }
}

TEST_CASE("canonical_json: rejects integers beyond 2^53-1", "[json]") {
  CHECK_THAT(RejectionOf("9007199254740992"), Contains("integer out of range: 9007199254740992"));
  CHECK_THAT(RejectionOf("-9007199254740992"), Contains("integer out of range"));
  CHECK_THAT(RejectionOf("18446744073709551616"), Contains("integer out of range"));
  CHECK_THAT(RejectionOf(R"({"mass_g":[123456789012345678901234567890]})"),
             Contains("integer out of range"));
}

TEST_CASE("canonical_json: rejects invalid UTF-8", "[json]") {
  const char* bad[] = {
      "\"\xFF\"",              // never valid
      "\"\xC0\xAF\"",          // overlong '/'
      "\"\xE0\x80\xAF\"",      // overlong, 3 bytes
      "\"\xED\xA0\x80\"",      // encoded surrogate U+D800
      "\"\xF4\x90\x80\x80\"",  // above U+10FFFF
      "\"\xC3\"",              // truncated
      "\"\x80\"",              // lone continuation byte
      "{\"\xC3\x28\":1}",      // in a key
      "[1] \xC3",              // outside any string
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_THAT(RejectionOf(text), Contains("invalid UTF-8 at byte"));
  }
  CHECK(RejectionOf("\"ab\xC0\xAF\"") == "invalid UTF-8 at byte 3");
  ParseOk("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"");  // é € 😀 U+10FFFF
}

TEST_CASE("canonical_json: rejects NUL raw or escaped", "[json]") {
  CHECK_THAT(RejectionOf(R"("a\u0000b")"), Contains("NUL"));
  CHECK_THAT(RejectionOf(R"({"a\u0000":1})"), Contains("NUL"));
  CHECK_THAT(RejectionOf(std::string("\"a\0b\"", 5)), Contains("NUL byte in input at byte 2"));
  CHECK_THAT(RejectionOf(std::string("{}\0", 3)), Contains("NUL"));
}

TEST_CASE("canonical_json: rejects lone surrogates in escapes", "[json]") {
  for (const char* text :
       {R"("\ud800")", R"("\udc00")", R"("\ud800x")", R"("\ud800\u0041")", R"({"\udfff":1})"}) {
    INFO(text);
    CHECK_THAT(RejectionOf(text), Contains("lone surrogate"));
  }
  CHECK(ParseOk(R"("\ud83d\ude00")").get<std::string>() == "\xF0\x9F\x98\x80");
}

TEST_CASE("canonical_json: nesting limit is 64", "[json]") {
  ParseOk(Nested(kMaxJsonDepth));
  CHECK(RejectionOf(Nested(kMaxJsonDepth + 1)) == "nesting deeper than 64");
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"a\":";
  objects += "1" + std::string(65, '}');
  CHECK(RejectionOf(objects) == "nesting deeper than 64");
}

TEST_CASE("canonical_json: 100000-deep nesting is rejected without overflow", "[json]") {
  CHECK(RejectionOf(std::string(100000, '[')) == "nesting deeper than 64");
  CHECK(RejectionOf(Nested(100000)) == "nesting deeper than 64");
}

TEST_CASE("canonical_json: size limit is 1 MiB", "[json]") {
  const std::string at_limit = "\"" + std::string(kMaxEntryBytes - 2, 'a') + "\"";
  CHECK(ParseOk(at_limit).get_ref<const std::string&>().size() == kMaxEntryBytes - 2);
  CHECK(RejectionOf(at_limit + " ") == "input larger than 1048576 bytes");
}

TEST_CASE("canonical_json: rejects empty input and trailing data", "[json]") {
  CHECK(RejectionOf("") == "empty input");
  CHECK(RejectionOf(" \n\t\r") == "empty input");
  CHECK_THAT(RejectionOf("{} x"), Contains("trailing data after the JSON value"));
  CHECK_THAT(RejectionOf("{}{}"), Contains("trailing data"));
  CHECK_THAT(RejectionOf("1 2"), Contains("trailing data"));
  ParseOk("{}  \n");
  RejectionOf("01");  // leading zeros: a second value after "0"
}

TEST_CASE("canonical_json: rejects other syntax errors with one line", "[json]") {
  for (const char* text :
       {R"({"a":})", "[1,]", "/* c */ 1", "'a'", "NaN", "{a:1}", "[1", "\"\t\"", "+1", "\"\\x\""}) {
    INFO(text);
    const std::string msg = RejectionOf(text);
    CHECK_THAT(msg, Contains("invalid JSON at byte"));
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("canonical_json: CheckSubset rejects values built outside the subset", "[json]") {
  CHECK(CheckSubset(ParseOk(R"({"a":[1,"x",null,true,{}]})")).ok());
  json v = {{"outputs", json::array({{{"mass_g", 1.5}}})}};
  Status s = CheckSubset(v);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK_THAT(s.message(), Contains("numbers must be integers at /outputs/0/mass_g"));
  CHECK_THAT(CheckSubset(json{{"a/b", uint64_t{1} << 60}}).message(),
             Contains("integer out of range") && Contains("at /a~1b"));
  CHECK_THAT(CheckSubset(json(std::string("\xC0\xAF"))).message(), Contains("invalid UTF-8"));
  CHECK_THAT(CheckSubset(json{{std::string("k\0", 2), 1}}).message(), Contains("NUL"));
  json deep = 1;
  for (int i = 0; i < kMaxJsonDepth; ++i) deep = json::array({deep});
  CHECK(CheckSubset(deep).ok());
  CHECK_THAT(CheckSubset(json::array({deep})).message(), Contains("nesting deeper than 64"));
}

TEST_CASE("canonical_json: Canonicalize of built values matches parsed values", "[json]") {
  json built = {{"b", 2}, {"a", uint64_t{7}}, {"c", json::array({"x", nullptr, false})}};
  CHECK(Canonicalize(built) == R"({"a":7,"b":2,"c":["x",null,false]})");
  CHECK(Canonicalize(built) == CanonicalOf(built.dump()));
}

// Canonicalize skips sorting when no key holds a character above U+FFFF
// (map byte order is then UTF-16 order). Checked against a sort by UTF-16
// code units written here, over random keys from every UTF-8 length.
TEST_CASE("canonical_json: key order of random keys matches a UTF-16 sort", "[json][property]") {
  const std::vector<std::u16string> pool16 = {u"a", u"B", u"\u00e9", u"\u0800", u"\ud7ff",
                                              u"\ue000", u"\uffee", u"\U0001F600", u"z"};
  auto utf8 = [](const std::u16string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      uint32_t c = s[i];
      if (c >= 0xD800 && c < 0xDC00) c = 0x10000 + ((c - 0xD800) << 10) + (s[++i] - 0xDC00);
      if (c < 0x80) {
        out += static_cast<char>(c);
      } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
      } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    return out;
  };
  std::mt19937 rng(8785);
  for (int round = 0; round < 500; ++round) {
    const bool astral = round % 2 == 0;  // half the rounds may use U+1F600
    std::vector<std::u16string> keys16;
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) {
      std::u16string key;
      const int len = 1 + static_cast<int>(rng() % 3);
      for (int c = 0; c < len; ++c) {
        const auto& piece = pool16[rng() % (astral ? pool16.size() : pool16.size() - 2)];
        key += piece;
      }
      if (std::find(keys16.begin(), keys16.end(), key) == keys16.end()) keys16.push_back(key);
    }
    json obj = json::object();
    for (size_t k = 0; k < keys16.size(); ++k) obj[utf8(keys16[k])] = static_cast<int64_t>(k);
    std::sort(keys16.begin(), keys16.end());  // u16string compares code units
    std::string want = "{";
    for (size_t k = 0; k < keys16.size(); ++k) {
      if (k > 0) want += ",";
      want += "\"" + utf8(keys16[k]) + "\":" + std::to_string(obj[utf8(keys16[k])].get<int64_t>());
    }
    want += "}";
    INFO("round " << round);
    REQUIRE(Canonicalize(obj) == want);
  }
}

}  // namespace
}  // namespace rareledger::ledger
