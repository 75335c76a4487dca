#include "pipeline/collector_config.h"

#include <gtest/gtest.h>

#include <map>

#include "config/loader.h"
#include "config/map_reader.h"

namespace agentgate::pipeline {
namespace {

using config::ConfigNode;
using config::Diagnostics;

struct FakeConfig : ComponentConfig {
  std::string endpoint = "default";
  int size = 1;
};

// A factory with just enough behaviour to exercise buildCollectorConfig: two keys, one of them
// validated, and a per-signal stability table.
class FakeFactory : public Factory {
 public:
  FakeFactory(ComponentKind kind, std::string type, std::vector<Signal> signals,
              std::vector<std::string_view> aliases = {})
      : kind_(kind),
        type_(std::move(type)),
        signals_(std::move(signals)),
        aliases_(std::move(aliases)) {}
  ComponentKind kind() const override { return kind_; }
  std::string_view type() const override { return type_; }
  std::vector<std::string_view> aliases() const override { return aliases_; }
  Stability stability(Signal s) const override {
    if (kind_ == ComponentKind::kExtension) return Stability::kBeta;
    for (Signal x : signals_)
      if (x == s) return Stability::kBeta;
    return Stability::kUndefined;
  }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override {
    return std::make_unique<FakeConfig>();
  }
  void unmarshal(const ConfigNode& node, ComponentConfig& cfg, Diagnostics& diags) const override {
    auto& c = static_cast<FakeConfig&>(cfg);
    config::MapReader r(node, diags);
    r.read("endpoint", c.endpoint);
    if (r.read("size", c.size) && c.size <= 0) r.error("size", "size must be positive");
    r.finish();
  }

 private:
  ComponentKind kind_;
  std::string type_;
  std::vector<Signal> signals_;
  std::vector<std::string_view> aliases_;
};

Registry fakeRegistry() {
  Registry r;
  const std::vector<Signal> all = {Signal::kLogs, Signal::kTraces, Signal::kMetrics};
  r.add(std::make_unique<FakeFactory>(ComponentKind::kReceiver, "otlp", all));
  r.add(std::make_unique<FakeFactory>(ComponentKind::kProcessor, "batch", all));
  r.add(std::make_unique<FakeFactory>(ComponentKind::kProcessor, "memory_limiter", all));
  r.add(std::make_unique<FakeFactory>(ComponentKind::kExporter, "debug", all));
  r.add(std::make_unique<FakeFactory>(ComponentKind::kExporter, "otlp_http", all,
                                      std::vector<std::string_view>{"otlphttp"}));
  r.add(std::make_unique<FakeFactory>(ComponentKind::kExporter, "logsonly",
                                      std::vector<Signal>{Signal::kLogs}));
  r.add(std::make_unique<FakeFactory>(ComponentKind::kExtension, "bearertokenauth", all));
  return r;
}

// Factories outlive the configs that point at them.
const Registry& fakes() {
  static const Registry registry = fakeRegistry();
  return registry;
}

struct Built {
  CollectorConfig cfg;
  Diagnostics diags;
};

std::unique_ptr<Built> build(std::string_view yaml, const Registry& registry = fakes()) {
  auto b = std::make_unique<Built>();
  ConfigNode root = config::parseYaml(
      yaml, "c.yaml", [](std::string_view) { return std::nullopt; }, b->diags);
  EXPECT_FALSE(b->diags.hasErrors()) << b->diags.report();
  b->cfg = buildCollectorConfig(root, registry, b->diags);
  return b;
}

TEST(CollectorConfigTest, ParseComponentId) {
  auto id = parseComponentId("otlp_http/azuremonitor");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->type, "otlp_http");
  EXPECT_EQ(id->name, "azuremonitor");
  EXPECT_EQ(id->str(), "otlp_http/azuremonitor");
  id = parseComponentId("batch");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->name, "");
  EXPECT_TRUE(parseComponentId("batch/2"));
  for (const char* bad : {"", "/x", "batch/", "2batch", "bat ch", "a/b/c", "a/b c", "a-b"})
    EXPECT_FALSE(parseComponentId(bad)) << bad;
}

