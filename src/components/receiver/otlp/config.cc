#include "components/receiver/otlp/config.h"

#include <charconv>

#include "common/strings.h"
#include "config/config_node.h"
#include "config/diagnostics.h"
#include "config/map_reader.h"
#include "net/compression.h"
#include "net/cors_config.h"

namespace agentgate::components::otlpreceiver {
namespace {

using config::ConfigNode;
using config::Diagnostics;
using config::MapReader;

// "host:port" with a numeric port (host may be empty = every interface, or "[v6]").
bool validEndpoint(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon + 1 == endpoint.size()) return false;
  unsigned port = 0;
  const char* first = endpoint.data() + colon + 1;
  const char* last = endpoint.data() + endpoint.size();
  auto [p, ec] = std::from_chars(first, last, port);
  return ec == std::errc() && p == last && port <= 65535;
}

void readEndpoint(MapReader& r, std::string& endpoint) {
  if (r.read("endpoint", endpoint) && !validEndpoint(endpoint)) {
    r.error("endpoint",
            "endpoint must be host:port (e.g. 127.0.0.1:4317), got \"" + endpoint + "\"");
  }
}

void readAuth(MapReader& r, std::string& authenticator) {
  const ConfigNode* node = r.child("auth");
  if (!node) return;
  MapReader a(*node, r.diags());
  if (a.read("authenticator", authenticator) && authenticator.empty()) {
    a.error("authenticator", "authenticator must name an extension");
  }
  a.finish();
}

void readTls(MapReader& r, net::TlsServerConfig& tls) {
  if (const ConfigNode* node = r.child("tls")) net::unmarshalTlsServer(*node, tls, r.diags());
}

void unmarshalGrpc(const ConfigNode& node, GrpcProtocolConfig& out, Diagnostics& diags) {
  MapReader r(node, diags);
  readEndpoint(r, out.endpoint);
  std::string transport = "tcp";
  r.readEnum("transport", transport, {"tcp"});
  if (r.read("max_recv_msg_size_mib", out.max_recv_msg_size_mib)) {
    if (out.max_recv_msg_size_mib < 0) r.error("max_recv_msg_size_mib", "must not be negative");
    if (out.max_recv_msg_size_mib == 0) out.max_recv_msg_size_mib = 4;
  }
  if (r.read("max_concurrent_streams", out.max_concurrent_streams) &&
      out.max_concurrent_streams < 0) {
    r.error("max_concurrent_streams", "must not be negative");
  }
  readTls(r, out.tls);
  readAuth(r, out.authenticator);
  r.read("include_metadata", out.include_metadata);
  // Tuning knobs of grpc-go with no counterpart here.
  r.ignore("read_buffer_size");
  r.ignore("write_buffer_size");
  r.ignore("keepalive");
  r.finish();
}

void readUrlPath(MapReader& r, std::string_view key, std::string& out) {
  if (!r.read(key, out)) return;
  if (out.empty()) {
    r.error(key, "path must not be empty");
    return;
  }
  if (out.front() != '/') out.insert(out.begin(), '/');  // as the collector sanitizes it
}

void unmarshalHttp(const ConfigNode& node, HttpProtocolConfig& out, Diagnostics& diags) {
  MapReader r(node, diags);
  readEndpoint(r, out.endpoint);
  uint64_t body = 0;
  if (r.read("max_request_body_size", body)) out.max_request_body_size = body ? body : 20u << 20;
  r.read("include_metadata", out.include_metadata);
  if (const ConfigNode* cors = r.child("cors")) net::unmarshalCors(*cors, out.cors, diags);
  readTls(r, out.tls);
  readAuth(r, out.authenticator);
  readUrlPath(r, "traces_url_path", out.traces_url_path);
  readUrlPath(r, "metrics_url_path", out.metrics_url_path);
  readUrlPath(r, "logs_url_path", out.logs_url_path);
  if (r.read("compression_algorithms", out.compression_algorithms)) {
    for (auto& alg : out.compression_algorithms) {
      alg = strings::toLower(alg);
      if (!net::isIdentityEncoding(alg) && !net::isSupportedEncoding(alg)) {
        r.error("compression_algorithms", "unsupported compression algorithm \"" + alg + "\"");
      }
    }
  }
  r.read("response_headers", out.response_headers);
  std::chrono::nanoseconds d{};
  if (r.readDuration("idle_timeout", d)) {
    out.idle_timeout = std::chrono::duration_cast<std::chrono::seconds>(d);
  }
  if (r.readDuration("read_header_timeout", d)) {
    out.read_header_timeout = std::chrono::duration_cast<std::chrono::seconds>(d);
  }
  r.ignore("read_timeout");
  r.ignore("write_timeout");
  r.ignore("keep_alives_enabled");
  r.finish();
}

}  // namespace

Status OtlpReceiverConfig::validate() const {
  if (!grpc && !http) {
    return Error::config("must specify at least one protocol when using the OTLP receiver");
  }
  return {};
}

void unmarshalConfig(const ConfigNode& node, OtlpReceiverConfig& cfg, Diagnostics& diags) {
  MapReader r(node, diags);
  const ConfigNode* protocols = r.child("protocols");
  cfg.grpc.reset();
  cfg.http.reset();
  if (protocols && protocols->isMap()) {
    MapReader p(*protocols, diags);
    // Presence enables a protocol even when its body is null ("grpc:" alone).
    if (const ConfigNode* g = protocols->find("grpc")) {
      p.ignore("grpc");
      cfg.grpc.emplace();
      unmarshalGrpc(*g, *cfg.grpc, diags);
    }
    if (const ConfigNode* h = protocols->find("http")) {
      p.ignore("http");
      cfg.http.emplace();
      unmarshalHttp(*h, *cfg.http, diags);
    }
    p.finish();
  } else if (protocols && !protocols->isNull()) {
    r.error("protocols", "protocols must be a map with grpc and/or http");
  }
  if (!cfg.grpc && !cfg.http) {
    r.error("protocols", "must specify at least one protocol when using the OTLP receiver");
  }
  r.finish();
}

bool isLoopbackEndpoint(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  std::string_view host = colon == std::string::npos ? std::string_view(endpoint)
                                                     : std::string_view(endpoint).substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (strings::iequals(host, "localhost") || host == "::1") return true;
  // 127.0.0.0/8: four dotted decimal octets starting with 127.
  if (!strings::startsWith(host, "127.")) return false;
  int parts = 0;
  for (auto part : strings::split(host, '.')) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || p != part.data() + part.size() || v > 255)
      return false;
    ++parts;
  }
  return parts == 4;
}

}  // namespace agentgate::components::otlpreceiver
