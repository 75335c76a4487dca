#include "pipeline/collector_config.h"

#include <cctype>
#include <charconv>
#include <set>

#include "config/map_reader.h"

namespace agentgate::pipeline {

using config::ConfigNode;
using config::Diagnostics;
using config::MapReader;

namespace {

bool validType(std::string_view t) {
  if (t.empty() || t.size() > 63) return false;
  if (!std::isalpha(static_cast<unsigned char>(t[0]))) return false;
  for (char ch : t) {
    auto c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) || c == '_')) return false;
  }
  return true;
}

std::string withArticle(const std::string& noun) {
  bool vowel = !noun.empty() && std::string_view("aeiou").find(noun[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + noun;
}

bool validName(std::string_view n) {
  if (n.empty() || n.size() > 1024) return false;
  for (char ch : n) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '/' || std::isspace(c) || std::iscntrl(c)) return false;
  }
  return true;
}

// Ids that were declared, including those whose type is unknown: a pipeline naming one of the
// latter is not reported again (the unknown type is the one error the user has to fix).
struct Declared {
  std::set<std::string> ok;
  std::set<std::string> unknown_type;
};

class Builder {
 public:
  Builder(const Registry& registry, Diagnostics& diags) : registry_(registry), diags_(diags) {}

  CollectorConfig build(const ConfigNode& root) {
    CollectorConfig cfg;
    if (root.isNull()) {
      diags_.error(root.mark(), "service.pipelines",
                   "the configuration is empty: at least one pipeline is required");
      return cfg;
    }
    if (!root.isMap()) {
      diags_.error(root,
                   "expected a map with receivers, processors, exporters, extensions and "
                   "service");
      return cfg;
    }
    MapReader top(root, diags_);
    section(top.child("receivers"), ComponentKind::kReceiver, cfg.receivers);
    section(top.child("processors"), ComponentKind::kProcessor, cfg.processors);
    section(top.child("exporters"), ComponentKind::kExporter, cfg.exporters);
    section(top.child("extensions"), ComponentKind::kExtension, cfg.extensions);
    if (const ConfigNode* c = top.child("connectors"); c != nullptr && !c->isNull())
      diags_.error(*c, "connectors are not supported");
    const ConfigNode* service = top.child("service");
    top.finish();
    if (service == nullptr || service->isNull()) {
      Mark m = service ? service->mark() : root.mark();
      diags_.error(m, "service.pipelines", "at least one pipeline is required");
      return cfg;
    }
    buildService(*service, cfg);
    return cfg;
  }

 private:
  using Mark = config::Mark;

  Declared& declared(ComponentKind kind) { return declared_[static_cast<int>(kind)]; }

  void section(const ConfigNode* node, ComponentKind kind, std::vector<ComponentEntry>& out) {
    if (node == nullptr || node->isNull()) return;
    if (!node->isMap()) {
      diags_.error(*node, "expected a map of " + std::string(componentKindName(kind)) + " ids");
      return;
    }
    for (const auto& [key, body] : node->entries()) {
      std::optional<ComponentId> id = parseComponentId(key);
      if (!id) {
        diags_.error(body, "invalid " + std::string(componentKindName(kind)) + " id \"" + key +
                               "\" (expected type[/name], type in [a-zA-Z][a-zA-Z0-9_]*)");
        continue;
      }
      const Factory* factory = registry_.find(kind, id->type);
      if (factory == nullptr) {
        diags_.error(
            body, "unknown " + std::string(componentKindName(kind)) + " type \"" + id->type + "\"");
        declared(kind).unknown_type.insert(id->str());
        continue;
      }
      ComponentEntry entry;
      entry.id = *id;
      entry.factory = factory;
      entry.mark = body.mark();
      entry.config = factory->createDefaultConfig();
      if (entry.config && kind == ComponentKind::kExporter) {
        unmarshalExporter(*factory, body, entry);
      } else if (entry.config) {
        factory->unmarshal(body, *entry.config, diags_);
        if (kind == ComponentKind::kProcessor && factory->type() == "batch")
          entry.consumer_batch = batchProcessorSettings(body);
      } else {
        diags_.error(body, "internal error: no default config for " +
                               std::string(componentKindName(kind)) + " \"" + id->type + "\"");
      }
      declared(kind).ok.insert(id->str());
      out.push_back(std::move(entry));
    }
  }

