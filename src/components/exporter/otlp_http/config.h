// otlp_http exporter configuration (the collector's otlphttpexporter keys, spec 5.9).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "agentgate/factory.h"
#include "config/map_reader.h"
#include "net/http_client.h"

namespace agentgate::components::otlp_http {

struct Config : ComponentConfig {
  std::string endpoint;       // base URL; "/v1/<signal>" is appended
  std::string logs_endpoint;  // used verbatim when set
  std::string traces_endpoint;
  std::string metrics_endpoint;
  std::string encoding = "proto";    // proto | json
  std::string compression = "gzip";  // gzip | zstd | deflate | snappy | none
  std::map<std::string, std::string> headers;
  net::TlsClientConfig tls;
  std::string authenticator;  // auth.authenticator: a ClientAuthenticator extension id
};

void readConfig(config::MapReader& reader, Config& cfg);

// The URL a signal is sent to: its own *_endpoint, else endpoint + "/v1/<signal>"; empty when
// neither is configured.
std::string signalUrl(const Config& cfg, Signal signal);

// nullopt when valid, else the problem (no endpoint at all, a URL that is not http(s)).
std::optional<std::string> validate(const Config& cfg);

}  // namespace agentgate::components::otlp_http
