#include "components/extension/health_check/config.h"

#include "common/strings.h"

namespace agentgate::components::health_check {

void readConfig(config::MapReader& reader, Config& cfg) {
  reader.read("endpoint", cfg.endpoint);
  reader.read("path", cfg.path);
  if (const config::ConfigNode* body = reader.child("response_body")) {
    config::MapReader br(*body, reader.diags());
    std::string healthy, unhealthy;
    if (br.read("healthy", healthy)) cfg.healthy_body = healthy;
    if (br.read("unhealthy", unhealthy)) cfg.unhealthy_body = unhealthy;
    br.finish();
  }
  if (const config::ConfigNode* tls = reader.child("tls")) {
    net::unmarshalTlsServer(*tls, cfg.tls, reader.diags());
  }
  reader.ignore("check_collector_pipeline");  // deprecated in the collector, no effect
  reader.finish();
  if (cfg.path.empty() || cfg.path.front() != '/') reader.error("path", "must start with '/'");
  if (cfg.endpoint.find(':') == std::string::npos) {
    reader.error("endpoint", "must be host:port");
  }
}

std::string resolveLocalhost(const std::string& endpoint) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos) return endpoint;
  if (strings::iequals(endpoint.substr(0, colon), "localhost")) {
    return "127.0.0.1" + endpoint.substr(colon);
  }
  return endpoint;
}

}  // namespace agentgate::components::health_check
