// The otlp receiver end to end: real listeners on port 0, libcurl and grpc++ clients.
#include "components/receiver/otlp/otlp_receiver.h"

#include <gtest/gtest.h>

#include "components/receiver/otlp/grpc_handler.h"
#include "components/receiver/otlp/receiver_test_util.h"
#include "net/compression.h"
#include "net/status.h"
#include "testlib/curl_client.h"
#include "testlib/grpc_test_client.h"

namespace agentgate::components::otlpreceiver {
namespace {

using testing::Harness;
using testing::logsRequest;
using testing::logsRequestWithRecord;
using testing::Pb;
using testlib::curlRequest;
using testlib::CurlResponse;

constexpr char kProto[] = "Content-Type: application/x-protobuf";
constexpr char kJson[] = "Content-Type: application/json";
constexpr char kGoodToken[] = "good-token-1234";
constexpr char kBadToken[] = "sneaky-wrong-token-5678";

const char kJsonLogs[] =
    R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":)"
    R"({"stringValue":"svc"}}]},"scopeLogs":[{"scope":{"name":"s"},"logRecords":[)"
    R"({"timeUnixNano":"1700000000000000000","body":{"stringValue":"hi"}},)"
    R"({"timeUnixNano":1700000000000000001,"body":{"stringValue":"there"}}]}]}]})";

// Accepts "Bearer good-token-1234". Its failure message deliberately echoes the presented value
// (as the collector's bearertokenauth does), so the receiver's scrubbing is what the tests see.
class TestAuth final : public Extension, public ServerAuthenticator {
 public:
  ServerAuthenticator* asServerAuthenticator() override { return this; }
  Result<AuthIdentity> authenticate(const HeaderLookup& headers) const override {
    auto v = headers.get("authorization");
    if (!v) return Error{ErrorCode::kUnauthenticated, "missing authorization header", true, {}};
    if (*v != std::string("Bearer ") + kGoodToken) {
      return Error{ErrorCode::kUnauthenticated,
                   "scheme or token does not match: " + std::string(*v),
                   true,
                   {}};
    }
    return AuthIdentity{"token#1", {{"team", "blue"}}};
  }
};

CurlResponse post(const Harness& h, std::string_view path, const std::string& body,
                  std::vector<std::string> headers = {kProto}) {
  return curlRequest("POST", h.httpUrl(path), body, {.headers = std::move(headers)});
}

// After a bad request, a good one still goes through.
void expectStillServing(Harness& h) {
  auto r = post(h, "/v1/logs", logsRequest(1));
  EXPECT_EQ(r.status, 200) << r.error << r.body;
  auto g = testlib::grpcUnary(testlib::grpcInsecureChannel(h.grpcAddress()), kLogsExportMethod,
                              logsRequest(1));
  EXPECT_EQ(g.code, grpc::StatusCode::OK) << g.message;
}

// A google.rpc.Status protobuf body starts with field 1 (code) as a varint.
bool isRpcStatusProto(const std::string& body, int code) {
  return body.size() >= 2 && body[0] == '\x08' && body[1] == static_cast<char>(code);
}

size_t totalItems(std::vector<BatchPtr> batches) {
  size_t n = 0;
  for (const auto& b : batches) n += b->itemCount();
  return n;
}

class OtlpReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h.start().ok()); }
  Harness h;
};

// ---- happy paths

TEST_F(OtlpReceiverTest, ReportsBoundEndpoints) {
  EXPECT_TRUE(h.host.endpoint("otlp/http").rfind("127.0.0.1:", 0) == 0);
  EXPECT_TRUE(h.host.endpoint("otlp/grpc").rfind("127.0.0.1:", 0) == 0);
  EXPECT_NE(h.host.endpoint("otlp/http"), "127.0.0.1:0");
  EXPECT_NE(h.host.endpoint("otlp/grpc"), "127.0.0.1:0");
}

