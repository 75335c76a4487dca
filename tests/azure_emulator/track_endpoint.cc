#include "track_endpoint.h"

#include <simdjson.h>

#include "appinsights/go_json.h"
#include "envelope_parser.h"
#include "net/compression.h"
#include "net/worker_pool.h"
#include "store/row_mapping.h"

namespace agentgate::azure_emulator {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool isGuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

struct ItemResult {
  int status = 200;
  std::string message;
};

std::string answerBody(const std::vector<ItemResult>& items) {
  size_t accepted = 0;
  for (const auto& r : items) accepted += r.status == 200;
  std::string out = "{\"itemsReceived\":" + std::to_string(items.size()) +
                    ",\"itemsAccepted\":" + std::to_string(accepted) + ",\"errors\":[";
  bool first = true;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].status == 200) continue;
    if (!first) out.push_back(',');
    first = false;
    out += "{\"index\":" + std::to_string(i) +
           ",\"statusCode\":" + std::to_string(items[i].status) + ",\"message\":";
    appinsights::appendJsonString(out, items[i].message);
    out.push_back('}');
  }
  out += "],\"appId\":null}";
  return out;
}

net::HttpResponse json(int status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

std::string_view trimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

bool splitPayload(std::string_view body, std::vector<std::string>& items) {
  std::string_view t = body;
  while (!t.empty() &&
         (t.front() == ' ' || t.front() == '\n' || t.front() == '\r' || t.front() == '\t')) {
    t.remove_prefix(1);
  }
  if (!t.empty() && t.front() == '[') {
    simdjson::dom::parser parser;
    simdjson::dom::array arr;
    if (parser.parse(t.data(), t.size()).get_array().get(arr) != simdjson::SUCCESS) return false;
    for (simdjson::dom::element e : arr) items.push_back(simdjson::minify(e));
    return true;
  }
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    std::string_view line =
        body.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    line = trimView(line);
    if (!line.empty()) items.emplace_back(line);
  }
  return true;
}

TrackEndpoint::TrackEndpoint(TrackEndpointOptions options) : options_(std::move(options)) {}

void TrackEndpoint::script(ForcedAnswer answer) {
  std::lock_guard lock(mu_);
  script_.push_back(std::move(answer));
}

void TrackEndpoint::clearScript() {
  std::lock_guard lock(mu_);
  script_.clear();
}

std::optional<ForcedAnswer> TrackEndpoint::nextForced() {
  std::lock_guard lock(mu_);
  while (!script_.empty() && script_.front().times <= 0) script_.pop_front();
  if (script_.empty()) return std::nullopt;
  ForcedAnswer a = script_.front();
  if (--script_.front().times <= 0) script_.pop_front();
  return a;
}

std::vector<TrackEndpoint::Request> TrackEndpoint::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<std::string> TrackEndpoint::accepted() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

size_t TrackEndpoint::acceptedCount() const {
  std::lock_guard lock(mu_);
  return accepted_count_;
}

bool TrackEndpoint::waitForAccepted(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return accepted_count_ >= n; });
}

