#include "components/exporter/azuremonitor/config.h"

#include <charconv>

namespace agentgate::components::azuremonitor {
namespace {

void readTagMapping(config::MapReader& r, const char* key, std::vector<std::string>& out) {
  if (r.read(key, out) && out.empty()) {
    r.error(key, std::string(key) + " must name at least one source");
  }
}

}  // namespace

void readConfig(config::MapReader& r, Config& cfg) {
  r.read("connection_string", cfg.connection_string);
  r.read("instrumentation_key", cfg.instrumentation_key);
  r.read("endpoint", cfg.endpoint);
  r.read("maxbatchsize", cfg.max_batch_size);
  r.readDuration("maxbatchinterval", cfg.max_batch_interval);
  r.read("spaneventsenabled", cfg.span_events_enabled);
  // The README once spelled it without underscores.
  r.read("customeventsenabled", cfg.custom_events_enabled);
  r.read("custom_events_enabled", cfg.custom_events_enabled);
  r.read("exception_events_enabled", cfg.exception_events_enabled);
  r.readDuration("shutdown_timeout", cfg.shutdown_timeout);
  std::vector<std::string> codes;
  if (r.read("non_error_http_status_codes", codes)) {
    cfg.non_error_http_status_codes.clear();
    for (const auto& c : codes) {
      int v = 0;
      auto [p, ec] = std::from_chars(c.data(), c.data() + c.size(), v);
      if (ec != std::errc() || p != c.data() + c.size() || v < 100 || v > 599) {
        r.error("non_error_http_status_codes",
                "\"" + c + "\" is not an HTTP status code (100-599)");
        continue;
      }
      cfg.non_error_http_status_codes.push_back(v);
    }
  }
  r.read("align_http_server_request_success_with_otel_spec",
         cfg.align_http_server_request_success_with_otel_spec);
  if (const config::ConfigNode* tm = r.child("tag_mappings"); tm != nullptr && !tm->isNull()) {
    config::MapReader t(*tm, r.diags());
    readTagMapping(t, "cloud_role_instance", cfg.cloud_role_instance);
    readTagMapping(t, "application_version", cfg.application_version);
    t.finish();
  }
  // confighttp.ClientConfig (squashed into the exporter's config in the newest Go exporter).
  if (const config::ConfigNode* auth = r.child("auth"); auth != nullptr && !auth->isNull()) {
    config::MapReader a(*auth, r.diags());
    if (a.read("authenticator", cfg.authenticator) && cfg.authenticator.empty()) {
      a.error("authenticator", "authenticator must name an extension");
    }
    a.finish();
  }
  r.read("headers", cfg.headers);
  if (const config::ConfigNode* tls = r.child("tls"); tls != nullptr && !tls->isNull()) {
    net::unmarshalTlsClient(*tls, cfg.tls, r.diags());
  }
  r.read("proxy_url", cfg.proxy_url);
  // Accepted with no effect here: the request body is always gzip (the track API's form), and
  // connection pooling is the HTTP client's own.
  for (const char* key :
       {"compression", "compression_params", "read_buffer_size", "write_buffer_size",
        "max_idle_conns", "max_idle_conns_per_host", "max_conns_per_host", "idle_conn_timeout",
        "disable_keep_alives", "http2_read_idle_timeout", "http2_ping_timeout", "cookies",
        "force_attempt_http2", "middlewares", "customizer"}) {
    r.ignore(key);
  }
  r.read("max_item_bytes", cfg.max_item_bytes);
  r.finish();
  if (auto problem = validate(cfg); !problem.empty()) {
    r.error(problem.substr(0, problem.find(':')), problem);
  }
}

std::string validate(const Config& cfg) {
  if (cfg.max_batch_size < 1 || cfg.max_batch_size > kServiceMaxItemsPerRequest) {
    return "maxbatchsize: must be between 1 and 64000 (the service's items per request)";
  }
  if (cfg.max_item_bytes < 1024 || cfg.max_item_bytes > kServiceMaxItemBytes) {
    return "max_item_bytes: must be between 1024 and 65536 (the service's item size limit)";
  }
  if (cfg.cloud_role_instance.empty()) return "tag_mappings: cloud_role_instance is empty";
  if (cfg.application_version.empty()) return "tag_mappings: application_version is empty";
  return {};
}

}  // namespace agentgate::components::azuremonitor