TEST(CollectorConfigTest, GoodConfigBuildsEverything) {
  auto b = build(
      "receivers:\n"
      "  otlp:\n"
      "    endpoint: 0.0.0.0:4318\n"
      "processors:\n"
      "  batch:\n"
      "  batch/2:\n"
      "    size: 5\n"
      "  memory_limiter:\n"
      "exporters:\n"
      "  otlphttp/azure:\n"
      "    endpoint: https://x\n"
      "  debug:\n"
      "  logsonly:\n"  // defined but unused: fine
      "extensions:\n"
      "  bearertokenauth:\n"
      "service:\n"
      "  extensions: [bearertokenauth]\n"
      "  telemetry:\n"
      "    metrics:\n"
      "      address: 0.0.0.0:9999\n"
      "    logs:\n"
      "      level: DEBUG\n"
      "  pipelines:\n"
      "    logs:\n"
      "      receivers: [otlp]\n"
      "      processors: [memory_limiter, batch/2]\n"
      "      exporters: [otlphttp/azure, debug]\n"
      "    traces/2:\n"
      "      receivers: [otlp]\n"
      "      exporters: [debug]\n");
  ASSERT_FALSE(b->diags.hasErrors()) << b->diags.report();
  const CollectorConfig& c = b->cfg;
  ASSERT_EQ(c.receivers.size(), 1u);
  ASSERT_EQ(c.processors.size(), 3u);
  ASSERT_EQ(c.exporters.size(), 3u);
  ASSERT_EQ(c.extensions.size(), 1u);
  const ComponentEntry* azure = c.find(ComponentKind::kExporter, {"otlphttp", "azure"});
  ASSERT_NE(azure, nullptr);
  EXPECT_EQ(azure->factory->type(), "otlp_http");  // alias resolved
  EXPECT_EQ(static_cast<FakeConfig&>(*azure->config).endpoint, "https://x");
  EXPECT_EQ(azure->mark.line, 10);
  const ComponentEntry* b2 = c.find(ComponentKind::kProcessor, {"batch", "2"});
  ASSERT_NE(b2, nullptr);
  EXPECT_EQ(static_cast<FakeConfig&>(*b2->config).size, 5);
  EXPECT_EQ(
      static_cast<FakeConfig&>(*c.find(ComponentKind::kProcessor, {"batch", ""})->config).endpoint,
      "default");
  EXPECT_EQ(c.find(ComponentKind::kReceiver, {"debug", ""}), nullptr);
  ASSERT_EQ(c.service_extensions.size(), 1u);
  EXPECT_EQ(c.service_extensions[0].type, "bearertokenauth");
  ASSERT_EQ(c.pipelines.size(), 2u);
  EXPECT_EQ(c.pipelines[0].id, "logs");
  EXPECT_EQ(c.pipelines[0].signal, Signal::kLogs);
  EXPECT_EQ(c.pipelines[0].processors.size(), 2u);
  EXPECT_EQ(c.pipelines[0].processors[1].str(), "batch/2");
  EXPECT_EQ(c.pipelines[0].exporters.size(), 2u);
  EXPECT_EQ(c.pipelines[1].id, "traces/2");
  EXPECT_EQ(c.pipelines[1].signal, Signal::kTraces);
  EXPECT_EQ(c.telemetry.metrics_address, "0.0.0.0:9999");
  EXPECT_EQ(c.telemetry.log_level, "debug");
}

TEST(CollectorConfigTest, UnknownTypesAreTheOnlyErrors) {
  // Components that do not exist (yet): the report names exactly those types, and the pipelines
  // that use them get no follow-on errors.
  auto b = build(
      "receivers:\n"
      "  otlp:\n"
      "processors:\n"
      "  resource:\n"
      "    attributes: []\n"
      "exporters:\n"
      "  azuremonitor:\n"
      "    connection_string: x\n"
      "extensions:\n"
      "  azure_auth:\n"
      "service:\n"
      "  extensions: [azure_auth]\n"
      "  pipelines:\n"
      "    logs:\n"
      "      receivers: [otlp]\n"
      "      processors: [resource]\n"
      "      exporters: [azuremonitor]\n");
  EXPECT_EQ(b->diags.report(),
            "c.yaml:4:3: processors.resource: unknown processor type \"resource\"\n"
            "c.yaml:7:3: exporters.azuremonitor: unknown exporter type \"azuremonitor\"\n"
            "c.yaml:10:3: extensions.azure_auth: unknown extension type \"azure_auth\"\n");
}

