// The Prometheus endpoint for self-metrics (GET /metrics on service.telemetry.metrics.address).
// API fixed by the lead (run.cc uses it); implementation in metrics_server.cc.
#pragma once

#include <memory>
#include <string>

#include "agentgate/result.h"
#include "selftelemetry/registry.h"

namespace agentgate::net {
class WorkerPool;
}

namespace agentgate::selftelemetry {

class MetricsServer {
 public:
  // Binds `endpoint` ("127.0.0.1:8888", port 0 allowed) on the pool's loops and serves
  // GET /metrics with registry.renderPrometheus().
  static Result<std::unique_ptr<MetricsServer>> start(net::WorkerPool& pool, Registry& registry,
                                                      const std::string& endpoint);
  virtual ~MetricsServer() = default;
  virtual void stop() = 0;  // idempotent
  virtual std::string boundAddress() const = 0;
};

// process_resident_memory_bytes, process_cpu_seconds_total, ... read at render time.
void registerProcessMetrics(Registry& registry);

}  // namespace agentgate::selftelemetry