TEST_F(OtlpReceiverTest, HttpProtobufLogsAreDeliveredWithContext) {
  auto r = post(h, "/v1/logs", logsRequest(3));
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(r.header("content-type"), "application/x-protobuf");
  EXPECT_EQ(r.body, "");  // empty ExportLogsServiceResponse
  auto batches = h.logs->take();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0]->itemCount(), 3u);
  EXPECT_EQ(batches[0]->signal(), Signal::kLogs);
  EXPECT_TRUE(batches[0]->context.client_address.rfind("127.0.0.1:", 0) == 0);
  const auto& rec = batches[0]->resource_logs[0].scope_logs[0].log_records[0];
  EXPECT_EQ(rec.body.string_value, "hello");
  auto& reg = h.host.telemetry();
  EXPECT_EQ(reg.counterValue("otelcol_receiver_accepted_log_records",
                             {{"receiver", "otlp"}, {"transport", "http"}}),
            3u);
  EXPECT_EQ(
      reg.counterValue("agentgate_http_requests_total", {{"receiver", "otlp"}, {"code", "200"}}),
      1u);
}

TEST_F(OtlpReceiverTest, HttpJsonWithCharsetParamIsAcceptedAndAnsweredInJson) {
  auto r = post(h, "/v1/logs", kJsonLogs, {"Content-Type: application/json; charset=utf-8"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(totalItems(h.logs->take()), 2u);
}

TEST_F(OtlpReceiverTest, HttpTracesOnItsPath) {
  auto r = post(h, "/v1/traces", testing::tracesRequest());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(totalItems(h.traces->take()), 1u);
  EXPECT_TRUE(h.logs->take().empty());
}

TEST_F(OtlpReceiverTest, HttpGzipBodyIsDecompressed) {
  auto gz = net::compress("gzip", logsRequest(5));
  ASSERT_TRUE(gz.ok());
  auto r = post(h, "/v1/logs", *gz, {kProto, "Content-Encoding: gzip"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(totalItems(h.logs->take()), 5u);
}

TEST_F(OtlpReceiverTest, HttpEmptyRequestIs200WithoutCallingThePipeline) {
  auto r = post(h, "/v1/logs", "");
  EXPECT_EQ(r.status, 200) << r.body;
  auto j = post(h, "/v1/logs", "{}", {kJson});
  EXPECT_EQ(j.status, 200) << j.body;
  EXPECT_EQ(j.body, "{}");
  EXPECT_EQ(h.logs->calls(), 0);
}

// ---- bad-input matrix (HTTP): each answers the collector's status and body, server keeps serving

TEST_F(OtlpReceiverTest, WrongMethodIs405) {
  auto r = curlRequest("GET", h.httpUrl("/v1/logs"), "");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, "405 method not allowed, supported: [POST]");
  EXPECT_NE(r.header("content-type").find("text/plain"), std::string::npos);
  auto put = curlRequest("PUT", h.httpUrl("/v1/logs"), logsRequest(1), {.headers = {kProto}});
  EXPECT_EQ(put.status, 405);
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, UnknownPathIs404) {
  auto r = post(h, "/v1/nothing", logsRequest(1));
  EXPECT_EQ(r.status, 404);
  auto p = post(h, "/v1development/profiles", logsRequest(1));
  EXPECT_EQ(p.status, 404);
  EXPECT_EQ(h.logs->calls(), 0);
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, WrongContentTypeIs415) {
  for (const char* ct : {"Content-Type: text/plain", "Content-Type: application/protobuf"}) {
    auto r = post(h, "/v1/logs", logsRequest(1), {ct});
    EXPECT_EQ(r.status, 415) << ct;
    EXPECT_EQ(r.body,
              "415 unsupported media type, supported: [application/json, application/x-protobuf]");
  }
  auto none = post(h, "/v1/logs", logsRequest(1), {"Content-Type:"});
  EXPECT_EQ(none.status, 415);
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, UnknownContentEncodingIs400) {
  auto r = post(h, "/v1/logs", logsRequest(1), {kProto, "Content-Encoding: br"});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unsupported Content-Encoding: br"), std::string::npos);
  EXPECT_TRUE(isRpcStatusProto(r.body, 3));
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, CorruptGzipIs400) {
  auto r = post(h, "/v1/logs", "\x1f\x8b\x08\x00garbage", {kProto, "Content-Encoding: gzip"});
  EXPECT_EQ(r.status, 400);
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, TruncatedProtobufIs400InvalidArgument) {
  std::string body = logsRequest(4);
  body.resize(body.size() - 7);
  auto r = post(h, "/v1/logs", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("content-type"), "application/x-protobuf");
  EXPECT_TRUE(isRpcStatusProto(r.body, 3)) << r.body;
  EXPECT_EQ(h.logs->calls(), 0);
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, InvalidWireTypeIs400) {
  // Field 1 with wire type 7 (no such wire type), then a length-delimited field 1 with a varint
  // body where a message was expected (wire type 0 for resource_logs).
  for (std::string body : {std::string("\x0f\x01", 2), std::string("\x0a\x02\x08", 3)}) {
    auto r = post(h, "/v1/logs", body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(isRpcStatusProto(r.body, 3));
  }
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, InvalidJsonIs400InJson) {
  auto r = post(h, "/v1/logs", R"({"resourceLogs":[{"scopeLogs":[)", {kJson});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_NE(r.body.find("\"code\":3"), std::string::npos) << r.body;
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, InvalidUtf8StringIs400) {
  std::string rec = Pb().bytes(5, testing::stringValue("ok"))
                        .bytes(6, testing::keyValue("bad\xff\xfekey", "v"))
                        .out;
  auto r = post(h, "/v1/logs", logsRequestWithRecord(rec));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(isRpcStatusProto(r.body, 3));
  EXPECT_EQ(h.logs->calls(), 0);
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, AnyValueNested10000DeepIs400WithoutCrash) {
  std::string v = testing::stringValue("leaf");
  for (int i = 0; i < 10000; ++i) {
    std::string array = Pb().bytes(1, v).out;  // ArrayValue{values: [v]}
    v = Pb().bytes(5, array).out;              // AnyValue{array_value}
  }
  auto r = post(h, "/v1/logs", logsRequestWithRecord(Pb().bytes(5, v).out));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(isRpcStatusProto(r.body, 3));

  std::string json = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)";
  for (int i = 0; i < 10000; ++i) json += R"({"arrayValue":{"values":[)";
  json += R"({"stringValue":"leaf"})";
  for (int i = 0; i < 10000; ++i) json += "]}}";
  json += "}]}]}]}";
  auto j = post(h, "/v1/logs", json, {kJson});
  EXPECT_EQ(j.status, 400);
  EXPECT_EQ(h.logs->calls(), 0);
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, RecordWith100000AttributesIs400) {
  std::string rec = Pb().bytes(5, testing::stringValue("x")).out;
  std::string kv = testing::keyValue("k", "v");
  for (int i = 0; i < 100000; ++i)
    Pb::varint(rec, (6u << 3) | 2), Pb::varint(rec, kv.size()), rec += kv;
  auto r = post(h, "/v1/logs", logsRequestWithRecord(rec));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(isRpcStatusProto(r.body, 3));
  EXPECT_EQ(h.logs->calls(), 0);
  expectStillServing(h);
}

TEST(OtlpReceiverLimits, OversizeBodyIs400AndServerKeepsServing) {
  Harness h;
  auto cfg = Harness::loopbackConfig();
  cfg.http->max_request_body_size = 64 * 1024;
  ASSERT_TRUE(h.start(cfg).ok());
  auto r = post(h, "/v1/logs", std::string(100 * 1024, 'a'));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(isRpcStatusProto(r.body, 3)) << r.body;
  EXPECT_EQ(h.logs->calls(), 0);
  expectStillServing(h);
}

TEST(OtlpReceiverLimits, GzipBombIs400) {
  Harness h;
  auto cfg = Harness::loopbackConfig();
  cfg.http->max_request_body_size = 1u << 20;
  ASSERT_TRUE(h.start(cfg).ok());
  auto bomb = net::compress("gzip", std::string(32u << 20, '\0'));  // 32 MiB of zeros
  ASSERT_TRUE(bomb.ok());
  ASSERT_LT(bomb->size(), 1u << 20);  // small on the wire
  auto r = post(h, "/v1/logs", *bomb, {kProto, "Content-Encoding: gzip"});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(isRpcStatusProto(r.body, 3)) << r.body;
  EXPECT_EQ(h.logs->calls(), 0);
  expectStillServing(h);
}

// ---- pipeline errors

TEST_F(OtlpReceiverTest, RetryablePipelineErrorIs503WithRetryAfter) {
  h.logs->failWith(Error::unavailable("queue full", std::chrono::seconds(3)));
  auto r = post(h, "/v1/logs", logsRequest(2));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("retry-after"), "3");
  EXPECT_TRUE(isRpcStatusProto(r.body, net::grpc_code::kUnavailable));
  EXPECT_NE(r.body.find("google.rpc.RetryInfo"), std::string::npos);
  EXPECT_EQ(h.host.telemetry().counterValue("otelcol_receiver_refused_log_records",
                                            {{"receiver", "otlp"}, {"transport", "http"}}),
            2u);

  h.logs->failWith(
      Error{ErrorCode::kResourceExhausted, "slow down", false, std::chrono::seconds(2)});
  auto j = post(h, "/v1/logs", kJsonLogs, {kJson});
  EXPECT_EQ(j.status, 429);
  EXPECT_EQ(j.header("retry-after"), "2");

  h.logs->failWith(Error{ErrorCode::kUnavailable, "refused", false, std::chrono::seconds(0)});
  auto n = post(h, "/v1/logs", logsRequest(1));
  EXPECT_EQ(n.status, 503);
  EXPECT_EQ(n.header("retry-after"), "");

  h.logs->failWith(Error::internal("broken exporter"));
  auto p = post(h, "/v1/logs", logsRequest(1));
  EXPECT_EQ(p.status, 500);

  h.logs->failWith(std::nullopt);
  expectStillServing(h);
}

// ---- auth

class OtlpReceiverAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h.host.addExtension("bearertokenauth/test", std::make_unique<TestAuth>());
    auto cfg = Harness::loopbackConfig();
    cfg.http->authenticator = "bearertokenauth/test";
    cfg.grpc->authenticator = "bearertokenauth/test";
    cfg.http->include_metadata = true;
    cfg.grpc->include_metadata = true;
    ASSERT_TRUE(h.start(cfg).ok());
  }
  Harness h;
};