TEST(CollectorConfigTest, AggregatedReportWithLineNumbers) {
  auto b = build(
      "receivers:\n"                        // 1
      "  otlp:\n"                           // 2
      "    endpointt: x\n"                  // 3  unknown key
      "processors:\n"                       // 4
      "  batch:\n"                          // 5
      "    size: -1\n"                      // 6  invalid value
      "exporters:\n"                        // 7
      "  debug:\n"                          // 8
      "  logsonly:\n"                       // 9
      "  debug/bad name:\n"                 // 10 invalid id
      "connectors:\n"                       // 11
      "  forward:\n"                        // 12 not supported
      "bogus: 1\n"                          // 13 unknown top-level
      "service:\n"                          // 14
      "  extensions: [bearertokenauth]\n"   // 15 dangling extension
      "  pipelines:\n"                      // 16
      "    logs:\n"                         // 17
      "      receivers: [otlp/2]\n"         // 18 dangling receiver
      "      processors: [batch, batch]\n"  // 19 duplicate processor
      "      exporters: [debug]\n"          // 20
      "    traces:\n"                       // 21
      "      receivers: [otlp]\n"           // 22
      "      exporters: [logsonly]\n"       // 23 unsupported signal
      "    profiles:\n"                     // 24 bad signal
      "      receivers: [otlp]\n"           // 25
      "      exporters: [debug]\n"          // 26
      "    metrics:\n"                      // 27 no receivers
      "      exporters: [debug]\n"          // 28
      "      extra: [x]\n"                  // 29 unknown key
      "    logs/2:\n"                       // 30 no exporters
      "      receivers: [otlp]\n");         // 31
  EXPECT_EQ(
      b->diags.report(),
      "c.yaml:3:16: receivers.otlp.endpointt: unknown key \"endpointt\"\n"
      "c.yaml:6:11: processors.batch.size: size must be positive\n"
      "c.yaml:10:3: exporters.debug/bad name: invalid exporter id \"debug/bad name\" (expected "
      "type[/name], type in [a-zA-Z][a-zA-Z0-9_]*)\n"
      "c.yaml:11:1: connectors: connectors are not supported\n"
      "c.yaml:13:8: bogus: unknown key \"bogus\"\n"
      "c.yaml:15:16: service.extensions[0]: references extension \"bearertokenauth\" which is not "
      "configured\n"
      "c.yaml:18:19: service.pipelines.logs.receivers[0]: references receiver \"otlp/2\" which is "
      "not configured\n"
      "c.yaml:19:27: service.pipelines.logs.processors[1]: references processor \"batch\" more "
      "than once\n"
      "c.yaml:23:19: service.pipelines.traces.exporters[0]: exporter \"logsonly\" does not "
      "support traces\n"
      "c.yaml:24:5: service.pipelines.profiles: unknown signal \"profiles\" in pipeline id "
      "\"profiles\" (expected logs, traces or metrics)\n"
      "c.yaml:27:5: service.pipelines.metrics: pipeline must have at least one receiver\n"
      "c.yaml:29:7: service.pipelines.metrics.extra: unknown key \"extra\"\n"
      "c.yaml:30:5: service.pipelines.logs/2: pipeline must have at least one exporter\n");
}

TEST(CollectorConfigTest, MissingOrEmptyService) {
  auto empty = build("");
  EXPECT_EQ(empty->diags.report(),
            "c.yaml: service.pipelines: the configuration is empty: at least one pipeline is "
            "required\n");
  auto no_service = build("receivers:\n  otlp:\n");
  EXPECT_EQ(no_service->diags.report(),
            "c.yaml:1:1: service.pipelines: at least one pipeline is required\n");
  auto no_pipelines = build("receivers:\n  otlp:\nservice:\n  pipelines: {}\n");
  EXPECT_EQ(no_pipelines->diags.report(),
            "c.yaml:4:3: service.pipelines: at least one pipeline is required\n");
  auto scalar_root = build("just a string\n");
  EXPECT_EQ(scalar_root->diags.errors().size(), 1u);
}

