// HTTP/1.1 server on the worker loops. One SO_REUSEPORT acceptor per worker, so a connection is
// accepted, parsed, handled and answered on one thread. Sessions are templated on the stream so
// plain TCP and TLS share every line of protocol code.
#include "net/http_server.h"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <exception>
#include <future>
#include <limits>
#include <unordered_set>

#include "common/logging.h"
#include "common/strings.h"
#include "net/cors_config.h"
#include "net/worker_pool.h"

namespace agentgate::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::optional<std::string_view> HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return std::string_view(v);
  }
  return std::nullopt;
}

HttpResponse HttpResponse::text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

namespace {

// Beast 1.74 uses boost::string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

constexpr uint32_t kHeaderLimit = 32 * 1024;
constexpr size_t kLingerDrainLimit = 4u << 20;
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(1);
// Always allowed in a CORS preflight: what OTLP/JSON browser exporters send.
constexpr std::string_view kCorsBaseHeaders[] = {"Content-Type", "Content-Encoding",
                                                 "Authorization", "X-Requested-With"};

struct Shared {
  HttpServerOptions options;
  std::shared_ptr<HttpHandler> handler;
  std::unique_ptr<asio::ssl::context> ssl;
  std::string cors_allow_headers;  // precomputed preflight answer
  std::string cors_max_age;
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void abort() = 0;
};

struct Worker {
  Worker(asio::io_context& c, std::shared_ptr<const Shared> s)
      : ctx(c), shared(std::move(s)), acceptor(c), retry_timer(c) {}
  asio::io_context& ctx;
  std::shared_ptr<const Shared> shared;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::unordered_set<SessionBase*> sessions;  // touched only on this worker's thread
  bool stopping = false;                      // ditto
};

std::string formatEndpoint(const tcp::endpoint& ep) {
  auto addr = ep.address();
  if (addr.is_v6()) return "[" + addr.to_string() + "]:" + std::to_string(ep.port());
  return addr.to_string() + ":" + std::to_string(ep.port());
}

Result<tcp::endpoint> parseEndpoint(const std::string& endpoint) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos) {
    return Error::config("endpoint \"" + endpoint + "\" must be host:port");
  }
  std::string host = endpoint.substr(0, colon);
  std::string port_text = endpoint.substr(colon + 1);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535) {
    return Error::config("endpoint \"" + endpoint + "\" has an invalid port");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";  // ":4318" listens on every interface, as in Go
  boost::system::error_code bec;
  auto addr = asio::ip::make_address(host, bec);
  if (!bec) return tcp::endpoint(addr, static_cast<uint16_t>(port));
  // A name (usually "localhost"): prefer IPv4, as Go's listener does for "localhost".
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, port_text, bec);
  if (bec || results.empty()) {
    return Error::config("endpoint \"" + endpoint + "\": cannot resolve host \"" + host + "\"");
  }
  for (const auto& r : results) {
    if (r.endpoint().address().is_v4()) return r.endpoint();
  }
  return results.begin()->endpoint();
}

