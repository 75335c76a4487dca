// The one mapping from agentgate::ErrorCode to HTTP status and gRPC code (DESIGN section 5), plus
// google.rpc.Status bodies. Receivers and servers use these so every listener answers the same
// way the OpenTelemetry Collector does (spec/azure-monitor.md section 5.2).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentgate/result.h"

namespace agentgate::net {

// grpc::StatusCode values, spelled out so this header needs no grpc++.
namespace grpc_code {
inline constexpr int kOk = 0;
inline constexpr int kCancelled = 1;
inline constexpr int kUnknown = 2;
inline constexpr int kInvalidArgument = 3;
inline constexpr int kDeadlineExceeded = 4;
inline constexpr int kNotFound = 5;
inline constexpr int kAlreadyExists = 6;
inline constexpr int kPermissionDenied = 7;
inline constexpr int kResourceExhausted = 8;
inline constexpr int kFailedPrecondition = 9;
inline constexpr int kAborted = 10;
inline constexpr int kOutOfRange = 11;
inline constexpr int kUnimplemented = 12;
inline constexpr int kInternal = 13;
inline constexpr int kUnavailable = 14;
inline constexpr int kDataLoss = 15;
inline constexpr int kUnauthenticated = 16;
}  // namespace grpc_code

// Generic HTTP status for an error code (kTooLarge -> 413, kResourceExhausted -> 429, ...).
int httpStatus(ErrorCode code);

// gRPC code for an error. Internal/IO errors that are not permanent become UNAVAILABLE, so
// clients retry them, as the collector does for non-permanent pipeline errors.
int grpcCode(ErrorCode code);
int grpcCode(const Error& error);

// HTTP status the collector's OTLP/HTTP receiver derives from a gRPC code (statusutil).
int httpStatusFromGrpc(int grpc_code);

// HTTP status for an error answered by the OTLP/HTTP receiver: like the collector, goes through
// the gRPC code (so kTooLarge is 400, a non-permanent pipeline failure is 503).
int otlpHttpStatus(const Error& error);

// Retry-After delay-seconds for a response, only for 429/503 with a positive delay.
std::optional<std::string> retryAfterValue(int http_status, const Error& error);

// google.rpc.Status bodies. `details` are already-encoded google.protobuf.Any messages.
std::string encodeRpcStatusProtobuf(int code, std::string_view message,
                                    const std::vector<std::string>& details = {});
// JSON form; a positive `retry_delay` adds a RetryInfo entry to "details".
std::string encodeRpcStatusJson(int code, std::string_view message,
                                std::chrono::seconds retry_delay = std::chrono::seconds{0});

// A google.protobuf.Any holding google.rpc.RetryInfo{retry_delay: seconds}, encoded.
std::string retryInfoDetail(std::chrono::seconds seconds);

}  // namespace agentgate::net
