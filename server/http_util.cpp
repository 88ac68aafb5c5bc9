#include "server/http_util.h"

#include <charconv>

namespace rareledger::server {

namespace http = boost::beast::http;

Response Reply(unsigned status, std::string body, const char* content_type,
               const char* cache_control) {
  Response res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, cache_control);
  res.set(http::field::server, "rareledger");
  res.body() = std::move(body);
  return res;
}

Response JsonReply(unsigned status, const nlohmann::json& body) {
  return Reply(status, body.dump() + "\n", "application/json");
}

Response ErrorReply(unsigned status, const std::string& code, const std::string& message) {
  Response res = JsonReply(status, {{"error", {{"code", code}, {"message", message}}}});
  res.set(http::field::cache_control, "no-store");
  return res;
}

std::string CodeId(ledger::Code code) {
  switch (code) {
    case ledger::Code::kOk: return "ok";
    case ledger::Code::kInvalidArgument: return "invalid_argument";
    case ledger::Code::kNotFound: return "not_found";
    case ledger::Code::kCorruption: return "corruption";
    case ledger::Code::kIOError: return "io_error";
    case ledger::Code::kRejected: return "rejected";
    case ledger::Code::kVerificationFailed: return "verification_failed";
    case ledger::Code::kBusy: return "busy";
  }
  return "unknown";
}

Response StatusReply(const ledger::Status& s) {
  unsigned status = 500;
  if (s.code() == ledger::Code::kNotFound) status = 404;
  if (s.code() == ledger::Code::kInvalidArgument) status = 400;
  if (s.code() == ledger::Code::kBusy) status = 409;
  if (s.code() == ledger::Code::kRejected) status = 422;
  return ErrorReply(status, CodeId(s.code()), s.message());
}

ledger::Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
      continue;
    }
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= text.size())
      return ledger::Status::InvalidArgument("bad percent-encoding in the request target");
    auto [p, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, v, 16);
    if (ec != std::errc() || p != text.data() + i + 3 || v == 0)
      return ledger::Status::InvalidArgument("bad percent-encoding in the request target");
    out.push_back(static_cast<char>(v));
    i += 2;
  }
  return out;
}

std::optional<uint64_t> ParseUint(std::string_view text) {
  uint64_t v = 0;
  if (text.empty() || text.size() > 20) return std::nullopt;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

ledger::Result<Target> ParseTarget(std::string_view target) {
  Target t;
  const size_t q = target.find('?');
  t.path = std::string(target.substr(0, q));
  if (t.path.empty() || t.path[0] != '/')
    return ledger::Status::InvalidArgument("the request target must be an absolute path");
  if (q == std::string_view::npos) return t;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    RL_ASSIGN_OR_RETURN(std::string name, PercentDecode(pair.substr(0, eq)));
    RL_ASSIGN_OR_RETURN(std::string value, PercentDecode(eq == std::string_view::npos
                                                             ? std::string_view()
                                                             : pair.substr(eq + 1)));
    t.query.emplace(std::move(name), std::move(value));
  }
  return t;
}

std::optional<std::string> Target::One(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Target::All(const std::string& name) const {
  std::vector<std::string> out;
  for (auto [it, end] = query.equal_range(name); it != end; ++it) out.push_back(it->second);
  return out;
}

}  // namespace rareledger::server
