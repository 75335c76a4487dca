// A Data Collection Endpoint's native OTLP ingestion (spec 4.1-4.4): POST
// /datacollectionRules/<dcr-id>/streams/<stream>/otlp/v1/<signal>, OTLP/HTTP protobuf only (JSON
// gets 415), gzip accepted, a Bearer token from the identity emulator required. Logs and traces
// land in OTelLogs / OTelSpans / OTelEvents / OTelResources; metrics go to an Azure Monitor
// workspace in Azure (not Log Analytics), so here they are counted, by temporality.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "agentgate/result.h"
#include "agentgate/signal.h"
#include "landed_tables.h"

namespace agentgate::azure_emulator {

struct OtlpEndpointOptions {
  std::string dcr_immutable_id = "dcr-0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  // Checks the bearer token: nullopt accepts, else the status to answer (401, 403). Unset: every
  // request is refused with 401 (Azure never accepts anonymous data).
  std::function<std::optional<int>(std::string_view token)> authorize;
  LandedTables* tables = nullptr;  // where logs and traces land (required)
};

struct OtlpEndpointStats {
  int requests = 0;
  int accepted = 0;  // 200s (partial successes included)
  int unauthorized = 0;
  int unsupported_media = 0;
  int bad_request = 0;  // InvalidStream, undecodable body, bad encoding
  int scripted = 0;
  int64_t log_records = 0;
  int64_t spans = 0;
  int64_t metric_points = 0;
  int64_t cumulative_metric_points = 0;  // of metric_points: sums/histograms not in delta
  std::set<std::string> metric_names;
};

class OtlpEndpoint {
 public:
  static Result<std::unique_ptr<OtlpEndpoint>> start(OtlpEndpointOptions options);
  ~OtlpEndpoint();

  std::string baseUrl() const;  // "http://127.0.0.1:P" (the DCE host; logs and metrics alike)
  // The URLs the Application Insights "OTLP Connection Info" blade would show.
  std::string logsUrl() const;
  std::string tracesUrl() const;
  std::string metricsUrl() const;

  // The next `requests` ingestion requests get `status` (Retry-After when >= 0).
  void failNext(int requests, int status, int retry_after_seconds = -1);
  // The next `requests` accepted requests answer 200 with partial_success(rejected, message).
  void partialSuccessNext(int requests, int64_t rejected, std::string message);
  OtlpEndpointStats stats() const;

  struct State;

 private:
  OtlpEndpoint() = default;
  std::shared_ptr<State> state_;
};

// The OTLP URL stream name for a signal, and back.
std::string_view urlStream(Signal signal);
std::optional<Signal> signalForUrlStream(std::string_view stream);

}  // namespace agentgate::azure_emulator
