#include "components/extension/health_check/health_check.h"

#include <ctime>

namespace agentgate::components::health_check {
namespace {

std::string rfc3339(std::chrono::system_clock::time_point t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(us % 1000000));
  return buf;
}

std::string goDuration(std::chrono::steady_clock::duration d) {
  double secs = std::chrono::duration<double>(d).count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6gs", secs);
  return buf;
}

class Handler : public net::HttpHandler {
 public:
  Handler(const Config& cfg, Host& host)
      : cfg_(cfg),
        host_(host),
        up_since_(rfc3339(std::chrono::system_clock::now())),
        started_(std::chrono::steady_clock::now()) {}

  std::optional<net::HttpResponse> onHeaders(net::HttpRequest& request) override {
    if (request.path != cfg_.path) return net::HttpResponse::text(404, "404 page not found\n");
    return std::nullopt;
  }

  net::HttpResponse onRequest(net::HttpRequest& request) override {
    (void)request;
    bool ready = host_.ready();
    net::HttpResponse r;
    r.status = ready ? 200 : 503;
    const auto& custom = ready ? cfg_.healthy_body : cfg_.unhealthy_body;
    if (custom) {
      r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      r.body = *custom;
      return r;
    }
    r.headers.emplace_back("Content-Type", "application/json");
    if (ready) {
      r.body = "{\"status\":\"Server available\",\"upSince\":\"" + up_since_ + "\",\"uptime\":\"" +
               goDuration(std::chrono::steady_clock::now() - started_) + "\"}";
    } else {
      r.body = "{\"status\":\"Server not available\"}";
    }
    return r;
  }

 private:
  Config cfg_;  // a copy: connections may outlive the extension object
  Host& host_;
  std::string up_since_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

HealthCheck::~HealthCheck() { shutdown(); }

Status HealthCheck::start(Host& host) {
  if (server_) return {};
  net::HttpServerOptions options;
  options.endpoint = resolveLocalhost(cfg_.endpoint);
  options.tls = cfg_.tls;
  options.name = id_;
  auto server =
      net::HttpServer::create(host.workers(), options, std::make_shared<Handler>(cfg_, host));
  if (!server.ok()) return Error::config(id_ + ": " + server.error().message);
  if (auto st = (*server)->start(); !st.ok()) {
    return Error::config(id_ + ": cannot listen on " + options.endpoint + ": " +
                         st.error().message);
  }
  server_ = std::move(server.value());
  host.reportEndpoint(id_, server_->boundAddress());
  return {};
}

void HealthCheck::shutdown() {
  if (server_) server_->stop();
}

std::string HealthCheck::boundAddress() const {
  return server_ ? server_->boundAddress() : std::string();
}

}  // namespace agentgate::components::health_check
