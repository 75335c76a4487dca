#include "components/receiver/otlp/http_handler.h"

#include <algorithm>
#include <any>
#include <charconv>

#include "common/strings.h"
#include "net/compression.h"
#include "net/status.h"

namespace agentgate::components::otlpreceiver {
namespace {

enum class Media { kOther, kProtobuf, kJson };

constexpr char kProtobufType[] = "application/x-protobuf";
constexpr char kJsonType[] = "application/json";

Media parseMedia(const net::HttpRequest& request) {
  auto ct = request.header("content-type");
  if (!ct) return Media::kOther;
  std::string_view v = *ct;
  v = strings::trim(v.substr(0, v.find(';')));
  if (strings::iequals(v, kProtobufType)) return Media::kProtobuf;
  if (strings::iequals(v, kJsonType)) return Media::kJson;
  return Media::kOther;
}

// Per-request state carried from onHeaders to onRequest.
struct RequestState {
  Signal signal = Signal::kLogs;
  Media media = Media::kOther;
  std::string encoding;  // lower-cased Content-Encoding, "" for identity
  AuthIdentity identity;
  // The request's share of the memory budget, taken before the body is read, released when the
  // request is answered (std::any needs a copyable state, hence the shared_ptr).
  std::shared_ptr<MemoryReservation> memory;
};

// An error answer in the request's content type (google.rpc.Status), text/plain otherwise.
net::HttpResponse errorResponse(Media media, int http_status, int grpc_code,
                                std::string_view message, std::chrono::seconds retry = {}) {
  net::HttpResponse r;
  r.status = http_status;
  switch (media) {
    case Media::kProtobuf: {
      std::vector<std::string> details;
      if (retry.count() > 0) details.push_back(net::retryInfoDetail(retry));
      r.body = net::encodeRpcStatusProtobuf(grpc_code, message, details);
      r.headers.emplace_back("content-type", kProtobufType);
      break;
    }
    case Media::kJson:
      r.body = net::encodeRpcStatusJson(grpc_code, message, retry);
      r.headers.emplace_back("content-type", kJsonType);
      break;
    case Media::kOther:
      r = net::HttpResponse::text(http_status, std::string(message));
      break;
  }
  return r;
}

net::HttpResponse tooLarge(Media media, size_t limit) {
  return errorResponse(media, 400, net::grpc_code::kInvalidArgument,
                       "request body too large: limit is " + std::to_string(limit) + " bytes");
}

// A retryable error as the collector answers it: 503/429 with Retry-After and RetryInfo.
net::HttpResponse retryableResponse(Media media, const Error& err) {
  int http = net::otlpHttpStatus(err);
  auto retry = net::retryAfterValue(http, err);
  auto resp = errorResponse(media, http, net::grpcCode(err), err.message,
                            retry ? err.retry_after : std::chrono::seconds{0});
  if (retry) resp.headers.emplace_back("retry-after", *retry);
  return resp;
}

// Content-Length when present and well-formed.
std::optional<uint64_t> contentLength(const net::HttpRequest& request) {
  auto v = request.header("content-length");
  if (!v) return std::nullopt;
  uint64_t n = 0;
  auto s = strings::trim(*v);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return n;
}

// First inflation cap for a compressed body: room for ordinary OTLP compression ratios. A body
// that inflates further (a bomb, or very repetitive data) is tried again with the configured
// maximum, reserved in full first.
constexpr uint64_t kTypicalInflateRatio = 8;
constexpr uint64_t kMinInflateCap = 1u << 20;

}  // namespace

OtlpHttpHandler::OtlpHttpHandler(const HttpProtocolConfig& config, ReceiverConsumers consumers,
                                 const ServerAuthenticator* auth,
                                 std::shared_ptr<TransportTelemetry> telemetry,
                                 pdata::DecodeLimits limits, MemoryBudget* budget)
    : config_(config),
      consumers_(std::move(consumers)),
      auth_(auth),
      telemetry_(std::move(telemetry)),
      limits_(limits),
      budget_(budget) {}

net::HttpResponse OtlpHttpHandler::finish(net::HttpResponse response) {
  for (const auto& [k, v] : config_.response_headers) response.headers.emplace_back(k, v);
  telemetry_->countRequest(std::to_string(response.status));
  return response;
}

std::optional<net::HttpResponse> OtlpHttpHandler::onHeaders(net::HttpRequest& request) {
  RequestState state;
  state.media = parseMedia(request);

  // Auth first, as the collector's interceptor wraps every route.
  if (auth_) {
    auto id = authenticate(*auth_, request.headers);
    if (!id.ok()) {
      return finish(
          errorResponse(state.media, 401, net::grpc_code::kUnauthenticated, id.error().message));
    }
    state.identity = std::move(*id);
  }

  std::optional<Signal> signal;
  if (request.path == config_.logs_url_path && consumers_.logs) {
    signal = Signal::kLogs;
  } else if (request.path == config_.traces_url_path && consumers_.traces) {
    signal = Signal::kTraces;
  } else if (request.path == config_.metrics_url_path && consumers_.metrics) {
    signal = Signal::kMetrics;
  }
  if (!signal) return finish(net::HttpResponse::text(404, "404 page not found"));
  state.signal = *signal;

  if (request.method != "POST") {
    return finish(net::HttpResponse::text(405, "405 method not allowed, supported: [POST]"));
  }
  if (state.media == Media::kOther) {
    return finish(net::HttpResponse::text(
        415, "415 unsupported media type, supported: [application/json, application/x-protobuf]"));
  }

  if (auto enc = request.header("content-encoding")) {
    state.encoding = strings::toLower(strings::trim(*enc));
  }
  if (!net::isIdentityEncoding(state.encoding)) {
    bool allowed = net::isSupportedEncoding(state.encoding);
    if (allowed && !config_.compression_algorithms.empty()) {
      const auto& algs = config_.compression_algorithms;
      allowed = std::find(algs.begin(), algs.end(), state.encoding) != algs.end();
    }
    if (!allowed) {
      return finish(errorResponse(state.media, 400, net::grpc_code::kInvalidArgument,
                                  "unsupported Content-Encoding: " + state.encoding));
    }
  }
  if (budget_ != nullptr) {
    // Admission before the body is read: under memory pressure, or when the body would not fit
    // the budget, the client is told to retry and the body is never buffered. A body without
    // Content-Length (chunked) may grow to the configured maximum, so that much is reserved.
    auto memory = std::make_shared<MemoryReservation>(budget_);
    const uint64_t announced = contentLength(request).value_or(config_.max_request_body_size);
    const uint64_t need = net::isIdentityEncoding(state.encoding)
                              ? decodeFootprint(announced, state.media == Media::kJson)
                              : announced;
    if (budget_->underPressure() || !memory->resize(need)) {
      budget_->countRefusal();
      return finish(retryableResponse(state.media, memoryRefusal()));
    }
    state.memory = std::move(memory);
  }
  request.state = std::move(state);
  return std::nullopt;
}

Result<std::string> OtlpHttpHandler::inflate(std::string_view encoding, std::string_view body,
                                             MemoryReservation* reservation) {
  const uint64_t max_body = config_.max_request_body_size;
  if (reservation == nullptr) return net::decompress(encoding, body, max_body);
  // The output buffer grows geometrically: old and new copies coexist while it grows, so twice
  // the cap is reserved, next to the compressed body.
  uint64_t cap = std::min(max_body, std::max(body.size() * kTypicalInflateRatio, kMinInflateCap));
  if (!reservation->resize(body.size() + 2 * cap)) return memoryRefusal();
  auto inflated = net::decompress(encoding, body, cap);
  if (!inflated.ok() && inflated.error().code == ErrorCode::kTooLarge && cap < max_body) {
    cap = max_body;
    if (!reservation->resize(body.size() + 2 * cap)) return memoryRefusal();
    inflated = net::decompress(encoding, body, cap);
  }
  return inflated;
}

size_t OtlpHttpHandler::bodyLimit(const net::HttpRequest&) const {
  return static_cast<size_t>(config_.max_request_body_size);
}

net::HttpResponse OtlpHttpHandler::onBodyTooLarge(const net::HttpRequest& request) {
  return finish(tooLarge(parseMedia(request), config_.max_request_body_size));
}

net::HttpResponse OtlpHttpHandler::onRequest(net::HttpRequest& request) {
  auto* state = std::any_cast<RequestState>(&request.state);
  if (!state) {
    return finish(net::HttpResponse::text(500, "request state missing"));
  }
  Media media = state->media;
  // Held until this function returns, i.e. until the batch is durably queued (or refused).
  std::shared_ptr<MemoryReservation> memory_owner = std::move(state->memory);
  MemoryReservation* memory = memory_owner.get();
  std::string body;
  if (net::isIdentityEncoding(state->encoding)) {
    if (request.body.size() > config_.max_request_body_size) {
      return finish(tooLarge(media, config_.max_request_body_size));
    }
    body = std::move(request.body);
  } else {
    auto inflated = inflate(state->encoding, request.body, memory);
    if (!inflated.ok()) {
      if (inflated.error().code == ErrorCode::kTooLarge) {
        return finish(tooLarge(media, config_.max_request_body_size));
      }
      if (inflated.error().code == ErrorCode::kUnavailable) {
        if (budget_ != nullptr) budget_->countRefusal();
        return finish(retryableResponse(media, inflated.error()));
      }
      return finish(
          errorResponse(media, 400, net::grpc_code::kInvalidArgument, inflated.error().message));
    }
    body = std::move(*inflated);
    std::string().swap(request.body);  // the compressed bytes are no longer needed
    if (memory != nullptr && !memory->resize(decodeFootprint(body.size(), media == Media::kJson))) {
      budget_->countRefusal();
      return finish(retryableResponse(media, memoryRefusal()));
    }
  }

  pdata::RequestContext ctx;
  ctx.client_address = request.remote_address;
  ctx.auth_subject = std::move(state->identity.subject);
  ctx.auth_attributes = std::move(state->identity.attributes);
  if (config_.include_metadata) ctx.metadata = metadataForContext(request.headers);

  Signal signal = state->signal;
  auto consumer = consumers_.forSignal(signal);
  auto result = deliver(signal, media == Media::kJson, std::move(body), std::move(ctx), *consumer,
                        limits_, *telemetry_, memory);
  if (!result.status.ok()) {
    const Error& err = result.status.error();
    if (err.code == ErrorCode::kInvalid) {
      return finish(errorResponse(media, 400, net::grpc_code::kInvalidArgument, err.message));
    }
    return finish(retryableResponse(media, err));
  }

  net::HttpResponse ok;
  ok.status = 200;
  if (media == Media::kJson) {
    ok.body = pdata::encodeExportResponseJson(signal, 0, {});
    ok.headers.emplace_back("content-type", kJsonType);
  } else {
    ok.body = pdata::encodeExportResponseProtobuf(signal, 0, {});
    ok.headers.emplace_back("content-type", kProtobufType);
  }
  return finish(std::move(ok));
}

}  // namespace agentgate::components::otlpreceiver