bool TrackEndpoint::waitForRequests(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void TrackEndpoint::record(Request r, const std::vector<std::string>& accepted) {
  std::lock_guard lock(mu_);
  accepted_count_ += accepted.size();
  if (!options_.keep_payloads) {
    r.envelopes.clear();
    r.envelopes.shrink_to_fit();
  } else {
    accepted_.insert(accepted_.end(), accepted.begin(), accepted.end());
  }
  requests_.push_back(std::move(r));
  cv_.notify_all();
}

size_t TrackEndpoint::bodyLimit(const net::HttpRequest&) const { return options_.max_body_bytes; }

std::optional<net::HttpResponse> TrackEndpoint::onHeaders(net::HttpRequest& request) {
  if (request.path != "/v2.1/track" && request.path != "/v2/track") {
    return net::HttpResponse::text(404, "not found");
  }
  if (request.method != "POST") {
    net::HttpResponse r = net::HttpResponse::text(405, "method not allowed");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  return std::nullopt;
}

net::HttpResponse TrackEndpoint::onRequest(net::HttpRequest& request) {
  Request seen;
  seen.at = std::chrono::steady_clock::now();
  seen.content_type = std::string(request.header("content-type").value_or(""));
  seen.content_encoding = std::string(request.header("content-encoding").value_or(""));
  seen.authorized = true;
  auto finish = [&](net::HttpResponse r, std::vector<std::string> accepted = {}) {
    seen.status = r.status;
    record(std::move(seen), accepted);
    return r;
  };
  if (!options_.bearer_token.empty()) {
    auto auth = request.header("authorization");
    seen.authorized = auth && *auth == "Bearer " + options_.bearer_token;
    if (!seen.authorized) {
      return finish(json(401, R"({"itemsReceived":0,"itemsAccepted":0,"errors":[{"index":0,)"
                              R"("statusCode":401,"message":"Authorization token is invalid"}]})"));
    }
  }
  const std::string type = lower(seen.content_type.substr(0, seen.content_type.find(';')));
  if (!type.empty() && type != "application/x-json-stream" && type != "application/json") {
    return finish(net::HttpResponse::text(415, "unsupported content type"));
  }
  std::string decoded;
  std::string_view body = request.body;
  const std::string encoding = lower(trimView(seen.content_encoding));
  if (!net::isIdentityEncoding(encoding)) {
    if (encoding != "gzip" && encoding != "deflate") {
      return finish(net::HttpResponse::text(415, "unsupported content encoding"));
    }
    auto d = net::decompress(encoding, request.body, options_.max_body_bytes);
    if (!d.ok()) {
      return finish(json(400, R"({"itemsReceived":0,"itemsAccepted":0,"errors":[{"index":0,)"
                              R"("statusCode":400,"message":"Invalid compressed content"}]})"));
    }
    decoded = std::move(d.value());
    body = decoded;
  }
  if (!splitPayload(body, seen.envelopes) || seen.envelopes.empty()) {
    return finish(json(400, R"({"itemsReceived":0,"itemsAccepted":0,"errors":[{"index":0,)"
                            R"("statusCode":400,"message":"Invalid JSON: no telemetry items"}]})"));
  }
  std::optional<ForcedAnswer> forced = nextForced();
  const size_t n = seen.envelopes.size();
  if (forced && forced->status != 200 && forced->status != 206 && forced->status != 400) {
    seen.item_status.assign(n, forced->status);
    net::HttpResponse r = json(forced->status, "{\"itemsReceived\":" + std::to_string(n) +
                                                   ",\"itemsAccepted\":0,\"errors\":[]}");
    if (!forced->retry_after.empty()) r.headers.emplace_back("Retry-After", forced->retry_after);
    return finish(std::move(r));
  }

  std::vector<ItemResult> results(n);
  std::vector<appinsights::Envelope> envelopes;
  std::vector<std::string> accepted;
  for (size_t i = 0; i < n; ++i) {
    appinsights::Envelope e;
    if (auto rejected = parseEnvelope(seen.envelopes[i], e)) {
      results[i] = {rejected->status_code, rejected->message};
      continue;
    }
    const bool known = options_.instrumentation_keys.empty()
                           ? isGuid(e.ikey)
                           : options_.instrumentation_keys.count(e.ikey) > 0;
    if (!known) {
      results[i] = {400, "Invalid instrumentation key"};
      continue;
    }
    if (forced) {
      auto it = forced->item_codes.find(i);
      if (it != forced->item_codes.end() && it->second != 200) {
        results[i] = {it->second, "forced by the test script"};
        continue;
      }
      if (forced->status == 400 && forced->item_codes.empty()) {
        results[i] = {400, "forced by the test script"};
        continue;
      }
    }
    envelopes.push_back(std::move(e));
    accepted.push_back(seen.envelopes[i]);
  }
  if (!envelopes.empty() && options_.tables != nullptr) {
    store::RowBatch rows;
    store::appendAppInsightsRows(envelopes, rows);
    if (Status st = options_.tables->land(std::move(rows)); !st.ok()) {
      seen.item_status.assign(n, 500);
      return finish(json(
          500, "{\"itemsReceived\":" + std::to_string(n) + ",\"itemsAccepted\":0,\"errors\":[]}"));
    }
  }
  for (const auto& r : results) seen.item_status.push_back(r.status);
  int status = accepted.size() == n ? 200 : accepted.empty() ? 400 : 206;
  // A forced 206 whose script refuses nothing still says 206 (itemsReceived == itemsAccepted),
  // which the exporter must take as success.
  if (forced && forced->status == 206 && accepted.size() == n) status = 206;
  net::HttpResponse r = json(status, answerBody(results));
  if (forced && !forced->retry_after.empty()) {
    r.headers.emplace_back("Retry-After", forced->retry_after);
  }
  return finish(std::move(r), std::move(accepted));
}

Result<std::unique_ptr<TrackServer>> TrackServer::start(net::WorkerPool& pool,
                                                        TrackEndpointOptions options,
                                                        net::TlsServerConfig tls,
                                                        std::string listen) {
  std::unique_ptr<TrackServer> s(new TrackServer());
  s->endpoint_ = std::make_shared<TrackEndpoint>(std::move(options));
  s->tls_ = tls.enabled();
  net::HttpServerOptions o;
  o.endpoint = std::move(listen);
  o.tls = std::move(tls);
  o.name = "azure-emulator/track";
  auto server = net::HttpServer::create(pool, std::move(o), s->endpoint_);
  if (!server.ok()) return server.takeError();
  s->server_ = std::move(server.value());
  if (Status st = s->server_->start(); !st.ok()) return st.takeError();
  return s;
}

TrackServer::~TrackServer() { stop(); }

void TrackServer::stop() {
  if (server_) server_->stop();
}

std::string TrackServer::address() const { return server_->boundAddress(); }

std::string TrackServer::ingestionEndpoint() const {
  return std::string(tls_ ? "https://" : "http://") + address() + "/";
}

}  // namespace agentgate::azure_emulator
