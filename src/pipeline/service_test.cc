#include "pipeline/service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include <memory>
#include <string>
#include <vector>

#include "net/worker_pool.h"
#include "pdata/model.h"
#include "selftelemetry/registry.h"

namespace agentgate::pipeline {
namespace {

// Records lifecycle calls from every fake component, in order.
std::vector<std::string>& events() {
  static std::vector<std::string> e;
  return e;
}

struct NoConfig : ComponentConfig {};

class FakeReceiver : public Receiver {
 public:
  explicit FakeReceiver(ReceiverConsumers next) : next_(std::move(next)) {}
  Status start(Host&) override {
    events().push_back("start receiver");
    last = this;
    return {};
  }
  void shutdown() override { events().push_back("stop receiver"); }
  Status push(Signal s, int records) {
    auto batch = std::make_unique<pdata::Batch>(s);
    auto& rl = batch->resource_logs.emplace_back(batch->arena());
    auto& sl = rl.scope_logs.emplace_back(batch->arena());
    for (int i = 0; i < records; ++i) sl.log_records.emplace_back(batch->arena());
    return next_.forSignal(s)->consume(std::move(batch));
  }
  ReceiverConsumers next_;
  static inline FakeReceiver* last = nullptr;
};

// Appends the processor's name to the resource attributes, so tests can see order and copies.
class TagProcessor : public Processor {
 public:
  TagProcessor(std::string tag, ConsumerPtr next) : tag_(std::move(tag)), next_(std::move(next)) {}
  Status start(Host&) override {
    events().push_back("start processor " + tag_);
    return {};
  }
  void shutdown() override { events().push_back("stop processor " + tag_); }
  bool mutatesData() const override { return true; }
  Status consume(BatchPtr&& batch) override {
    for (auto& rl : batch->resource_logs) {
      pdata::KeyValue kv;
      kv.key = batch->copyString("tag");
      kv.value.type = pdata::ValueType::kString;
      kv.value.string_value = batch->copyString(tag_);
      rl.resource.attributes.push_back(kv);
    }
    return next_->consume(std::move(batch));
  }

 private:
  std::string tag_;
  ConsumerPtr next_;
};

class CapturingExporter : public Exporter {
 public:
  explicit CapturingExporter(std::string id, bool fail) : id_(std::move(id)), fail_(fail) {}
  Status start(Host&) override {
    events().push_back("start exporter " + id_);
    return {};
  }
  void shutdown() override { events().push_back("stop exporter " + id_); }
  Status consume(BatchPtr&& batch) override {
    std::string tags;
    for (auto& rl : batch->resource_logs)
      for (auto& kv : rl.resource.attributes) tags += std::string(kv.value.string_value) + ",";
    seen.push_back(tags);
    if (fail_) return Error::unavailable("destination down");
    return {};
  }
  std::vector<std::string> seen;
  std::chrono::nanoseconds timeout{-1};  // CreateSettings::timeout at creation

