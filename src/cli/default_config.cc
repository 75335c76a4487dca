#include "cli/default_config.h"

#include <cstdlib>

namespace agentgate::cli {

const std::string& defaultConfigYaml() {
  static const std::string kYaml =
      R"(# agentgate's built-in configuration (agentgate run --print-default-config).
# Loopback only, so no ingest token is required. Agents point OTEL_EXPORTER_OTLP_ENDPOINT at
# http://127.0.0.1:4318 (or grpc://127.0.0.1:4317). Each listener's address can be overridden
# from the environment (tests use 127.0.0.1:0); the query API is `run --web-address`.
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${env:AGENTGATE_OTLP_GRPC_ENDPOINT:-127.0.0.1:4317}
      http:
        endpoint: ${env:AGENTGATE_OTLP_HTTP_ENDPOINT:-127.0.0.1:4318}
exporters:
  # SQLite with the Log Analytics tables (AppTraces, AppDependencies, ..., OTelLogs, OTelSpans),
  # queried with KQL.
  store:
    path: ${env:AGENTGATE_DATA_DIR}/agentgate.db
extensions:
  health_check:
    endpoint: ${env:AGENTGATE_HEALTH_CHECK_ENDPOINT:-127.0.0.1:13133}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      address: ${env:AGENTGATE_METRICS_ADDRESS:-127.0.0.1:8888}
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [store]
    traces:
      receivers: [otlp]
      exporters: [store]
    metrics:
      receivers: [otlp]
      exporters: [store]
)";
  return kYaml;
}

std::string resolveDataDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("AGENTGATE_DATA_DIR"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::string(xdg) + "/agentgate";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.local/share/agentgate";
  return "./agentgate-data";
}

}  // namespace agentgate::cli
