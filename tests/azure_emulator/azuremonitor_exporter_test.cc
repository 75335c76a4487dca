// The azuremonitor exporter against the emulator's track endpoint, with the sending queue in
// front as the pipeline puts it: captures land in the App* tables; 206 re-sends exactly the
// failed retryable items; Retry-After is honoured; 503 then recovery delivers everything; 400
// drops and counts; requests split at maxbatchsize; Authorization=AAD takes the authenticator's
// token.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>

#include "components/exporter/azuremonitor/azuremonitor_exporter.h"
#include "components/exporter/azuremonitor/factory.h"
#include "components/extension/bearertokenauth/bearer_token_auth.h"
#include "config/loader.h"
#include "exporterhelper/queued_exporter.h"
#include "exporterhelper/test_util.h"
#include "test_util.h"
#include "testlib/test_host.h"

namespace agentgate::azure_emulator {
namespace {

using components::azuremonitor::AzureMonitorExporter;
using components::azuremonitor::AzureMonitorFactory;
using testing::Emulator;
using testing::kKey;

constexpr auto kWait = std::chrono::seconds(30);

std::shared_ptr<Exporter> makeExporter(const std::string& connection_string,
                                       const std::string& extra_yaml = {}) {
  unsetenv("APPLICATIONINSIGHTS_CONNECTION_STRING");
  AzureMonitorFactory f;
  auto cfg = f.createDefaultConfig();
  config::Diagnostics d;
  auto node = config::parseYaml(
      "connection_string: \"" + connection_string + "\"\n" + extra_yaml, "t.yaml",
      [](std::string_view) { return std::nullopt; }, d);
  f.unmarshal(node, *cfg, d);
  EXPECT_FALSE(d.hasErrors()) << d.report();
  CreateSettings s;
  s.id = {"azuremonitor", ""};
  auto created = f.create(s, *cfg);
  EXPECT_TRUE(created.ok()) << created.error().message;
  return created.ok() ? created.value() : nullptr;
}

std::string connectionString(const Emulator& emu) {
  return std::string("InstrumentationKey=") + kKey +
         ";IngestionEndpoint=" + emu.server->ingestionEndpoint();
}

// A logs batch of `n` records with distinct bodies "claude_code.test.<first + i>".
pdata::BatchPtr logs(int n, size_t body_bytes = 0, int first = 0) {
  std::string json = R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name",)"
                     R"("value":{"stringValue":"claude-code"}}]},"scopeLogs":[{"logRecords":[)";
  for (int i = 0; i < n; ++i) {
    if (i) json += ",";
    std::string body = "claude_code.test." + std::to_string(first + i);
    if (body_bytes > body.size()) body += std::string(body_bytes - body.size(), 'x');
    json += R"({"timeUnixNano":")" + std::to_string(1'795'577'638'000'000'000ull + i) +
            R"(","severityNumber":9,"body":{"stringValue":")" + body + R"("}})";
  }
  json += "]}]}]}";
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  EXPECT_TRUE(pdata::decodeJson(*b, json).ok());
  return b;
}

// The sending queue as the pipeline builds it, with short deterministic back-off.
struct Queued {
  exporterhelper::testing::ScratchDir dir;
  std::unique_ptr<exporterhelper::QueuedExporter> exporter;

