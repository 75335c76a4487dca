// Sends Application Insights envelopes to the track endpoint (spec/azure-monitor.md 1.2, 1.3):
// NDJSON, gzip, POST, at most `max_items_per_request` envelopes per request, and the service's
// answer sorted into delivered, to retry and dropped.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agentgate/auth.h"
#include "agentgate/result.h"
#include "agentgate/signal.h"
#include "net/http_client.h"
#include "selftelemetry/registry.h"

namespace agentgate::components::azuremonitor {

struct TrackSenderOptions {
  std::string exporter_id;  // "azuremonitor/x": metric label and log prefix
  std::string url;          // the full track URL
  size_t max_items_per_request = 1024;
  std::vector<std::pair<std::string, std::string>> headers;  // `headers:` from the config
  // `auth.authenticator`; owned by the host's extension, which outlives the exporter.
  ClientAuthenticator* authenticator = nullptr;
};

// The service's per-item answer (the body of a 200/206/400).
struct TrackItemError {
  size_t index = 0;
  int status_code = 0;
  std::string message;
};
struct TrackResponse {
  int64_t items_received = -1;
  int64_t items_accepted = -1;
  std::vector<TrackItemError> errors;
};
// Parses {"itemsReceived":N,"itemsAccepted":M,"errors":[{"index":i,"statusCode":c,"message":m}]}.
// False when the body is not that shape.
bool parseTrackResponse(std::string_view body, TrackResponse& out);

// 408, 429, 439, 500, 503: the codes the AI-Go transmitter retries, per item and per request
// (502 and 504 too for a whole request: gateways in front of the endpoint answer them).
bool retryableItemStatus(int status);
bool retryableRequestStatus(int status);

class TrackSender : public std::enable_shared_from_this<TrackSender> {
 public:
  // `registry` may be null (no self-metrics).
  TrackSender(TrackSenderOptions options, std::unique_ptr<net::HttpClient> client,
              selftelemetry::Registry* registry);

  // Sends `lines` (one envelope's JSON each, no newline) in requests of at most
  // max_items_per_request. Returns:
  //  - OK when everything was accepted, or when what was not is refused for good (those items
  //    are counted here as dropped, reason "rejected");
  //  - a retryable error whose `pending` holds exactly the envelopes to send again (those of
  //    failed requests and the per-item retryable rejects of a 206), never an accepted one;
  //  - a permanent error when nothing was accepted and nothing can be retried (the caller,
  //    the sending queue, counts the drop).
  Status send(const std::vector<std::string>& lines, Signal signal);

  // Counts envelopes this exporter gives up on itself (agentgate_exporter_dropped_<unit>_total
  // {exporter, reason}, the sending queue's metric) and logs at most once a second.
  void countDropped(Signal signal, std::string_view reason, size_t n, std::string_view why);

  const TrackSenderOptions& options() const { return options_; }

 private:
  struct RequestOutcome;
  RequestOutcome post(const std::vector<std::string>& lines, size_t begin, size_t end);

  TrackSenderOptions options_;
  std::unique_ptr<net::HttpClient> client_;
  selftelemetry::Registry* registry_;
  std::atomic<int64_t> last_log_ms_{0};
};

}  // namespace agentgate::components::azuremonitor
