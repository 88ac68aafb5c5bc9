#include "server/http_client.h"

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace rareledger::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using ledger::Result;
using ledger::Status;

struct HttpClient::Impl {
  std::string host, port, prefix;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs the queued asynchronous operation to its end; its handler set `ec`.
  void RunIo() {
    ioc.restart();
    ioc.run();
  }

  Status Connect() {
    stream.emplace(ioc);
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return Status::IOError("cannot resolve " + host + ": " + ec.message());
    stream->expires_after(timeout);
    stream->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    RunIo();
    if (ec) return Status::IOError("cannot connect to " + host + ":" + port + ": " + ec.message());
    buffer.clear();
    return Status::Ok();
  }

  // One exchange on the open connection; `fresh` when just connected.
  Result<HttpResponse> Exchange(http::request<http::string_body>& req) {
    beast::error_code ec;
    stream->expires_after(timeout);
    http::async_write(*stream, req, [&](beast::error_code e, size_t) { ec = e; });
    RunIo();
    if (ec) return Status::IOError("sending the request: " + ec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(uint64_t{1} << 30);
    stream->expires_after(timeout);
    http::async_read(*stream, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    RunIo();
    if (ec) return Status::IOError("reading the response: " + ec.message());
    auto res = parser.release();
    HttpResponse out;
    out.status = res.result_int();
    const auto type = res[http::field::content_type];
    out.content_type.assign(type.data(), type.size());
    out.body = std::move(res.body());
    if (!res.keep_alive()) stream.reset();
    return out;
  }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl, std::string url)
    : impl_(std::move(impl)), url_(std::move(url)) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& url,
                                                       std::chrono::milliseconds timeout) {
  const std::string scheme = "http://";
  if (url.rfind("https://", 0) == 0)
    return Status::InvalidArgument("--server " + url +
                                   ": https is not supported; use http to a TLS proxy on this "
                                   "host, or on a trusted network (docs/server.md)");
  if (url.rfind(scheme, 0) != 0)
    return Status::InvalidArgument("--server \"" + url + "\": want http://HOST[:PORT][/PREFIX]");
  auto impl = std::make_unique<Impl>();
  std::string rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  impl->prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!impl->prefix.empty() && impl->prefix.back() == '/') impl->prefix.pop_back();
  impl->port = "80";
  if (!authority.empty() && authority[0] == '[') {  // [v6]:port
    const size_t close = authority.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("--server " + url + ": bad host");
    impl->host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      impl->port = authority.substr(close + 2);
  } else {
    const size_t colon = authority.rfind(':');
    impl->host = authority.substr(0, colon);
    if (colon != std::string::npos) impl->port = authority.substr(colon + 1);
  }
  if (impl->host.empty() || impl->port.empty() ||
      impl->port.find_first_not_of("0123456789") != std::string::npos)
    return Status::InvalidArgument("--server \"" + url + "\": want http://HOST[:PORT][/PREFIX]");
  impl->timeout = timeout;
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl), url));
}

Result<HttpResponse> HttpClient::Do(bool post, const std::string& path,
                                    const std::string& content_type, const std::string& body) {
  http::request<http::string_body> req{post ? http::verb::post : http::verb::get,
                                       impl_->prefix + path, 11};
  req.set(http::field::host, impl_->host);
  req.set(http::field::user_agent, "rareledger");
  if (post) {
    req.set(http::field::content_type, content_type);
    req.body() = body;
  }
  req.prepare_payload();
  Status last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) {
      Status s = impl_->Connect();
      if (!s.ok()) return s.WithContext(url_);
    }
    auto r = impl_->Exchange(req);
    if (r.ok()) return r;
    impl_->stream.reset();
    last = r.status();
    // A kept-alive connection the server had closed: try once more on a new
    // one. Safe for a POST of entries too: one already appended comes back
    // as a duplicate.
    if (!reused) break;
  }
  return last.WithContext(url_ + path);
}

Result<HttpResponse> HttpClient::Get(const std::string& path) { return Do(false, path, "", ""); }

Result<HttpResponse> HttpClient::Post(const std::string& path, const std::string& content_type,
                                      std::string body) {
  return Do(true, path, content_type, body);
}

Status HttpError(const std::string& what, const HttpResponse& r) {
  std::string message = "HTTP " + std::to_string(r.status);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object() &&
      j["error"].contains("message") && j["error"]["message"].is_string())
    message += ": " + j["error"]["message"].get<std::string>();
  if (r.status == 404) return Status::NotFound(what + ": " + message);
  return Status::IOError(what + ": " + message);
}

}  // namespace rareledger::server
