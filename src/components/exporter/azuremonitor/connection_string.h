// Application Insights connection strings (spec/azure-monitor.md 1.1): `key=value;key=value`,
// and where the azuremonitor exporter takes its instrumentation key and ingestion URL from.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "agentgate/result.h"

namespace agentgate::components::azuremonitor {

inline constexpr size_t kConnectionStringMaxLength = 4096;
inline constexpr std::string_view kDefaultIngestionEndpoint =
    "https://dc.services.visualstudio.com/";
inline constexpr std::string_view kConnectionStringEnv = "APPLICATIONINSIGHTS_CONNECTION_STRING";

struct ConnectionString {
  std::string instrumentation_key;  // InstrumentationKey (required)
  // IngestionEndpoint; when absent: https://[<Location>.]dc.<EndpointSuffix>/ with EndpointSuffix,
  // else https://dc.services.visualstudio.com/.
  std::string ingestion_endpoint;
  std::string authorization;  // Authorization ("ikey" unless the string says otherwise)
  std::string aad_audience;   // AADAudience
  std::string endpoint_suffix;
  std::string location;
  std::string live_endpoint;
  std::string profiler_endpoint;
  std::string snapshot_endpoint;
  std::string application_id;
  // Every pair as written (keys as spelled, last one wins), unknown keys included.
  std::map<std::string, std::string> pairs;

  // Authorization=AAD (case-insensitive): the track endpoint wants an Entra token.
  bool aad() const;
};

// Parses like the Go exporter (split on ';', then on the first '=', both sides trimmed; a pair
// without '=' or with an empty key is an error; InstrumentationKey is required; at most 4096
// characters) with two leniencies the Microsoft SDKs have: empty segments (a trailing ';') are
// skipped, and key names are matched case-insensitively. Errors never quote the string.
Result<ConnectionString> parseConnectionString(std::string_view text);

// `<endpoint>/v2.1/track`, joined with exactly one '/' (a query string is kept after the path).
// An endpoint whose path already ends in /v2/track or /v2.1/track is used as it is.
std::string trackUrl(std::string_view endpoint);

// Where the exporter sends and with which key, from (in this order of precedence, as in the Go
// exporter) the APPLICATIONINSIGHTS_CONNECTION_STRING environment variable, the
// `connection_string` key, or `instrumentation_key` + `endpoint` (default ingestion endpoint when
// `endpoint` is empty).
struct Destination {
  std::string instrumentation_key;
  std::string url;  // the full track URL
  bool aad = false;
  std::string aad_audience;
  std::string source;  // "environment", "connection_string", "instrumentation_key" (for logs)
};
Result<Destination> resolveDestination(std::string_view env_connection_string,
                                       std::string_view connection_string,
                                       std::string_view instrumentation_key,
                                       std::string_view endpoint);

}  // namespace agentgate::components::azuremonitor
