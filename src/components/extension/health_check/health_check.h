// The health_check extension: an HTTP endpoint answering 200 while the host reports ready and
// 503 otherwise (container liveness/readiness probes).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agentgate/component.h"
#include "components/extension/health_check/config.h"
#include "net/http_server.h"

namespace agentgate::components::health_check {

class HealthCheck final : public Extension {
 public:
  HealthCheck(std::string id, Config cfg) : id_(std::move(id)), cfg_(std::move(cfg)) {}
  ~HealthCheck() override;
  Status start(Host& host) override;
  void shutdown() override;
  std::string boundAddress() const;

 private:
  std::string id_;
  Config cfg_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace agentgate::components::health_check
