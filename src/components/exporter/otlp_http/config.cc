#include "components/exporter/otlp_http/config.h"

namespace agentgate::components::otlp_http {

namespace {

bool isHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

}  // namespace

void readConfig(config::MapReader& reader, Config& cfg) {
  reader.read("endpoint", cfg.endpoint);
  reader.read("logs_endpoint", cfg.logs_endpoint);
  reader.read("traces_endpoint", cfg.traces_endpoint);
  reader.read("metrics_endpoint", cfg.metrics_endpoint);
  reader.readEnum("encoding", cfg.encoding, {"proto", "json"});
  reader.readEnum("compression", cfg.compression,
                  {"gzip", "zstd", "deflate", "zlib", "snappy", "none", ""});
  if (cfg.compression.empty()) cfg.compression = "none";
  reader.read("headers", cfg.headers);
  if (const config::ConfigNode* tls = reader.child("tls"))
    net::unmarshalTlsClient(*tls, cfg.tls, reader.diags());
  if (const config::ConfigNode* auth = reader.child("auth")) {
    config::MapReader a(*auth, reader.diags());
    if (a.read("authenticator", cfg.authenticator) && cfg.authenticator.empty())
      a.error("authenticator", "authenticator must name an extension");
    a.finish();
  }
  // confighttp client tuning the collector accepts; libcurl manages its own connections.
  for (const char* key :
       {"read_buffer_size", "write_buffer_size", "max_idle_conns", "max_idle_conns_per_host",
        "max_conns_per_host", "idle_conn_timeout", "disable_keep_alives", "http2_read_idle_timeout",
        "http2_ping_timeout", "proxy_url"})
    reader.ignore(key);
  reader.finish();
  if (auto problem = validate(cfg)) reader.error("endpoint", *problem);
}

std::string signalUrl(const Config& cfg, Signal signal) {
  const std::string* own = nullptr;
  switch (signal) {
    case Signal::kLogs:
      own = &cfg.logs_endpoint;
      break;
    case Signal::kTraces:
      own = &cfg.traces_endpoint;
      break;
    case Signal::kMetrics:
      own = &cfg.metrics_endpoint;
      break;
  }
  if (own && !own->empty()) return *own;
  if (cfg.endpoint.empty()) return {};
  std::string base = cfg.endpoint;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/v1/" + std::string(signalName(signal));
}

std::optional<std::string> validate(const Config& cfg) {
  if (cfg.endpoint.empty() && cfg.logs_endpoint.empty() && cfg.traces_endpoint.empty() &&
      cfg.metrics_endpoint.empty())
    return "at least one endpoint must be specified (endpoint or logs_endpoint / "
           "traces_endpoint / metrics_endpoint)";
  for (const std::string* url :
       {&cfg.endpoint, &cfg.logs_endpoint, &cfg.traces_endpoint, &cfg.metrics_endpoint}) {
    if (!url->empty() && !isHttpUrl(*url))
      return "endpoint \"" + *url + "\" must start with http:// or https://";
  }
  return std::nullopt;
}

}  // namespace agentgate::components::otlp_http