TEST(CollectorConfigTest, BadPipelineNames) {
  auto b = build(
      "receivers: {otlp: }\n"
      "exporters: {debug: }\n"
      "service:\n"
      "  pipelines:\n"
      "    logs/:\n"
      "      receivers: [otlp]\n"
      "      exporters: [debug]\n"
      "    log:\n"
      "      receivers: [otlp]\n"
      "      exporters: [debug]\n"
      "    metrics/ok-name.1:\n"
      "      receivers: [otlp]\n"
      "      exporters: [debug]\n");
  EXPECT_EQ(b->diags.report(),
            "c.yaml:5:5: service.pipelines.logs/: invalid pipeline id \"logs/\" (expected "
            "<signal>[/<name>])\n"
            "c.yaml:8:5: service.pipelines.log: unknown signal \"log\" in pipeline id \"log\" "
            "(expected logs, traces or metrics)\n");
  ASSERT_EQ(b->cfg.pipelines.size(), 1u);
  EXPECT_EQ(b->cfg.pipelines[0].id, "metrics/ok-name.1");
}

TEST(CollectorConfigTest, TelemetryForms) {
  const char* base =
      "receivers: {otlp: }\n"
      "exporters: {debug: }\n"
      "service:\n"
      "  pipelines:\n"
      "    logs: {receivers: [otlp], exporters: [debug]}\n"
      "  telemetry:\n";
  auto readers = build(std::string(base) +
                       "    metrics:\n"
                       "      level: detailed\n"
                       "      readers:\n"
                       "        - pull:\n"
                       "            exporter:\n"
                       "              prometheus:\n"
                       "                host: 0.0.0.0\n"
                       "                port: 8889\n");
  EXPECT_FALSE(readers->diags.hasErrors()) << readers->diags.report();
  EXPECT_EQ(readers->cfg.telemetry.metrics_address, "0.0.0.0:8889");

  auto none = build(std::string(base) + "    metrics:\n      level: none\n");
  EXPECT_FALSE(none->diags.hasErrors()) << none->diags.report();
  EXPECT_EQ(none->cfg.telemetry.metrics_address, "");

  auto defaults = build(base);
  EXPECT_FALSE(defaults->diags.hasErrors()) << defaults->diags.report();
  EXPECT_EQ(defaults->cfg.telemetry.metrics_address, "127.0.0.1:8888");
  EXPECT_EQ(defaults->cfg.telemetry.log_level, "info");

  auto bad = build(std::string(base) +
                   "    metrics:\n"
                   "      address: nohostport\n"
                   "      readers:\n"
                   "        - periodic: {}\n"
                   "    logs:\n"
                   "      level: loud\n"
                   "      encoding: json\n"
                   "    traces: {}\n");
  EXPECT_EQ(bad->diags.report(),
            "c.yaml:8:16: service.telemetry.metrics.address: invalid address \"nohostport\" "
            "(expected host:port)\n"
            "c.yaml:9:7: service.telemetry.metrics.readers: use either address or readers, not "
            "both\n"
            "c.yaml:12:14: service.telemetry.logs.level: invalid value \"loud\" (expected one of: "
            "debug, info, warn, error)\n"
            "c.yaml:13:17: service.telemetry.logs.encoding: unknown key \"encoding\"\n"
            "c.yaml:14:5: service.telemetry.traces: unknown key \"traces\"\n");

  auto periodic = build(std::string(base) +
                        "    metrics:\n"
                        "      readers:\n"
                        "        - periodic: {}\n");
  EXPECT_EQ(periodic->diags.report(),
            "c.yaml:9:11: service.telemetry.metrics.readers[0]: only one reader of the form "
            "pull.exporter.prometheus {host, port} is supported\n");
}

TEST(CollectorConfigTest, WrongShapes) {
  auto b = build(
      "receivers: [otlp]\n"
      "exporters:\n"
      "  debug: 5\n"
      "service:\n"
      "  pipelines:\n"
      "    logs:\n"
      "      receivers: otlp\n"
      "      exporters: [[debug]]\n");
  EXPECT_EQ(b->diags.report(),
            "c.yaml:1:1: receivers: expected a map of receiver ids\n"
            "c.yaml:3:10: exporters.debug: expected a map, got \"5\"\n"
            "c.yaml:7:18: service.pipelines.logs.receivers: expected a list of receiver ids\n"
            "c.yaml:8:19: service.pipelines.logs.exporters[0]: expected an exporter id\n");
}

}  // namespace
}  // namespace agentgate::pipeline

