// The whole collector configuration after unmarshalling: typed component configs and pipelines.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "config/config_node.h"
#include "config/diagnostics.h"
#include "exporterhelper/settings.h"
#include "pipeline/registry.h"

namespace agentgate::pipeline {

struct ComponentEntry {
  ComponentId id;
  const Factory* factory = nullptr;
  std::unique_ptr<ComponentConfig> config;
  config::Mark mark;
  // Exporters only: sending_queue / retry_on_failure / timeout, read here for every exporter.
  exporterhelper::HelperSettings helper;
  // `batch` processors only: their keys as consumer-side batching for the pipeline's queued
  // exporters (DESIGN section 2: batching after the queue, never before the acknowledgement).
  std::optional<exporterhelper::BatchSettings> consumer_batch;
};

struct PipelineConfig {
  std::string id;  // "logs", "logs/azure"
  Signal signal = Signal::kLogs;
  std::vector<ComponentId> receivers;
  std::vector<ComponentId> processors;
  std::vector<ComponentId> exporters;
};

struct TelemetryConfig {
  // service.telemetry.metrics: Prometheus endpoint for self-metrics ("" = off).
  std::string metrics_address = "127.0.0.1:8888";
  std::string log_level = "info";  // service.telemetry.logs.level
};

struct CollectorConfig {
  std::vector<ComponentEntry> receivers;
  std::vector<ComponentEntry> processors;
  std::vector<ComponentEntry> exporters;
  std::vector<ComponentEntry> extensions;
  std::vector<ComponentId> service_extensions;
  std::vector<PipelineConfig> pipelines;
  TelemetryConfig telemetry;

  const ComponentEntry* find(ComponentKind kind, const ComponentId& id) const;
};

// Consumer-side batching per exporter id: an exporter's own sending_queue.batch, else the
// settings of the first `batch` processor of a pipeline that feeds it. Absent = no batching.
std::map<std::string, exporterhelper::BatchSettings> consumerBatching(const CollectorConfig& cfg);

// Parses "type[/name]"; nullopt on an empty type or stray characters.
std::optional<ComponentId> parseComponentId(std::string_view text);

// Builds the typed configuration from a loaded YAML tree. Every problem (unknown component type,
// unknown key, invalid value, dangling pipeline reference, a component that does not support the
// pipeline's signal, a pipeline with no receivers/exporters, unknown top-level section) is added
// to `diags` with file, line and key path; the result is usable only when diags has no errors.
CollectorConfig buildCollectorConfig(const config::ConfigNode& root, const Registry& registry,
                                     config::Diagnostics& diags);

}  // namespace agentgate::pipeline