  Queued(std::shared_ptr<Exporter> inner, testlib::TestHost& host) {
    exporterhelper::QueueOptions o;
    o.directory = dir.path();
    o.fsync = exporterhelper::FsyncPolicy::kNever;
    exporterhelper::RetrySettings r;
    r.initial_interval = std::chrono::milliseconds(100);
    r.randomization_factor = 0;
    r.max_interval = std::chrono::seconds(1);
    exporter = std::make_unique<exporterhelper::QueuedExporter>("azuremonitor", std::move(inner), o,
                                                                1, r, &host.telemetry());
    Status st = exporter->start(host);
    EXPECT_TRUE(st.ok()) << st.error().message;
  }
  ~Queued() { exporter->shutdown(); }
  bool drained() {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (exporter->queue()->stats().records == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

uint64_t dropped(testlib::TestHost& host, const std::string& reason) {
  return host.telemetry().counterValue("agentgate_exporter_dropped_log_records_total",
                                       {{"exporter", "azuremonitor"}, {"reason", reason}});
}

// No envelope landed twice.
void expectNoDuplicates(const std::vector<std::string>& accepted) {
  std::set<std::string> unique(accepted.begin(), accepted.end());
  EXPECT_EQ(unique.size(), accepted.size()) << "an accepted envelope was sent again";
}

TEST(AzureMonitorExporterTest, AgentCapturesLandInTheAppTables) {
  Emulator emu;
  testlib::TestHost host;
  auto exporter = makeExporter(connectionString(emu), "spaneventsenabled: true\n");
  ASSERT_TRUE(exporter->start(host).ok());
  auto* am = static_cast<AzureMonitorExporter*>(exporter.get());
  const char* captures[] = {
      "claude-code-2.1.331/a-defaults-tool/"
      "claude-code-2.1.331_a-defaults-tool_logs_http-protobuf_0001.pb",
      "claude-code-2.1.331/a-defaults-tool/"
      "claude-code-2.1.331_a-defaults-tool_traces_http-protobuf_0002.pb",
      "claude-code-2.1.331/a-defaults-tool/"
      "claude-code-2.1.331_a-defaults-tool_metrics_http-protobuf_0004.pb",
      "copilot-cli-1.0.102/a-defaults-tool/"
      "copilot-cli-1.0.102_a-defaults-tool_traces_http-json_0002.otlp.json",
      "copilot-cli-1.0.102/a-defaults-tool/"
      "copilot-cli-1.0.102_a-defaults-tool_metrics_http-json_0001.otlp.json",
  };
  std::vector<std::string> sent;
  for (const char* c : captures) {
    auto batch = testing::loadCapture(std::string(c));
    ASSERT_TRUE(batch) << c;
    auto lines = am->serialize(*batch);
    sent.insert(sent.end(), lines.begin(), lines.end());
    Status st = exporter->consume(std::move(batch));
    ASSERT_TRUE(st.ok()) << c << ": " << st.error().message;
  }
  // Everything the exporter serialized was accepted as it was sent (the endpoint's strict checks
  // passed), in order, once.
  EXPECT_EQ(emu.server->endpoint().accepted(), sent);
  for (const auto& r : emu.server->endpoint().requests()) {
    EXPECT_EQ(r.content_type, "application/x-json-stream");
    EXPECT_EQ(r.content_encoding, "gzip");
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_GT(emu.tables->count("AppTraces").value(), 0);
  EXPECT_GT(emu.tables->count("AppDependencies").value(), 0);
  EXPECT_GT(emu.tables->count("AppMetrics").value(), 0);
  auto q = emu.tables->query(
      "AppTraces | where Message startswith \"claude_code.\" | project TimeGenerated, "
      "Name=tostring(Message), Properties | order by TimeGenerated desc");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_GT(q->rows.size(), 0u);
  exporter->shutdown();
}

TEST(AzureMonitorExporterTest, PartialSuccessResendsExactlyTheFailedRetryableItems) {
  Emulator emu;
  testlib::TestHost host;
  // Items 1, 4, 6, 7, 8 fail with retryable codes, item 3 with a permanent one.
  emu.server->endpoint().script(
      {206, {{1, 500}, {3, 400}, {4, 429}, {6, 503}, {7, 439}, {8, 408}}, "", 1});
  Queued q(makeExporter(connectionString(emu)), host);
  ASSERT_TRUE(q.exporter->consume(logs(10)).ok());
  ASSERT_TRUE(emu.server->endpoint().waitForAccepted(9, kWait));
  ASSERT_TRUE(q.drained());
  auto requests = emu.server->endpoint().requests();
  ASSERT_EQ(requests.size(), 2u);
  ASSERT_EQ(requests[0].envelopes.size(), 10u);
  const auto& first = requests[0].envelopes;
  EXPECT_EQ(requests[1].envelopes,
            (std::vector<std::string>{first[1], first[4], first[6], first[7], first[8]}));
  EXPECT_EQ(requests[1].status, 200);
  auto accepted = emu.server->endpoint().accepted();
  EXPECT_EQ(accepted.size(), 9u);
  expectNoDuplicates(accepted);
  EXPECT_EQ(std::count(accepted.begin(), accepted.end(), first[3]), 0);
  EXPECT_EQ(emu.tables->count("AppTraces").value(), 9);
  EXPECT_EQ(dropped(host, "rejected"), 1u);
  EXPECT_EQ(q.exporter->retries(), 1u);
}

TEST(AzureMonitorExporterTest, TooManyRequestsWaitsForRetryAfter) {
  Emulator emu;
  testlib::TestHost host;
  emu.server->endpoint().script({429, {}, "2", 1});
  Queued q(makeExporter(connectionString(emu)), host);
  ASSERT_TRUE(q.exporter->consume(logs(3)).ok());
  ASSERT_TRUE(emu.server->endpoint().waitForAccepted(3, kWait));
  auto requests = emu.server->endpoint().requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].status, 429);
  // The back-off alone would retry after 100 ms; Retry-After: 2 holds it for two seconds.
  EXPECT_GE(requests[1].at - requests[0].at, std::chrono::seconds(2));
  EXPECT_EQ(requests[1].envelopes, requests[0].envelopes);
  expectNoDuplicates(emu.server->endpoint().accepted());
}

TEST(AzureMonitorExporterTest, ThrottledOverExtendedTime439WithAnHttpDate) {
  Emulator emu;
  testlib::TestHost host;
  char date[64];
  std::time_t when = std::time(nullptr) + 2;
  std::tm tm{};
  gmtime_r(&when, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  emu.server->endpoint().script({439, {}, date, 1});
  Queued q(makeExporter(connectionString(emu)), host);
  ASSERT_TRUE(q.exporter->consume(logs(2)).ok());
  ASSERT_TRUE(emu.server->endpoint().waitForAccepted(2, kWait));
  auto requests = emu.server->endpoint().requests();
  ASSERT_EQ(requests.size(), 2u);
  // An HTTP-date has whole seconds: at least one second later, never at the 100 ms back-off.
  EXPECT_GE(requests[1].at - requests[0].at, std::chrono::seconds(1));
}

TEST(AzureMonitorExporterTest, UnavailableForAWhileThenEverythingIsDelivered) {
  Emulator emu;
  testlib::TestHost host;
  emu.server->endpoint().script({503, {}, "", 3});
  Queued q(makeExporter(connectionString(emu)), host);
  ASSERT_TRUE(q.exporter->consume(logs(5)).ok());
  ASSERT_TRUE(q.exporter->consume(logs(4, 0, 5)).ok());
  ASSERT_TRUE(emu.server->endpoint().waitForAccepted(9, kWait));
  ASSERT_TRUE(q.drained());
  auto requests = emu.server->endpoint().requests();
  ASSERT_EQ(requests.size(), 5u);  // 3 x 503, then each batch once
  for (int i = 0; i < 3; ++i) EXPECT_EQ(requests[i].status, 503);
  EXPECT_EQ(emu.server->endpoint().accepted().size(), 9u);
  expectNoDuplicates(emu.server->endpoint().accepted());
  EXPECT_EQ(q.exporter->retries(), 3u);
  EXPECT_EQ(emu.tables->count("AppTraces").value(), 9);
}

TEST(AzureMonitorExporterTest, BadRequestDropsAndCounts) {
  Emulator emu;
  testlib::TestHost host;
  emu.server->endpoint().script({400, {}, "", 1});
  Queued q(makeExporter(connectionString(emu)), host);
  ASSERT_TRUE(q.exporter->consume(logs(4)).ok());
  ASSERT_TRUE(q.drained());
  ASSERT_TRUE(emu.server->endpoint().waitForRequests(1, kWait));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a retry would come by now
  EXPECT_EQ(emu.server->endpoint().requests().size(), 1u);
  EXPECT_EQ(emu.server->endpoint().acceptedCount(), 0u);
  EXPECT_EQ(dropped(host, "permanent"), 4u);
  EXPECT_EQ(q.exporter->retries(), 0u);
  // The next batch goes through: a drop does not stop the exporter.
  ASSERT_TRUE(q.exporter->consume(logs(2)).ok());
  ASSERT_TRUE(emu.server->endpoint().waitForAccepted(2, kWait));
}

TEST(AzureMonitorExporterTest, UnknownInstrumentationKeyIsRefusedAndCounted) {
  Emulator emu;
  testlib::TestHost host;
  Queued q(makeExporter("InstrumentationKey=99999999-9999-9999-9999-999999999999;"
                        "IngestionEndpoint=" +
                        emu.server->ingestionEndpoint()),
           host);
  ASSERT_TRUE(q.exporter->consume(logs(3)).ok());
  ASSERT_TRUE(q.drained());
  EXPECT_EQ(emu.server->endpoint().requests().at(0).status, 400);
  EXPECT_EQ(dropped(host, "permanent"), 3u);
}

TEST(AzureMonitorExporterTest, RequestsSplitAtMaxBatchSizeAndOnlyTheFailedOneIsResent) {
  Emulator emu;
  testlib::TestHost host;
  emu.server->endpoint().script({200, {}, "", 1});
  emu.server->endpoint().script({503, {}, "", 1});
  Queued q(makeExporter(connectionString(emu), "maxbatchsize: 4\n"), host);
  ASSERT_TRUE(q.exporter->consume(logs(10)).ok());
  ASSERT_TRUE(emu.server->endpoint().waitForAccepted(10, kWait));
  ASSERT_TRUE(q.drained());
  auto requests = emu.server->endpoint().requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].envelopes.size(), 4u);
  EXPECT_EQ(requests[1].status, 503);
  EXPECT_EQ(requests[2].envelopes.size(), 2u);
  EXPECT_EQ(requests[3].envelopes, requests[1].envelopes);
  expectNoDuplicates(emu.server->endpoint().accepted());
}

TEST(AzureMonitorExporterTest, OversizedEnvelopesAreDroppedBeforeSending) {
  Emulator emu;
  testlib::TestHost host;
  auto exporter = makeExporter(connectionString(emu), "max_item_bytes: 2048\n");
  ASSERT_TRUE(exporter->start(host).ok());
  auto batch = logs(1, 4000);
  ASSERT_TRUE(exporter->consume(std::move(batch)).ok());
  EXPECT_EQ(emu.server->endpoint().requests().size(), 0u);
  EXPECT_EQ(dropped(host, "too_large"), 1u);
  ASSERT_TRUE(exporter->consume(logs(2)).ok());
  EXPECT_EQ(emu.server->endpoint().acceptedCount(), 2u);
  exporter->shutdown();
}

TEST(AzureMonitorExporterTest, AadConnectionStringSendsTheAuthenticatorsToken) {
  TrackEndpointOptions o;
  o.bearer_token = "entra-access-token";
  Emulator emu(o);
  const std::string cs = connectionString(emu) + ";Authorization=AAD";
  {
    testlib::TestHost host;
    auto no_auth = makeExporter(cs);
    Status st = no_auth->start(host);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("azure_auth"), std::string::npos);
  }
  testlib::TestHost host;
  components::bearertokenauth::Config bt;
  bt.token = "entra-access-token";
  auto ext =
      std::make_unique<components::bearertokenauth::BearerTokenAuth>("bearertokenauth/entra", bt);
  ASSERT_TRUE(ext->start(host).ok());
  host.addExtension("bearertokenauth/entra", std::move(ext));
  auto exporter = makeExporter(cs, "auth:\n  authenticator: bearertokenauth/entra\n");
  ASSERT_TRUE(exporter->start(host).ok());
  Status st = exporter->consume(logs(2));
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto requests = emu.server->endpoint().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].authorized);
  EXPECT_EQ(emu.tables->count("AppTraces").value(), 2);
  exporter->shutdown();
}

