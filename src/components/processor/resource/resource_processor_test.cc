#include "components/processor/resource/resource_processor.h"

#include <gtest/gtest.h>

#include "components/processor/resource/factory.h"
#include "config/loader.h"

namespace agentgate::components::resource {
namespace {

using pdata::AnyValue;
using pdata::ValueType;

class Capture : public Consumer {
 public:
  Status consume(BatchPtr&& batch) override {
    batches.push_back(std::move(batch));
    return {};
  }
  std::vector<BatchPtr> batches;
};

struct Built {
  std::shared_ptr<Processor> processor;
  std::shared_ptr<Capture> capture;
  std::string errors;
};

Built build(const std::string& yaml) {
  config::Diagnostics diags;
  auto node = config::parseYaml(
      yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, diags);
  auto factory = makeResourceFactory();
  auto cfg = factory->createDefaultConfig();
  factory->unmarshal(node, *cfg, diags);
  Built b;
  if (diags.hasErrors()) {
    b.errors = diags.report();
    return b;
  }
  b.capture = std::make_shared<Capture>();
  CreateSettings settings;
  settings.id = {"resource", ""};
  auto p = factory->create(settings, *cfg, Signal::kLogs, b.capture);
  if (!p.ok()) {
    b.errors = p.error().message;
    return b;
  }
  b.processor = *p;
  return b;
}

AnyValue str(pdata::Batch& b, std::string_view s) {
  AnyValue v;
  v.type = ValueType::kString;
  v.string_value = b.copyString(s);
  return v;
}
AnyValue intv(int64_t i) {
  AnyValue v;
  v.type = ValueType::kInt;
  v.int_value = i;
  return v;
}
AnyValue dbl(double d) {
  AnyValue v;
  v.type = ValueType::kDouble;
  v.double_value = d;
  return v;
}
AnyValue boolean(bool x) {
  AnyValue v;
  v.type = ValueType::kBool;
  v.bool_value = x;
  return v;
}

// A logs batch with one resource carrying `attrs`.
BatchPtr logsBatch(std::vector<std::pair<std::string, AnyValue>> attrs = {}) {
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rl = b->resource_logs.emplace_back(b->arena());
  for (auto& [k, v] : attrs) rl.resource.attributes.push_back({b->copyString(k), v});
  return b;
}

const AnyValue* attr(const pdata::Batch& b, std::string_view key, size_t resource = 0) {
  const pdata::Attributes* attrs = nullptr;
  if (!b.resource_logs.empty()) attrs = &b.resource_logs[resource].resource.attributes;
  if (!b.resource_spans.empty()) attrs = &b.resource_spans[resource].resource.attributes;
  if (!b.resource_metrics.empty()) attrs = &b.resource_metrics[resource].resource.attributes;
  for (const auto& kv : *attrs)
    if (kv.key == key) return &kv.value;
  return nullptr;
}

std::string strOf(const pdata::Batch& b, std::string_view key) {
  const AnyValue* v = attr(b, key);
  if (v == nullptr || v->type != ValueType::kString) return "<none>";
  return std::string(v->string_value);
}

pdata::Batch& run(Built& b, BatchPtr batch) {
  EXPECT_TRUE(b.processor->consume(std::move(batch)).ok());
  return *b.capture->batches.back();
}

TEST(ResourceProcessor, InsertUpdateUpsertWithTypedValues) {
  auto b = build(R"(
attributes:
  - {key: env, value: prod, action: insert}
  - {key: existing, value: changed, action: INSERT}
  - {key: existing2, value: 42, action: update}
  - {key: absent, value: x, action: update}
  - {key: ratio, value: 1.5, action: Upsert}
  - {key: flag, value: true, action: upsert}
  - {key: quoted, value: "12", action: upsert}
)");
  ASSERT_TRUE(b.processor) << b.errors;
  EXPECT_TRUE(b.processor->mutatesData());
  auto& out = [&]() -> pdata::Batch& {
    auto batch = logsBatch();
    auto& a = batch->resource_logs[0].resource.attributes;
    a.push_back({"existing", str(*batch, "orig")});
    a.push_back({"existing2", str(*batch, "orig2")});
    return run(b, std::move(batch));
  }();
  EXPECT_EQ(strOf(out, "env"), "prod");
  EXPECT_EQ(strOf(out, "existing"), "orig");
  ASSERT_NE(attr(out, "existing2"), nullptr);
  EXPECT_EQ(attr(out, "existing2")->type, ValueType::kInt);
  EXPECT_EQ(attr(out, "existing2")->int_value, 42);
  EXPECT_EQ(attr(out, "absent"), nullptr);
  ASSERT_NE(attr(out, "ratio"), nullptr);
  EXPECT_EQ(attr(out, "ratio")->type, ValueType::kDouble);
  EXPECT_DOUBLE_EQ(attr(out, "ratio")->double_value, 1.5);
  ASSERT_NE(attr(out, "flag"), nullptr);
  EXPECT_EQ(attr(out, "flag")->type, ValueType::kBool);
  EXPECT_TRUE(attr(out, "flag")->bool_value);
  EXPECT_EQ(strOf(out, "quoted"), "12");
}

TEST(ResourceProcessor, FromAttributeAndFromContext) {
  auto b = build(R"(
attributes:
  - {key: copy, from_attribute: service.name, action: insert}
  - {key: nothing, from_attribute: missing, action: insert}
  - {key: tenant, from_context: metadata.x-tenant, action: upsert}
  - {key: bare, from_context: x-tenant, action: upsert}
  - {key: user, from_context: auth.subject, action: upsert}
  - {key: team, from_context: auth.team, action: upsert}
  - {key: peer, from_context: client.address, action: upsert}
  - {key: none, from_context: metadata.absent, action: upsert}
)");
  ASSERT_TRUE(b.processor) << b.errors;
  auto batch = logsBatch();
  batch->resource_logs[0].resource.attributes.push_back({"service.name", str(*batch, "claude")});
  batch->context.metadata = {{"x-tenant", "a"}, {"x-tenant", "b"}};
  batch->context.auth_subject = "bearertokenauth#1";
  batch->context.auth_attributes = {{"team", "red"}};
  batch->context.client_address = "127.0.0.1:5000";
  auto& out = run(b, std::move(batch));
  EXPECT_EQ(strOf(out, "copy"), "claude");
  EXPECT_EQ(attr(out, "nothing"), nullptr);
  EXPECT_EQ(strOf(out, "tenant"), "a;b");
  EXPECT_EQ(strOf(out, "bare"), "a;b");
  EXPECT_EQ(strOf(out, "user"), "bearertokenauth#1");
  EXPECT_EQ(strOf(out, "team"), "red");
  EXPECT_EQ(strOf(out, "peer"), "127.0.0.1:5000");
  EXPECT_EQ(attr(out, "none"), nullptr);
}

TEST(ResourceProcessor, DeleteByKeyAndPattern) {
  auto b = build(R"(
attributes:
  - {key: drop.me, action: delete}
  - {pattern: ^secret\., action: delete}
)");
  ASSERT_TRUE(b.processor) << b.errors;
  auto batch = logsBatch();
  auto& a = batch->resource_logs[0].resource.attributes;
  for (const char* k : {"drop.me", "secret.a", "secret.b", "keep", "not.secret.c"})
    a.push_back({k, intv(1)});
  auto& out = run(b, std::move(batch));
  EXPECT_EQ(attr(out, "drop.me"), nullptr);
  EXPECT_EQ(attr(out, "secret.a"), nullptr);
  EXPECT_EQ(attr(out, "secret.b"), nullptr);
  EXPECT_NE(attr(out, "keep"), nullptr);
  EXPECT_NE(attr(out, "not.secret.c"), nullptr);
}

TEST(ResourceProcessor, HashEveryType) {
  auto b = build(R"(
attributes:
  - {key: s, action: hash}
  - {pattern: ^n\., action: hash}
)");
  ASSERT_TRUE(b.processor) << b.errors;
  auto batch = logsBatch();
  auto& a = batch->resource_logs[0].resource.attributes;
  a.push_back({"s", str(*batch, "abc")});
  a.push_back({"n.int", intv(1)});
  a.push_back({"n.bool", boolean(true)});
  a.push_back({"n.double", dbl(1.0)});
  a.push_back({"n.empty", AnyValue{}});
  a.push_back({"other", str(*batch, "abc")});
  auto& out = run(b, std::move(batch));
  // sha256("abc")
  EXPECT_EQ(strOf(out, "s"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // sha256(01 00 00 00 00 00 00 00)
  EXPECT_EQ(strOf(out, "n.int"),
            "7c9fa136d4413fa6173637e883b6998d32e1d675f88cddff9dcbcf331820f4b8");
  // sha256(01)
  EXPECT_EQ(strOf(out, "n.bool"),
            "4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a");
  // sha256(00 00 00 00 00 00 f0 3f): 1.0 as IEEE bits, little-endian
  EXPECT_EQ(strOf(out, "n.double"),
            "6c3c396ed6b5c36dcae172271f462051b1266b851e92df3deea8ac65478fd712");
  EXPECT_EQ(strOf(out, "n.double"), hashValue(dbl(1.0)));
  EXPECT_NE(strOf(out, "n.double"), strOf(out, "n.int"));
  const AnyValue* empty = attr(out, "n.empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->type, ValueType::kString);
  EXPECT_EQ(empty->string_value, "");
  EXPECT_EQ(strOf(out, "other"), "abc");
}

TEST(ResourceProcessor, ExtractNamedGroups) {
  auto b = build(R"(
attributes:
  - key: url
    pattern: '^(?P<scheme>[a-z]+)://(?<host>[^/:]+)(?::(?P<port>\d+))?'
    action: extract
)");
  ASSERT_TRUE(b.processor) << b.errors;
  auto batch = logsBatch();
  auto& a = batch->resource_logs[0].resource.attributes;
  a.push_back({"url", str(*batch, "https://example.com/path")});
  a.push_back({"host", str(*batch, "old")});
  auto& out = run(b, std::move(batch));
  EXPECT_EQ(strOf(out, "scheme"), "https");
  EXPECT_EQ(strOf(out, "host"), "example.com");  // overwritten
  EXPECT_EQ(strOf(out, "port"), "");             // group did not participate
  EXPECT_EQ(strOf(out, "url"), "https://example.com/path");
}

TEST(ResourceProcessor, ConvertTypes) {
  auto b = build(R"(
attributes:
  - {key: a, action: convert, converted_type: int}
  - {key: b, action: convert, converted_type: double}
  - {key: c, action: convert, converted_type: string}
  - {key: d, action: convert, converted_type: int}
  - {key: e, action: convert, converted_type: string}
  - {key: f, action: convert, converted_type: int}
  - {key: g, action: convert, converted_type: Double}
)");
  ASSERT_TRUE(b.processor) << b.errors;
  auto batch = logsBatch();
  auto& a = batch->resource_logs[0].resource.attributes;
  a.push_back({"a", str(*batch, "123")});
  a.push_back({"b", str(*batch, "2.5")});
  a.push_back({"c", intv(7)});
  a.push_back({"d", str(*batch, "not-a-number")});
  a.push_back({"e", dbl(0.25)});
  a.push_back({"f", dbl(3.9)});
  a.push_back({"g", intv(4)});
  auto& out = run(b, std::move(batch));
  EXPECT_EQ(attr(out, "a")->type, ValueType::kInt);
  EXPECT_EQ(attr(out, "a")->int_value, 123);
  EXPECT_EQ(attr(out, "b")->type, ValueType::kDouble);
  EXPECT_DOUBLE_EQ(attr(out, "b")->double_value, 2.5);
  EXPECT_EQ(strOf(out, "c"), "7");
  EXPECT_EQ(strOf(out, "d"), "not-a-number");
  EXPECT_EQ(strOf(out, "e"), "0.25");
  EXPECT_EQ(attr(out, "f")->type, ValueType::kInt);
  EXPECT_EQ(attr(out, "f")->int_value, 3);
  EXPECT_EQ(attr(out, "g")->type, ValueType::kDouble);
  EXPECT_DOUBLE_EQ(attr(out, "g")->double_value, 4.0);
}

TEST(ResourceProcessor, AppliesToEverySignalAndEveryResource) {
  auto b = build("attributes: [{key: k, value: v, action: upsert}]\n");
  ASSERT_TRUE(b.processor) << b.errors;
  auto spans = std::make_unique<pdata::Batch>(Signal::kTraces);
  spans->resource_spans.emplace_back(spans->arena());
  spans->resource_spans.emplace_back(spans->arena());
  auto& t = run(b, std::move(spans));
  EXPECT_EQ(strOf(t, "k"), "v");
  ASSERT_EQ(t.resource_spans[1].resource.attributes.size(), 1u);
  EXPECT_EQ(t.resource_spans[1].resource.attributes[0].value.string_value, "v");
  auto metrics = std::make_unique<pdata::Batch>(Signal::kMetrics);
  metrics->resource_metrics.emplace_back(metrics->arena());
  auto& m = run(b, std::move(metrics));
  EXPECT_EQ(strOf(m, "k"), "v");
}

TEST(ResourceProcessor, WrittenStringsLiveInTheBatchArena) {
  auto b = build("attributes: [{key: k, value: some-long-value-to-copy, action: upsert}]\n");
  ASSERT_TRUE(b.processor) << b.errors;
  auto& out = run(b, logsBatch());
  b.processor.reset();  // the config (and its strings) is gone; the batch must still be valid
  EXPECT_EQ(strOf(out, "k"), "some-long-value-to-copy");
  EXPECT_EQ(out.resource_logs[0].resource.attributes[0].key, "k");
}

TEST(ResourceProcessorConfig, ValidationErrors) {
  EXPECT_FALSE(build("attributes: []\n").errors.empty());
  EXPECT_FALSE(build("{}\n").errors.empty());
  EXPECT_FALSE(build("attributes: [{action: insert, value: x}]\n").errors.empty());
  EXPECT_FALSE(build("attributes: [{key: a, action: insert}]\n").errors.empty());
  EXPECT_FALSE(build("attributes: [{key: a, action: insert, value: x, from_attribute: b}]\n")
                   .errors.empty());
  EXPECT_FALSE(build("attributes: [{key: a, action: frobnicate, value: x}]\n").errors.empty());
  EXPECT_FALSE(build("attributes: [{key: a, value: x}]\n").errors.empty());
  EXPECT_FALSE(build("attributes: [{pattern: '([', action: delete}]\n").errors.empty());
  EXPECT_FALSE(build("attributes: [{key: a, pattern: '(x)', action: extract}]\n").errors.empty());
  EXPECT_FALSE(build("attributes: [{key: a, action: extract}]\n").errors.empty());
  EXPECT_FALSE(
      build("attributes: [{key: a, action: convert, converted_type: bool}]\n").errors.empty());
  EXPECT_FALSE(build("attributes: [{key: a, action: delete, value: x}]\n").errors.empty());
  EXPECT_FALSE(
      build("attributes: [{key: a, action: upsert, value: x, bogus: 1}]\n").errors.empty());
  EXPECT_TRUE(build("attributes: [{key: a, action: DELETE}]\n").errors.empty());
}

TEST(ResourceProcessorConfig, TranslateNamedGroups) {
  auto t = translateNamedGroups(R"re(^(?P<a>x)(?:y)(z)[(?<q>](?<b>\(w\)))re");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ecmascript, R"re(^(x)(?:y)(z)[(?<q>](\(w\)))re");
  ASSERT_EQ(t->group_names.size(), 3u);
  EXPECT_EQ(t->group_names[0], "a");
  EXPECT_EQ(t->group_names[1], "");
  EXPECT_EQ(t->group_names[2], "b");
  EXPECT_FALSE(translateNamedGroups("(?P<bad name>x)").ok());
}

}  // namespace
}  // namespace agentgate::components::resource