  // The exporterhelper keys are the same for every exporter: read them here and hand the factory
  // only its own keys, so no exporter has to duplicate them.
  void unmarshalExporter(const Factory& factory, const ConfigNode& body, ComponentEntry& entry) {
    const auto* exporter_factory = dynamic_cast<const ExporterFactory*>(&factory);
    entry.helper.queue.enabled = exporter_factory != nullptr && exporter_factory->queueByDefault();
    if (!body.isMap()) {
      factory.unmarshal(body, *entry.config, diags_);
      return;
    }
    MapReader helper(body, diags_);
    exporterhelper::readHelperSettings(helper, entry.helper);
    ConfigNode own = ConfigNode::map(body.mark(), body.path());
    for (const auto& [key, value] : body.entries())
      if (!exporterhelper::isHelperKey(key)) own.add(key, value);
    factory.unmarshal(own, *entry.config, diags_);
  }

  // The batch processor's keys as consumer-side batching. Its own unmarshal already reported any
  // problem, so this read reports to a scratch Diagnostics (no error twice).
  static exporterhelper::BatchSettings batchProcessorSettings(const ConfigNode& body) {
    exporterhelper::BatchSettings b;
    b.enabled = true;
    b.min_size = 8192;  // send_batch_size default
    if (!body.isMap()) return b;
    Diagnostics scratch;
    MapReader r(body, scratch);
    r.read("send_batch_size", b.min_size);
    r.readDuration("timeout", b.flush_timeout);
    r.read("send_batch_max_size", b.max_size);
    if (b.flush_timeout.count() < 0) b.flush_timeout = std::chrono::nanoseconds(0);
    return b;
  }

  void buildService(const ConfigNode& service, CollectorConfig& cfg) {
    MapReader s(service, diags_);
    if (!service.isMap()) return;  // MapReader reported it
    if (const ConfigNode* ext = s.child("extensions"); ext != nullptr && !ext->isNull()) {
      cfg.service_extensions =
          references(*ext, ComponentKind::kExtension, std::nullopt, /*duplicates_are_errors=*/true);
    }
    const ConfigNode* pipelines = s.child("pipelines");
    if (const ConfigNode* tel = s.child("telemetry"); tel != nullptr)
      telemetry(*tel, cfg.telemetry);
    s.finish();

    if (pipelines == nullptr || pipelines->isNull() ||
        (pipelines->isMap() && pipelines->entries().empty())) {
      std::string path =
          service.path().empty() ? "service.pipelines" : service.path() + ".pipelines";
      diags_.error(pipelines ? pipelines->mark() : service.mark(), path,
                   "at least one pipeline is required");
      return;
    }
    if (!pipelines->isMap()) {
      diags_.error(*pipelines, "expected a map of pipelines (logs, traces, metrics[/name])");
      return;
    }
    for (const auto& [key, body] : pipelines->entries()) pipeline(key, body, cfg);
  }

  void pipeline(const std::string& key, const ConfigNode& body, CollectorConfig& cfg) {
    PipelineConfig p;
    p.id = key;
    std::optional<Signal> signal;
    std::string_view sig = key;
    std::string_view name;
    if (auto slash = key.find('/'); slash != std::string::npos) {
      sig = std::string_view(key).substr(0, slash);
      name = std::string_view(key).substr(slash + 1);
    }
    signal = parseSignal(sig);
    bool id_ok = true;
    if (!signal) {
      diags_.error(body, "unknown signal \"" + std::string(sig) + "\" in pipeline id \"" + key +
                             "\" (expected logs, traces or metrics)");
      id_ok = false;
    } else if (key.find('/') != std::string::npos && !validName(name)) {
      diags_.error(body, "invalid pipeline id \"" + key + "\" (expected <signal>[/<name>])");
      id_ok = false;
    }
    if (signal) p.signal = *signal;

    MapReader r(body, diags_);
    if (!body.isMap() && !body.isNull()) return;  // MapReader reported it
    bool receivers_named = false, exporters_named = false;
    if (const ConfigNode* n = r.child("receivers"); n != nullptr && !n->isNull()) {
      p.receivers = references(*n, ComponentKind::kReceiver, signal, false);
      receivers_named = !n->isSequence() || !n->items().empty();
    }
    if (const ConfigNode* n = r.child("processors"); n != nullptr && !n->isNull()) {
      p.processors = references(*n, ComponentKind::kProcessor, signal, true);
      checkProcessorOrder(cfg, p, *n);
    }
    if (const ConfigNode* n = r.child("exporters"); n != nullptr && !n->isNull()) {
      p.exporters = references(*n, ComponentKind::kExporter, signal, false);
      exporters_named = !n->isSequence() || !n->items().empty();
    }
    r.finish();
    // "Named" rather than "resolved": a pipeline whose only exporter has an unknown type (or a
    // list of the wrong shape) already has its error, it must not get a second one.
    if (!receivers_named) diags_.error(body, "pipeline must have at least one receiver");
    if (!exporters_named) diags_.error(body, "pipeline must have at least one exporter");
    if (id_ok) cfg.pipelines.push_back(std::move(p));
  }

