// Application Insights envelopes as typed values: one struct for every telemetry kind the
// azuremonitor exporter sends, so that the store can turn them into rows without a JSON round trip
// and the azuremonitor exporter can serialize them with toJson().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace agentgate::appinsights {

enum class EnvelopeKind : uint8_t {
  kMessage,
  kException,
  kEvent,
  kRequest,
  kRemoteDependency,
  kMetric
};

// "Message", "Exception", ... (the suffix of Microsoft.ApplicationInsights.<name>).
std::string_view envelopeShortName(EnvelopeKind kind);
// "MessageData", "ExceptionData", ...
std::string_view baseTypeName(EnvelopeKind kind);

struct ExceptionDetails {
  std::string type_name;
  std::string message;
  bool has_full_stack = true;
  std::string stack;
};

// 0 = Measurement, 1 = Aggregation.
struct DataPoint {
  std::string name;
  int kind = 0;
  double value = 0;
  int64_t count = 0;
  double min = 0;
  double max = 0;
  double std_dev = 0;
};

// Ordered by key: Go's encoding/json writes map keys sorted, and overwrite-by-key is the
// exporter's precedence rule.
using StringMap = std::map<std::string, std::string, std::less<>>;  // find() by string_view

struct Envelope {
  EnvelopeKind kind = EnvelopeKind::kMessage;
  uint64_t time_unix_nano = 0;
  std::string ikey;
  StringMap tags;  // omitted from JSON when empty
  StringMap properties;

  // Message / Exception
  std::string message;
  int severity_level = 0;
  // Exception
  std::string problem_id;
  std::vector<ExceptionDetails> exceptions;
  // Event / Request / RemoteDependency
  std::string name;
  // Request / RemoteDependency
  std::string id;
  uint64_t duration_nanos = 0;
  std::string result_code;  // responseCode (Request) / resultCode (RemoteDependency)
  bool success = true;
  std::string url;     // Request
  std::string source;  // Request
  std::string data;    // RemoteDependency
  std::string target;  // RemoteDependency
  std::string type;    // RemoteDependency
  // Metric
  std::vector<DataPoint> metrics;
};

// The Go exporter's JSON for one envelope (json.Encoder output without the trailing newline).
std::string toJson(const Envelope& envelope);

// Go time.RFC3339Nano in UTC ("2026-08-17T10:11:12.123456789Z", trailing zeros dropped).
std::string formatRfc3339Nano(uint64_t unix_nano);
// The exporter's duration format "DD.HH:MM:SS.ffffff".
std::string formatDuration(uint64_t nanos);

}  // namespace agentgate::appinsights
