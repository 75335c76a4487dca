// azuremonitor exporter configuration: the Go exporter's keys (spec/azure-monitor.md 1.5),
// including the squashed confighttp client keys, plus agentgate's item-size cap.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"
#include "net/http_client.h"

namespace agentgate::components::azuremonitor {

// Application Insights' limits (spec 1.2): 64 KB per telemetry item, 64,000 items per request.
inline constexpr uint64_t kServiceMaxItemBytes = 65536;
inline constexpr int kServiceMaxItemsPerRequest = 64000;

struct Config : ComponentConfig {
  std::string connection_string;
  std::string instrumentation_key;
  std::string endpoint;       // ingestion base URL with instrumentation_key
  int max_batch_size = 1024;  // maxbatchsize: envelopes per request (split above it)
  std::chrono::nanoseconds max_batch_interval = std::chrono::seconds(10);  // accepted, no effect
  bool span_events_enabled = false;                                        // spaneventsenabled
  bool custom_events_enabled = false;     // custom_events_enabled (customeventsenabled)
  bool exception_events_enabled = false;  // exception_events_enabled
  std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds(1);  // accepted, no effect
  // Not a YAML key of its own: the exporter's `timeout` (CreateSettings::timeout), set by the
  // factory; the HTTP request timeout.
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(30);
  std::vector<int> non_error_http_status_codes;
  bool align_http_server_request_success_with_otel_spec = false;
  std::vector<std::string> cloud_role_instance = {"service.instance.id"};  // tag_mappings
  std::vector<std::string> application_version = {"service.version"};      // tag_mappings
  // confighttp client keys.
  std::string authenticator;  // auth.authenticator
  std::map<std::string, std::string> headers;
  net::TlsClientConfig tls;
  std::string proxy_url;  // accepted; requests go direct (documented)
  // Ours: an envelope whose JSON is larger is not sent (the service would refuse it with a
  // per-item 400); it is counted as dropped with reason "too_large".
  uint64_t max_item_bytes = kServiceMaxItemBytes;
};

void readConfig(config::MapReader& reader, Config& cfg);
// Empty when valid, else the problem ("key: what").
std::string validate(const Config& cfg);

}  // namespace agentgate::components::azuremonitor