  // A processor may need others earlier in the same pipeline (privacy's secrets_only fields need
  // the secrets processor to have scanned them): a wrong order is a config error, not a leak.
  void checkProcessorOrder(const CollectorConfig& cfg, const PipelineConfig& p,
                           const ConfigNode& list) {
    for (size_t i = 0; i < p.processors.size(); ++i) {
      const ComponentEntry* e = cfg.find(ComponentKind::kProcessor, p.processors[i]);
      if (e == nullptr || !e->config) continue;
      for (const auto& type : e->config->requiredBefore()) {
        bool found = false;
        for (size_t j = 0; j < i && !found; ++j) found = p.processors[j].type == type;
        if (!found)
          diags_.error(list, "processor \"" + p.processors[i].str() + "\" needs a \"" + type +
                                 "\" processor before it in pipeline \"" + p.id + "\"");
      }
    }
  }

  // Resolves a list of component ids against what was declared. Unknown-type ids are dropped
  // silently (already reported); undefined ids, unsupported signals and malformed items are errors.
  std::vector<ComponentId> references(const ConfigNode& list, ComponentKind kind,
                                      std::optional<Signal> signal, bool duplicates_are_errors) {
    std::vector<ComponentId> out;
    const std::string kind_name(componentKindName(kind));
    if (!list.isSequence()) {
      diags_.error(list, "expected a list of " + kind_name + " ids");
      return out;
    }
    std::set<std::string> seen;
    for (const auto& item : list.items()) {
      if (!item.isScalar()) {
        diags_.error(item, "expected " + withArticle(kind_name) + " id");
        continue;
      }
      std::optional<ComponentId> id = parseComponentId(item.value());
      if (!id) {
        diags_.error(item, "invalid " + kind_name + " id \"" + item.value() + "\"");
        continue;
      }
      std::string sid = id->str();
      Declared& d = declared(kind);
      if (d.unknown_type.count(sid)) continue;
      if (!d.ok.count(sid)) {
        diags_.error(item, "references " + kind_name + " \"" + sid + "\" which is not configured");
        continue;
      }
      if (!seen.insert(sid).second) {
        if (duplicates_are_errors)
          diags_.error(item, "references " + kind_name + " \"" + sid + "\" more than once");
        continue;
      }
      if (signal) {
        const Factory* f = registry_.find(kind, id->type);
        if (f != nullptr && f->stability(*signal) == Stability::kUndefined) {
          diags_.error(item, kind_name + " \"" + sid + "\" does not support " +
                                 std::string(signalName(*signal)));
          continue;
        }
      }
      out.push_back(std::move(*id));
    }
    return out;
  }

  void telemetry(const ConfigNode& node, TelemetryConfig& out) {
    MapReader t(node, diags_);
    if (const ConfigNode* m = t.child("metrics"); m != nullptr) {
      MapReader mr(*m, diags_);
      std::string level;
      mr.readEnum("level", level, {"none", "basic", "normal", "detailed"});
      bool has_address = mr.read("address", out.metrics_address);
      if (has_address && !out.metrics_address.empty() && !validAddress(out.metrics_address))
        mr.error("address", "invalid address \"" + out.metrics_address + "\" (expected host:port)");
      if (const ConfigNode* readers = mr.child("readers");
          readers != nullptr && !readers->isNull()) {
        if (has_address)
          diags_.error(*readers, "use either address or readers, not both");
        else
          metricReaders(*readers, out);
      }
      if (level == "none") out.metrics_address.clear();
      mr.finish();
    }
    if (const ConfigNode* l = t.child("logs"); l != nullptr) {
      MapReader lr(*l, diags_);
      lr.readEnum("level", out.log_level, {"debug", "info", "warn", "error"});
      lr.finish();
    }
    t.finish();
  }