 private:
  std::string id_;
  bool fail_;
};

std::map<std::string, std::shared_ptr<CapturingExporter>>& exporters() {
  static std::map<std::string, std::shared_ptr<CapturingExporter>> m;
  return m;
}

class FakeReceiverFactory : public ReceiverFactory {
 public:
  std::string_view type() const override { return "fake"; }
  Stability stability(Signal) const override { return Stability::kStable; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override {
    return std::make_unique<NoConfig>();
  }
  void unmarshal(const config::ConfigNode&, ComponentConfig&, config::Diagnostics&) const override {
  }
  Result<std::unique_ptr<Receiver>> create(const CreateSettings&, const ComponentConfig&,
                                           ReceiverConsumers next) const override {
    return std::unique_ptr<Receiver>(std::make_unique<FakeReceiver>(std::move(next)));
  }
};

class TagProcessorFactory : public ProcessorFactory {
 public:
  std::string_view type() const override { return "tag"; }
  Stability stability(Signal) const override { return Stability::kStable; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override {
    return std::make_unique<NoConfig>();
  }
  void unmarshal(const config::ConfigNode&, ComponentConfig&, config::Diagnostics&) const override {
  }
  Result<std::shared_ptr<Processor>> create(const CreateSettings& s, const ComponentConfig&, Signal,
                                            ConsumerPtr next) const override {
    return std::shared_ptr<Processor>(std::make_shared<TagProcessor>(s.id.str(), next));
  }
};

class CapturingExporterFactory : public ExporterFactory {
 public:
  std::string_view type() const override { return "capture"; }
  Stability stability(Signal) const override { return Stability::kStable; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override {
    return std::make_unique<NoConfig>();
  }
  void unmarshal(const config::ConfigNode&, ComponentConfig&, config::Diagnostics&) const override {
  }
  Result<std::shared_ptr<Exporter>> create(const CreateSettings& s,
                                           const ComponentConfig&) const override {
    auto e = std::make_shared<CapturingExporter>(s.id.str(), s.id.name == "failing");
    e->timeout = s.timeout;
    exporters()[s.id.str()] = e;
    return std::shared_ptr<Exporter>(e);
  }
};

ComponentEntry entry(const Factory& f, std::string type, std::string name = {}) {
  ComponentEntry e;
  e.id = {std::move(type), std::move(name)};
  e.factory = &f;
  e.config = f.createDefaultConfig();
  return e;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    events().clear();
    exporters().clear();
  }
  FakeReceiverFactory rf;
  TagProcessorFactory pf;
  CapturingExporterFactory ef;
  selftelemetry::Registry telemetry;
  net::WorkerPool pool{1};
};

TEST_F(ServiceTest, WiresProcessorsInOrderAndFansOutToEveryExporter) {
  CollectorConfig cfg;
  cfg.receivers.push_back(entry(rf, "fake"));
  cfg.processors.push_back(entry(pf, "tag", "a"));
  cfg.processors.push_back(entry(pf, "tag", "b"));
  cfg.exporters.push_back(entry(ef, "capture", "one"));
  cfg.exporters.push_back(entry(ef, "capture", "two"));
  cfg.pipelines.push_back(PipelineConfig{"logs",
                                         Signal::kLogs,
                                         {{"fake", ""}},
                                         {{"tag", "a"}, {"tag", "b"}},
                                         {{"capture", "one"}, {"capture", "two"}}});
  auto svc = Service::build(cfg, CreateSettings{}, telemetry, pool);
  ASSERT_TRUE(svc.ok()) << svc.error().message;
  ASSERT_TRUE((*svc)->start().ok());
  EXPECT_TRUE((*svc)->ready());

  ASSERT_TRUE(FakeReceiver::last->push(Signal::kLogs, 3).ok());
  for (const char* id : {"capture/one", "capture/two"}) {
    ASSERT_EQ(exporters()[id]->seen.size(), 1u) << id;
    EXPECT_EQ(exporters()[id]->seen[0], "tag/a,tag/b,") << id;
  }
  EXPECT_EQ(
      telemetry.counterValue("otelcol_exporter_sent_log_records", {{"exporter", "capture/one"}}),
      3u);

  (*svc)->shutdown();
  std::vector<std::string> expected = {"start exporter capture/one",
                                       "start exporter capture/two",
                                       "start processor tag/b",
                                       "start processor tag/a",
                                       "start receiver",
                                       "stop receiver",
                                       "stop processor tag/b",
                                       "stop processor tag/a",
                                       "stop exporter capture/one",
                                       "stop exporter capture/two"};
  EXPECT_EQ(events(), expected);
}

TEST_F(ServiceTest, ReceiverSharedByTwoPipelinesGetsPrivateCopiesForMutatingPipelines) {
  CollectorConfig cfg;
  cfg.receivers.push_back(entry(rf, "fake"));
  cfg.processors.push_back(entry(pf, "tag", "x"));
  cfg.exporters.push_back(entry(ef, "capture", "plain"));
  cfg.exporters.push_back(entry(ef, "capture", "tagged"));
  cfg.pipelines.push_back(
      PipelineConfig{"logs/plain", Signal::kLogs, {{"fake", ""}}, {}, {{"capture", "plain"}}});
  cfg.pipelines.push_back(PipelineConfig{
      "logs/tagged", Signal::kLogs, {{"fake", ""}}, {{"tag", "x"}}, {{"capture", "tagged"}}});
  auto svc = Service::build(cfg, CreateSettings{}, telemetry, pool);
  ASSERT_TRUE(svc.ok());
  ASSERT_TRUE((*svc)->start().ok());
  ASSERT_TRUE(FakeReceiver::last->push(Signal::kLogs, 1).ok());
  // The tagging pipeline must not leak its change into the other pipeline's data.
  EXPECT_EQ(exporters()["capture/plain"]->seen.at(0), "");
  EXPECT_EQ(exporters()["capture/tagged"]->seen.at(0), "tag/x,");
}

TEST_F(ServiceTest, ExporterFailureReachesTheReceiverAndIsCounted) {
  CollectorConfig cfg;
  cfg.receivers.push_back(entry(rf, "fake"));
  cfg.exporters.push_back(entry(ef, "capture", "failing"));
  cfg.pipelines.push_back(
      PipelineConfig{"logs", Signal::kLogs, {{"fake", ""}}, {}, {{"capture", "failing"}}});
  auto svc = Service::build(cfg, CreateSettings{}, telemetry, pool);
  ASSERT_TRUE(svc.ok());
  ASSERT_TRUE((*svc)->start().ok());
  Status st = FakeReceiver::last->push(Signal::kLogs, 2);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(telemetry.counterValue("otelcol_exporter_send_failed_log_records",
                                   {{"exporter", "capture/failing"}}),
            2u);
}

TEST_F(ServiceTest, WithASendingQueueTheReceiverIsAnsweredOnceTheBatchIsQueued) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ag-svc-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  CollectorConfig cfg;
  cfg.receivers.push_back(entry(rf, "fake"));
  cfg.exporters.push_back(entry(ef, "capture", "failing"));
  cfg.exporters.back().helper.queue.enabled = true;
  cfg.pipelines.push_back(
      PipelineConfig{"logs", Signal::kLogs, {{"fake", ""}}, {}, {{"capture", "failing"}}});
  CreateSettings settings;
  settings.data_dir = tmpl;
  {
    auto svc = Service::build(cfg, settings, telemetry, pool);
    ASSERT_TRUE(svc.ok()) << svc.error().message;
    ASSERT_TRUE((*svc)->start().ok());
    // The destination is down, yet the batch is durably queued: the client gets OK.
    EXPECT_TRUE(FakeReceiver::last->push(Signal::kLogs, 2).ok());
    EXPECT_EQ(telemetry.counterValue("otelcol_exporter_enqueue_failed_log_records",
                                     {{"exporter", "capture/failing"}}),
              0u);
    EXPECT_TRUE(std::filesystem::exists(tmpl + "/queue/capture_failing"));
    (*svc)->shutdown();
  }
  std::filesystem::remove_all(tmpl);
}

TEST_F(ServiceTest, SendingQueueStorageMustBeAStorageExtension) {
  CollectorConfig cfg;
  cfg.receivers.push_back(entry(rf, "fake"));
  cfg.exporters.push_back(entry(ef, "capture", "one"));
  cfg.exporters.back().helper.queue.enabled = true;
  cfg.exporters.back().helper.queue.storage = "file_storage";
  cfg.pipelines.push_back(
      PipelineConfig{"logs", Signal::kLogs, {{"fake", ""}}, {}, {{"capture", "one"}}});
  auto svc = Service::build(cfg, CreateSettings{}, telemetry, pool);
  ASSERT_FALSE(svc.ok());
  EXPECT_NE(svc.error().message.find("storage"), std::string::npos) << svc.error().message;
  // And without storage, a queue needs a data directory.
  cfg.exporters.back().helper.queue.storage.clear();
  auto svc2 = Service::build(cfg, CreateSettings{}, telemetry, pool);
  ASSERT_FALSE(svc2.ok());
  EXPECT_NE(svc2.error().message.find("--data-dir"), std::string::npos);
}

TEST_F(ServiceTest, ExportersAreCreatedWithTheirTimeoutAndTheHostHasAMemoryBudget) {
  CollectorConfig cfg;
  cfg.receivers.push_back(entry(rf, "fake"));
  cfg.exporters.push_back(entry(ef, "capture", "one"));
  cfg.exporters.back().helper.timeout = std::chrono::milliseconds(1234);
  cfg.exporters.back().helper.timeout_set = true;
  cfg.exporters.push_back(entry(ef, "capture", "two"));  // the collector's default, 5s
  cfg.pipelines.push_back(PipelineConfig{
      "logs", Signal::kLogs, {{"fake", ""}}, {}, {{"capture", "one"}, {"capture", "two"}}});
  auto svc = Service::build(cfg, CreateSettings{}, telemetry, pool);
  ASSERT_TRUE(svc.ok()) << svc.error().message;
  EXPECT_EQ(exporters()["capture/one"]->timeout, std::chrono::milliseconds(1234));
  EXPECT_EQ(exporters()["capture/two"]->timeout, std::chrono::seconds(5));
  ASSERT_NE((*svc)->memoryBudget(), nullptr);
  EXPECT_EQ((*svc)->memoryBudget()->limit(), 0u);  // no memory_limiter: no limit
}

TEST_F(ServiceTest, SignalsWithoutPipelineHaveNoConsumer) {
  CollectorConfig cfg;
  cfg.receivers.push_back(entry(rf, "fake"));
  cfg.exporters.push_back(entry(ef, "capture", "one"));
  cfg.pipelines.push_back(
      PipelineConfig{"traces", Signal::kTraces, {{"fake", ""}}, {}, {{"capture", "one"}}});
  auto svc = Service::build(cfg, CreateSettings{}, telemetry, pool);
  ASSERT_TRUE(svc.ok());
  ASSERT_TRUE((*svc)->start().ok());
  EXPECT_EQ(FakeReceiver::last->next_.logs, nullptr);
  EXPECT_NE(FakeReceiver::last->next_.traces, nullptr);
}

}  // namespace
}  // namespace agentgate::pipeline
