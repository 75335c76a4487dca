#include "otlp_endpoint.h"

#include <mutex>

#include "net/compression.h"
#include "net/http_server.h"
#include "net/worker_pool.h"
#include "pdata/codec.h"
#include "store/row_mapping.h"

namespace agentgate::azure_emulator {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

// Azure's JSON error shape.
net::HttpResponse azureError(int status, std::string_view code, std::string_view message) {
  net::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = "{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":\"" +
           std::string(message) + "\"}}";
  return r;
}

uint64_t nowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

std::string_view urlStream(Signal signal) {
  switch (signal) {
    case Signal::kLogs:
      return "Microsoft-OTLP-Logs";
    case Signal::kTraces:
      return "Microsoft-OTLP-Traces";
    case Signal::kMetrics:
      return "microsoft-otelmetrics";
  }
  return "";
}

std::optional<Signal> signalForUrlStream(std::string_view stream) {
  for (Signal s : kAllSignals)
    if (iequals(stream, urlStream(s))) return s;
  return std::nullopt;
}

struct OtlpEndpoint::State {
  OtlpEndpointOptions options;
  mutable std::mutex mu;
  OtlpEndpointStats stats;
  int fail_remaining = 0;
  int fail_status = 503;
  int fail_retry_after = -1;
  int partial_remaining = 0;
  int64_t partial_rejected = 0;
  std::string partial_message;
  std::mutex land_mu;  // one request lands at a time: rows of a request stay together
  net::WorkerPool pool{2};
  std::unique_ptr<net::HttpServer> server;

  template <typename F>
  void count(F f) {
    std::lock_guard lock(mu);
    f(stats);
  }
};

namespace {

class DceHandler final : public net::HttpHandler {
 public:
  explicit DceHandler(OtlpEndpoint::State* s) : s_(s) {}

  net::HttpResponse onRequest(net::HttpRequest& r) override {
    s_->count([](auto& st) { st.requests++; });
    // /datacollectionRules/<id>/streams/<stream>/otlp/v1/<signal>
    auto parts = split(r.path, '/');
    if (parts.size() != 8 || !parts[0].empty() || !iequals(parts[1], "datacollectionRules") ||
        !iequals(parts[3], "streams") || parts[5] != "otlp" || parts[6] != "v1")
      return azureError(404, "NotFound", "no such route");
    if (parts[2] != s_->options.dcr_immutable_id)
      return azureError(404, "DcrNotFound", "data collection rule not found");
    auto path_signal = parseSignal(parts[7]);
    auto stream_signal = signalForUrlStream(parts[4]);
    if (!path_signal) return azureError(404, "NotFound", "no such route");
    if (!stream_signal || *stream_signal != *path_signal) {
      s_->count([](auto& st) { st.bad_request++; });
      return azureError(400, "InvalidStream", "stream is not an OTLP stream of this signal");
    }
    if (r.method != "POST") return azureError(405, "MethodNotAllowed", "POST only");

    std::string_view auth = r.header("authorization").value_or("");
    std::optional<int> refused = 401;
    if (auth.size() > 7 && iequals(auth.substr(0, 7), "Bearer ") && s_->options.authorize)
      refused = s_->options.authorize(auth.substr(7));
    if (refused) {
      s_->count([](auto& st) { st.unauthorized++; });
      return azureError(*refused, *refused == 403 ? "Forbidden" : "InvalidToken",
                        "the access token is missing, invalid or expired");
    }

    std::string_view ct = r.header("content-type").value_or("");
    if (ct.substr(0, ct.find(';')) != "application/x-protobuf") {
      s_->count([](auto& st) { st.unsupported_media++; });
      return azureError(415, "UnsupportedMediaType", "only application/x-protobuf is supported");
    }

    {
      std::lock_guard lock(s_->mu);
      if (s_->fail_remaining > 0) {
        s_->fail_remaining--;
        s_->stats.scripted++;
        auto res = azureError(s_->fail_status, "ServiceUnavailable", "scripted failure");
        if (s_->fail_retry_after >= 0)
          res.headers.emplace_back("Retry-After", std::to_string(s_->fail_retry_after));
        return res;
      }
    }

    std::string body = std::move(r.body);
    std::string_view enc = r.header("content-encoding").value_or("");
    if (!net::isIdentityEncoding(enc)) {
      if (!iequals(enc, "gzip")) {
        s_->count([](auto& st) { st.bad_request++; });
        return azureError(415, "UnsupportedMediaType", "Content-Encoding must be gzip");
      }
      auto plain = net::decompress(enc, body, 64u << 20);
      if (!plain) {
        s_->count([](auto& st) { st.bad_request++; });
        return azureError(400, "InvalidPayload", "body is not valid gzip");
      }
      body = std::move(plain.value());
    }
    auto batch = std::make_unique<pdata::Batch>(*path_signal);
    std::string_view bytes = batch->adoptBuffer(std::move(body));
    if (auto st = pdata::decodeProtobuf(*batch, bytes); !st.ok()) {
      s_->count([](auto& st) { st.bad_request++; });
      return azureError(400, "InvalidPayload", "body is not an OTLP export request");
    }
    if (auto st = land(*batch); !st.ok())
      return azureError(500, "InternalServerError", "landing failed");

    int64_t rejected = 0;
    std::string message;
    {
      std::lock_guard lock(s_->mu);
      s_->stats.accepted++;
      if (s_->partial_remaining > 0) {
        s_->partial_remaining--;
        rejected = s_->partial_rejected;
        message = s_->partial_message;
      }
    }
    net::HttpResponse res;
    res.status = 200;
    res.headers.emplace_back("Content-Type", "application/x-protobuf");
    res.body = pdata::encodeExportResponseProtobuf(*path_signal, rejected, message);
    return res;
  }

