#include "net/status.h"

#include <cstdint>
#include <cstdio>

#include "common/strings.h"

namespace agentgate::net {

int httpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalid:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMedia:
      return 415;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
    case ErrorCode::kIo:
    case ErrorCode::kConfig:
      return 500;
  }
  return 500;
}

int grpcCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalid:
    case ErrorCode::kUnsupportedMedia:
      return grpc_code::kInvalidArgument;
    case ErrorCode::kUnauthenticated:
      return grpc_code::kUnauthenticated;
    case ErrorCode::kForbidden:
      return grpc_code::kPermissionDenied;
    case ErrorCode::kNotFound:
    case ErrorCode::kMethodNotAllowed:
      return grpc_code::kUnimplemented;
    case ErrorCode::kTooLarge:
    case ErrorCode::kResourceExhausted:
      return grpc_code::kResourceExhausted;
    case ErrorCode::kUnavailable:
      return grpc_code::kUnavailable;
    case ErrorCode::kInternal:
    case ErrorCode::kIo:
    case ErrorCode::kConfig:
      return grpc_code::kInternal;
  }
  return grpc_code::kInternal;
}

int grpcCode(const Error& error) {
  if ((error.code == ErrorCode::kInternal || error.code == ErrorCode::kIo) && !error.permanent) {
    return grpc_code::kUnavailable;
  }
  return grpcCode(error.code);
}

int httpStatusFromGrpc(int code) {
  switch (code) {
    case grpc_code::kOk:
      return 200;
    case grpc_code::kResourceExhausted:
      return 429;
    case grpc_code::kInvalidArgument:
      return 400;
    case grpc_code::kUnauthenticated:
      return 401;
    case grpc_code::kPermissionDenied:
      return 403;
    case grpc_code::kUnimplemented:
      return 404;
    case grpc_code::kCancelled:
    case grpc_code::kDeadlineExceeded:
    case grpc_code::kAborted:
    case grpc_code::kOutOfRange:
    case grpc_code::kUnavailable:
    case grpc_code::kDataLoss:
      return 503;
    default:
      return 500;
  }
}

int otlpHttpStatus(const Error& error) {
  switch (error.code) {
    // Answered before the pipeline with their own statuses (spec 5.2): 405 and 415.
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kUnsupportedMedia:
      return 415;
    // The collector answers an oversized body with 400, not 413.
    case ErrorCode::kTooLarge:
      return 400;
    default:
      return httpStatusFromGrpc(grpcCode(error));
  }
}

std::optional<std::string> retryAfterValue(int http_status, const Error& error) {
  if ((http_status != 429 && http_status != 503) || error.retry_after.count() <= 0) {
    return std::nullopt;
  }
  return std::to_string(error.retry_after.count());
}

namespace {

void putVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void putTag(std::string& out, uint32_t field, uint32_t wire_type) {
  putVarint(out, (static_cast<uint64_t>(field) << 3) | wire_type);
}

void putBytes(std::string& out, uint32_t field, std::string_view bytes) {
  putTag(out, field, 2);
  putVarint(out, bytes.size());
  out.append(bytes);
}

void putInt32(std::string& out, uint32_t field, int32_t v) {
  putTag(out, field, 0);
  // int32 negatives are sign-extended to 64 bits on the wire.
  putVarint(out, static_cast<uint64_t>(static_cast<int64_t>(v)));
}

using strings::appendJsonString;

constexpr std::string_view kRetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";

}  // namespace

std::string encodeRpcStatusProtobuf(int code, std::string_view message,
                                    const std::vector<std::string>& details) {
  std::string out;
  out.reserve(message.size() + 16);
  if (code != 0) putInt32(out, 1, code);  // proto3: zero values are not written
  if (!message.empty()) putBytes(out, 2, message);
  for (const auto& d : details) putBytes(out, 3, d);
  return out;
}

std::string encodeRpcStatusJson(int code, std::string_view message,
                                std::chrono::seconds retry_delay) {
  std::string out;
  out.reserve(message.size() + 40);
  out += "{\"code\":";
  out += std::to_string(code);
  out += ",\"message\":";
  appendJsonString(out, message);
  if (retry_delay.count() > 0) {
    out += ",\"details\":[{\"@type\":";
    appendJsonString(out, kRetryInfoType);
    out += ",\"retryDelay\":\"";
    out += std::to_string(retry_delay.count());
    out += "s\"}]";
  }
  out += '}';
  return out;
}

std::string retryInfoDetail(std::chrono::seconds seconds) {
  std::string duration;  // google.protobuf.Duration{seconds = 1}
  if (seconds.count() != 0) {
    putTag(duration, 1, 0);
    putVarint(duration, static_cast<uint64_t>(seconds.count()));
  }
  std::string retry_info;  // google.rpc.RetryInfo{retry_delay = 1}
  putBytes(retry_info, 1, duration);
  std::string any;  // google.protobuf.Any{type_url = 1, value = 2}
  putBytes(any, 1, kRetryInfoType);
  putBytes(any, 2, retry_info);
  return any;
}

}  // namespace agentgate::net
