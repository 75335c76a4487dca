#include "net/tls_config.h"

#include <gtest/gtest.h>

#include "net/cors_config.h"

namespace agentgate::net {
namespace {

using config::ConfigNode;
using config::Diagnostics;
using config::Mark;

ConfigNode mapOf(std::initializer_list<std::pair<std::string, std::string>> kv) {
  ConfigNode m = ConfigNode::map(Mark{"t.yaml", 1, 1}, "tls");
  int line = 2;
  for (const auto& [k, v] : kv) {
    m.add(k, ConfigNode::scalar(v, Mark{"t.yaml", line++, 3}, "tls." + k));
  }
  return m;
}

ConfigNode listOf(const std::string& path, std::initializer_list<std::string> items) {
  ConfigNode s = ConfigNode::sequence(Mark{"t.yaml", 1, 1}, path);
  for (const auto& i : items) s.push(ConfigNode::scalar(i, Mark{"t.yaml", 1, 1}, path));
  return s;
}

TEST(TlsConfig, ReadsCollectorKeys) {
  ConfigNode n = mapOf({{"cert_file", "/c.pem"},
                        {"key_file", "/k.pem"},
                        {"client_ca_file", "/ca.pem"},
                        {"ca_file", "/ca2.pem"},
                        {"min_version", "1.3"},
                        {"reload_interval", "1h"},
                        {"include_system_ca_certs_pool", "true"}});
  TlsServerConfig tls;
  Diagnostics d;
  unmarshalTlsServer(n, tls, d);
  EXPECT_FALSE(d.hasErrors()) << d.report();
  EXPECT_TRUE(tls.enabled());
  EXPECT_EQ(tls.cert_file, "/c.pem");
  EXPECT_EQ(tls.key_file, "/k.pem");
  EXPECT_EQ(tls.client_ca_file, "/ca.pem");
  EXPECT_EQ(tls.ca_file, "/ca2.pem");
  EXPECT_EQ(tls.min_version, "1.3");
}

TEST(TlsConfig, ReportsProblems) {
  struct Case {
    ConfigNode node;
    std::string want;
  };
  std::vector<Case> cases;
  cases.push_back({mapOf({{"cert_file", "/c.pem"}}), "key_file"});
  cases.push_back({mapOf({{"key_file", "/k.pem"}}), "cert_file"});
  cases.push_back({mapOf({{"client_ca_file", "/ca.pem"}}), "client_ca_file"});
  cases.push_back(
      {mapOf({{"cert_file", "/c"}, {"key_file", "/k"}, {"min_version", "1.1"}}), "below 1.2"});
  cases.push_back(
      {mapOf({{"cert_file", "/c"}, {"key_file", "/k"}, {"min_version", "2"}}), "min_version"});
  cases.push_back({mapOf({{"cert_file", "/c"},
                          {"key_file", "/k"},
                          {"min_version", "1.3"},
                          {"max_version", "1.2"}}),
                   "max_version"});
  cases.push_back(
      {mapOf({{"cert_file", "/c"}, {"key_file", "/k"}, {"certfile", "/x"}}), "certfile"});
  for (auto& c : cases) {
    TlsServerConfig tls;
    Diagnostics d;
    unmarshalTlsServer(c.node, tls, d);
    ASSERT_TRUE(d.hasErrors()) << c.want;
    EXPECT_NE(d.report().find(c.want), std::string::npos) << d.report();
  }
}

TEST(CorsConfig, ReadsListsAndMaxAge) {
  ConfigNode m = ConfigNode::map(Mark{"t.yaml", 1, 1}, "cors");
  m.add("allowed_origins", listOf("cors.allowed_origins", {"https://a.com", "https://*.b.dev"}));
  m.add("allowed_headers", listOf("cors.allowed_headers", {"X-Foo"}));
  m.add("max_age", ConfigNode::scalar("7200", Mark{"t.yaml", 4, 3}, "cors.max_age"));
  CorsConfig cors;
  Diagnostics d;
  unmarshalCors(m, cors, d);
  EXPECT_FALSE(d.hasErrors()) << d.report();
  EXPECT_TRUE(cors.enabled());
  EXPECT_EQ(cors.allowed_origins.size(), 2u);
  EXPECT_EQ(cors.allowed_headers, std::vector<std::string>{"X-Foo"});
  EXPECT_EQ(cors.max_age, 7200);
  EXPECT_TRUE(corsOriginAllowed(cors, "https://a.com"));
  EXPECT_TRUE(corsOriginAllowed(cors, "https://x.b.dev"));
  EXPECT_FALSE(corsOriginAllowed(cors, "https://b.dev"));
  EXPECT_FALSE(corsOriginAllowed(cors, "https://x.b.dev.evil"));
  EXPECT_FALSE(corsOriginAllowed(cors, "https://evil/x.b.dev"));
  EXPECT_FALSE(corsOriginAllowed(cors, "http://a.com"));
}

TEST(CorsConfig, RejectsBadPatternsAndUnknownKeys) {
  ConfigNode m = ConfigNode::map(Mark{"t.yaml", 1, 1}, "cors");
  m.add("allowed_origins", listOf("cors.allowed_origins", {"https://*.*.com"}));
  m.add("allowed_method", ConfigNode::scalar("POST", Mark{"t.yaml", 3, 3}, "cors.allowed_method"));
  CorsConfig cors;
  Diagnostics d;
  unmarshalCors(m, cors, d);
  std::string report = d.report();
  EXPECT_NE(report.find("invalid origin pattern"), std::string::npos) << report;
  EXPECT_NE(report.find("allowed_method"), std::string::npos) << report;
}

TEST(CorsConfig, StarAllowsEverything) {
  CorsConfig cors;
  cors.allowed_origins = {"*"};
  EXPECT_TRUE(corsOriginAllowed(cors, "https://anything.example"));
  CorsConfig none;
  EXPECT_FALSE(none.enabled());
  EXPECT_FALSE(corsOriginAllowed(none, "https://a.com"));
}

}  // namespace
}  // namespace agentgate::net