 private:
  Status land(const pdata::Batch& batch) {
    const auto items = static_cast<int64_t>(batch.itemCount());
    if (batch.signal() == Signal::kMetrics) {
      int64_t cumulative = 0;
      std::set<std::string> names;
      for (const auto& rm : batch.resource_metrics)
        for (const auto& sm : rm.scope_metrics)
          for (const auto& m : sm.metrics) {
            names.emplace(m.name);
            if (m.temporality == pdata::AggregationTemporality::kCumulative)
              cumulative +=
                  static_cast<int64_t>(m.number_points.size() + m.histogram_points.size() +
                                       m.exp_histogram_points.size());
          }
      s_->count([&](auto& st) {
        st.metric_points += items;
        st.cumulative_metric_points += cumulative;
        st.metric_names.insert(names.begin(), names.end());
      });
      return {};
    }
    store::RowBatch rows;
    store::appendOtelRows(batch, nowNanos(), rows);
    {
      std::lock_guard lock(s_->land_mu);
      if (auto st = s_->options.tables->land(std::move(rows)); !st.ok()) return st;
    }
    s_->count(
        [&](auto& st) { (batch.signal() == Signal::kLogs ? st.log_records : st.spans) += items; });
    return {};
  }

  OtlpEndpoint::State* s_;
};

}  // namespace

Result<std::unique_ptr<OtlpEndpoint>> OtlpEndpoint::start(OtlpEndpointOptions options) {
  if (!options.tables) return Error::invalid("OtlpEndpoint needs LandedTables");
  std::unique_ptr<OtlpEndpoint> out(new OtlpEndpoint());
  out->state_ = std::make_shared<State>();
  out->state_->options = std::move(options);
  out->state_->pool.start();
  net::HttpServerOptions so;
  so.name = "azure-dce";
  auto server = net::HttpServer::create(out->state_->pool, std::move(so),
                                        std::make_shared<DceHandler>(out->state_.get()));
  if (!server) return server.takeError();
  if (auto st = server.value()->start(); !st.ok()) return st.error();
  out->state_->server = std::move(server.value());
  return out;
}

OtlpEndpoint::~OtlpEndpoint() {
  if (!state_) return;
  if (state_->server) state_->server->stop();
  state_->pool.stop();
}

std::string OtlpEndpoint::baseUrl() const { return "http://" + state_->server->boundAddress(); }

static std::string streamUrl(const OtlpEndpoint& e, const std::string& dcr, Signal s) {
  return e.baseUrl() + "/datacollectionRules/" + dcr + "/streams/" + std::string(urlStream(s)) +
         "/otlp/v1/" + std::string(signalName(s));
}

std::string OtlpEndpoint::logsUrl() const {
  return streamUrl(*this, state_->options.dcr_immutable_id, Signal::kLogs);
}
std::string OtlpEndpoint::tracesUrl() const {
  return streamUrl(*this, state_->options.dcr_immutable_id, Signal::kTraces);
}
std::string OtlpEndpoint::metricsUrl() const {
  return streamUrl(*this, state_->options.dcr_immutable_id, Signal::kMetrics);
}

void OtlpEndpoint::failNext(int requests, int status, int retry_after_seconds) {
  std::lock_guard lock(state_->mu);
  state_->fail_remaining = requests;
  state_->fail_status = status;
  state_->fail_retry_after = retry_after_seconds;
}

void OtlpEndpoint::partialSuccessNext(int requests, int64_t rejected, std::string message) {
  std::lock_guard lock(state_->mu);
  state_->partial_remaining = requests;
  state_->partial_rejected = rejected;
  state_->partial_message = std::move(message);
}

OtlpEndpointStats OtlpEndpoint::stats() const {
  std::lock_guard lock(state_->mu);
  return state_->stats;
}

}  // namespace agentgate::azure_emulator
