// otlp_http against a real HTTP server on loopback: what goes on the wire (path, content type,
// gzip, headers, authenticator headers, protobuf or JSON that decodes back to the batch) and how
// answers map to retryable / permanent errors and partial_success counts. The Azure DCE flows
// (Entra tokens, stream URLs) are in tests/azure_emulator.
#include "components/exporter/otlp_http/otlp_http_exporter.h"

#include <gtest/gtest.h>

#include <mutex>

#include "components/exporter/otlp_http/partial_success.h"
#include "config/loader.h"
#include "net/compression.h"
#include "net/http_server.h"
#include "pdata/codec.h"
#include "testlib/test_host.h"

namespace agentgate::components::otlp_http {
namespace {

class Sink : public net::HttpHandler {
 public:
  net::HttpResponse onRequest(net::HttpRequest& r) override {
    std::lock_guard lock(mu);
    last = r;
    ++requests;
    net::HttpResponse res;
    res.status = status;
    res.headers = extra_headers;
    res.body = body;
    if (!content_type.empty()) res.headers.emplace_back("Content-Type", content_type);
    return res;
  }
  std::mutex mu;
  net::HttpRequest last;
  int requests = 0;
  int status = 200;
  std::string body;
  std::string content_type = "application/x-protobuf";
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

class StaticAuth : public Extension, public ClientAuthenticator {
 public:
  ClientAuthenticator* asClientAuthenticator() override { return this; }
  Result<std::vector<std::pair<std::string, std::string>>> requestHeaders() override {
    ++calls;
    return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + token}};
  }
  void invalidate() override {
    ++invalidations;
    token = "fresh";
  }
  std::string token = "stale";
  int calls = 0;
  int invalidations = 0;
};

BatchPtr logBatch(int records) {
  std::string json =
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"t"}}]},"scopeLogs":[{"logRecords":[)";
  for (int i = 0; i < records; ++i) {
    if (i) json += ",";
    json += R"({"timeUnixNano":"1700000000000000000","body":{"stringValue":"r)" +
            std::to_string(i) + R"("}})";
  }
  json += "]}]}]}";
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  EXPECT_TRUE(pdata::decodeJson(*b, json).ok());
  return b;
}

class OtlpHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = net::HttpServer::create(host_.workers(), {}, sink_);
    ASSERT_TRUE(s.ok());
    server_ = std::move(s.value());
    ASSERT_TRUE(server_->start().ok());
    host_.addExtension("auth", &auth_);
  }
  void TearDown() override { server_->stop(); }
  std::string base() { return "http://" + server_->boundAddress(); }
  std::unique_ptr<OtlpHttpExporter> make(Config c) {
    auto e = OtlpHttpExporter::create("otlp_http/test", std::move(c), std::chrono::seconds(5));
    EXPECT_TRUE(e.ok());
    EXPECT_TRUE(e.value()->start(host_).ok());
    return std::move(e.value());
  }

  testlib::TestHost host_;
  std::shared_ptr<Sink> sink_ = std::make_shared<Sink>();
  std::unique_ptr<net::HttpServer> server_;
  StaticAuth auth_;
};

TEST_F(OtlpHttpTest, GzippedProtobufWithHeadersAndAuthToTheSignalPath) {
  Config c;
  c.endpoint = base() + "/";
  c.headers = {{"X-Tenant", "a"}};
  c.authenticator = "auth";
  auto e = make(c);
  ASSERT_TRUE(e->consume(logBatch(3)).ok());
  std::lock_guard lock(sink_->mu);
  EXPECT_EQ(sink_->last.path, "/v1/logs");
  EXPECT_EQ(sink_->last.header("content-type").value_or(""), "application/x-protobuf");
  EXPECT_EQ(sink_->last.header("content-encoding").value_or(""), "gzip");
  EXPECT_EQ(sink_->last.header("x-tenant").value_or(""), "a");
  EXPECT_EQ(sink_->last.header("authorization").value_or(""), "Bearer stale");
  auto plain = net::decompress("gzip", sink_->last.body, 1 << 20);
  ASSERT_TRUE(plain.ok());
  pdata::Batch back(Signal::kLogs);
  ASSERT_TRUE(pdata::decodeProtobuf(back, back.adoptBuffer(std::move(plain.value()))).ok());
  EXPECT_EQ(back.itemCount(), 3u);
}

TEST_F(OtlpHttpTest, JsonWithoutCompressionToAPerSignalEndpoint) {
  Config c;
  c.logs_endpoint = base() + "/custom/logs";
  c.encoding = "json";
  c.compression = "none";
  auto e = make(c);
  ASSERT_TRUE(e->consume(logBatch(2)).ok());
  std::lock_guard lock(sink_->mu);
  EXPECT_EQ(sink_->last.path, "/custom/logs");
  EXPECT_EQ(sink_->last.header("content-type").value_or(""), "application/json");
  EXPECT_FALSE(sink_->last.header("content-encoding").has_value());
  pdata::Batch back(Signal::kLogs);
  ASSERT_TRUE(pdata::decodeJson(back, sink_->last.body).ok());
  EXPECT_EQ(back.itemCount(), 2u);
}

