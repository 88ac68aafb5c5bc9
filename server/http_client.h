// HttpClient: the CLI's client of a rareledger server (submit --server,
// verify --server, mirror). HTTP/1.1 with keep-alive over Boost.Beast;
// every operation is bounded by a timeout. Plain http only: put the server
// behind a TLS-terminating proxy for use across networks (docs/server.md).
// Not thread-safe: one client per thread.
#ifndef RARELEDGER_SERVER_HTTP_CLIENT_H_
#define RARELEDGER_SERVER_HTTP_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "ledger/status.h"

namespace rareledger::server {

struct HttpResponse {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

class HttpClient {
 public:
  // `url` is "http://HOST[:PORT][/PREFIX]"; paths given to Get and Post are
  // appended to PREFIX. InvalidArgument for anything else.
  static ledger::Result<std::unique_ptr<HttpClient>> Create(
      const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(60));
  ~HttpClient();

  // One request; reconnects (once) when the kept-alive connection was
  // closed by the server. IOError naming the URL on network failures and
  // timeouts; any HTTP status is a successful response.
  ledger::Result<HttpResponse> Get(const std::string& path);
  ledger::Result<HttpResponse> Post(const std::string& path, const std::string& content_type,
                                    std::string body);
  // The server's base URL as given, for messages.
  const std::string& url() const { return url_; }

 private:
  struct Impl;
  HttpClient(std::unique_ptr<Impl> impl, std::string url);
  ledger::Result<HttpResponse> Do(bool post, const std::string& path,
                                  const std::string& content_type, const std::string& body);
  std::unique_ptr<Impl> impl_;
  std::string url_;
};

// The error a non-2xx response carries: the server's {"error": {"message"}}
// when it sent one, else the status line; prefixed with `what`.
ledger::Status HttpError(const std::string& what, const HttpResponse& r);

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_HTTP_CLIENT_H_
