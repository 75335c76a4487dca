// Connection strings, the destination precedence and the config keys of the azuremonitor
// exporter (spec/azure-monitor.md 1.1, 1.5). Delivery is tested against the Azure Monitor
// emulator in tests/azure_emulator/azuremonitor_exporter_test.cc.
#include <gtest/gtest.h>

#include "components/exporter/azuremonitor/config.h"
#include "components/exporter/azuremonitor/connection_string.h"
#include "components/exporter/azuremonitor/factory.h"
#include "config/loader.h"

namespace agentgate::components::azuremonitor {
namespace {

constexpr const char* kKey = "11111111-2222-3333-4444-555555555555";

TEST(ConnectionStringTest, KeysAndDefaults) {
  auto cs = parseConnectionString(
      std::string("InstrumentationKey=") + kKey +
      ";IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;"
      "LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/;"
      "ApplicationId=abcd;AADAudience=https://monitor.azure.com/");
  ASSERT_TRUE(cs.ok()) << cs.error().message;
  EXPECT_EQ(cs->instrumentation_key, kKey);
  EXPECT_EQ(cs->ingestion_endpoint, "https://westeurope-5.in.applicationinsights.azure.com/");
  EXPECT_EQ(cs->live_endpoint, "https://westeurope.livediagnostics.monitor.azure.com/");
  EXPECT_EQ(cs->application_id, "abcd");
  EXPECT_EQ(cs->aad_audience, "https://monitor.azure.com/");
  EXPECT_EQ(cs->authorization, "ikey");
  EXPECT_FALSE(cs->aad());
  EXPECT_EQ(trackUrl(cs->ingestion_endpoint),
            "https://westeurope-5.in.applicationinsights.azure.com/v2.1/track");

  // ikey only: the global endpoint (the Go parser's test).
  auto only = parseConnectionString(std::string("InstrumentationKey=") + kKey);
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(trackUrl(only->ingestion_endpoint), "https://dc.services.visualstudio.com/v2.1/track");
  EXPECT_EQ(trackUrl("https://ingestion.azuremonitor.com/"),
            "https://ingestion.azuremonitor.com/v2.1/track");
}

TEST(ConnectionStringTest, WhitespaceCaseTrailingSemicolonAndAad) {
  auto cs = parseConnectionString(std::string(" instrumentationkey = ") + kKey +
                                  " ; Authorization=AAD ;");
  ASSERT_TRUE(cs.ok()) << cs.error().message;
  EXPECT_EQ(cs->instrumentation_key, kKey);
  EXPECT_TRUE(cs->aad());
}

TEST(ConnectionStringTest, SovereignCloudSuffixBuildsTheIngestionHost) {
  auto cs = parseConnectionString(std::string("InstrumentationKey=") + kKey +
                                  ";EndpointSuffix=applicationinsights.azure.cn");
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->ingestion_endpoint, "https://dc.applicationinsights.azure.cn/");
  auto loc = parseConnectionString(std::string("InstrumentationKey=") + kKey +
                                   ";EndpointSuffix=applicationinsights.us;Location=usgovvirginia");
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->ingestion_endpoint, "https://usgovvirginia.dc.applicationinsights.us/");
  // An explicit IngestionEndpoint wins over the suffix.
  auto both = parseConnectionString(std::string("InstrumentationKey=") + kKey +
                                    ";EndpointSuffix=x.cn;IngestionEndpoint=https://e/");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->ingestion_endpoint, "https://e/");
}

TEST(ConnectionStringTest, Errors) {
  EXPECT_FALSE(parseConnectionString("IngestionEndpoint=https://x/").ok());
  EXPECT_FALSE(parseConnectionString("InstrumentationKey=").ok());
  auto no_eq = parseConnectionString(std::string("InstrumentationKey=") + kKey + ";garbage");
  ASSERT_FALSE(no_eq.ok());
  EXPECT_EQ(no_eq.error().message.find("garbage"), std::string::npos);  // never quoted
  EXPECT_FALSE(parseConnectionString(std::string("InstrumentationKey=") + kKey + ";=v").ok());
  std::string long_cs = std::string("InstrumentationKey=") + kKey + ";X=" + std::string(4096, 'a');
  EXPECT_FALSE(parseConnectionString(long_cs).ok());
}

TEST(ConnectionStringTest, TrackUrlJoinsWithOneSlashAndKeepsQueries) {
  EXPECT_EQ(trackUrl("http://127.0.0.1:9/"), "http://127.0.0.1:9/v2.1/track");
  EXPECT_EQ(trackUrl("http://127.0.0.1:9"), "http://127.0.0.1:9/v2.1/track");
  EXPECT_EQ(trackUrl("https://proxy/ai//"), "https://proxy/ai/v2.1/track");
  EXPECT_EQ(trackUrl("https://proxy/ai?x=1"), "https://proxy/ai/v2.1/track?x=1");
  // The README's documented `endpoint` default already names the path.
  EXPECT_EQ(trackUrl("https://dc.services.visualstudio.com/v2/track"),
            "https://dc.services.visualstudio.com/v2/track");
}

