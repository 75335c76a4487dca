#include "net/tls_config.h"

namespace agentgate::net {

void readTlsVersion(config::MapReader& r, std::string_view key, std::string& out) {
  const std::vector<std::string> versions = {"1.0", "1.1", "1.2", "1.3"};
  if (r.readEnum(key, out, versions) && (out == "1.0" || out == "1.1")) {
    r.error(key, "TLS versions below 1.2 are not supported; use \"1.2\" or \"1.3\"");
  }
}

void unmarshalTlsServer(const config::ConfigNode& node, TlsServerConfig& out,
                        config::Diagnostics& diags) {
  config::MapReader r(node, diags);
  r.read("cert_file", out.cert_file);
  r.read("key_file", out.key_file);
  r.read("ca_file", out.ca_file);
  r.read("client_ca_file", out.client_ca_file);
  readTlsVersion(r, "min_version", out.min_version);
  readTlsVersion(r, "max_version", out.max_version);
  // Collector keys with no effect here: certificates are read at start, OpenSSL's default
  // cipher suites are used, and the system pool is not used for client verification.
  r.ignore("reload_interval");
  r.ignore("include_system_ca_certs_pool");
  r.ignore("cipher_suites");
  r.ignore("curve_preferences");

  if (!out.cert_file.empty() && out.key_file.empty()) {
    r.error("key_file", "key_file is required when cert_file is set");
  }
  if (out.cert_file.empty() && !out.key_file.empty()) {
    r.error("cert_file", "cert_file is required when key_file is set");
  }
  if (out.cert_file.empty() && !out.client_ca_file.empty()) {
    r.error("client_ca_file", "client_ca_file (mTLS) requires cert_file and key_file");
  }
  if (!out.max_version.empty() && out.max_version < out.min_version) {
    r.error("max_version", "max_version is lower than min_version");
  }
  r.finish();
}

}  // namespace agentgate::net
