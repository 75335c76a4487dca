// OTLP -> Application Insights envelopes with the Go azuremonitor exporter's semantics
// (spec/azure-monitor.md section 2). Pure: no I/O, no clock unless a log record has no timestamp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "appinsights/envelope.h"
#include "pdata/model.h"

namespace agentgate::appinsights {

struct MapOptions {
  std::string instrumentation_key;
  // ai.internal.sdkVersion; the Go exporter writes otelc-<collector version>-<os>-<arch>.
  std::string sdk_version = defaultSdkVersion();
  bool span_events_enabled = false;       // spaneventsenabled
  bool custom_events_enabled = false;     // custom_events_enabled
  bool exception_events_enabled = false;  // exception_events_enabled
  std::vector<int> non_error_http_status_codes;
  bool align_http_server_request_success_with_otel_spec = false;
  // tag_mappings: an entry containing '.' names a resource attribute, one without is a literal.
  std::vector<std::string> cloud_role_instance = {"service.instance.id"};
  std::vector<std::string> application_version = {"service.version"};
  // Used for a log record with neither timestamp nor observed timestamp; 0 = system clock.
  uint64_t now_unix_nano = 0;

  static std::string defaultSdkVersion();
};

struct MapResult {
  std::vector<Envelope> envelopes;
  size_t rejected_spans = 0;  // FaaS spans: the Go exporter fails them permanently
  size_t truncations = 0;     // fields cut to the service limits (section 2.7)
};

// Maps every item of the batch (its signal decides which rules apply), in batch order. Each
// envelope is already truncated to the service limits.
MapResult mapBatch(const pdata::Batch& batch, const MapOptions& options);

// One span's Request/RemoteDependency envelope (no span events, not sanitized). *rejected is set
// for FaaS spans, which the Go exporter refuses. Also used by the store's OTelSpans rows.
Envelope mapSpan(const pdata::Span& span, const pdata::Resource& resource,
                 const pdata::InstrumentationScope& scope, const MapOptions& options,
                 bool* rejected = nullptr);

// Applies the section 2.7 limits in place; returns how many fields were cut.
size_t sanitize(Envelope& envelope);

// AI severity (0..4) for an OTel SeverityNumber.
int severityLevel(int32_t severity_number);

// The "ai.cloud.role" value for a resource ("" when service.name is absent).
std::string cloudRole(const pdata::Resource& resource);

}  // namespace agentgate::appinsights