TEST_F(OtlpReceiverAuthTest, HttpMissingOrWrongTokenIs401WithoutEchoingIt) {
  auto missing = post(h, "/v1/logs", logsRequest(1));
  EXPECT_EQ(missing.status, 401);
  EXPECT_TRUE(isRpcStatusProto(missing.body, net::grpc_code::kUnauthenticated));

  auto wrong = post(h, "/v1/logs", logsRequest(1),
                    {kJson, std::string("Authorization: Bearer ") + kBadToken});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body.find(kBadToken), std::string::npos) << wrong.body;
  EXPECT_NE(wrong.body.find("\"code\":16"), std::string::npos) << wrong.body;

  // Auth runs before routing: an unauthenticated client learns nothing about paths.
  auto path = post(h, "/v1/unknown", logsRequest(1));
  EXPECT_EQ(path.status, 401);
  EXPECT_EQ(h.logs->calls(), 0);
}

TEST_F(OtlpReceiverAuthTest, HttpGoodTokenFillsIdentityAndMetadataWithoutCredential) {
  auto r = post(h, "/v1/logs", logsRequest(1),
                {kProto, std::string("Authorization: Bearer ") + kGoodToken, "X-Tenant: acme"});
  ASSERT_EQ(r.status, 200) << r.body;
  auto batches = h.logs->take();
  ASSERT_EQ(batches.size(), 1u);
  const auto& ctx = batches[0]->context;
  EXPECT_EQ(ctx.auth_subject, "token#1");
  ASSERT_EQ(ctx.auth_attributes.size(), 1u);
  EXPECT_EQ(ctx.auth_attributes[0].second, "blue");
  bool tenant = false;
  for (const auto& [k, v] : ctx.metadata) {
    EXPECT_NE(k, "authorization");
    EXPECT_EQ(v.find(kGoodToken), std::string::npos);
    if (k == "x-tenant" && v == "acme") tenant = true;
  }
  EXPECT_TRUE(tenant);
}

