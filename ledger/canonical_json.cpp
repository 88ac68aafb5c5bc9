#include "ledger/canonical_json.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <utility>
#include <vector>

namespace rareledger::ledger {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxErrorDetail = 160;

// Offset of the first byte that does not start a well-formed UTF-8 sequence
// (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), or npos.
size_t FindInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    const auto c1 = static_cast<uint8_t>(s[i + 1]);
    if (c1 < lo || c1 > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if ((static_cast<uint8_t>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(s.substr(0, kMaxErrorDetail), &out);
  return out;
}

std::string OutOfRange(const std::string& literal) {
  return "integer out of range: " + literal.substr(0, kMaxErrorDetail) +
         " (magnitude must be <= 2^53-1 = 9007199254740991)";
}

const char kFractionMessage[] = "fraction or exponent in number: numbers must be integers";

// nlohmann parse_error text ("[json.exception.parse_error.101] parse error at
// line 1, column 4: syntax error ...") translated into one of our messages.
std::string TranslateParseError(size_t position, const std::string& what) {
  // nlohmann counts lines and columns: "at line 3, column 1 (byte 17)".
  std::string at = " at byte " + std::to_string(position);
  if (const size_t line = what.find("at line "); line != std::string::npos) {
    const size_t end = what.find(':', line);
    if (end != std::string::npos) at = " " + what.substr(line, end - line) + " (byte " + std::to_string(position) + ")";
  }
  if (what.find("; expected end of input") != std::string::npos) {
    return "trailing data after the JSON value" + at;
  }
  if (what.find("surrogate") != std::string::npos) return "lone surrogate in \\u escape" + at;
  std::string detail = what;
  const size_t column = what.find("column ");
  if (column != std::string::npos) {
    const size_t colon = what.find(": ", column);
    if (colon != std::string::npos) detail = what.substr(colon + 2);
  }
  if (detail.size() > kMaxErrorDetail) detail = detail.substr(0, kMaxErrorDetail) + "...";
  return "invalid JSON" + at + ": " + detail;
}

// SAX handler that builds the DOM while enforcing the subset. Containers being
// filled are kept on an explicit stack (pointers stay valid: an open child is
// always the last element of its parent, which grows only after it closes).
class StrictSax {
 public:
  bool null() { return Put(json(nullptr)); }
  bool boolean(bool v) { return Put(json(v)); }
  bool number_integer(int64_t v) {
    if (v < -kMaxSafeInteger) return FailHere(OutOfRange(std::to_string(v)));
    return Put(json(v));
  }
  bool number_unsigned(uint64_t v) {
    if (v > static_cast<uint64_t>(kMaxSafeInteger)) return FailHere(OutOfRange(std::to_string(v)));
    return Put(json(static_cast<int64_t>(v)));
  }
  bool number_float(double /*v*/, const std::string& literal) {
    // The lexer falls back to float for integers too large for 64 bits.
    if (literal.find_first_of(".eE") != std::string::npos) return FailHere(kFractionMessage);
    return FailHere(OutOfRange(literal));
  }
  bool string(std::string& s) {
    if (s.find('\0') != std::string::npos) return FailHere("NUL (\\u0000) in string");
    return Put(json(std::move(s)));
  }
  bool binary(json::binary_t& /*b*/) { return Fail("binary value in JSON text"); }
  bool start_object(size_t /*n*/) { return Open(json::value_t::object); }
  bool start_array(size_t /*n*/) { return Open(json::value_t::array); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(std::string& k) {
    if (k.find('\0') != std::string::npos) return Fail("NUL (\\u0000) in object key");
    json& object = *stack_.back();
    if (object.contains(k)) return FailHere("duplicate key " + Quoted(k));
    keys_.back() = k;
    pending_ = &object[k];
    return true;
  }
  bool parse_error(size_t position, const std::string& /*token*/, const json::exception& e) {
    return Fail(TranslateParseError(position, e.what()));
  }

  json TakeRoot() { return std::move(root_); }
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  // A failure at the value being read, named by its path in the document
  // ("payload.parts[1].mass_g: ..."), so a user knows which field it is.
  bool FailHere(const std::string& message) {
    std::string path;
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i]->is_object()) {
        if (!path.empty()) path += '.';
        path += keys_[i].substr(0, kMaxErrorDetail);
      } else {  // an open child is already its array's last element
        const bool inner = i + 1 == stack_.size();
        path += "[" + std::to_string(stack_[i]->size() - (inner ? 0 : 1)) + "]";
      }
    }
    return Fail(path.empty() ? message : path + ": " + message);
  }
  json* Put(json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    *pending_ = std::move(v);
    return pending_;
  }
  bool Open(json::value_t type) {
    if (stack_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      return Fail("nesting deeper than " + std::to_string(kMaxJsonDepth));
    }
    stack_.push_back(Put(json(type)));
    keys_.emplace_back();
    return true;
  }
  bool Close() {
    stack_.pop_back();
    keys_.pop_back();
    return true;
  }

  json root_;
  std::vector<json*> stack_;
  std::vector<std::string> keys_;  // per open object: the key being read
  json* pending_ = nullptr;
  std::string error_;
};

Status CheckPrecheck(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument("input larger than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  if (std::all_of(text.begin(), text.end(), IsJsonWhitespace)) {
    return Status::InvalidArgument("empty input");
  }
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Status::InvalidArgument("NUL byte in input at byte " + std::to_string(nul));
  }
  if (const size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    return Status::InvalidArgument("invalid UTF-8 at byte " + std::to_string(bad));
  }
  return Status::Ok();
}

