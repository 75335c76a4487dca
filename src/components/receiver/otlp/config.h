// Typed configuration of the `otlp` receiver, spelled as the collector's otlpreceiver
// (protocols.grpc = configgrpc.ServerConfig, protocols.http = confighttp.ServerConfig + paths).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "agentgate/result.h"
#include "net/http_server.h"
#include "net/tls_config.h"

namespace agentgate::config {
class ConfigNode;
class Diagnostics;
}  // namespace agentgate::config

namespace agentgate::components::otlpreceiver {

struct GrpcProtocolConfig {
  std::string endpoint = "localhost:4317";
  int max_recv_msg_size_mib = 4;
  int max_concurrent_streams = 0;  // 0 = grpc default
  net::TlsServerConfig tls;
  std::string authenticator;  // auth.authenticator: extension id
  bool include_metadata = false;
};

struct HttpProtocolConfig {
  std::string endpoint = "localhost:4318";
  uint64_t max_request_body_size = 20u << 20;  // applied to compressed and decompressed bytes
  bool include_metadata = false;
  net::CorsConfig cors;
  net::TlsServerConfig tls;
  std::string authenticator;
  std::string traces_url_path = "/v1/traces";
  std::string metrics_url_path = "/v1/metrics";
  std::string logs_url_path = "/v1/logs";
  // Accepted Content-Encodings besides identity; empty = every encoding net/compression knows.
  std::vector<std::string> compression_algorithms;
  std::map<std::string, std::string> response_headers;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds read_header_timeout{10};
};

struct OtlpReceiverConfig : ComponentConfig {
  // Both enabled by default; a config file enables exactly the protocols it names.
  std::optional<GrpcProtocolConfig> grpc = GrpcProtocolConfig{};
  std::optional<HttpProtocolConfig> http = HttpProtocolConfig{};
  Status validate() const;
};

// Reads the receiver's map (null = defaults is not allowed: protocols are required, as in the
// collector). A protocol key with a null body enables that protocol with its defaults.
void unmarshalConfig(const config::ConfigNode& node, OtlpReceiverConfig& cfg,
                     config::Diagnostics& diags);

// True for localhost, 127.0.0.0/8 and ::1 hosts of a "host:port" endpoint.
bool isLoopbackEndpoint(const std::string& endpoint);

}  // namespace agentgate::components::otlpreceiver