TEST_F(OtlpReceiverAuthTest, GrpcAuthFromMetadata) {
  auto ch = testlib::grpcInsecureChannel(h.grpcAddress());
  auto none = testlib::grpcUnary(ch, kLogsExportMethod, logsRequest(1));
  EXPECT_EQ(none.code, grpc::StatusCode::UNAUTHENTICATED);
  auto wrong =
      testlib::grpcUnary(ch, kLogsExportMethod, logsRequest(1),
                         {.metadata = {{"authorization", std::string("Bearer ") + kBadToken}}});
  EXPECT_EQ(wrong.code, grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(wrong.message.find(kBadToken), std::string::npos) << wrong.message;
  auto good = testlib::grpcUnary(
      ch, kLogsExportMethod, logsRequest(2),
      {.metadata = {{"authorization", std::string("Bearer ") + kGoodToken}, {"x-tenant", "acme"}}});
  ASSERT_EQ(good.code, grpc::StatusCode::OK) << good.message;
  auto batches = h.logs->take();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0]->itemCount(), 2u);
  EXPECT_EQ(batches[0]->context.auth_subject, "token#1");
  EXPECT_TRUE(batches[0]->context.client_address.rfind("127.0.0.1:", 0) == 0);
  bool tenant = false;
  for (const auto& [k, v] : batches[0]->context.metadata) {
    EXPECT_NE(k, "authorization");
    if (k == "x-tenant" && v == "acme") tenant = true;
  }
  EXPECT_TRUE(tenant);
}

