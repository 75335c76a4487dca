// Component factories. Registration is one explicit list in src/components/components.cc.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agentgate/component.h"
#include "agentgate/result.h"
#include "agentgate/signal.h"

namespace agentgate::config {
class ConfigNode;
class Diagnostics;
}  // namespace agentgate::config

namespace agentgate {

enum class ComponentKind { kReceiver, kProcessor, kExporter, kExtension };

constexpr std::string_view componentKindName(ComponentKind k) {
  switch (k) {
    case ComponentKind::kReceiver:
      return "receiver";
    case ComponentKind::kProcessor:
      return "processor";
    case ComponentKind::kExporter:
      return "exporter";
    case ComponentKind::kExtension:
      return "extension";
  }
  return "component";
}

// "type[/name]".
struct ComponentId {
  std::string type;
  std::string name;
  std::string str() const { return name.empty() ? type : type + "/" + name; }
  bool operator==(const ComponentId&) const = default;
};

// A component's typed configuration. Each component derives its own struct.
struct ComponentConfig {
  virtual ~ComponentConfig() = default;
  // Processor types that must come earlier in every pipeline that lists this processor; the
  // config loader reports a wrong order as an error.
  virtual std::vector<std::string> requiredBefore() const { return {}; }
};

struct CreateSettings {
  ComponentId id;
  unsigned workers = 1;                 // --workers
  std::string data_dir;                 // --data-dir (store, queues)
  bool allow_insecure_no_auth = false;  // --insecure-allow-no-auth
  // Exporters only: the exporter's `timeout` key, or its factory's defaultTimeout() when the
  // config does not set it (0 = none). Network exporters use it as their client's per-request
  // timeout; behind a sending queue the QueuedExporter also stops waiting for an attempt after it.
  std::chrono::nanoseconds timeout{0};
};

class Factory {
 public:
  virtual ~Factory() = default;
  virtual ComponentKind kind() const = 0;
  virtual std::string_view type() const = 0;
  // Other spellings accepted in configs (otlphttp for otlp_http, azureauth for azure_auth).
  virtual std::vector<std::string_view> aliases() const { return {}; }
  // Receivers/processors/exporters: per signal (kUndefined = unsupported). Extensions: any signal
  // argument returns the extension's stability.
  virtual Stability stability(Signal signal) const = 0;
  virtual std::unique_ptr<ComponentConfig> createDefaultConfig() const = 0;
  // Reads `node` (a map, or null for "type:" with no body) into `cfg`. Unknown keys, wrong types
  // and invalid values are reported to `diags` with the node's position; never throws.
  virtual void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                         config::Diagnostics& diags) const = 0;
};

// What a receiver feeds: one consumer per signal (nullptr where no pipeline uses it).
struct ReceiverConsumers {
  ConsumerPtr logs;
  ConsumerPtr traces;
  ConsumerPtr metrics;
  ConsumerPtr forSignal(Signal s) const {
    switch (s) {
      case Signal::kLogs:
        return logs;
      case Signal::kTraces:
        return traces;
      case Signal::kMetrics:
        return metrics;
    }
    return nullptr;
  }
};

class ReceiverFactory : public Factory {
 public:
  ComponentKind kind() const override { return ComponentKind::kReceiver; }
  // One receiver instance per id, shared by every pipeline that names it.
  virtual Result<std::unique_ptr<Receiver>> create(const CreateSettings& settings,
                                                   const ComponentConfig& cfg,
                                                   ReceiverConsumers next) const = 0;
};

class ProcessorFactory : public Factory {
 public:
  ComponentKind kind() const override { return ComponentKind::kProcessor; }
  // One instance per pipeline, as in the collector.
  virtual Result<std::shared_ptr<Processor>> create(const CreateSettings& settings,
                                                    const ComponentConfig& cfg, Signal signal,
                                                    ConsumerPtr next) const = 0;
};

class ExporterFactory : public Factory {
 public:
  ComponentKind kind() const override { return ComponentKind::kExporter; }
  // One instance per id, shared by every pipeline (of any signal) that names it.
  virtual Result<std::shared_ptr<Exporter>> create(const CreateSettings& settings,
                                                   const ComponentConfig& cfg) const = 0;
  // Whether the persistent sending_queue is on when the config does not say (the pipeline reads
  // sending_queue / retry_on_failure / timeout for every exporter). True for the store and the
  // network exporters; false where a queue buys nothing (debug, nop).
  virtual bool queueByDefault() const { return false; }
  // The `timeout` (client request and queue watchdog) when the config sets none: the collector's
  // exporterhelper default; HTTP exporters override it with their client's 30s.
  virtual std::chrono::nanoseconds defaultTimeout() const { return std::chrono::seconds(5); }
};

class ExtensionFactory : public Factory {
 public:
  ComponentKind kind() const override { return ComponentKind::kExtension; }
  virtual Result<std::unique_ptr<Extension>> create(const CreateSettings& settings,
                                                    const ComponentConfig& cfg) const = 0;
};

}  // namespace agentgate
