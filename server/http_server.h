// HttpServer: HTTP/1.1 over TCP with Boost.Beast (docs/server.md says why
// Beast). Asynchronous: an idle or slow connection costs a socket and a few
// kilobytes, never a thread. Every limit below is enforced by the server
// before the handler sees a request:
//   - headers over max_header_bytes: 431; a body over max_body_bytes: 413,
//     answered from Content-Length before the body is read;
//   - a request whose headers do not arrive within header_timeout (also the
//     keep-alive idle time), or whose body does not within body_timeout, and
//     a response the client does not read within write_timeout: the
//     connection is closed;
//   - a request that does not parse: 400, then the connection is closed;
//   - past max_connections, new connections are closed at once.
// The handler gets each complete request on an I/O thread and must answer
// it exactly once, from any thread, without blocking the I/O thread for
// long (hand slow work to another thread and respond from there).
#ifndef RARELEDGER_SERVER_HTTP_SERVER_H_
#define RARELEDGER_SERVER_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/beast/http.hpp>

#include "ledger/status.h"

namespace rareledger::server {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
// Answers one request; call exactly once, from any thread.
using Respond = std::function<void(Response)>;

struct HttpLimits {
  size_t max_header_bytes = 16 << 10;
  uint64_t max_body_bytes = uint64_t{64} << 20;  // SPEC: 64 MiB
  std::chrono::milliseconds header_timeout{20000};
  std::chrono::milliseconds body_timeout{120000};
  std::chrono::milliseconds write_timeout{30000};
  size_t max_connections = 20000;
};

class HttpServer {
 public:
  using Handler = std::function<void(Request&&, Respond)>;

  // Binds host:port (port 0: any free port). The host is a numeric address.
  static ledger::Result<std::unique_ptr<HttpServer>> Listen(const std::string& host, uint16_t port,
                                                            HttpLimits limits, Handler handler);
  ~HttpServer();

  uint16_t port() const { return port_; }
  // Starts accepting, served by `threads` I/O threads; returns at once.
  void Start(unsigned threads);
  // Closes the listening socket: no new connections.
  void StopAccepting();
  // Stops every connection and joins the I/O threads.
  void Stop();

  size_t connections() const;
  // Requests the server answered itself (400, 413, 431), timeouts.
  uint64_t protocol_errors() const;
  uint64_t timeouts() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl, uint16_t port);
  std::unique_ptr<Impl> impl_;
  uint16_t port_;
};

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_HTTP_SERVER_H_
