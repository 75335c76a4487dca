// Server TLS settings as the collector spells them (configtls), shared by HTTP and gRPC listeners.
#pragma once

#include <string>
#include <string_view>

#include "config/map_reader.h"

namespace agentgate::net {

struct TlsServerConfig {
  bool enabled() const { return !cert_file.empty(); }
  std::string cert_file;
  std::string key_file;
  std::string ca_file;              // accepted for compatibility
  std::string client_ca_file;       // set => mTLS: client certificates required and verified
  std::string min_version = "1.2";  // "1.2" | "1.3"
  std::string max_version;
};

// Reads a TLS version key ("1.2" | "1.3"); older versions are reported as unsupported.
void readTlsVersion(config::MapReader& r, std::string_view key, std::string& out);

// Reads a `tls:` map; reports missing key_file for a cert_file, bad versions, unknown keys.
void unmarshalTlsServer(const config::ConfigNode& node, TlsServerConfig& out,
                        config::Diagnostics& diags);

}  // namespace agentgate::net
