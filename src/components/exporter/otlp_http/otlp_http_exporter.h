// The otlp_http exporter: OTLP/HTTP protobuf (or JSON) requests, gzip by default, headers from
// the config and from a client authenticator extension, the collector's status classification.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agentgate/auth.h"
#include "agentgate/component.h"
#include "components/exporter/otlp_http/config.h"
#include "net/http_client.h"
#include "selftelemetry/registry.h"

namespace agentgate::components::otlp_http {

class OtlpHttpExporter final : public Exporter {
 public:
  static Result<std::unique_ptr<OtlpHttpExporter>> create(std::string id, Config cfg,
                                                          std::chrono::milliseconds timeout);

  // Resolves auth.authenticator among the started extensions; registers the self-metrics.
  Status start(Host& host) override;
  Status consume(BatchPtr&& batch) override;

  // Rejected items reported by partial_success responses, per signal (tests).
  uint64_t partialRejected(Signal signal) const;

 private:
  OtlpHttpExporter(std::string id, Config cfg, std::unique_ptr<net::HttpClient> client);
  Result<net::HttpClientResponse> post(const std::string& url, const std::string& body,
                                       const std::string& content_type);
  Status classify(const net::HttpClientResponse& response, Signal signal, const std::string& url);

  std::string id_;
  Config cfg_;
  std::unique_ptr<net::HttpClient> client_;
  ClientAuthenticator* auth_ = nullptr;
  selftelemetry::Counter* rejected_[3] = {nullptr, nullptr, nullptr};
  selftelemetry::Counter own_rejected_[3];  // used when started without a registry
};

// The collector's otlphttp classification: 429/502/503/504 retryable (Retry-After honoured),
// every other status >= 300 permanent. `url` is named without its query.
Error statusError(const net::HttpClientResponse& response, const std::string& url);

}  // namespace agentgate::components::otlp_http
