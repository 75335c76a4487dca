// An outgoing HTTP(S) client for exporters and authenticators (libcurl underneath). Blocking:
// callers are exporter consumer threads and token refreshers, never the receiver's event loops.
// Connections are kept alive in a small pool of handles, so a steady exporter reuses its TLS
// session instead of handshaking per request.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agentgate/result.h"
#include "config/map_reader.h"

namespace agentgate::net {

// Client TLS settings as the collector spells them (configtls.ClientConfig).
struct TlsClientConfig {
  std::string ca_file;    // trust these roots instead of the system's
  std::string cert_file;  // client certificate (mTLS)
  std::string key_file;
  bool insecure = false;  // plain http allowed for an https-less endpoint (collector key)
  bool insecure_skip_verify = false;  // do not verify the server certificate
  std::string min_version = "1.2";
};

void unmarshalTlsClient(const config::ConfigNode& node, TlsClientConfig& out,
                        config::Diagnostics& diags);

struct HttpClientOptions {
  TlsClientConfig tls;
  std::chrono::milliseconds timeout{30000};  // whole exchange, per request unless overridden
  std::chrono::milliseconds connect_timeout{10000};
  size_t max_response_bytes = 16u << 20;  // larger bodies are cut (the exchange still succeeds)
  std::string user_agent = "agentgate";
};

struct HttpClientRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{0};  // 0 = the client's default
};

struct HttpClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  std::optional<std::string_view> header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> create(HttpClientOptions options);
  virtual ~HttpClient() = default;
  // Any HTTP status is a successful exchange; transport failures (DNS, connect, TLS, timeout)
  // are retryable kUnavailable errors whose message names the URL's host, never its query.
  virtual Result<HttpClientResponse> send(const HttpClientRequest& request) = 0;
};

// Retry-After as seconds ("120") or an HTTP-date; nullopt when absent or unparsable.
std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value);

// Maps an HTTP status to the error an exporter returns: 408/429/439/500/502/503/504 retryable
// (with Retry-After when given), everything else >= 400 permanent.
Error httpStatusError(const HttpClientResponse& response, std::string_view what);

}  // namespace agentgate::net
