// A small HTTP/1.1 server (Boost.Beast) on the worker loops, used by the OTLP receiver, the
// query/web server, health_check and the Prometheus endpoint. Keep-alive, optional TLS/mTLS,
// CORS, and a header phase that can answer before the body is read (auth, 405, 415, 413).
#pragma once

#include <any>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agentgate/result.h"
#include "net/tls_config.h"

namespace agentgate::net {

class WorkerPool;

struct HttpRequest {
  std::string method;                                        // "POST"
  std::string target;                                        // "/v1/logs?x=1"
  std::string path;                                          // "/v1/logs"
  std::string query;                                         // "x=1"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string remote_address;                                // "127.0.0.1:53422"
  bool tls = false;
  std::string body;  // filled before onRequest
  std::any state;    // the handler's per-request state, set in onHeaders
  std::optional<std::string_view> header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  static HttpResponse text(int status, std::string body);
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Headers are in; the body is not. Returning a response ends the exchange without reading the
  // body (the connection is closed afterwards when a body was announced).
  virtual std::optional<HttpResponse> onHeaders(HttpRequest& request) {
    (void)request;
    return std::nullopt;
  }
  // Largest body accepted for this request; larger bodies get onBodyTooLarge's answer.
  virtual size_t bodyLimit(const HttpRequest& request) const {
    (void)request;
    return 20u << 20;
  }
  virtual HttpResponse onBodyTooLarge(const HttpRequest& request) {
    (void)request;
    return HttpResponse::text(413, "request body too large");
  }
  virtual HttpResponse onRequest(HttpRequest& request) = 0;
};

struct CorsConfig {
  std::vector<std::string> allowed_origins;  // "*" or exact origins or "https://*.example.com"
  std::vector<std::string> allowed_headers;
  int max_age = 0;  // seconds; 0 = header not sent
  bool enabled() const { return !allowed_origins.empty(); }
};

struct HttpServerOptions {
  std::string endpoint = "127.0.0.1:0";  // host:port; port 0 = any
  TlsServerConfig tls;
  CorsConfig cors;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds read_header_timeout{10};
  std::string name;  // for logs: "otlp/http"
};

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> create(WorkerPool& pool, HttpServerOptions options,
                                                    std::shared_ptr<HttpHandler> handler);
  virtual ~HttpServer() = default;
  virtual Status start() = 0;  // binds and accepts; the pool's threads run the loops
  virtual void stop() = 0;     // idempotent; closes listeners and open connections
  virtual std::string boundAddress() const = 0;  // "127.0.0.1:43125" after start()
};

}  // namespace agentgate::net
