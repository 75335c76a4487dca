#include "components/exporter/azuremonitor/track_sender.h"

#include <simdjson.h>

#include <algorithm>
#include <set>

#include "common/logging.h"
#include "net/compression.h"

namespace agentgate::components::azuremonitor {
namespace {

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What is left of an export after a partial success: the envelopes (already serialized) to send
// again, and the sender that sends them.
class TrackPending final : public PendingExport {
 public:
  TrackPending(std::shared_ptr<TrackSender> sender, std::vector<std::string> lines, Signal signal)
      : sender_(std::move(sender)), lines_(std::move(lines)), signal_(signal) {}
  size_t items() const override { return lines_.size(); }
  Status send() override { return sender_->send(lines_, signal_); }

 private:
  std::shared_ptr<TrackSender> sender_;
  std::vector<std::string> lines_;
  Signal signal_;
};

// A short, printable excerpt of a service answer for logs and errors (the service's messages
// name fields and limits, never payload values).
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) out.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
  return out;
}

}  // namespace

bool retryableItemStatus(int s) { return s == 408 || s == 429 || s == 439 || s == 500 || s == 503; }

bool retryableRequestStatus(int s) { return retryableItemStatus(s) || s == 502 || s == 504; }

bool parseTrackResponse(std::string_view body, TrackResponse& out) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return false;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return false;
  int64_t v = 0;
  if (obj["itemsReceived"].get_int64().get(v) == simdjson::SUCCESS) out.items_received = v;
  if (obj["itemsAccepted"].get_int64().get(v) == simdjson::SUCCESS) out.items_accepted = v;
  simdjson::dom::element errors;
  if (obj["errors"].get(errors) == simdjson::SUCCESS && !errors.is_null()) {
    simdjson::dom::array arr;
    if (errors.get_array().get(arr) != simdjson::SUCCESS) return false;
    for (simdjson::dom::element e : arr) {
      TrackItemError item;
      int64_t index = -1, code = 0;
      if (e["index"].get_int64().get(index) != simdjson::SUCCESS || index < 0) return false;
      if (e["statusCode"].get_int64().get(code) != simdjson::SUCCESS) return false;
      std::string_view message;
      if (e["message"].get_string().get(message) == simdjson::SUCCESS) item.message = message;
      item.index = static_cast<size_t>(index);
      item.status_code = static_cast<int>(code);
      out.errors.push_back(std::move(item));
    }
  }
  return out.items_received >= 0 || !out.errors.empty();
}

TrackSender::TrackSender(TrackSenderOptions options, std::unique_ptr<net::HttpClient> client,
                         selftelemetry::Registry* registry)
    : options_(std::move(options)), client_(std::move(client)), registry_(registry) {
  options_.max_items_per_request = std::max<size_t>(1, options_.max_items_per_request);
}

struct TrackSender::RequestOutcome {
  size_t accepted = 0;
  std::vector<size_t> retry;  // indices into the lines sent
  size_t rejected = 0;        // refused for good
  int status = 0;             // 0: no HTTP answer
  std::chrono::seconds retry_after{0};
  std::string message;  // why something was not accepted
};

