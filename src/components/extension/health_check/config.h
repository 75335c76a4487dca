// health_check extension configuration (collector keys).
#pragma once

#include <optional>
#include <string>

#include "agentgate/factory.h"
#include "config/map_reader.h"
#include "net/tls_config.h"

namespace agentgate::components::health_check {

struct Config : ComponentConfig {
  std::string endpoint = "localhost:13133";
  std::string path = "/";
  std::optional<std::string> healthy_body;    // response_body.healthy
  std::optional<std::string> unhealthy_body;  // response_body.unhealthy
  net::TlsServerConfig tls;
};

void readConfig(config::MapReader& reader, Config& cfg);

// "localhost:13133" -> "127.0.0.1:13133": health probes must not depend on the resolver.
std::string resolveLocalhost(const std::string& endpoint);

}  // namespace agentgate::components::health_check
