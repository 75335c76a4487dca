#include "components/exporter/otlp_http/otlp_http_exporter.h"

#include "common/logging.h"
#include "components/exporter/otlp_http/partial_success.h"
#include "net/compression.h"
#include "pdata/codec.h"

namespace agentgate::components::otlp_http {

namespace {

size_t signalIndex(Signal s) { return static_cast<size_t>(s); }

std::string withoutQuery(const std::string& url) { return url.substr(0, url.find('?')); }

// A short, printable excerpt of a response body for an error message (the destination's own
// explanation, e.g. "InvalidStream"); never the request.
std::string bodyExcerpt(const std::string& body) {
  std::string out;
  for (char c : body) {
    if (out.size() >= 200) {
      out += "...";
      break;
    }
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  return out;
}

}  // namespace

Error statusError(const net::HttpClientResponse& response, const std::string& url) {
  std::string msg = "POST " + withoutQuery(url) + ": HTTP " + std::to_string(response.status);
  std::string excerpt = bodyExcerpt(response.body);
  if (!excerpt.empty()) msg += " (" + excerpt + ")";
  switch (response.status) {
    case 429:
    case 502:
    case 503:
    case 504: {
      Error e = Error::unavailable(std::move(msg), std::chrono::seconds{0});
      if (response.status == 429) e.code = ErrorCode::kResourceExhausted;
      if (auto ra = response.header("retry-after")) {
        if (auto secs = net::parseRetryAfter(*ra)) e.retry_after = *secs;
      }
      return e;
    }
    default: {
      Error e = Error::invalid(std::move(msg));
      if (response.status == 401) e.code = ErrorCode::kUnauthenticated;
      if (response.status == 403) e.code = ErrorCode::kForbidden;
      if (response.status == 404) e.code = ErrorCode::kNotFound;
      if (response.status == 413) e.code = ErrorCode::kTooLarge;
      if (response.status == 415) e.code = ErrorCode::kUnsupportedMedia;
      if (response.status >= 500) e.code = ErrorCode::kInternal;
      return e;
    }
  }
}

Result<std::unique_ptr<OtlpHttpExporter>> OtlpHttpExporter::create(
    std::string id, Config cfg, std::chrono::milliseconds timeout) {
  net::HttpClientOptions opts;
  opts.tls = cfg.tls;
  opts.timeout = timeout;
  opts.max_response_bytes = 64u << 10;  // the collector reads at most 64 KiB of a response
  opts.user_agent = "agentgate otlp_http";
  auto client = net::HttpClient::create(std::move(opts));
  if (!client) return Error::config(id + ": " + client.error().message);
  return std::unique_ptr<OtlpHttpExporter>(
      new OtlpHttpExporter(std::move(id), std::move(cfg), std::move(client.value())));
}

OtlpHttpExporter::OtlpHttpExporter(std::string id, Config cfg,
                                   std::unique_ptr<net::HttpClient> client)
    : id_(std::move(id)), cfg_(std::move(cfg)), client_(std::move(client)) {
  for (size_t i = 0; i < 3; ++i) rejected_[i] = &own_rejected_[i];
}

Status OtlpHttpExporter::start(Host& host) {
  if (!cfg_.authenticator.empty()) {
    Extension* ext = host.extension(cfg_.authenticator);
    if (!ext)
      return Error::config("exporters::" + id_ + "::auth: authenticator \"" + cfg_.authenticator +
                           "\" is not a started extension");
    auth_ = ext->asClientAuthenticator();
    if (!auth_)
      return Error::config("exporters::" + id_ + "::auth: extension \"" + cfg_.authenticator +
                           "\" is not a client authenticator");
  }
  for (Signal s : kAllSignals) {
    rejected_[signalIndex(s)] = &host.telemetry().counter(
        "agentgate_exporter_partial_success_rejected_" + std::string(signalItemUnit(s)) + "_total",
        {{"exporter", id_}},
        "Items the destination rejected in a partial_success response (not retried).");
  }
  return {};
}

uint64_t OtlpHttpExporter::partialRejected(Signal signal) const {
  return rejected_[signalIndex(signal)]->value();
}

Result<net::HttpClientResponse> OtlpHttpExporter::post(const std::string& url,
                                                       const std::string& body,
                                                       const std::string& content_type) {
  net::HttpClientRequest req;
  req.method = "POST";
  req.url = url;
  req.headers.emplace_back("Content-Type", content_type);
  if (cfg_.compression != "none") req.headers.emplace_back("Content-Encoding", cfg_.compression);
  for (const auto& [k, v] : cfg_.headers) req.headers.emplace_back(k, v);
  if (auth_) {
    auto headers = auth_->requestHeadersFor(url);
    if (!headers) {
      Error e = headers.takeError();
      e.message = id_ + ": authenticator " + cfg_.authenticator + ": " + e.message;
      return e;
    }
    for (auto& h : headers.value()) req.headers.push_back(std::move(h));
  }
  req.body = body;
  return client_->send(req);
}

Status OtlpHttpExporter::consume(BatchPtr&& batch) {
  const Signal signal = batch->signal();
  const std::string url = signalUrl(cfg_, signal);
  if (url.empty())
    return Error::invalid(id_ + ": no endpoint configured for " + std::string(signalName(signal)));
  const bool json = cfg_.encoding == "json";
  std::string body = json ? pdata::encodeJson(*batch) : pdata::encodeProtobuf(*batch);
  if (cfg_.compression != "none") {
    auto compressed = net::compress(cfg_.compression, body);
    if (!compressed) return Error::internal(id_ + ": " + compressed.error().message);
    body = std::move(compressed.value());
  }
  const std::string content_type = json ? "application/json" : "application/x-protobuf";

  auto res = post(url, body, content_type);
  // A 401 usually means the cached token was revoked or expired early: fetch a fresh one and try
  // once more before calling it permanent.
  if (res && res->status == 401 && auth_) {
    auth_->invalidate();
    res = post(url, body, content_type);
  }
  if (!res) return res.takeError();
  return classify(res.value(), signal, url);
}

Status OtlpHttpExporter::classify(const net::HttpClientResponse& response, Signal signal,
                                  const std::string& url) {
  if (response.status < 200 || response.status >= 300) return statusError(response, url);
  auto ct = response.header("content-type").value_or("");
  bool json_body = ct.find("json") != std::string_view::npos;
  if (auto ps = parsePartialSuccess(response.body, json_body)) {
    if (ps->rejected > 0) rejected_[signalIndex(signal)]->add(static_cast<uint64_t>(ps->rejected));
    // The destination's message and a count; never the data.
    log::warn("{}: partial success response: {} {} rejected: {}", id_, ps->rejected,
              signalItemUnit(signal), bodyExcerpt(ps->error_message));
  }
  return {};
}

}  // namespace agentgate::components::otlp_http