TrackSender::RequestOutcome TrackSender::post(const std::vector<std::string>& lines, size_t begin,
                                              size_t end) {
  RequestOutcome out;
  auto retryAll = [&](std::string message) {
    for (size_t i = begin; i < end; ++i) out.retry.push_back(i);
    out.message = std::move(message);
  };
  size_t bytes = 0;
  for (size_t i = begin; i < end; ++i) bytes += lines[i].size() + 1;
  std::string ndjson;
  ndjson.reserve(bytes);
  for (size_t i = begin; i < end; ++i) {
    ndjson += lines[i];
    ndjson.push_back('\n');  // json.Encoder ends every envelope with a newline
  }
  auto gz = net::compress("gzip", ndjson);
  if (!gz.ok()) {
    retryAll("gzip: " + gz.error().message);
    return out;
  }
  net::HttpClientRequest req;
  req.method = "POST";
  req.url = options_.url;
  req.headers = {{"Content-Type", "application/x-json-stream"},
                 {"Content-Encoding", "gzip"},
                 {"Accept-Encoding", "gzip, deflate"}};
  for (const auto& h : options_.headers) req.headers.push_back(h);
  if (options_.authenticator != nullptr) {
    auto auth = options_.authenticator->requestHeaders();
    if (!auth.ok()) {
      // A token endpoint that is down is a passing failure: keep everything for the retry.
      retryAll("authenticator: " + auth.error().message);
      if (auth.error().retry_after.count() > 0) out.retry_after = auth.error().retry_after;
      return out;
    }
    for (auto& h : *auth) req.headers.push_back(std::move(h));
  }
  req.body = std::move(gz.value());
  auto resp = client_->send(req);
  if (!resp.ok()) {
    retryAll(resp.error().message);
    return out;
  }
  const int s = resp->status;
  out.status = s;
  std::chrono::seconds retry_after{0};
  if (auto ra = resp->header("retry-after")) {
    if (auto parsed = net::parseRetryAfter(*ra)) retry_after = *parsed;
  }
  out.retry_after = retry_after;
  const size_t n = end - begin;
  if (s == 200) {
    out.accepted = n;
    return out;
  }
  if (s == 206) {
    TrackResponse body;
    if (!parseTrackResponse(resp->body, body)) {
      // Which items failed is unknown: sending all again may duplicate some, dropping may lose
      // some; at-least-once picks the first.
      retryAll("HTTP 206 with an unreadable body: " + excerpt(resp->body));
      return out;
    }
    if (body.items_received >= 0 && body.items_received == body.items_accepted &&
        body.errors.empty()) {
      out.accepted = n;
      return out;
    }
    std::sort(body.errors.begin(), body.errors.end(),
              [](const auto& a, const auto& b) { return a.index < b.index; });
    std::set<size_t> failed;
    for (const auto& e : body.errors) {
      if (e.index >= n || !failed.insert(e.index).second) continue;  // out of range / repeated
      if (retryableItemStatus(e.status_code)) {
        out.retry.push_back(begin + e.index);
        if (out.message.empty()) {
          out.message = "HTTP 206: item " + std::to_string(e.index) + ": " +
                        std::to_string(e.status_code) + " " + excerpt(e.message);
        }
      } else {
        ++out.rejected;
        out.message = "HTTP 206: item " + std::to_string(e.index) +
                      " refused: " + std::to_string(e.status_code) + " " + excerpt(e.message);
      }
    }
    out.accepted = n - failed.size();
    return out;
  }
  if (retryableRequestStatus(s)) {
    retryAll("HTTP " + std::to_string(s) +
             (retry_after.count() > 0
                  ? " (Retry-After " + std::to_string(retry_after.count()) + "s)"
                  : std::string()));
    return out;
  }
  // 400 (every item invalid), 401/403 (key or token refused), 404, anything else: not
  // retryable, as in the AI-Go transmitter.
  out.rejected = n;
  out.message = "HTTP " + std::to_string(s) + ": " + excerpt(resp->body);
  return out;
}

Status TrackSender::send(const std::vector<std::string>& lines, Signal signal) {
  std::vector<std::string> retry;
  size_t accepted = 0;
  size_t rejected = 0;
  std::chrono::seconds retry_after{0};
  bool throttled = false;
  std::string retry_message;
  std::string reject_message;
  const size_t step = options_.max_items_per_request;
  for (size_t begin = 0; begin < lines.size(); begin += step) {
    const size_t end = std::min(lines.size(), begin + step);
    RequestOutcome o = post(lines, begin, end);
    accepted += o.accepted;
    rejected += o.rejected;
    if (!o.retry.empty()) {
      for (size_t i : o.retry) retry.push_back(lines[i]);
      retry_after = std::max(retry_after, o.retry_after);
      throttled = throttled || o.status == 429 || o.status == 439;
      if (retry_message.empty()) retry_message = o.message;
    } else if (o.rejected > 0) {
      reject_message = o.message;
    }
    if (o.rejected > 0 && !o.retry.empty()) reject_message = o.message;
  }
  const std::string prefix = options_.exporter_id + ": ";
  if (!retry.empty()) {
    if (rejected > 0) countDropped(signal, "rejected", rejected, reject_message);
    const size_t left = retry.size();
    auto pending = std::make_shared<TrackPending>(shared_from_this(), std::move(retry), signal);
    return Error{throttled ? ErrorCode::kResourceExhausted : ErrorCode::kUnavailable,
                 prefix + std::to_string(left) + " of " + std::to_string(lines.size()) +
                     " envelope(s) to send again: " + retry_message,
                 false, retry_after, std::move(pending)};
  }
  if (rejected > 0 && accepted == 0) {
    return Error{ErrorCode::kInvalid, prefix + reject_message, true};
  }
  if (rejected > 0) countDropped(signal, "rejected", rejected, reject_message);
  return {};
}

void TrackSender::countDropped(Signal signal, std::string_view reason, size_t n,
                               std::string_view why) {
  if (n == 0) return;
  if (registry_ != nullptr) {
    registry_
        ->counter("agentgate_exporter_dropped_" + std::string(signalItemUnit(signal)) + "_total",
                  {{"exporter", options_.exporter_id}, {"reason", std::string(reason)}},
                  "Items dropped for good, by reason.")
        .add(n);
  }
  const int64_t now = nowMillis();
  int64_t last = last_log_ms_.load();
  if (now - last >= 1000 && last_log_ms_.compare_exchange_strong(last, now)) {
    log::warn("exporter {}: dropped {} envelope(s) ({}): {}", options_.exporter_id, n, reason, why);
  }
}

}  // namespace agentgate::components::azuremonitor