// UTF-16 code units of a UTF-8 string (bytes of malformed input map to
// themselves, which keeps the order total and deterministic).
std::u16string ToUtf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len == 1 || i + len > s.size() ||
        FindInvalidUtf8(s.substr(i, len)) != std::string_view::npos) {
      out.push_back(c);
      ++i;
      continue;
    }
    uint32_t cp = c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += len;
  }
  return out;
}

void AppendNumber(const json& v, std::string* out) {
  if (v.is_number_integer() || v.is_number_unsigned()) {
    out->append(v.dump());
    return;
  }
  const double d = v.get<double>();
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) {
    out->append(std::to_string(static_cast<int64_t>(d)));
  } else {
    out->append(v.dump());
  }
}

void AppendCanonical(const json& v, std::string* out);

// True when no key holds a character above U+FFFF (a 4-byte UTF-8
// sequence, lead byte 0xF0..0xF4). Then the map's byte order (UTF-8, which
// is code point order) is also UTF-16 code unit order: RFC 8785's order
// differs from code point order only between a surrogate pair and
// U+E000..U+FFFF.
bool KeysInUtf16Order(const json::object_t& object) {
  for (const auto& member : object)
    for (unsigned char c : member.first)
      if (c >= 0xF0) return false;
  return true;
}

void AppendObject(const json& v, std::string* out) {
  const auto& object = v.get_ref<const json::object_t&>();
  if (KeysInUtf16Order(object)) {  // the common case: no re-sorting
    out->push_back('{');
    bool first = true;
    for (const auto& member : object) {
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(member.first, out);
      out->push_back(':');
      AppendCanonical(member.second, out);
    }
    out->push_back('}');
    return;
  }
  std::vector<std::pair<std::u16string, const json::object_t::value_type*>> members;
  members.reserve(v.size());
  for (const auto& member : v.get_ref<const json::object_t&>()) {
    members.emplace_back(ToUtf16(member.first), &member);
  }
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out->push_back('{');
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(members[i].second->first, out);
    out->push_back(':');
    AppendCanonical(members[i].second->second, out);
  }
  out->push_back('}');
}

void AppendCanonical(const json& v, std::string* out) {
  switch (v.type()) {
    case json::value_t::null:
    case json::value_t::binary:
    case json::value_t::discarded:
      out->append("null");
      return;
    case json::value_t::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      AppendNumber(v, out);
      return;
    case json::value_t::string:
      AppendJsonString(v.get_ref<const std::string&>(), out);
      return;
    case json::value_t::array:
      out->push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendCanonical(v[i], out);
      }
      out->push_back(']');
      return;
    case json::value_t::object:
      AppendObject(v, out);
      return;
  }
}

std::string PointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status CheckString(std::string_view s, const char* what) {
  if (FindInvalidUtf8(s) != std::string_view::npos) {
    return Status::InvalidArgument(std::string("invalid UTF-8 in ") + what);
  }
  if (s.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string("NUL (\\u0000) in ") + what);
  }
  return Status::Ok();
}

Status CheckScalar(const json& v) {
  switch (v.type()) {
    case json::value_t::number_integer: {
      const int64_t i = v.get<int64_t>();
      if (i < -kMaxSafeInteger || i > kMaxSafeInteger)
        return Status::InvalidArgument(OutOfRange(v.dump()));
      return Status::Ok();
    }
    case json::value_t::number_unsigned:
      if (v.get<uint64_t>() > static_cast<uint64_t>(kMaxSafeInteger)) {
        return Status::InvalidArgument(OutOfRange(v.dump()));
      }
      return Status::Ok();
    case json::value_t::number_float:
      return Status::InvalidArgument(std::string("floating-point number ") + v.dump() +
                                     ": numbers must be integers");
    case json::value_t::string:
      return CheckString(v.get_ref<const std::string&>(), "string");
    case json::value_t::binary:
    case json::value_t::discarded:
      return Status::InvalidArgument("binary or discarded value");
    default:
      return Status::Ok();
  }
}

// Recursion is bounded: it stops at depth kMaxJsonDepth + 1.
Status CheckNode(const json& v, int depth, const std::string& pointer) {
  const auto fail = [&pointer](const Status& s) {
    return Status::InvalidArgument(s.message() + " at " + (pointer.empty() ? "/" : pointer));
  };
  if (!v.is_structured()) {
    Status s = CheckScalar(v);
    return s.ok() ? s : fail(s);
  }
  if (depth >= kMaxJsonDepth) {
    return fail(Status::InvalidArgument("nesting deeper than " + std::to_string(kMaxJsonDepth)));
  }
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      RL_RETURN_IF_ERROR(CheckNode(v[i], depth + 1, pointer + "/" + std::to_string(i)));
    }
    return Status::Ok();
  }
  for (const auto& [key, child] : v.items()) {
    if (Status s = CheckString(key, "object key"); !s.ok()) return fail(s);
    RL_RETURN_IF_ERROR(CheckNode(child, depth + 1, pointer + "/" + PointerToken(key)));
  }
  return Status::Ok();
}

}  // namespace

Result<json> ParseStrict(std::string_view text) { return ParseStrict(text, kMaxEntryBytes); }

Result<json> ParseStrict(std::string_view text, size_t max_bytes) {
  RL_RETURN_IF_ERROR(CheckPrecheck(text, max_bytes));
  StrictSax sax;
  try {
    if (!json::sax_parse(text, &sax, json::input_format_t::json, /*strict=*/true,
                         /*ignore_comments=*/false)) {
      return Status::InvalidArgument(sax.error().empty() ? "invalid JSON" : sax.error());
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
  return sax.TakeRoot();
}

Status CheckSubset(const json& value) {
  try {
    return CheckNode(value, 0, "");
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("invalid JSON value: ") + e.what());
  }
}

std::string Canonicalize(const json& value) {
  std::string out;
  AppendCanonical(value, &out);
  return out;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

}  // namespace rareledger::ledger