// ---- gRPC

TEST_F(OtlpReceiverTest, GrpcExportDeliversAndAnswersEmptyResponse) {
  auto ch = testlib::grpcInsecureChannel(h.grpcAddress());
  auto r = testlib::grpcUnary(ch, kLogsExportMethod, logsRequest(4));
  ASSERT_EQ(r.code, grpc::StatusCode::OK) << r.message;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(totalItems(h.logs->take()), 4u);
  auto t = testlib::grpcUnary(ch, kTracesExportMethod, testing::tracesRequest());
  ASSERT_EQ(t.code, grpc::StatusCode::OK) << t.message;
  EXPECT_EQ(totalItems(h.traces->take()), 1u);
  EXPECT_EQ(h.host.telemetry().counterValue("otelcol_receiver_accepted_log_records",
                                            {{"receiver", "otlp"}, {"transport", "grpc"}}),
            4u);
  EXPECT_EQ(h.host.telemetry().counterValue("agentgate_grpc_requests_total",
                                            {{"receiver", "otlp"}, {"code", "OK"}}),
            2u);
}

TEST_F(OtlpReceiverTest, GrpcGzipCompressedExport) {
  auto r = testlib::grpcUnary(testlib::grpcInsecureChannel(h.grpcAddress()), kLogsExportMethod,
                              logsRequest(3), {.gzip = true});
  ASSERT_EQ(r.code, grpc::StatusCode::OK) << r.message;
  EXPECT_EQ(totalItems(h.logs->take()), 3u);
}

