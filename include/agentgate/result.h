// Result<T> and Error: the data plane's error channel (no exceptions, DESIGN section 5).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
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

class PendingExport;

struct Error {
  Error() = default;
  Error(ErrorCode c, std::string msg, bool is_permanent = false,
        std::chrono::seconds retry = std::chrono::seconds{0},
        std::shared_ptr<PendingExport> rest = nullptr)
      : code(c),
        message(std::move(msg)),
        permanent(is_permanent),
        retry_after(retry),
        pending(std::move(rest)) {}

  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  bool permanent = false;
  std::chrono::seconds retry_after{0};
  // Set by an exporter whose destination took part of the batch (Application Insights 206, or a
  // batch split into several requests of which some got through): what is left to send. A retry
  // sends this instead of the whole batch again, so nothing accepted is delivered twice. Null:
  // the whole batch failed. (The collector's consumererror.Logs/Traces/Metrics carry the failed
  // part the same way.)
  std::shared_ptr<PendingExport> pending;

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

// The part of an export still to be delivered after a partial success (see Error::pending). It
// holds its own payload and whatever it needs to send it; the exporter that made it must outlive
// it (the sending queue stops its consumers before it shuts the exporter down).
class PendingExport {
 public:
  virtual ~PendingExport() = default;
  // Telemetry items still to deliver, for the drop counters if it is given up.
  virtual size_t items() const = 0;
  // Sends what is left. A failure may carry a smaller PendingExport in Error::pending (what is
  // still left after this attempt); without one, everything this object held failed.
  virtual Status send() = 0;
};

}  // namespace agentgate
