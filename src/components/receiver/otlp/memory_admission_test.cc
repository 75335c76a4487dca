// The otlp receiver's side of the memory budget (DESIGN section 7): requests reserve what they
// will hold before the body is read and after it is inflated; what does not fit, or arrives under
// memory pressure, is refused with a retryable answer; every reservation is returned.
#include <gtest/gtest.h>

#include "common/memory_budget.h"
#include "components/receiver/otlp/grpc_handler.h"
#include "components/receiver/otlp/receiver_test_util.h"
#include "net/compression.h"
#include "net/status.h"
#include "testlib/curl_client.h"
#include "testlib/grpc_test_client.h"

namespace agentgate::components::otlpreceiver {
namespace {

using testing::Harness;
using testing::logsRequestWithRecord;
using testing::Pb;
using testing::stringValue;
using testlib::curlRequest;
using testlib::CurlResponse;

constexpr char kProto[] = "Content-Type: application/x-protobuf";

// A valid logs request of about `bytes` bytes (one record with a large body).
std::string requestOfSize(size_t bytes) {
  return logsRequestWithRecord(Pb().bytes(5, stringValue(std::string(bytes, 'a'))).out);
}

CurlResponse post(const Harness& h, const std::string& body,
                  std::vector<std::string> headers = {kProto}) {
  testlib::CurlOptions options;
  options.headers = std::move(headers);
  return curlRequest("POST", h.httpUrl("/v1/logs"), body, options);
}

void expectMemoryRefusal(const CurlResponse& r) {
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_NE(r.body.find("high memory usage"), std::string::npos) << r.body;
}

TEST(OtlpReceiverMemory, BodyThatDoesNotFitIsRefusedBeforeItIsReadAndFitsWhenAlone) {
  Harness h;
  ASSERT_TRUE(h.start().ok());
  MemoryBudget& budget = *h.host.memoryBudget();
  budget.setLimit(1u << 20);
  const std::string body = requestOfSize(300 * 1024);  // footprint ~900 KiB
  {
    MemoryReservation other(&budget);  // another request in flight
    ASSERT_TRUE(other.resize(256 * 1024));
    expectMemoryRefusal(post(h, body));
    EXPECT_EQ(h.logs->calls(), 0);
    EXPECT_EQ(budget.used(), 256u * 1024) << "the refused request kept a reservation";
    // A small request still fits next to it.
    EXPECT_EQ(post(h, requestOfSize(1000)).status, 200);
  }
  EXPECT_EQ(budget.used(), 0u);
  // Alone, the same request is admitted; a request bigger than the whole budget too, so a
  // large batch is never refused forever.
  EXPECT_EQ(post(h, body).status, 200);
  EXPECT_EQ(post(h, requestOfSize(2u << 20)).status, 200);
  EXPECT_EQ(h.logs->calls(), 3);
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_GE(budget.peak(), 3u * 300 * 1024);
  EXPECT_GE(budget.refusals(), 1u);
}

TEST(OtlpReceiverMemory, PressureRefusesHttpAndGrpcWithRetryInfo) {
  Harness h;
  ASSERT_TRUE(h.start().ok());
  MemoryBudget& budget = *h.host.memoryBudget();
  budget.setPressure(MemoryBudget::Pressure::kSoft);
  expectMemoryRefusal(post(h, requestOfSize(100)));
  auto ch = testlib::grpcInsecureChannel(h.grpcAddress());
  auto g = testlib::grpcUnary(ch, kLogsExportMethod, requestOfSize(100));
  EXPECT_EQ(g.code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(g.error_details,
            net::encodeRpcStatusProtobuf(net::grpc_code::kUnavailable,
                                         "data refused due to high memory usage",
                                         {net::retryInfoDetail(std::chrono::seconds(1))}));
  EXPECT_EQ(h.logs->calls(), 0);
  budget.setPressure(MemoryBudget::Pressure::kNone);
  EXPECT_EQ(post(h, requestOfSize(100)).status, 200);
  EXPECT_EQ(testlib::grpcUnary(ch, kLogsExportMethod, requestOfSize(100)).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(OtlpReceiverMemory, GrpcMessageThatDoesNotFitIsRefused) {
  Harness h;
  ASSERT_TRUE(h.start().ok());
  MemoryBudget& budget = *h.host.memoryBudget();
  budget.setLimit(1u << 20);
  auto ch = testlib::grpcInsecureChannel(h.grpcAddress());
  MemoryReservation other(&budget);
  ASSERT_TRUE(other.resize(512 * 1024));
  auto g = testlib::grpcUnary(ch, kLogsExportMethod, requestOfSize(300 * 1024));
  EXPECT_EQ(g.code, grpc::StatusCode::UNAVAILABLE) << g.message;
  EXPECT_EQ(budget.used(), 512u * 1024);
  other.reset();
  EXPECT_EQ(testlib::grpcUnary(ch, kLogsExportMethod, requestOfSize(300 * 1024)).code,
            grpc::StatusCode::OK);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(OtlpReceiverMemory, GzipBombNeedsTheWholeCapReservedAndNeverLeaks) {
  Harness h;
  auto cfg = Harness::loopbackConfig();
  cfg.http->max_request_body_size = 8u << 20;
  ASSERT_TRUE(h.start(cfg).ok());
  MemoryBudget& budget = *h.host.memoryBudget();
  budget.setLimit(4u << 20);
  // 6 MiB of zeros: under max_request_body_size, far beyond an ordinary compression ratio.
  auto bomb = net::compress("gzip", std::string(6u << 20, '\0'));
  ASSERT_TRUE(bomb.ok());
  const std::vector<std::string> gz = {kProto, "Content-Encoding: gzip"};
  {
    MemoryReservation other(&budget);
    ASSERT_TRUE(other.resize(1));
    expectMemoryRefusal(post(h, *bomb, gz));  // the full cap does not fit next to `other`
    EXPECT_EQ(budget.used(), 1u);
  }
  // Alone it is inflated (within the cap) and then rejected for what it is: not OTLP.
  auto alone = post(h, *bomb, gz);
  EXPECT_EQ(alone.status, 400) << alone.body;
  // Over max_request_body_size: too large, whatever the budget.
  auto big = net::compress("gzip", std::string(9u << 20, '\0'));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(post(h, *big, gz).status, 400);
  // An ordinary gzip request goes through.
  auto ok = net::compress("gzip", requestOfSize(200 * 1024));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(post(h, *ok, gz).status, 200);
  EXPECT_EQ(h.logs->calls(), 1);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(OtlpReceiverMemory, ChunkedBodyReservesTheBodyLimit) {
  Harness h;
  auto cfg = Harness::loopbackConfig();
  cfg.http->max_request_body_size = 4u << 20;
  ASSERT_TRUE(h.start(cfg).ok());
  MemoryBudget& budget = *h.host.memoryBudget();
  budget.setLimit(8u << 20);
  const std::vector<std::string> chunked = {kProto, "Transfer-Encoding: chunked"};
  {
    MemoryReservation other(&budget);
    ASSERT_TRUE(other.resize(1u << 20));
    // Without Content-Length the body may grow to 4 MiB: 3 x 4 MiB does not fit next to 1 MiB.
    expectMemoryRefusal(post(h, requestOfSize(100), chunked));
  }
  EXPECT_EQ(post(h, requestOfSize(100), chunked).status, 200);
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace agentgate::components::otlpreceiver
