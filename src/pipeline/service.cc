#include "pipeline/service.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/logging.h"
#include "exporterhelper/queued_exporter.h"
#include "exporterhelper/storage.h"
#include "pipeline/fanout.h"
#include "pipeline/observed_exporter.h"

namespace agentgate::pipeline {
namespace {

CreateSettings settingsFor(const CreateSettings& base, const ComponentId& id) {
  CreateSettings s = base;
  s.id = id;
  return s;
}

Error componentError(ComponentKind kind, const ComponentId& id, const Error& e) {
  Error out = e;
  out.message = std::string(componentKindName(kind)) + " \"" + id.str() + "\": " + e.message;
  return out;
}

// Puts the persistent sending queue in front of an exporter. The queue lives in the storage
// extension's directory when `storage` names one, else under the data directory.
Result<std::shared_ptr<Exporter>> withQueue(Service& svc, const ComponentId& id,
                                            const exporterhelper::HelperSettings& helper,
                                            const exporterhelper::BatchSettings& batch,
                                            const std::string& data_dir,
                                            std::shared_ptr<Exporter> exporter,
                                            selftelemetry::Registry& telemetry) {
  const auto& q = helper.queue;
  exporterhelper::QueueOptions o;
  if (!q.storage.empty()) {
    auto* storage = dynamic_cast<exporterhelper::StorageExtension*>(svc.extension(q.storage));
    if (storage == nullptr) {
      return Error::config("sending_queue.storage: \"" + q.storage +
                           "\" is not a storage extension listed in service.extensions");
    }
    o.directory = storage->directory() + "/exporter_" + exporterhelper::queueDirName(id.str());
  } else if (!data_dir.empty()) {
    o.directory = data_dir + "/queue/" + exporterhelper::queueDirName(id.str());
  } else {
    return Error::config(
        "sending_queue needs a directory: set sending_queue.storage (file_storage) or run with "
        "--data-dir");
  }
  o.max_records = q.queue_size;
  o.max_bytes = q.max_size_mib << 20;
  o.segment_bytes = q.segment_size_mib << 20;
  o.fsync = q.fsync;
  o.fsync_interval = std::chrono::duration_cast<std::chrono::milliseconds>(q.fsync_interval);
  return std::shared_ptr<Exporter>(std::make_shared<exporterhelper::QueuedExporter>(
      id.str(), std::move(exporter), std::move(o), q.num_consumers, helper.retry, &telemetry,
      std::make_shared<exporterhelper::SystemClock>(), batch, helper.timeout));
}

}  // namespace

Service::~Service() { shutdown(); }

Result<std::unique_ptr<Service>> Service::build(const CollectorConfig& config,
                                                const CreateSettings& base,
                                                selftelemetry::Registry& telemetry,
                                                net::WorkerPool& workers) {
  std::unique_ptr<Service> svc(new Service(telemetry, workers));

  for (const auto& id : config.service_extensions) {
    const ComponentEntry* entry = config.find(ComponentKind::kExtension, id);
    if (!entry) return Error::config("extension \"" + id.str() + "\" is not configured");
    const auto* factory = static_cast<const ExtensionFactory*>(entry->factory);
    auto created = factory->create(settingsFor(base, id), *entry->config);
    if (!created) return componentError(ComponentKind::kExtension, id, created.error());
    svc->extensions_.emplace_back(id.str(), std::move(created.value()));
  }

  // Exporters: one instance per id, shared across pipelines and signals.
  std::map<std::string, std::shared_ptr<Exporter>> exporters;
  std::set<std::string> queued;
  const auto batching = consumerBatching(config);
  for (const auto& p : config.pipelines) {
    for (const auto& id : p.exporters) {
      if (exporters.count(id.str())) continue;
      const ComponentEntry* entry = config.find(ComponentKind::kExporter, id);
      if (!entry) return Error::config("exporter \"" + id.str() + "\" is not configured");
      const auto* factory = static_cast<const ExporterFactory*>(entry->factory);
      CreateSettings settings = settingsFor(base, id);
      // One timeout for the exporter's client and the queue's watchdog, so neither cuts the
      // other short: the config's, else the exporter's own default.
      exporterhelper::HelperSettings helper = entry->helper;
      if (!helper.timeout_set) helper.timeout = factory->defaultTimeout();
      settings.timeout = helper.timeout;
      auto created = factory->create(settings, *entry->config);
      if (!created) return componentError(ComponentKind::kExporter, id, created.error());
      std::shared_ptr<Exporter> exporter = created.value();
      if (helper.queue.enabled) {
        auto b = batching.find(id.str());
        auto wrapped = withQueue(*svc, id, helper,
                                 b == batching.end() ? exporterhelper::BatchSettings{} : b->second,
                                 base.data_dir, exporter, telemetry);
        if (!wrapped) return componentError(ComponentKind::kExporter, id, wrapped.error());
        exporter = wrapped.value();
        queued.insert(id.str());
      }
      exporters[id.str()] = exporter;
      svc->exporters_.emplace_back(id.str(), exporter);
    }
  }

  // Pipelines, built back to front: exporters fan-out <- processors <- receivers.
  std::map<std::string, std::map<Signal, std::vector<ConsumerPtr>>> receiver_inputs;
  std::vector<ComponentId> receiver_order;
  for (const auto& p : config.pipelines) {
    std::vector<ConsumerPtr> outs;
    for (const auto& id : p.exporters)
      outs.push_back(std::make_shared<ObservedExporter>(exporters[id.str()], id.str(), p.signal,
                                                        telemetry, queued.count(id.str()) > 0));
    ConsumerPtr next = makeFanout(std::move(outs));
    for (auto it = p.processors.rbegin(); it != p.processors.rend(); ++it) {
      const ComponentEntry* entry = config.find(ComponentKind::kProcessor, *it);
      if (!entry) return Error::config("processor \"" + it->str() + "\" is not configured");
      const auto* factory = static_cast<const ProcessorFactory*>(entry->factory);
      auto created = factory->create(settingsFor(base, *it), *entry->config, p.signal, next);
      if (!created) return componentError(ComponentKind::kProcessor, *it, created.error());
      svc->processors_.emplace_back(it->str() + " (pipeline " + p.id + ")", created.value());
      next = created.value();
    }
    for (const auto& id : p.receivers) {
      if (!receiver_inputs.count(id.str())) receiver_order.push_back(id);
      receiver_inputs[id.str()][p.signal].push_back(next);
    }
  }

  for (const auto& id : receiver_order) {
    const ComponentEntry* entry = config.find(ComponentKind::kReceiver, id);
    if (!entry) return Error::config("receiver \"" + id.str() + "\" is not configured");
    auto& inputs = receiver_inputs[id.str()];
    auto fanoutFor = [&](Signal s) -> ConsumerPtr {
      auto it = inputs.find(s);
      return it == inputs.end() ? nullptr : makeFanout(it->second);
    };
    ReceiverConsumers consumers{fanoutFor(Signal::kLogs), fanoutFor(Signal::kTraces),
                                fanoutFor(Signal::kMetrics)};
    const auto* factory = static_cast<const ReceiverFactory*>(entry->factory);
    auto created = factory->create(settingsFor(base, id), *entry->config, consumers);
    if (!created) return componentError(ComponentKind::kReceiver, id, created.error());
    svc->receivers_.emplace_back(id.str(), std::move(created.value()));
  }
  return svc;
}

Status Service::start() {
  if (started_) return {};
  started_ = true;
  auto startOne = [&](const std::string& kind, const std::string& id, Component& c) -> Status {
    Status st = c.start(*this);
    if (!st.ok()) {
      Error e = st.error();
      e.message = kind + " \"" + id + "\" failed to start: " + e.message;
      return e;
    }
    return {};
  };
  Status st;
  for (auto& [id, c] : extensions_)
    if (st = startOne("extension", id, *c); !st.ok()) break;
  if (st.ok())
    for (auto& [id, c] : exporters_)
      if (st = startOne("exporter", id, *c); !st.ok()) break;
  if (st.ok())
    for (auto& [id, c] : processors_)
      if (st = startOne("processor", id, *c); !st.ok()) break;
  if (st.ok())
    for (auto& [id, c] : receivers_)
      if (st = startOne("receiver", id, *c); !st.ok()) break;
  if (!st.ok()) {
    shutdown();
    return st;
  }
  ready_ = true;
  return {};
}

void Service::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  ready_ = false;
  // Components are shut down in reverse start order; those never started get shutdown() too,
  // which the contract allows.
  for (auto& [id, c] : receivers_) c->shutdown();
  for (auto& [id, c] : processors_) c->shutdown();
  for (auto& [id, c] : exporters_) c->shutdown();
  for (auto it = extensions_.rbegin(); it != extensions_.rend(); ++it) it->second->shutdown();
}

Extension* Service::extension(std::string_view id) {
  for (auto& [name, ext] : extensions_)
    if (name == id) return ext.get();
  return nullptr;
}

void Service::reportEndpoint(std::string_view name, std::string_view address) {
  std::lock_guard lock(endpoints_mu_);
  endpoints_.emplace_back(std::string(name), std::string(address));
  log::info("{} listening on {}", name, address);
}

std::vector<std::pair<std::string, std::string>> Service::endpoints() const {
  std::lock_guard lock(endpoints_mu_);
  return endpoints_;
}

}  // namespace agentgate::pipeline