TEST(DestinationTest, EnvironmentWinsThenConnectionStringThenInstrumentationKey) {
  const std::string env =
      "InstrumentationKey=aaaaaaaa-0000-0000-0000-000000000000;"
      "IngestionEndpoint=http://env/";
  const std::string cfg =
      "InstrumentationKey=bbbbbbbb-0000-0000-0000-000000000000;"
      "IngestionEndpoint=http://cfg/";
  auto d = resolveDestination(env, cfg, "cccccccc-0000-0000-0000-000000000000", "http://ep/");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->instrumentation_key, "aaaaaaaa-0000-0000-0000-000000000000");
  EXPECT_EQ(d->url, "http://env/v2.1/track");
  EXPECT_EQ(d->source, "environment");
  d = resolveDestination("", cfg, "cccccccc-0000-0000-0000-000000000000", "http://ep/");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->url, "http://cfg/v2.1/track");
  d = resolveDestination("", "", "cccccccc-0000-0000-0000-000000000000", "http://ep/");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->instrumentation_key, "cccccccc-0000-0000-0000-000000000000");
  EXPECT_EQ(d->url, "http://ep/v2.1/track");
  d = resolveDestination("", "", "cccccccc-0000-0000-0000-000000000000", "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->url, "https://dc.services.visualstudio.com/v2.1/track");
  auto none = resolveDestination("", "", "", "");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "ConnectionString and InstrumentationKey cannot be empty");
}

std::unique_ptr<ComponentConfig> unmarshal(const std::string& yaml, config::Diagnostics& d) {
  AzureMonitorFactory f;
  auto cfg = f.createDefaultConfig();
  auto node = config::parseYaml(
      yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, d);
  f.unmarshal(node, *cfg, d);
  return cfg;
}

TEST(AzureMonitorConfigTest, DefaultsAreTheGoExporters) {
  AzureMonitorFactory f;
  EXPECT_EQ(f.type(), "azuremonitor");
  EXPECT_TRUE(f.queueByDefault());
  auto cfg = f.createDefaultConfig();
  const auto& c = static_cast<const Config&>(*cfg);
  EXPECT_EQ(c.max_batch_size, 1024);
  EXPECT_EQ(c.max_batch_interval, std::chrono::seconds(10));
  EXPECT_FALSE(c.span_events_enabled);
  EXPECT_FALSE(c.custom_events_enabled);
  EXPECT_FALSE(c.exception_events_enabled);
  EXPECT_EQ(c.shutdown_timeout, std::chrono::seconds(1));
  EXPECT_EQ(c.cloud_role_instance, std::vector<std::string>{"service.instance.id"});
  EXPECT_EQ(c.application_version, std::vector<std::string>{"service.version"});
  EXPECT_EQ(c.max_item_bytes, 65536u);
}

TEST(AzureMonitorConfigTest, EveryGoKeyIsAccepted) {
  config::Diagnostics d;
  auto cfg = unmarshal(R"(
connection_string: "InstrumentationKey=11111111-2222-3333-4444-555555555555"
instrumentation_key: 11111111-2222-3333-4444-555555555555
endpoint: https://dc.services.visualstudio.com/v2/track
maxbatchsize: 100
maxbatchinterval: 2s
spaneventsenabled: true
custom_events_enabled: true
exception_events_enabled: true
shutdown_timeout: 3s
non_error_http_status_codes: [404, 409]
align_http_server_request_success_with_otel_spec: true
tag_mappings:
  cloud_role_instance: [host.name, service.instance.id, fallback]
  application_version: [app.version]
auth:
  authenticator: azureauth
headers:
  X-Team: platform
tls:
  insecure_skip_verify: false
compression: gzip
read_buffer_size: 1024
write_buffer_size: 1024
max_idle_conns: 10
idle_conn_timeout: 90s
disable_keep_alives: false
proxy_url: ""
max_item_bytes: 32768
)",
                       d);
  EXPECT_FALSE(d.hasErrors()) << d.report();
  const auto& c = static_cast<const Config&>(*cfg);
  EXPECT_EQ(c.max_batch_size, 100);
  EXPECT_TRUE(c.span_events_enabled);
  EXPECT_TRUE(c.custom_events_enabled);
  EXPECT_TRUE(c.exception_events_enabled);
  EXPECT_EQ(c.non_error_http_status_codes, (std::vector<int>{404, 409}));
  EXPECT_TRUE(c.align_http_server_request_success_with_otel_spec);
  EXPECT_EQ(c.cloud_role_instance,
            (std::vector<std::string>{"host.name", "service.instance.id", "fallback"}));
  EXPECT_EQ(c.application_version, std::vector<std::string>{"app.version"});
  EXPECT_EQ(c.authenticator, "azureauth");
  EXPECT_EQ(c.headers.at("X-Team"), "platform");
  EXPECT_EQ(c.max_item_bytes, 32768u);

  config::Diagnostics old_spelling;
  auto legacy = unmarshal("customeventsenabled: true\n", old_spelling);
  EXPECT_FALSE(old_spelling.hasErrors());
  EXPECT_TRUE(static_cast<const Config&>(*legacy).custom_events_enabled);
}

TEST(AzureMonitorConfigTest, BadValuesAreReportedAtTheirKey) {
  for (const char* yaml :
       {"maxbatchsize: 0\n", "maxbatchsize: 64001\n", "non_error_http_status_codes: [99]\n",
        "non_error_http_status_codes: [abc]\n", "tag_mappings: {cloud_role_instance: []}\n",
        "max_item_bytes: 70000\n", "auth: {authenticator: \"\"}\n", "colour: blue\n",
        "connection_string: \"IngestionEndpoint=https://x/\"\n"}) {
    config::Diagnostics d;
    unmarshal(yaml, d);
    EXPECT_TRUE(d.hasErrors()) << yaml;
  }
}

TEST(AzureMonitorConfigTest, CreateNeedsAKey) {
  AzureMonitorFactory f;
  auto cfg = f.createDefaultConfig();
  CreateSettings s;
  s.id = {"azuremonitor", ""};
  unsetenv("APPLICATIONINSIGHTS_CONNECTION_STRING");
  auto none = f.create(s, *cfg);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("cannot be empty"), std::string::npos);
  static_cast<Config&>(*cfg).instrumentation_key = kKey;
  EXPECT_TRUE(f.create(s, *cfg).ok());
}

}  // namespace
}  // namespace agentgate::components::azuremonitor
