#include "components/extension/health_check/health_check.h"

#include <gtest/gtest.h>

#include "components/extension/health_check/factory.h"
#include "config/loader.h"
#include "testlib/curl_client.h"
#include "testlib/test_host.h"

namespace agentgate::components::health_check {
namespace {

Config loopback() {
  Config c;
  c.endpoint = "localhost:0";
  return c;
}

TEST(HealthCheck, AnswersByHostReadiness) {
  testlib::TestHost host;
  HealthCheck hc("health_check", loopback());
  ASSERT_TRUE(hc.start(host).ok());
  std::string addr = host.endpoint("health_check");
  ASSERT_FALSE(addr.empty());
  EXPECT_EQ(addr.rfind("127.0.0.1:", 0), 0u) << addr;
  EXPECT_EQ(addr, hc.boundAddress());

  auto r = testlib::curlRequest("GET", "http://" + addr + "/", "");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_NE(r.body.find("\"status\":\"Server available\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"upSince\":"), std::string::npos) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");

  host.setReady(false);
  r = testlib::curlRequest("GET", "http://" + addr + "/", "");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "{\"status\":\"Server not available\"}");

  r = testlib::curlRequest("GET", "http://" + addr + "/other", "");
  EXPECT_EQ(r.status, 404);
  hc.shutdown();
  hc.shutdown();
}

TEST(HealthCheck, CustomPathAndBodies) {
  testlib::TestHost host;
  Config c = loopback();
  c.path = "/health/status";
  c.healthy_body = "I'm OK";
  c.unhealthy_body = "I'm not well";
  HealthCheck hc("health_check/probe", c);
  ASSERT_TRUE(hc.start(host).ok());
  std::string addr = host.endpoint("health_check/probe");
  ASSERT_FALSE(addr.empty());
  auto r = testlib::curlRequest("GET", "http://" + addr + "/health/status", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "I'm OK");
  host.setReady(false);
  r = testlib::curlRequest("GET", "http://" + addr + "/health/status", "");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "I'm not well");
  EXPECT_EQ(testlib::curlRequest("GET", "http://" + addr + "/", "").status, 404);
}

TEST(HealthCheckConfig, KeysAndDefaults) {
  EXPECT_EQ(resolveLocalhost("localhost:13133"), "127.0.0.1:13133");
  EXPECT_EQ(resolveLocalhost("0.0.0.0:13133"), "0.0.0.0:13133");
  auto f = makeHealthCheckFactory();
  auto parse = [&](const std::string& yaml, Config& out) {
    config::Diagnostics d;
    auto node = config::parseYaml(
        yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, d);
    auto cfg = f->createDefaultConfig();
    f->unmarshal(node, *cfg, d);
    out = static_cast<Config&>(*cfg);
    return !d.hasErrors();
  };
  Config c;
  ASSERT_TRUE(parse("", c));
  EXPECT_EQ(c.endpoint, "localhost:13133");
  EXPECT_EQ(c.path, "/");
  ASSERT_TRUE(
      parse("endpoint: 0.0.0.0:1\npath: /h\nresponse_body: {healthy: up}\n"
            "check_collector_pipeline: {enabled: false}\n",
            c));
  EXPECT_EQ(c.path, "/h");
  EXPECT_EQ(c.healthy_body.value_or(""), "up");
  EXPECT_FALSE(c.unhealthy_body.has_value());
  EXPECT_FALSE(parse("path: h\n", c));
  EXPECT_FALSE(parse("endpoint: nocolon\n", c));
  EXPECT_FALSE(parse("bogus: 1\n", c));
}

}  // namespace
}  // namespace agentgate::components::health_check
