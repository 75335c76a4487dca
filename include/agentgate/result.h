// Result<T> and Error: the data plane's error channel (no exceptions, DESIGN section 5).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace agentgate {

// What went wrong, in terms that map to one HTTP status / gRPC code (src/net/status_mapping).
enum class ErrorCode {
  kInvalid,            // 400 / INVALID_ARGUMENT
  kUnauthenticated,    // 401 / UNAUTHENTICATED
  kForbidden,          // 403 / PERMISSION_DENIED
  kNotFound,           // 404 / UNIMPLEMENTED (unknown path/service)
  kMethodNotAllowed,   // 405
  kTooLarge,           // 413 / RESOURCE_EXHAUSTED (HTTP receiver maps to 400 as the collector does)
  kUnsupportedMedia,   // 415
  kResourceExhausted,  // 429 / RESOURCE_EXHAUSTED (retryable, Retry-After)
  kUnavailable,        // 503 / UNAVAILABLE (retryable, Retry-After)
  kInternal,           // 500 / INTERNAL
  kIo,                 // local I/O failure (files, sockets)
  kConfig,             // startup/config error
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  bool permanent = false;
  std::chrono::seconds retry_after{0};

  static Error invalid(std::string msg) { return {ErrorCode::kInvalid, std::move(msg), true, {}}; }
  static Error internal(std::string msg) {
    return {ErrorCode::kInternal, std::move(msg), true, {}};
  }
  static Error io(std::string msg) { return {ErrorCode::kIo, std::move(msg), false, {}}; }
  static Error config(std::string msg) { return {ErrorCode::kConfig, std::move(msg), true, {}}; }
  static Error unavailable(std::string msg, std::chrono::seconds retry = std::chrono::seconds{1}) {
    return {ErrorCode::kUnavailable, std::move(msg), false, retry};
  }
};

// Result<T>: either a T or an Error. Result<void> carries only success or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }
  Error&& takeError() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !err_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *err_; }
  Error&& takeError() { return std::move(*err_); }

 private:
  std::optional<Error> err_;
};

using Status = Result<void>;

inline Status okStatus() { return {}; }

}  // namespace agentgate
