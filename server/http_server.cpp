#include "server/http_server.h"

#include <sys/resource.h>

#include <optional>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>

namespace rareledger::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpServer::Impl {
  // Before ioc: the sessions its destructor frees count themselves out.
  std::atomic<size_t> connections{0};
  std::atomic<uint64_t> protocol_errors{0};
  std::atomic<uint64_t> timeouts{0};
  HttpLimits limits;
  Handler handler;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::steady_timer retry{ioc};  // after an accept error (out of descriptors)
  std::vector<std::thread> threads;

  void Accept();
};

namespace {

Response Plain(http::status status, const std::string& text, unsigned version) {
  Response res{status, version};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.body() = R"({"error":{"code":")" + std::to_string(static_cast<unsigned>(status)) +
               R"(","message":")" + text + "\"}}\n";
  res.keep_alive(false);
  return res;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {
    ++server_.connections;
  }
  ~Session() { --server_.connections; }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.limits.max_header_bytes));
    parser_->body_limit(server_.limits.max_body_bytes);
    stream_.expires_after(server_.limits.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return Dispatch();
    const auto& req = parser_->get();
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(server_.limits.write_timeout);
      net::async_write(stream_, net::buffer(kContinue, sizeof(kContinue) - 1),
                       [self = shared_from_this()](beast::error_code e, size_t) {
                         if (e) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(server_.limits.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    Dispatch();
  }

  void Dispatch() {
    stream_.expires_never();
    Request req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    // The answer keeps the session alive until it is written.
    server_.handler(std::move(req), [self = shared_from_this()](Response res) {
      net::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
        self->Write(std::move(res));
      });
    });
  }

  void Write(Response res) {
    res.version(version_);
    if (!keep_alive_) res.keep_alive(false);
    res.prepare_payload();
    response_ = std::make_unique<Response>(std::move(res));
    stream_.expires_after(server_.limits.write_timeout);
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (ec == beast::error::timeout) ++server_.timeouts;
    const bool close = ec || response_->need_eof();
    response_.reset();
    if (close) return Close();
    ReadHeader();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof)
      return Close();
    if (ec == beast::error::timeout) {
      ++server_.timeouts;
      return Close();
    }
    ++server_.protocol_errors;
    if (ec == http::error::body_limit)
      return Write(Plain(http::status::payload_too_large,
                         "body larger than " + std::to_string(server_.limits.max_body_bytes) +
                             " bytes",
                         11));
    if (ec == http::error::header_limit)
      return Write(Plain(http::status::request_header_fields_too_large,
                         "headers larger than " +
                             std::to_string(server_.limits.max_header_bytes) + " bytes",
                         11));
    if (ec == http::error::partial_message) return Close();  // the body stopped mid-way
    // Anything else the parser refused: a malformed request line or header.
    keep_alive_ = false;
    Write(Plain(http::status::bad_request, "malformed request: " + ec.message(), 11));
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::unique_ptr<Response> response_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

// Many idle connections need many descriptors: raise the soft limit to the
// hard one.
void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {  // e.g. out of descriptors: try again shortly, never spin
      retry.expires_after(std::chrono::milliseconds(50));
      retry.async_wait([this](beast::error_code e) {
        if (!e) Accept();
      });
      return;
    }
    if (connections.load() >= limits.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    Accept();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl, uint16_t port)
    : impl_(std::move(impl)), port_(port) {}

HttpServer::~HttpServer() { Stop(); }

ledger::Result<std::unique_ptr<HttpServer>> HttpServer::Listen(const std::string& host,
                                                               uint16_t port, HttpLimits limits,
                                                               Handler handler) {
  RaiseFileLimit();
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  impl->handler = std::move(handler);
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return ledger::Status::InvalidArgument("--listen: \"" + host + "\" is not an IP address");
  const tcp::endpoint endpoint(address, port);
  const std::string where = host + ":" + std::to_string(port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return ledger::Status::IOError("cannot listen on " + where + ": " + ec.message());
  const uint16_t bound = impl->acceptor.local_endpoint().port();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl), bound));
}

void HttpServer::Start(unsigned threads) {
  impl_->Accept();
  for (unsigned i = 0; i < std::max(1u, threads); ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void HttpServer::StopAccepting() {
  net::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->retry.cancel();
  });
}

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
}

size_t HttpServer::connections() const { return impl_->connections.load(); }
uint64_t HttpServer::protocol_errors() const { return impl_->protocol_errors.load(); }
uint64_t HttpServer::timeouts() const { return impl_->timeouts.load(); }

}  // namespace rareledger::server
