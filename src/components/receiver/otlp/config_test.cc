#include "components/receiver/otlp/config.h"

#include <gtest/gtest.h>

#include "components/receiver/otlp/factory.h"
#include "config/loader.h"

namespace agentgate::components::otlpreceiver {
namespace {

struct Parsed {
  OtlpReceiverConfig cfg;
  config::Diagnostics diags;
};

std::unique_ptr<Parsed> parse(const std::string& yaml) {
  auto out = std::make_unique<Parsed>();
  auto env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  config::ConfigNode root = config::parseYaml(yaml, "test.yaml", env, out->diags);
  const config::ConfigNode* node = root.find("otlp");
  EXPECT_NE(node, nullptr);
  auto factory = makeOtlpReceiverFactory();
  factory->unmarshal(node ? *node : root, out->cfg, out->diags);
  return out;
}

TEST(OtlpConfig, FactoryBasics) {
  auto f = makeOtlpReceiverFactory();
  EXPECT_EQ(f->type(), "otlp");
  for (Signal s : kAllSignals) EXPECT_EQ(f->stability(s), Stability::kStable);
  auto def = f->createDefaultConfig();
  auto* cfg = dynamic_cast<OtlpReceiverConfig*>(def.get());
  ASSERT_NE(cfg, nullptr);
  ASSERT_TRUE(cfg->grpc && cfg->http);
  EXPECT_EQ(cfg->grpc->endpoint, "localhost:4317");
  EXPECT_EQ(cfg->grpc->max_recv_msg_size_mib, 4);
  EXPECT_EQ(cfg->http->endpoint, "localhost:4318");
  EXPECT_EQ(cfg->http->max_request_body_size, 20u << 20);
  EXPECT_EQ(cfg->http->logs_url_path, "/v1/logs");
}

TEST(OtlpConfig, NullProtocolBodiesEnableDefaults) {
  auto p = parse("otlp:\n  protocols:\n    grpc:\n    http:\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->diags.report();
  ASSERT_TRUE(p->cfg.grpc && p->cfg.http);
  EXPECT_EQ(p->cfg.grpc->endpoint, "localhost:4317");
  EXPECT_EQ(p->cfg.http->endpoint, "localhost:4318");
}

TEST(OtlpConfig, OnlyNamedProtocolsAreEnabled) {
  auto p = parse("otlp:\n  protocols:\n    http:\n      endpoint: 0.0.0.0:4318\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->diags.report();
  EXPECT_FALSE(p->cfg.grpc.has_value());
  ASSERT_TRUE(p->cfg.http.has_value());
  EXPECT_EQ(p->cfg.http->endpoint, "0.0.0.0:4318");
}

TEST(OtlpConfig, AtLeastOneProtocolRequired) {
  auto p = parse("otlp:\n  protocols:\n");
  EXPECT_TRUE(p->diags.hasErrors());
  EXPECT_NE(p->diags.report().find("at least one protocol"), std::string::npos);
  auto q = parse("otlp:\n");
  EXPECT_TRUE(q->diags.hasErrors());
}

TEST(OtlpConfig, FullConfig) {
  auto p = parse(R"(otlp:
  protocols:
    grpc:
      endpoint: 127.0.0.1:14317
      transport: tcp
      max_recv_msg_size_mib: 16
      max_concurrent_streams: 100
      read_buffer_size: 524288
      write_buffer_size: 0
      keepalive:
        server_parameters:
          max_connection_idle: 11s
      include_metadata: true
      auth:
        authenticator: bearertokenauth/ingest
    http:
      endpoint: 127.0.0.1:14318
      max_request_body_size: 1048576
      include_metadata: true
      cors:
        allowed_origins: ["https://*.example.com"]
        max_age: 600
      auth:
        authenticator: bearertokenauth
      traces_url_path: /otlp/v1/traces
      metrics_url_path: otlp/v1/metrics
      compression_algorithms: [gzip, zstd]
      response_headers:
        X-Served-By: agentgate
)");
  ASSERT_FALSE(p->diags.hasErrors()) << p->diags.report();
  const auto& g = *p->cfg.grpc;
  EXPECT_EQ(g.endpoint, "127.0.0.1:14317");
  EXPECT_EQ(g.max_recv_msg_size_mib, 16);
  EXPECT_EQ(g.max_concurrent_streams, 100);
  EXPECT_TRUE(g.include_metadata);
  EXPECT_EQ(g.authenticator, "bearertokenauth/ingest");
  const auto& h = *p->cfg.http;
  EXPECT_EQ(h.max_request_body_size, 1048576u);
  EXPECT_EQ(h.authenticator, "bearertokenauth");
  EXPECT_EQ(h.traces_url_path, "/otlp/v1/traces");
  EXPECT_EQ(h.metrics_url_path, "/otlp/v1/metrics");  // leading slash added
  EXPECT_EQ(h.logs_url_path, "/v1/logs");
  EXPECT_EQ(h.compression_algorithms, (std::vector<std::string>{"gzip", "zstd"}));
  EXPECT_EQ(h.cors.allowed_origins.size(), 1u);
  EXPECT_EQ(h.response_headers.at("X-Served-By"), "agentgate");
}

TEST(OtlpConfig, ErrorsNameTheKey) {
  auto unknown = parse("otlp:\n  protocols:\n    http:\n      endpointt: x\n");
  ASSERT_TRUE(unknown->diags.hasErrors());
  EXPECT_NE(unknown->diags.report().find("endpointt"), std::string::npos);

  auto transport = parse("otlp:\n  protocols:\n    grpc:\n      transport: unix\n");
  EXPECT_TRUE(transport->diags.hasErrors());

  auto endpoint = parse("otlp:\n  protocols:\n    grpc:\n      endpoint: nohostport\n");
  EXPECT_TRUE(endpoint->diags.hasErrors());

  auto proto = parse("otlp:\n  protocols:\n    websocket:\n");
  EXPECT_TRUE(proto->diags.hasErrors());

  auto comp = parse("otlp:\n  protocols:\n    http:\n      compression_algorithms: [brotli]\n");
  EXPECT_TRUE(comp->diags.hasErrors());

  auto tls = parse("otlp:\n  protocols:\n    http:\n      tls:\n        cert_file: a.pem\n");
  EXPECT_TRUE(tls->diags.hasErrors());  // key_file missing
}

TEST(OtlpConfig, TestdataFileLoads) {
  config::Diagnostics diags;
  auto env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  auto root = config::loadFile(
      std::string(AGENTGATE_SOURCE_DIR) + "/src/components/receiver/otlp/testdata/config_full.yaml",
      env, diags);
  const config::ConfigNode* node = root.find("otlp");
  ASSERT_NE(node, nullptr) << diags.report();
  OtlpReceiverConfig cfg;
  makeOtlpReceiverFactory()->unmarshal(*node, cfg, diags);
  ASSERT_FALSE(diags.hasErrors()) << diags.report();
  EXPECT_EQ(cfg.grpc->max_recv_msg_size_mib, 16);
  EXPECT_EQ(cfg.http->traces_url_path, "/otlp/v1/traces");
  EXPECT_EQ(cfg.http->max_request_body_size, 1048576u);
}

TEST(OtlpConfig, LoopbackDetection) {
  EXPECT_TRUE(isLoopbackEndpoint("localhost:4317"));
  EXPECT_TRUE(isLoopbackEndpoint("127.0.0.1:4317"));
  EXPECT_TRUE(isLoopbackEndpoint("127.1.2.3:0"));
  EXPECT_TRUE(isLoopbackEndpoint("[::1]:4318"));
  EXPECT_FALSE(isLoopbackEndpoint("0.0.0.0:4317"));
  EXPECT_FALSE(isLoopbackEndpoint(":4317"));
  EXPECT_FALSE(isLoopbackEndpoint("[::]:4317"));
  EXPECT_FALSE(isLoopbackEndpoint("10.0.0.1:4317"));
  EXPECT_FALSE(isLoopbackEndpoint("127.example.com:4317"));
}

}  // namespace
}  // namespace agentgate::components::otlpreceiver
