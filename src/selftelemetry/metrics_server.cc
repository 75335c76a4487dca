#include "selftelemetry/metrics_server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "net/http_server.h"

namespace agentgate::selftelemetry {
namespace {

class MetricsHandler : public net::HttpHandler {
 public:
  explicit MetricsHandler(Registry& registry) : registry_(registry) {}

  std::optional<net::HttpResponse> onHeaders(net::HttpRequest& request) override {
    if (request.path != "/metrics") return net::HttpResponse::text(404, "404 page not found\n");
    if (request.method != "GET" && request.method != "HEAD") {
      auto r = net::HttpResponse::text(405, "method not allowed\n");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    return std::nullopt;
  }

  net::HttpResponse onRequest(net::HttpRequest& request) override {
    (void)request;
    net::HttpResponse r;
    r.status = 200;
    r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.body = registry_.renderPrometheus();
    return r;
  }

 private:
  Registry& registry_;  // outlives the server: the CLI owns both and stops the server first
};

class MetricsServerImpl : public MetricsServer {
 public:
  explicit MetricsServerImpl(std::unique_ptr<net::HttpServer> server)
      : server_(std::move(server)) {}
  ~MetricsServerImpl() override { stop(); }
  void stop() override { server_->stop(); }
  std::string boundAddress() const override { return server_->boundAddress(); }

 private:
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(net::WorkerPool& pool,
                                                            Registry& registry,
                                                            const std::string& endpoint) {
  net::HttpServerOptions options;
  options.endpoint = endpoint;
  options.name = "telemetry/metrics";
  auto server = net::HttpServer::create(pool, options, std::make_shared<MetricsHandler>(registry));
  if (!server.ok()) return server.takeError();
  if (auto st = (*server)->start(); !st.ok()) {
    return Error::config("metrics endpoint " + endpoint + ": " + st.error().message);
  }
  return std::unique_ptr<MetricsServer>(new MetricsServerImpl(std::move(server.value())));
}

void registerProcessMetrics(Registry& registry) {
  static const long kPageSize = sysconf(_SC_PAGESIZE);
  registry.gaugeFunction(
      "process_resident_memory_bytes", {},
      [] {
        std::ifstream in("/proc/self/statm");
        double size = 0;
        double resident = 0;
        if (!(in >> size >> resident)) return 0.0;
        return resident * static_cast<double>(kPageSize);
      },
      "Resident memory size in bytes.");
  registry.counterFunction(
      "process_cpu_seconds_total", {},
      [] {
        rusage ru{};
        if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
        auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
        return secs(ru.ru_utime) + secs(ru.ru_stime);
      },
      "Total user and system CPU time spent in seconds.");
  const double start =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  registry.gaugeFunction(
      "process_start_time_seconds", {}, [start] { return start; },
      "Start time of the process since unix epoch in seconds.");
}

}  // namespace agentgate::selftelemetry