Result<std::unique_ptr<asio::ssl::context>> makeSslContext(const TlsServerConfig& tls) {
  try {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    SSL_CTX* native = ctx->native_handle();
    int min = tls.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (SSL_CTX_set_min_proto_version(native, min) != 1) {
      return Error::config("tls: cannot set min_version");
    }
    if (!tls.max_version.empty()) {
      int max = tls.max_version == "1.2" ? TLS1_2_VERSION : TLS1_3_VERSION;
      if (SSL_CTX_set_max_proto_version(native, max) != 1) {
        return Error::config("tls: cannot set max_version");
      }
    }
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(tls.cert_file, ec);
    if (ec)
      return Error::config("tls: cannot load cert_file " + tls.cert_file + ": " + ec.message());
    ctx->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
    if (ec) return Error::config("tls: cannot load key_file " + tls.key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(native) != 1) {
      return Error::config("tls: key_file does not match cert_file");
    }
    if (!tls.client_ca_file.empty()) {
      ctx->load_verify_file(tls.client_ca_file, ec);
      if (ec) {
        return Error::config("tls: cannot load client_ca_file " + tls.client_ca_file + ": " +
                             ec.message());
      }
      // Advertise the acceptable CAs so clients with several certificates pick the right one.
      if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) {
        SSL_CTX_set_client_CA_list(native, names);
      }
      ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
    return ctx;
  } catch (const std::exception& e) {
    return Error::config(std::string("tls: ") + e.what());
  }
}

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<Worker> worker, Stream stream)
      : worker_(std::move(worker)), shared_(worker_->shared.get()), stream_(std::move(stream)) {
    worker_->sessions.insert(this);
  }
  ~Session() override { worker_->sessions.erase(this); }

  void run() {
    boost::system::error_code ec;
    auto ep = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = formatEndpoint(ep);
    if constexpr (kIsTls<Stream>) {
      phase_ = Phase::kHeader;
      lowest().expires_after(shared_->options.read_header_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code e) {
                                if (e) return self->closeNow();
                                self->waitForRequest(true);
                              });
    } else {
      waitForRequest(true);
    }
  }

  void abort() override {
    // A response being written is let through; its completion sees `stopping` and closes.
    if (phase_ != Phase::kWrite) closeNow();
  }

 private:
  enum class Phase { kIdle, kHeader, kBody, kWrite, kClosing };

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // Waits for the first byte of the next request under the idle timeout, then gives the whole
  // header read_header_timeout (so a slow client cannot hold a connection with a trickle).
  void waitForRequest(bool fresh) {
    phase_ = Phase::kIdle;
    if (worker_->stopping) return closeNow();
    if (buffer_.size() > 0) return readHeader();
    lowest().expires_after(fresh ? shared_->options.read_header_timeout
                                 : shared_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->closeNow();
                              self->buffer_.commit(n);
                              self->readHeader();
                            });
  }

  void readHeader() {
    phase_ = Phase::kHeader;
    header_parser_.emplace();
    header_parser_->header_limit(kHeaderLimit);
    // The limit is the handler's call, checked by us once the headers are known.
    header_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    lowest().expires_after(shared_->options.read_header_timeout);
    http::async_read_header(
        stream_, buffer_, *header_parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->onHeader(ec); });
  }

  void onHeader(beast::error_code ec) {
    if (ec) {
      if (worker_->stopping || !isHttpParseError(ec)) return closeNow();  // socket/TLS/timeout
      // Malformed request: answer and close, the position in the stream is lost.
      body_pending_ = true;
      keep_alive_ = false;
      version_ = 11;
      head_ = false;
      cors_origin_.clear();
      return respond(ec == http::error::header_limit
                         ? HttpResponse::text(431, "request header fields too large")
                         : HttpResponse::text(400, "bad request"));
    }
    if (worker_->stopping) return closeNow();
    processHeaders();
  }

  // Parse errors from Beast, excluding the "peer went away" ones that deserve no answer.
  static bool isHttpParseError(const beast::error_code& ec) {
    static const auto& category = http::make_error_code(http::error::bad_method).category();
    return ec.category() == category && ec != http::error::end_of_stream &&
           ec != http::error::partial_message && ec != http::error::need_more &&
           ec != http::error::need_buffer;
  }

  void processHeaders() {
    const auto& msg = header_parser_->get();
    req_ = HttpRequest{};
    req_.method = std::string(sv(msg.method_string()));
    req_.target = std::string(sv(msg.target()));
    size_t q = req_.target.find('?');
    req_.path = req_.target.substr(0, q);
    if (q != std::string::npos) req_.query = req_.target.substr(q + 1);
    req_.headers.reserve(16);
    for (const auto& field : msg) {
      req_.headers.emplace_back(strings::toLower(sv(field.name_string())),
                                std::string(sv(field.value())));
    }
    req_.remote_address = remote_;
    req_.tls = kIsTls<Stream>;
    version_ = msg.version();
    head_ = msg.method() == http::verb::head;
    keep_alive_ = msg.keep_alive();
    body_pending_ = !header_parser_->is_done();
    cors_origin_.clear();

    const CorsConfig& cors = shared_->options.cors;
    if (cors.enabled()) {
      if (auto origin = req_.header("origin")) {
        bool allowed = corsOriginAllowed(cors, *origin);
        if (req_.method == "OPTIONS" && req_.header("access-control-request-method")) {
          return respond(preflight(*origin, allowed));
        }
        if (allowed) cors_origin_ = std::string(*origin);
      }
    }

    HttpHandler& handler = *shared_->handler;
    std::optional<HttpResponse> early;
    try {
      early = handler.onHeaders(req_);
      if (!early) {
        body_limit_ = handler.bodyLimit(req_);
        auto length = header_parser_->content_length();
        if (length && *length > body_limit_) early = handler.onBodyTooLarge(req_);
      }
    } catch (const std::exception& e) {
      log::error("{}: handler threw: {}", shared_->options.name, e.what());
      early = HttpResponse::text(500, "internal error");
    }
    if (early) return respond(std::move(*early));

    if (!body_pending_) {
      header_parser_.reset();
      return callHandler();
    }
    auto expect = req_.header("expect");
    if (expect && strings::iequals(*expect, "100-continue")) {
      lowest().expires_after(shared_->options.idle_timeout);
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->closeNow();
                          self->readBody();
                        });
      return;
    }
    readBody();
  }

  HttpResponse preflight(std::string_view origin, bool allowed) {
    if (!allowed) return HttpResponse::text(403, "CORS origin not allowed");
    HttpResponse r;
    r.status = 204;
    r.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    r.headers.emplace_back("Vary", "Origin");
    r.headers.emplace_back("Access-Control-Allow-Methods", "POST");
    r.headers.emplace_back("Access-Control-Allow-Headers", shared_->cors_allow_headers);
    if (!shared_->cors_max_age.empty()) {
      r.headers.emplace_back("Access-Control-Max-Age", shared_->cors_max_age);
    }
    return r;
  }

  void readBody() {
    phase_ = Phase::kBody;
    if (worker_->stopping) return closeNow();
    // Moving to a string_body parser reserves the body from Content-Length in one allocation.
    body_parser_.emplace(std::move(*header_parser_));
    header_parser_.reset();
    body_parser_->body_limit(body_limit_);
    readBodySome();
  }

  // Reads the body piece by piece so the idle timeout bounds inactivity, not the whole upload.
  void readBodySome() {
    lowest().expires_after(shared_->options.idle_timeout);
    http::async_read_some(
        stream_, buffer_, *body_parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->onBody(ec); });
  }

  void onBody(beast::error_code ec) {
    if (worker_->stopping) return closeNow();
    if (ec == http::error::body_limit) {
      HttpResponse r;
      try {
        r = shared_->handler->onBodyTooLarge(req_);
      } catch (const std::exception&) {
        r = HttpResponse::text(413, "request body too large");
      }
      body_parser_.reset();
      return respond(std::move(r));  // body_pending_ is still true: the connection closes
    }
    if (ec) {
      if (isHttpParseError(ec)) {
        return respond(HttpResponse::text(400, "bad request"));  // e.g. a broken chunk header
      }
      return closeNow();
    }
    if (!body_parser_->is_done()) return readBodySome();
    req_.body = std::move(body_parser_->get().body());
    body_parser_.reset();
    body_pending_ = false;
    callHandler();
  }

  void callHandler() {
    if (worker_->stopping) return closeNow();
    HttpResponse r;
    try {
      r = shared_->handler->onRequest(req_);
    } catch (const std::exception& e) {
      log::error("{}: handler threw: {}", shared_->options.name, e.what());
      r = HttpResponse::text(500, "internal error");
    }
    req_.body.clear();
    req_.body.shrink_to_fit();  // do not keep a 20 MiB buffer alive on an idle connection
    req_.state.reset();
    respond(std::move(r));
  }

  void respond(HttpResponse&& r) {
    phase_ = Phase::kWrite;
    res_ = {};
    res_.version(version_ == 10 ? 10 : 11);
    // Beast throws on codes above 999; a handler bug must not escape the loop.
    res_.result(r.status >= 100 && r.status <= 999 ? static_cast<unsigned>(r.status) : 500u);
    for (auto& [name, value] : r.headers) res_.insert(name, value);
    if (!cors_origin_.empty()) {
      res_.set(http::field::access_control_allow_origin, cors_origin_);
      res_.insert(http::field::vary, "Origin");
    }
    bool keep = keep_alive_ && !body_pending_ && !worker_->stopping;
    res_.keep_alive(keep);
    if (head_) {
      res_.content_length(r.body.size());  // a HEAD answer announces the size, sends no body
    } else {
      res_.body() = std::move(r.body);
      res_.prepare_payload();
    }
    lowest().expires_after(shared_->options.idle_timeout);
    http::async_write(stream_, res_,
                      [self = this->shared_from_this(), keep](beast::error_code ec, size_t) {
                        self->res_ = {};
                        if (ec) return self->closeNow();
                        if (keep && !self->worker_->stopping) return self->waitForRequest(false);
                        if (self->body_pending_) return self->lingerClose();
                        self->gracefulClose();
                      });
  }

  // Unread request bytes would make the kernel answer our close with RST, and the client could
  // lose the response it has not read yet; so stop sending, then drain for a bounded while.
  void lingerClose() {
    phase_ = Phase::kClosing;
    if constexpr (!kIsTls<Stream>) {
      boost::system::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    drained_ = 0;
    lowest().expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    if (!scratch_) scratch_ = std::make_unique<std::array<char, 16384>>();
    stream_.async_read_some(asio::buffer(*scratch_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerDrainLimit) return self->closeNow();
                              self->drain();
                            });
  }

  void gracefulClose() {
    phase_ = Phase::kClosing;
    if constexpr (kIsTls<Stream>) {
      lowest().expires_after(kTlsShutdownTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->closeNow(); });
    } else {
      boost::system::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      closeNow();
    }
  }

  void closeNow() {
    phase_ = Phase::kClosing;
    lowest().close();
  }

  std::shared_ptr<Worker> worker_;
  const Shared* shared_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> header_parser_;
  std::optional<http::request_parser<http::string_body>> body_parser_;
  http::response<http::string_body> res_;
  HttpRequest req_;
  std::string remote_;
  std::string cors_origin_;
  std::unique_ptr<std::array<char, 16384>> scratch_;
  size_t drained_ = 0;
  size_t body_limit_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool body_pending_ = false;  // a body was announced and not (fully) read
  Phase phase_ = Phase::kIdle;
};