namespace agentgate::pipeline {
namespace {

TEST(CollectorConfigTest, ExporterhelperKeysAreReadForEveryExporterAndHiddenFromIt) {
  auto b = build(
      "receivers:\n"
      "  otlp:\n"
      "exporters:\n"
      "  otlphttp:\n"
      "    endpoint: https://x\n"
      "    timeout: 10s\n"
      "    sending_queue:\n"
      "      num_consumers: 3\n"
      "      queue_size: 77\n"
      "      storage: file_storage\n"
      "      fsync: interval\n"
      "      wait_for_result: false\n"
      "      batch:\n"
      "        min_size: 100\n"
      "    retry_on_failure:\n"
      "      initial_interval: 1s\n"
      "      max_elapsed_time: 0\n"
      "  debug:\n"
      "service:\n"
      "  pipelines:\n"
      "    logs:\n"
      "      receivers: [otlp]\n"
      "      exporters: [otlphttp, debug]\n");
  ASSERT_FALSE(b->diags.hasErrors()) << b->diags.report();
  const ComponentEntry* e = b->cfg.find(ComponentKind::kExporter, {"otlphttp", ""});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(static_cast<const FakeConfig&>(*e->config).endpoint, "https://x");
  const auto& h = e->helper;
  EXPECT_TRUE(h.queue.enabled);
  EXPECT_EQ(h.queue.num_consumers, 3);
  EXPECT_EQ(h.queue.queue_size, 77u);
  EXPECT_EQ(h.queue.storage, "file_storage");
  EXPECT_EQ(h.queue.fsync, exporterhelper::FsyncPolicy::kInterval);
  EXPECT_EQ(h.retry.initial_interval, std::chrono::seconds(1));
  EXPECT_EQ(h.retry.max_elapsed_time.count(), 0);
  EXPECT_EQ(h.timeout, std::chrono::seconds(10));
  EXPECT_TRUE(h.queue.batch.enabled);
  EXPECT_EQ(h.queue.batch.min_size, 100u);
  EXPECT_EQ(h.queue.batch.flush_timeout, std::chrono::milliseconds(200));
  // Not a real ExporterFactory: no queue unless configured.
  EXPECT_FALSE(b->cfg.find(ComponentKind::kExporter, {"debug", ""})->helper.queue.enabled);
}

TEST(CollectorConfigTest, ExporterhelperKeysAreValidated) {
  Diagnostics diags;
  ConfigNode root = config::parseYaml(
      "receivers:\n"
      "  otlp:\n"
      "exporters:\n"
      "  debug:\n"
      "    sending_queue:\n"
      "      num_consumers: 0\n"
      "      bogus: 1\n"
      "    retry_on_failure:\n"
      "      multiplier: 0.5\n"
      "service:\n"
      "  pipelines:\n"
      "    logs:\n"
      "      receivers: [otlp]\n"
      "      exporters: [debug]\n",
      "c.yaml", [](std::string_view) { return std::nullopt; }, diags);
  buildCollectorConfig(root, fakes(), diags);
  const std::string report = diags.report();
  EXPECT_NE(report.find("num_consumers"), std::string::npos) << report;
  EXPECT_NE(report.find("bogus"), std::string::npos) << report;
  EXPECT_NE(report.find("multiplier"), std::string::npos) << report;
}

}  // namespace
}  // namespace agentgate::pipeline

namespace agentgate::pipeline {
namespace {

TEST(CollectorConfigTest, BatchProcessorKeysBecomeConsumerSideBatchingOfThePipelineExporters) {
  auto b = build(
      "receivers:\n"
      "  otlp:\n"
      "processors:\n"
      "  batch:\n"
      "exporters:\n"
      "  debug:\n"
      "  otlphttp:\n"
      "    sending_queue:\n"
      "      batch:\n"
      "        min_size: 10\n"
      "  logsonly:\n"
      "service:\n"
      "  pipelines:\n"
      "    logs:\n"
      "      receivers: [otlp]\n"
      "      processors: [batch]\n"
      "      exporters: [debug, otlphttp]\n"
      "    logs/plain:\n"
      "      receivers: [otlp]\n"
      "      exporters: [logsonly]\n");
  ASSERT_FALSE(b->diags.hasErrors()) << b->diags.report();
  auto m = consumerBatching(b->cfg);
  ASSERT_TRUE(m.count("debug"));
  EXPECT_EQ(m["debug"].min_size, 8192u);  // the batch processor's defaults
  EXPECT_EQ(m["debug"].flush_timeout, std::chrono::milliseconds(200));
  EXPECT_EQ(m["otlphttp"].min_size, 10u);  // the exporter's own setting wins
  EXPECT_FALSE(m.count("logsonly"));       // no batch processor in its pipeline
}

}  // namespace
}  // namespace agentgate::pipeline
