// Service: the running collector built from a CollectorConfig — components instantiated, wired
// into pipelines, started in dependency order and stopped in reverse.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "agentgate/component.h"
#include "agentgate/factory.h"
#include "common/memory_budget.h"
#include "pipeline/collector_config.h"

namespace agentgate::pipeline {

class Service : public Host {
 public:
  // Instantiates every component the pipelines use. Fails on the first factory error, naming
  // the component.
  static Result<std::unique_ptr<Service>> build(const CollectorConfig& config,
                                                const CreateSettings& base_settings,
                                                selftelemetry::Registry& telemetry,
                                                net::WorkerPool& workers);
  ~Service() override;

  // Starts extensions, then exporters, processors and receivers (data flows in only when every
  // consumer is ready). On failure, shuts down what was started and returns the error.
  Status start();
  // Receivers first, then processors, exporters and extensions. Idempotent.
  void shutdown();

  // Host
  Extension* extension(std::string_view id) override;
  selftelemetry::Registry& telemetry() override { return telemetry_; }
  net::WorkerPool& workers() override { return workers_; }
  bool ready() const override { return ready_.load(); }
  void reportEndpoint(std::string_view name, std::string_view address) override;
  MemoryBudget* memoryBudget() override { return &budget_; }

  std::vector<std::pair<std::string, std::string>> endpoints() const;

 private:
  Service(selftelemetry::Registry& telemetry, net::WorkerPool& workers)
      : telemetry_(telemetry), workers_(workers) {}

  selftelemetry::Registry& telemetry_;
  net::WorkerPool& workers_;
  std::atomic<bool> ready_{false};
  MemoryBudget budget_;
  bool started_ = false;
  bool stopped_ = false;

  std::vector<std::pair<std::string, std::unique_ptr<Extension>>> extensions_;
  std::vector<std::pair<std::string, std::shared_ptr<Exporter>>> exporters_;
  std::vector<std::pair<std::string, std::shared_ptr<Processor>>> processors_;
  std::vector<std::pair<std::string, std::unique_ptr<Receiver>>> receivers_;

  mutable std::mutex endpoints_mu_;
  std::vector<std::pair<std::string, std::string>> endpoints_;
};

}  // namespace agentgate::pipeline