void acceptLoop(const std::shared_ptr<Worker>& w) {
  w->acceptor.async_accept(w->ctx, [w](beast::error_code ec, tcp::socket socket) {
    if (w->stopping || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors and the like: back off briefly instead of spinning on the error.
      w->retry_timer.expires_after(std::chrono::milliseconds(50));
      w->retry_timer.async_wait([w](beast::error_code e) {
        if (!e && !w->stopping) acceptLoop(w);
      });
      return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (w->shared->ssl) {
      using TlsStream = beast::ssl_stream<beast::tcp_stream>;
      std::make_shared<Session<TlsStream>>(
          w, TlsStream(beast::tcp_stream(std::move(socket)), *w->shared->ssl))
          ->run();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(w, beast::tcp_stream(std::move(socket)))->run();
    }
    acceptLoop(w);
  });
}

class HttpServerImpl final : public HttpServer {
 public:
  HttpServerImpl(WorkerPool& pool, std::shared_ptr<const Shared> shared, tcp::endpoint endpoint)
      : pool_(pool), shared_(std::move(shared)), endpoint_(endpoint) {}
  ~HttpServerImpl() override { stop(); }

  Status start() override {
    if (started_) return okStatus();
    using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
    tcp::endpoint ep = endpoint_;
    if (ep.port() != 0) {
      // SO_REUSEPORT would let us silently share a fixed port with another process of the same
      // user (say a second agentgate) that also set it; a probe without it fails instead.
      asio::io_context probe_io;
      tcp::acceptor probe(probe_io);
      boost::system::error_code ec;
      probe.open(ep.protocol(), ec);
      if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) probe.bind(ep, ec);
      if (ec) {
        return Error::io("cannot listen on " + formatEndpoint(ep) + " (" + shared_->options.name +
                         "): " + ec.message());
      }
    }
    for (unsigned i = 0; i < pool_.size(); ++i) {
      auto w = std::make_shared<Worker>(pool_.context(i), shared_);
      boost::system::error_code ec;
      w->acceptor.open(ep.protocol(), ec);
      if (!ec) w->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) w->acceptor.set_option(reuse_port(true), ec);
      if (!ec) w->acceptor.bind(ep, ec);
      if (!ec) w->acceptor.listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        for (auto& other : workers_) other->acceptor.close(ec);
        workers_.clear();
        return Error::io("cannot listen on " + formatEndpoint(ep) + " (" + shared_->options.name +
                         "): " + ec.message());
      }
      if (i == 0) {
        ep = w->acceptor.local_endpoint(ec);  // the others join the port the first one got
        bound_ = formatEndpoint(ep);
      }
      workers_.push_back(std::move(w));
    }
    for (auto& w : workers_) {
      asio::post(w->ctx, [w] { acceptLoop(w); });
    }
    started_ = true;
    return okStatus();
  }

  void stop() override {
    if (!started_ || stopped_) return;
    stopped_ = true;
    std::vector<std::future<void>> done;
    for (auto& w : workers_) {
      auto promise = std::make_shared<std::promise<void>>();
      done.push_back(promise->get_future());
      asio::post(w->ctx, [w, promise] {
        w->stopping = true;
        boost::system::error_code ignored;
        w->acceptor.close(ignored);
        w->retry_timer.cancel();
        // abort() may destroy nothing here (completions run later), but copy anyway so erasing
        // during iteration is impossible.
        std::vector<SessionBase*> sessions(w->sessions.begin(), w->sessions.end());
        for (auto* s : sessions) s->abort();
        promise->set_value();
      });
    }
    // When the pool is not running there is nobody to run the posts; do not hang on it.
    for (auto& f : done) f.wait_for(std::chrono::seconds(5));
  }

  std::string boundAddress() const override { return bound_; }

 private:
  WorkerPool& pool_;
  std::shared_ptr<const Shared> shared_;
  tcp::endpoint endpoint_;
  std::vector<std::shared_ptr<Worker>> workers_;
  std::string bound_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::create(WorkerPool& pool, HttpServerOptions options,
                                                       std::shared_ptr<HttpHandler> handler) {
  if (!handler) return Error::internal("http server: no handler");
  auto endpoint = parseEndpoint(options.endpoint);
  if (!endpoint.ok()) return endpoint.takeError();
  auto shared = std::make_shared<Shared>();
  if (options.tls.enabled()) {
    auto ctx = makeSslContext(options.tls);
    if (!ctx.ok()) return ctx.takeError();
    shared->ssl = std::move(ctx.value());
  }
  std::string allow;
  for (auto h : kCorsBaseHeaders) {
    if (!allow.empty()) allow += ", ";
    allow += h;
  }
  for (const auto& h : options.cors.allowed_headers) {
    bool dup = false;
    for (auto b : kCorsBaseHeaders) dup = dup || strings::iequals(b, h);
    if (!dup && h != "*") allow += ", " + h;
    if (h == "*") allow += ", *";
  }
  shared->cors_allow_headers = std::move(allow);
  if (options.cors.max_age > 0) shared->cors_max_age = std::to_string(options.cors.max_age);
  shared->options = std::move(options);
  shared->handler = std::move(handler);
  return std::unique_ptr<HttpServer>(new HttpServerImpl(pool, std::move(shared), endpoint.value()));
}

}  // namespace agentgate::net
