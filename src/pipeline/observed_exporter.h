// Counts what reaches an exporter with the collector's metric names
// (otelcol_exporter_sent_*, otelcol_exporter_send_failed_*), so exporters need not.
#pragma once

#include <memory>
#include <string>

#include "agentgate/component.h"
#include "selftelemetry/registry.h"

namespace agentgate::pipeline {

// With a sending queue in front of the exporter, what reaches it here is an enqueue: failures
// count as otelcol_exporter_enqueue_failed_* and the queue's consumers count sent/send_failed.
class ObservedExporter : public Consumer {
 public:
  ObservedExporter(std::shared_ptr<Exporter> exporter, const std::string& id, Signal signal,
                   selftelemetry::Registry& registry, bool queued = false);
  Status consume(BatchPtr&& batch) override;
  bool mutatesData() const override { return exporter_->mutatesData(); }

 private:
  std::shared_ptr<Exporter> exporter_;
  selftelemetry::Counter* sent_ = nullptr;  // null when queued
  selftelemetry::Counter& failed_;
};

}  // namespace agentgate::pipeline
