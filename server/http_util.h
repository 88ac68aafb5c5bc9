// Small pieces of the server's HTTP handling: responses, error bodies,
// targets and query strings.
#ifndef RARELEDGER_SERVER_HTTP_UTIL_H_
#define RARELEDGER_SERVER_HTTP_UTIL_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/status.h"
#include "server/http_server.h"

namespace rareledger::server {

// Beast (Boost 1.74) has its own string_view.
inline std::string_view Sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

// A response with `body` of `content_type`, cached as `cache_control`.
Response Reply(unsigned status, std::string body, const char* content_type,
               const char* cache_control = "no-cache");
Response JsonReply(unsigned status, const nlohmann::json& body);
// {"error": {"code", "message"}} with `status`.
Response ErrorReply(unsigned status, const std::string& code, const std::string& message);
// The HTTP status and error code for a library failure: 404 not_found,
// 400 invalid_argument, 409 busy, 422 rejected, else 500.
Response StatusReply(const ledger::Status& s);
// "invalid_argument", "not_found", "rejected", ...: ledger::Code for JSON.
std::string CodeId(ledger::Code code);

// A request target split into its path and decoded query parameters (a
// name may repeat). InvalidArgument for bad percent-encoding.
struct Target {
  std::string path;  // not decoded
  std::multimap<std::string, std::string> query;
  std::optional<std::string> One(const std::string& name) const;
  std::vector<std::string> All(const std::string& name) const;
};
ledger::Result<Target> ParseTarget(std::string_view target);
// Decodes %XX escapes; InvalidArgument on a bad escape or a NUL.
ledger::Result<std::string> PercentDecode(std::string_view text);
// A decimal uint64 without sign or leading garbage; nothing otherwise.
std::optional<uint64_t> ParseUint(std::string_view text);

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_HTTP_UTIL_H_
