#include "net/status.h"

#include <gtest/gtest.h>

namespace agentgate::net {
namespace {

TEST(Status, HttpStatusPerErrorCode) {
  EXPECT_EQ(httpStatus(ErrorCode::kInvalid), 400);
  EXPECT_EQ(httpStatus(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(httpStatus(ErrorCode::kForbidden), 403);
  EXPECT_EQ(httpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(httpStatus(ErrorCode::kMethodNotAllowed), 405);
  EXPECT_EQ(httpStatus(ErrorCode::kTooLarge), 413);
  EXPECT_EQ(httpStatus(ErrorCode::kUnsupportedMedia), 415);
  EXPECT_EQ(httpStatus(ErrorCode::kResourceExhausted), 429);
  EXPECT_EQ(httpStatus(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(httpStatus(ErrorCode::kInternal), 500);
}

TEST(Status, GrpcCodePerError) {
  EXPECT_EQ(grpcCode(ErrorCode::kInvalid), grpc_code::kInvalidArgument);
  EXPECT_EQ(grpcCode(ErrorCode::kUnauthenticated), grpc_code::kUnauthenticated);
  EXPECT_EQ(grpcCode(ErrorCode::kForbidden), grpc_code::kPermissionDenied);
  EXPECT_EQ(grpcCode(ErrorCode::kNotFound), grpc_code::kUnimplemented);
  EXPECT_EQ(grpcCode(ErrorCode::kTooLarge), grpc_code::kResourceExhausted);
  EXPECT_EQ(grpcCode(ErrorCode::kResourceExhausted), grpc_code::kResourceExhausted);
  EXPECT_EQ(grpcCode(ErrorCode::kUnavailable), grpc_code::kUnavailable);
  // Non-permanent internal failures are retryable for the client.
  EXPECT_EQ(grpcCode(Error::internal("x")), grpc_code::kInternal);
  EXPECT_EQ(grpcCode(Error::io("disk")), grpc_code::kUnavailable);
  Error transient{ErrorCode::kInternal, "x", false, {}};
  EXPECT_EQ(grpcCode(transient), grpc_code::kUnavailable);
}

TEST(Status, CollectorHttpMappingFromGrpc) {
  EXPECT_EQ(httpStatusFromGrpc(grpc_code::kOk), 200);
  EXPECT_EQ(httpStatusFromGrpc(grpc_code::kResourceExhausted), 429);
  EXPECT_EQ(httpStatusFromGrpc(grpc_code::kInvalidArgument), 400);
  EXPECT_EQ(httpStatusFromGrpc(grpc_code::kUnauthenticated), 401);
  EXPECT_EQ(httpStatusFromGrpc(grpc_code::kPermissionDenied), 403);
  EXPECT_EQ(httpStatusFromGrpc(grpc_code::kUnimplemented), 404);
  for (int c : {grpc_code::kCancelled, grpc_code::kDeadlineExceeded, grpc_code::kAborted,
                grpc_code::kOutOfRange, grpc_code::kUnavailable, grpc_code::kDataLoss}) {
    EXPECT_EQ(httpStatusFromGrpc(c), 503) << c;
  }
  EXPECT_EQ(httpStatusFromGrpc(grpc_code::kInternal), 500);
  EXPECT_EQ(httpStatusFromGrpc(grpc_code::kUnknown), 500);
}

TEST(Status, OtlpReceiverStatuses) {
  EXPECT_EQ(otlpHttpStatus({ErrorCode::kTooLarge, "big", true, {}}), 400);  // as the collector
  EXPECT_EQ(otlpHttpStatus(Error::invalid("x")), 400);
  EXPECT_EQ(otlpHttpStatus({ErrorCode::kMethodNotAllowed, "", true, {}}), 405);
  EXPECT_EQ(otlpHttpStatus({ErrorCode::kUnsupportedMedia, "", true, {}}), 415);
  EXPECT_EQ(otlpHttpStatus(Error::unavailable("full")), 503);
  EXPECT_EQ(otlpHttpStatus(Error::internal("bug")), 500);
  EXPECT_EQ(otlpHttpStatus({ErrorCode::kResourceExhausted, "", false, {}}), 429);
  EXPECT_EQ(otlpHttpStatus({ErrorCode::kUnauthenticated, "", true, {}}), 401);
}

TEST(Status, RetryAfterOnlyFor429And503) {
  Error e = Error::unavailable("full", std::chrono::seconds(7));
  EXPECT_EQ(retryAfterValue(503, e).value_or(""), "7");
  EXPECT_EQ(retryAfterValue(429, e).value_or(""), "7");
  EXPECT_FALSE(retryAfterValue(500, e).has_value());
  EXPECT_FALSE(retryAfterValue(503, Error::unavailable("x", std::chrono::seconds(0))).has_value());
}

TEST(Status, RpcStatusProtobufBytes) {
  // code=3 (08 03), message="bad" (12 03 'b' 'a' 'd')
  EXPECT_EQ(encodeRpcStatusProtobuf(3, "bad"), std::string("\x08\x03\x12\x03"
                                                           "bad",
                                                           7));
  EXPECT_EQ(encodeRpcStatusProtobuf(0, ""), "");
  std::string with_detail = encodeRpcStatusProtobuf(14, "x", {std::string("AB")});
  EXPECT_EQ(with_detail, std::string("\x08\x0e\x12\x01x\x1a\x02"
                                     "AB",
                                     9));
  // A 200-byte message needs a two-byte length varint.
  std::string long_msg(200, 'm');
  std::string enc = encodeRpcStatusProtobuf(13, long_msg);
  EXPECT_EQ(enc.substr(0, 5), std::string("\x08\x0d\x12\xc8\x01", 5));
  EXPECT_EQ(enc.size(), 5u + 200u);
}

TEST(Status, RetryInfoDetailBytes) {
  std::string any = retryInfoDetail(std::chrono::seconds(5));
  const std::string type = "type.googleapis.com/google.rpc.RetryInfo";
  std::string expected;
  expected += '\x0a';
  expected += static_cast<char>(type.size());
  expected += type;
  // value = RetryInfo{retry_delay(1) = Duration{seconds(1) = 5}} = 0a 02 08 05
  expected += std::string("\x12\x04\x0a\x02\x08\x05", 6);
  EXPECT_EQ(any, expected);
}

TEST(Status, RpcStatusJson) {
  EXPECT_EQ(encodeRpcStatusJson(3, "bad \"json\"\n"), R"({"code":3,"message":"bad \"json\"\n"})");
  EXPECT_EQ(
      encodeRpcStatusJson(14, "busy", std::chrono::seconds(2)),
      R"({"code":14,"message":"busy","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"2s"}]})");
  EXPECT_EQ(encodeRpcStatusJson(3, std::string("\x01", 1)), R"({"code":3,"message":"\u0001"})");
}

}  // namespace
}  // namespace agentgate::net