  // The one reader form we serve: a pull Prometheus exporter on host:port.
  void metricReaders(const ConfigNode& readers, TelemetryConfig& out) {
    const char* kOnly =
        "only one reader of the form pull.exporter.prometheus {host, port} is "
        "supported";
    if (!readers.isSequence() || readers.items().size() != 1) {
      diags_.error(readers, kOnly);
      return;
    }
    const ConfigNode& reader = readers.items()[0];
    const ConfigNode* pull = reader.isMap() ? reader.find("pull") : nullptr;
    const ConfigNode* exporter = pull && pull->isMap() ? pull->find("exporter") : nullptr;
    const ConfigNode* prom = exporter && exporter->isMap() ? exporter->find("prometheus") : nullptr;
    if (prom == nullptr || reader.entries().size() != 1 || pull->entries().size() != 1 ||
        exporter->entries().size() != 1) {
      diags_.error(reader, kOnly);
      return;
    }
    MapReader pr(*prom, diags_);
    std::string host = "localhost";
    int port = 8888;
    pr.read("host", host);
    if (pr.read("port", port) && (port < 0 || port > 65535))
      pr.error("port", "port must be between 0 and 65535");
    for (const char* k : {"without_units", "without_type_suffix", "without_scope_info"})
      pr.ignore(k);
    pr.finish();
    out.metrics_address = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                          std::to_string(port);
  }

  static bool validAddress(std::string_view a) {
    auto colon = a.rfind(':');
    if (colon == std::string_view::npos) return false;
    std::string_view port = a.substr(colon + 1);
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    return !port.empty() && ec == std::errc() && p == port.data() + port.size() && v <= 65535;
  }

  const Registry& registry_;
  Diagnostics& diags_;
  Declared declared_[4];
};

}  // namespace

const ComponentEntry* CollectorConfig::find(ComponentKind kind, const ComponentId& id) const {
  const std::vector<ComponentEntry>* list = nullptr;
  switch (kind) {
    case ComponentKind::kReceiver:
      list = &receivers;
      break;
    case ComponentKind::kProcessor:
      list = &processors;
      break;
    case ComponentKind::kExporter:
      list = &exporters;
      break;
    case ComponentKind::kExtension:
      list = &extensions;
      break;
  }
  for (const auto& e : *list)
    if (e.id == id) return &e;
  return nullptr;
}

std::map<std::string, exporterhelper::BatchSettings> consumerBatching(const CollectorConfig& cfg) {
  std::map<std::string, exporterhelper::BatchSettings> out;
  for (const auto& e : cfg.exporters)
    if (e.helper.queue.batch.enabled) out[e.id.str()] = e.helper.queue.batch;
  for (const auto& p : cfg.pipelines) {
    const exporterhelper::BatchSettings* from = nullptr;
    for (const auto& id : p.processors) {
      const ComponentEntry* proc = cfg.find(ComponentKind::kProcessor, id);
      if (proc != nullptr && proc->consumer_batch) {
        from = &*proc->consumer_batch;
        break;
      }
    }
    if (from == nullptr) continue;
    for (const auto& id : p.exporters) out.emplace(id.str(), *from);  // first one wins
  }
  return out;
}

std::optional<ComponentId> parseComponentId(std::string_view text) {
  ComponentId id;
  auto slash = text.find('/');
  std::string_view type = text.substr(0, slash);
  if (!validType(type)) return std::nullopt;
  id.type = std::string(type);
  if (slash != std::string_view::npos) {
    std::string_view name = text.substr(slash + 1);
    if (!validName(name)) return std::nullopt;
    id.name = std::string(name);
  }
  return id;
}

CollectorConfig buildCollectorConfig(const config::ConfigNode& root, const Registry& registry,
                                     config::Diagnostics& diags) {
  return Builder(registry, diags).build(root);
}

}  // namespace agentgate::pipeline