TEST(AzureMonitorExporterTest, WrongTokenIsPermanent) {
  TrackEndpointOptions o;
  o.bearer_token = "right";
  Emulator emu(o);
  testlib::TestHost host;
  auto exporter = makeExporter(connectionString(emu), "headers:\n  Authorization: Bearer wrong\n");
  ASSERT_TRUE(exporter->start(host).ok());
  Status st = exporter->consume(logs(1));
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().permanent);
  EXPECT_NE(st.error().message.find("HTTP 401"), std::string::npos);
  exporter->shutdown();
}

// A throwaway CA and a server certificate for 127.0.0.1, made with openssl.
struct Certs {
  testlib::TempDir dir;
  bool ok = false;
  Certs() {
    const std::string cmd =
        "cd " + dir.path().string() +
        " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
        "-subj /CN=test-ca >/dev/null 2>&1"
        " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=localhost >/dev/null 2>&1"
        " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext"
        " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "-out server.crt -days 2 -extfile san.ext >/dev/null 2>&1";
    ok = std::system(cmd.c_str()) == 0;
  }
  std::string path(const char* name) const { return (dir.path() / name).string(); }
};

TEST(AzureMonitorExporterTest, HttpsWithTheConfiguredCa) {
  Certs certs;
  ASSERT_TRUE(certs.ok) << "openssl could not make test certificates";
  net::TlsServerConfig tls;
  tls.cert_file = certs.path("server.crt");
  tls.key_file = certs.path("server.key");
  Emulator emu({}, tls);
  ASSERT_EQ(emu.server->ingestionEndpoint().rfind("https://", 0), 0u);
  testlib::TestHost host;
  auto untrusted = makeExporter(connectionString(emu));
  ASSERT_TRUE(untrusted->start(host).ok());
  Status refused = untrusted->consume(logs(1));
  ASSERT_FALSE(refused.ok());  // the server's certificate is not from a system root
  EXPECT_FALSE(refused.error().permanent);
  untrusted->shutdown();
  auto exporter =
      makeExporter(connectionString(emu), "tls:\n  ca_file: " + certs.path("ca.crt") + "\n");
  ASSERT_TRUE(exporter->start(host).ok());
  Status st = exporter->consume(logs(3));
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(emu.tables->count("AppTraces").value(), 3);
  exporter->shutdown();
}

TEST(AzureMonitorExporterTest, UnreachableEndpointIsRetryableWithEverythingPending) {
  testlib::TestHost host;
  auto exporter = makeExporter(std::string("InstrumentationKey=") + kKey +
                               ";IngestionEndpoint=http://127.0.0.1:1/");
  ASSERT_TRUE(exporter->start(host).ok());
  Status st = exporter->consume(logs(3));
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(st.error().permanent);
  ASSERT_TRUE(st.error().pending);
  EXPECT_EQ(st.error().pending->items(), 3u);
  exporter->shutdown();
}

}  // namespace
}  // namespace agentgate::azure_emulator