TEST_F(OtlpReceiverTest, GrpcBadInputIsInvalidArgument) {
  auto ch = testlib::grpcInsecureChannel(h.grpcAddress());
  std::string truncated = logsRequest(3);
  truncated.resize(truncated.size() - 5);
  for (const std::string& body : {truncated, std::string("\x0f\x01", 2)}) {
    auto r = testlib::grpcUnary(ch, kLogsExportMethod, body);
    EXPECT_EQ(r.code, grpc::StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_EQ(h.logs->calls(), 0);
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, GrpcPipelineErrorsCarryRetryInfo) {
  auto ch = testlib::grpcInsecureChannel(h.grpcAddress());
  h.logs->failWith(Error::unavailable("queue full", std::chrono::seconds(4)));
  auto r = testlib::grpcUnary(ch, kLogsExportMethod, logsRequest(1));
  EXPECT_EQ(r.code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(r.error_details,
            net::encodeRpcStatusProtobuf(net::grpc_code::kUnavailable, "queue full",
                                         {net::retryInfoDetail(std::chrono::seconds(4))}));
  h.logs->failWith(Error{ErrorCode::kResourceExhausted, "slow", false, std::chrono::seconds(1)});
  auto x = testlib::grpcUnary(ch, kLogsExportMethod, logsRequest(1));
  EXPECT_EQ(x.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(x.error_details.find("RetryInfo"), std::string::npos);
  h.logs->failWith(std::nullopt);
  expectStillServing(h);
}

TEST_F(OtlpReceiverTest, GrpcUnknownMethodIsUnimplemented) {
  auto r = testlib::grpcUnary(
      testlib::grpcInsecureChannel(h.grpcAddress()),
      "/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export", "");
  EXPECT_EQ(r.code, grpc::StatusCode::UNIMPLEMENTED);
}

TEST(OtlpReceiverSignals, SignalWithoutPipelineIsUnimplementedAnd404) {
  Harness h;
  ASSERT_TRUE(h.start(Harness::loopbackConfig(), /*all_signals=*/false).ok());
  auto g = testlib::grpcUnary(testlib::grpcInsecureChannel(h.grpcAddress()), kTracesExportMethod,
                              testing::tracesRequest());
  EXPECT_EQ(g.code, grpc::StatusCode::UNIMPLEMENTED);
  auto r = post(h, "/v1/traces", testing::tracesRequest());
  EXPECT_EQ(r.status, 404);
  expectStillServing(h);
}

TEST(OtlpReceiverLimits, GrpcOversizeMessageIsResourceExhausted) {
  Harness h;
  auto cfg = Harness::loopbackConfig();
  cfg.grpc->max_recv_msg_size_mib = 1;
  ASSERT_TRUE(h.start(cfg).ok());
  auto r = testlib::grpcUnary(testlib::grpcInsecureChannel(h.grpcAddress()), kLogsExportMethod,
                              std::string(2u << 20, 'x'));
  EXPECT_EQ(r.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  expectStillServing(h);
}

// ---- HTTP options

TEST(OtlpReceiverHttpOptions, CustomPathsCompressionListResponseHeadersAndCors) {
  Harness h;
  auto cfg = Harness::loopbackConfig();
  cfg.http->logs_url_path = "/ingest/logs";
  cfg.http->compression_algorithms = {"gzip"};
  cfg.http->response_headers = {{"X-Served-By", "agentgate"}};
  cfg.http->cors.allowed_origins = {"https://app.example.com"};
  ASSERT_TRUE(h.start(cfg).ok());

  auto r = post(h, "/ingest/logs", logsRequest(1));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-served-by"), "agentgate");
  EXPECT_EQ(post(h, "/v1/logs", logsRequest(1)).status, 404);

  auto zstd = net::compress("zstd", logsRequest(1));
  ASSERT_TRUE(zstd.ok());
  auto z = post(h, "/ingest/logs", *zstd, {kProto, "Content-Encoding: zstd"});
  EXPECT_EQ(z.status, 400);
  EXPECT_NE(z.body.find("unsupported Content-Encoding: zstd"), std::string::npos);

  auto pre = curlRequest(
      "OPTIONS", h.httpUrl("/ingest/logs"), "",
      {.headers = {"Origin: https://app.example.com", "Access-Control-Request-Method: POST"}});
  EXPECT_TRUE(pre.status == 200 || pre.status == 204) << pre.status;
  EXPECT_EQ(pre.header("access-control-allow-origin"), "https://app.example.com");
  auto cross = post(h, "/ingest/logs", logsRequest(1), {kProto, "Origin: https://app.example.com"});
  EXPECT_EQ(cross.status, 200);
  EXPECT_EQ(cross.header("access-control-allow-origin"), "https://app.example.com");
  EXPECT_EQ(h.logs->calls(), 2);
}

// ---- security rule (DESIGN 10)

TEST(OtlpReceiverSecurity, NonLoopbackWithoutAuthRefusesToStart) {
  Harness h;
  auto cfg = Harness::loopbackConfig();
  cfg.http->endpoint = "0.0.0.0:0";
  auto st = h.start(cfg);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("--insecure-allow-no-auth"), std::string::npos);
  EXPECT_NE(st.error().message.find("http"), std::string::npos);
  EXPECT_EQ(h.host.endpoint("otlp/grpc"), "");  // nothing was left listening
}

TEST(OtlpReceiverSecurity, NonLoopbackAllowedWithFlagOrAuth) {
  {
    Harness h;
    h.settings.allow_insecure_no_auth = true;
    auto cfg = Harness::loopbackConfig();
    cfg.grpc->endpoint = "0.0.0.0:0";
    ASSERT_TRUE(h.start(cfg).ok());
  }
  {
    Harness h;
    h.host.addExtension("auth", std::make_unique<TestAuth>());
    auto cfg = Harness::loopbackConfig();
    cfg.grpc->endpoint = "0.0.0.0:0";
    cfg.grpc->authenticator = "auth";
    auto st = h.start(cfg);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
}

TEST(OtlpReceiverSecurity, MissingAuthenticatorFailsStart) {
  Harness h;
  auto cfg = Harness::loopbackConfig();
  cfg.http->authenticator = "bearertokenauth/missing";
  auto st = h.start(cfg);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("bearertokenauth/missing"), std::string::npos);
}

TEST(OtlpReceiverSecurity, ShutdownIsIdempotentAndLegalWithoutStart) {
  OtlpReceiver r({}, OtlpReceiverConfig{}, {});
  r.shutdown();
  r.shutdown();
  SUCCEED();
}

}  // namespace
}  // namespace agentgate::components::otlpreceiver
