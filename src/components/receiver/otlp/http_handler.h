// OTLP/HTTP front end (spec/azure-monitor.md 5.2): paths, method and media checks, auth before the
// body is read, capped decompression, decode, pipeline hand-off, collector-shaped answers.
#pragma once

#include <memory>
#include <string>

#include "agentgate/auth.h"
#include "agentgate/factory.h"
#include "components/receiver/otlp/config.h"
#include "components/receiver/otlp/ingest.h"
#include "net/http_server.h"
#include "pdata/codec.h"

namespace agentgate::components::otlpreceiver {

class OtlpHttpHandler final : public net::HttpHandler {
 public:
  // `auth` may be null (no authenticator); it must outlive the handler's server.
  OtlpHttpHandler(const HttpProtocolConfig& config, ReceiverConsumers consumers,
                  const ServerAuthenticator* auth, std::shared_ptr<TransportTelemetry> telemetry,
                  pdata::DecodeLimits limits = {}, MemoryBudget* budget = nullptr);

  std::optional<net::HttpResponse> onHeaders(net::HttpRequest& request) override;
  size_t bodyLimit(const net::HttpRequest& request) const override;
  net::HttpResponse onBodyTooLarge(const net::HttpRequest& request) override;
  net::HttpResponse onRequest(net::HttpRequest& request) override;

 private:
  net::HttpResponse finish(net::HttpResponse response);
  // Inflates a compressed body under the memory budget: the output cap is reserved first.
  Result<std::string> inflate(std::string_view encoding, std::string_view body,
                              MemoryReservation* reservation);

  HttpProtocolConfig config_;
  ReceiverConsumers consumers_;
  const ServerAuthenticator* auth_;
  std::shared_ptr<TransportTelemetry> telemetry_;
  pdata::DecodeLimits limits_;
  MemoryBudget* budget_;  // may be null: no accounting
};

}  // namespace agentgate::components::otlpreceiver