TEST_F(OtlpHttpTest, RetryableStatusesCarryRetryAfterOthersArePermanent) {
  Config c;
  c.endpoint = base();
  auto e = make(c);
  for (int status : {429, 502, 503, 504}) {
    sink_->status = status;
    sink_->extra_headers = {{"Retry-After", "7"}};
    auto st = e->consume(logBatch(1));
    ASSERT_FALSE(st.ok());
    EXPECT_FALSE(st.error().permanent) << status;
    EXPECT_EQ(st.error().retry_after, std::chrono::seconds(7)) << status;
  }
  sink_->extra_headers.clear();
  for (int status : {400, 403, 404, 413, 415, 500}) {
    sink_->status = status;
    auto st = e->consume(logBatch(1));
    ASSERT_FALSE(st.ok());
    EXPECT_TRUE(st.error().permanent) << status;
    EXPECT_NE(st.error().message.find(std::to_string(status)), std::string::npos);
  }
}

TEST_F(OtlpHttpTest, UnauthorizedInvalidatesTheCredentialAndRetriesOnce) {
  Config c;
  c.endpoint = base();
  c.authenticator = "auth";
  auto e = make(c);
  sink_->status = 401;
  auto st = e->consume(logBatch(1));
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().permanent);
  EXPECT_EQ(auth_.invalidations, 1);
  EXPECT_EQ(sink_->requests, 2);
  std::lock_guard lock(sink_->mu);
  EXPECT_EQ(sink_->last.header("authorization").value_or(""), "Bearer fresh");
}

TEST_F(OtlpHttpTest, PartialSuccessIsCountedNotRetried) {
  Config c;
  c.endpoint = base();
  auto e = make(c);
  sink_->body = pdata::encodeExportResponseProtobuf(Signal::kLogs, 2, "two were too old");
  ASSERT_TRUE(e->consume(logBatch(5)).ok());
  EXPECT_EQ(e->partialRejected(Signal::kLogs), 2u);
  EXPECT_EQ(host_.telemetry().counterValue(
                "agentgate_exporter_partial_success_rejected_log_records_total",
                {{"exporter", "otlp_http/test"}}),
            2u);
  sink_->body = pdata::encodeExportResponseProtobuf(Signal::kLogs, 0, "");
  ASSERT_TRUE(e->consume(logBatch(5)).ok());
  EXPECT_EQ(e->partialRejected(Signal::kLogs), 2u);
}

TEST_F(OtlpHttpTest, StartFailsForAMissingOrWrongAuthenticator) {
  Config c;
  c.endpoint = base();
  c.authenticator = "nope";
  auto e = OtlpHttpExporter::create("otlp_http/x", c, std::chrono::seconds(1));
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e.value()->start(host_).ok());
}

TEST(OtlpHttpPartialSuccess, ProtoAndJsonForms) {
  auto p = parsePartialSuccess(pdata::encodeExportResponseProtobuf(Signal::kTraces, 4, "m"), false);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->rejected, 4);
  EXPECT_EQ(p->error_message, "m");
  EXPECT_FALSE(
      parsePartialSuccess(pdata::encodeExportResponseProtobuf(Signal::kTraces, 0, ""), false));
  auto j = parsePartialSuccess(
      R"({"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"x"}})", true);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->rejected, 3);
  EXPECT_FALSE(parsePartialSuccess("{}", true));
  EXPECT_FALSE(parsePartialSuccess("\xff\xff\xff", false));  // unreadable: not an error
}

size_t parse(const std::string& yaml, Config& out) {
  config::Diagnostics diags;
  auto node = config::parseYaml(
      yaml, "t.yaml", [](std::string_view) { return std::optional<std::string>(); }, diags);
  config::MapReader r(node, diags);
  readConfig(r, out);
  return diags.errors().size();
}

TEST(OtlpHttpConfig, KeysDefaultsAndUrls) {
  Config c;
  ASSERT_EQ(parse("endpoint: https://collector:4318/base/\nheaders: {a: b}\ntls: {insecure: true}\n"
                  "auth: {authenticator: azure_auth}\n",
                  c),
            0u);
  EXPECT_EQ(c.encoding, "proto");
  EXPECT_EQ(c.compression, "gzip");
  EXPECT_EQ(signalUrl(c, Signal::kTraces), "https://collector:4318/base/v1/traces");
  c.metrics_endpoint = "https://dce/x/otlp/v1/metrics";
  EXPECT_EQ(signalUrl(c, Signal::kMetrics), "https://dce/x/otlp/v1/metrics");
  EXPECT_EQ(c.authenticator, "azure_auth");

  Config only_logs;
  ASSERT_EQ(parse("logs_endpoint: http://a/l\ncompression: none\nencoding: json\n", only_logs), 0u);
  EXPECT_EQ(signalUrl(only_logs, Signal::kTraces), "");

  Config none;
  EXPECT_GT(parse("compression: gzip\n", none), 0u);
  Config bad_url;
  EXPECT_GT(parse("endpoint: ftp://x\n", bad_url), 0u);
  Config bad_enc;
  EXPECT_GT(parse("endpoint: http://x\nencoding: xml\n", bad_enc), 0u);
  Config unknown;
  EXPECT_GT(parse("endpoint: http://x\nendpont: y\n", unknown), 0u);
}

}  // namespace
}  // namespace agentgate::components::otlp_http
