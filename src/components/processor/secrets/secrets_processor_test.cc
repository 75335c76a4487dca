#include "components/processor/secrets/secrets_processor.h"

#include <gtest/gtest.h>

#include "components/processor/secrets/factory.h"
#include "config/loader.h"
#include "testlib/test_host.h"

namespace agentgate::components::secrets_processor {
namespace {

using pdata::AnyValue;
using pdata::KeyValue;
using pdata::ValueType;

// Test values shaped like real credentials (the AWS key is the documented AWS example pattern
// with a random tail, the token a random Slack-shaped one); none is a live credential.
constexpr std::string_view kAwsKey = "AKIAQ3EGRV7TW2XZLM5P";
constexpr std::string_view kSlack = "xoxb-263594206564-2348975623012-Q7fKp2LmX9vRt4WzBn8YcHd3";

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
  auto factory = makeSecretsFactory();
  auto cfg = factory->createDefaultConfig();
  factory->unmarshal(node, *cfg, diags);
  Built b;
  if (diags.hasErrors()) {
    b.errors = diags.report();
    return b;
  }
  b.capture = std::make_shared<Capture>();
  CreateSettings settings;
  settings.id = {"secrets", ""};
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

// One Claude-Code-shaped log record whose tool_parameters hold an AWS key in JSON-escaped form,
// with a nested map that holds a Slack token.
pdata::BatchPtr logsBatch() {
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rl = b->resource_logs.emplace_back(b->arena());
  rl.resource.attributes.push_back({"service.name", str(*b, "claude-code")});
  auto& sl = rl.scope_logs.emplace_back(b->arena());
  auto& rec = sl.log_records.emplace_back(b->arena());
  rec.time_unix_nano = 42;
  rec.body = str(*b, "claude_code.tool_result");
  rec.attributes.push_back({"event.name", str(*b, "tool_result")});
  rec.attributes.push_back({"session.id", str(*b, "sess-1")});
  rec.attributes.push_back({"prompt.id", str(*b, "prompt-7")});
  rec.attributes.push_back({"user.email", str(*b, "dev@example.com")});
  std::string params = "{\\\"command\\\": \\\"export AWS_ACCESS_KEY_ID=" + std::string(kAwsKey) +
                       " && aws s3 ls\\\"}";
  rec.attributes.push_back({"tool_parameters", str(*b, params)});
  AnyValue map;
  map.type = ValueType::kMap;
  map.map_value = b->newVec<KeyValue>();
  map.map_value->push_back({"slack", str(*b, "token " + std::string(kSlack))});
  rec.attributes.push_back({"nested", map});
  rec.attributes.push_back({"clean", str(*b, "nothing to see")});
  return b;
}

const KeyValue* attr(const pdata::Attributes& a, std::string_view k) {
  for (const auto& kv : a)
    if (kv.key == k) return &kv;
  return nullptr;
}

std::string dumpStrings(const pdata::Batch& b) {
  std::string all;
  std::function<void(const AnyValue&)> val = [&](const AnyValue& v) {
    if (v.type == ValueType::kString) all += std::string(v.string_value) + "\n";
    if (v.type == ValueType::kMap && v.map_value)
      for (const auto& kv : *v.map_value) all += std::string(kv.key) + "=", val(kv.value);
    if (v.type == ValueType::kArray && v.array_value)
      for (const auto& x : *v.array_value) val(x);
  };
  for (const auto& rl : b.resource_logs) {
    for (const auto& kv : rl.resource.attributes) val(kv.value);
    for (const auto& sl : rl.scope_logs)
      for (const auto& r : sl.log_records) {
        val(r.body);
        for (const auto& kv : r.attributes) all += std::string(kv.key) + "=", val(kv.value);
      }
  }
  for (const auto& rs : b.resource_spans)
    for (const auto& ss : rs.scope_spans)
      for (const auto& s : ss.spans) {
        for (const auto& kv : s.attributes) val(kv.value);
        for (const auto& e : s.events)
          for (const auto& kv : e.attributes) all += std::string(kv.key) + "=", val(kv.value);
      }
  return all;
}

TEST(SecretsProcessor, RedactsEveryStringAndEmitsFindings) {
  auto b = build("fingerprint_key: test-key\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  ASSERT_TRUE(b.processor->consume(logsBatch()).ok());
  ASSERT_EQ(b.capture->batches.size(), 1u);
  const auto& out = *b.capture->batches[0];
  std::string all = dumpStrings(out);
  EXPECT_EQ(all.find(kAwsKey), std::string::npos);
  EXPECT_EQ(all.find(kSlack), std::string::npos);

  const auto& rl = out.resource_logs[0];
  ASSERT_EQ(rl.scope_logs.size(), 2u);
  const auto& rec = rl.scope_logs[0].log_records[0];
  std::string fp = secrets::fingerprint("test-key", kAwsKey);
  std::string params(attr(rec.attributes, "tool_parameters")->value.string_value);
  EXPECT_NE(params.find("[REDACTED:aws-access-key-id:" + fp + "]"), std::string::npos) << params;
  EXPECT_NE(params.find(" && aws s3 ls"), std::string::npos);  // the rest is kept
  EXPECT_EQ(attr(rec.attributes, "clean")->value.string_value, "nothing to see");

  const auto& fsl = rl.scope_logs[1];
  EXPECT_EQ(fsl.scope.name, kFindingScope);
  ASSERT_EQ(fsl.log_records.size(), 2u);
  const auto& f = fsl.log_records[0];
  EXPECT_EQ(f.body.string_value, kFindingBody);
  EXPECT_EQ(f.time_unix_nano, 42u);
  EXPECT_EQ(attr(f.attributes, "secret.type")->value.string_value, "aws-access-key-id");
  EXPECT_EQ(attr(f.attributes, "secret.location")->value.string_value,
            "attributes.tool_parameters");
  EXPECT_EQ(attr(f.attributes, "secret.fingerprint")->value.string_value, fp);
  EXPECT_EQ(attr(f.attributes, "event.name")->value.string_value, "tool_result");
  EXPECT_EQ(attr(f.attributes, "session.id")->value.string_value, "sess-1");
  EXPECT_EQ(attr(f.attributes, "prompt.id")->value.string_value, "prompt-7");
  EXPECT_EQ(attr(f.attributes, "user.email")->value.string_value, "dev@example.com");
  EXPECT_EQ(attr(f.attributes, "service.name")->value.string_value, "claude-code");
  EXPECT_EQ(attr(fsl.log_records[1].attributes, "secret.location")->value.string_value,
            "attributes.nested.slack");
  EXPECT_EQ(std::static_pointer_cast<SecretsProcessor>(b.processor)->findingCount(), 2u);
}

TEST(SecretsProcessor, DropAttributeAndDropRecordPerRule) {
  auto b = build(
      "action: drop_attribute\n"
      "rule_actions: {slack-bot-token: drop_record}\n"
      "emit_findings: false\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  ASSERT_TRUE(b.processor->consume(logsBatch()).ok());
  const auto& rl = b.capture->batches[0]->resource_logs[0];
  ASSERT_EQ(rl.scope_logs.size(), 1u);                // no findings scope
  EXPECT_TRUE(rl.scope_logs[0].log_records.empty());  // the Slack token dropped the record

  auto b2 = build("action: drop_attribute\n");
  ASSERT_TRUE(b2.processor->consume(logsBatch()).ok());
  const auto& rec = b2.capture->batches[0]->resource_logs[0].scope_logs[0].log_records[0];
  EXPECT_EQ(attr(rec.attributes, "tool_parameters"), nullptr);
  ASSERT_NE(attr(rec.attributes, "nested"), nullptr);
  EXPECT_TRUE(attr(rec.attributes, "nested")->value.map_value->empty());
  EXPECT_NE(attr(rec.attributes, "session.id"), nullptr);
}

TEST(SecretsProcessor, HashActionIsKeyedAndStable) {
  auto b = build("action: hash\nfingerprint_key: k\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  ASSERT_TRUE(b.processor->consume(logsBatch()).ok());
  ASSERT_TRUE(b.processor->consume(logsBatch()).ok());
  auto get = [&](int i) {
    const auto& rec = b.capture->batches[i]->resource_logs[0].scope_logs[0].log_records[0];
    return std::string(attr(rec.attributes, "tool_parameters")->value.string_value);
  };
  EXPECT_EQ(get(0), get(1));
  EXPECT_NE(get(0).find("[HASH:aws-access-key-id:"), std::string::npos);
  EXPECT_EQ(get(0).find(kAwsKey), std::string::npos);
}

TEST(SecretsProcessor, SpansGetFindingEventsAndNoSecret) {
  auto b = build("{}");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  auto batch = std::make_unique<pdata::Batch>(Signal::kTraces);
  auto& rs = batch->resource_spans.emplace_back(batch->arena());
  auto& ss = rs.scope_spans.emplace_back(batch->arena());
  auto& span = ss.spans.emplace_back(batch->arena());
  span.name = "tool.bash";
  span.attributes.push_back({"session.id", str(*batch, "s9")});
  auto& ev = span.events.emplace_back(batch->arena());
  ev.name = "gen_ai.tool.call";
  ev.attributes.push_back(
      {"gen_ai.tool.call.arguments", str(*batch, "{\"k\":\"" + std::string(kSlack) + "\"}")});
  ASSERT_TRUE(b.processor->consume(std::move(batch)).ok());
  const auto& out = *b.capture->batches[0];
  EXPECT_EQ(dumpStrings(out).find(kSlack), std::string::npos);
  const auto& s = out.resource_spans[0].scope_spans[0].spans[0];
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[1].name, kFindingBody);
  EXPECT_EQ(attr(s.events[1].attributes, "secret.location")->value.string_value,
            "events[gen_ai.tool.call].attributes.gen_ai.tool.call.arguments");
  EXPECT_EQ(attr(s.events[1].attributes, "session.id")->value.string_value, "s9");
}

TEST(SecretsProcessor, StartRegistersMetric) {
  auto b = build("{}");
  testlib::TestHost host;
  ASSERT_TRUE(b.processor->start(host).ok());
  ASSERT_TRUE(b.processor->consume(logsBatch()).ok());
  EXPECT_EQ(
      host.telemetry().counterValue("agentgate_secrets_findings_total", {{"processor", "secrets"}}),
      2u);
  b.processor->shutdown();
}

TEST(SecretsProcessor, ConfigErrors) {
  EXPECT_NE(build("action: shred\n").errors.find("action"), std::string::npos);
  EXPECT_NE(build("unknown_key: 1\n").errors.find("unknown_key"), std::string::npos);
  EXPECT_NE(build("rule_actions: {x: nope}\n").errors.find("rule_actions"), std::string::npos);
  EXPECT_NE(build("custom_rules: [{id: a, anchor: x_, pattern: '[a-z{'}]\n").errors.find("a"),
            std::string::npos);
  EXPECT_NE(build("custom_rules: [{id: a}]\n").errors.find("anchor"), std::string::npos);
  EXPECT_TRUE(build("min_confidence: high\nallow_values: [abc]\ngeneric_rules: false\n"
                    "user_attributes: [user.id]\n")
                  .errors.empty());
}

TEST(SecretsProcessor, CustomRuleFromConfig) {
  auto b = build(
      "fingerprint_key: k\n"
      "custom_rules:\n"
      "  - {id: acme, type: acme-key, anchor: 'acme_', pattern: '[a-z0-9]{24}'}\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  auto batch = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rl = batch->resource_logs.emplace_back(batch->arena());
  auto& sl = rl.scope_logs.emplace_back(batch->arena());
  auto& rec = sl.log_records.emplace_back(batch->arena());
  rec.body = str(*batch, "use acme_q8w7e6r5t4y3u2i1o0p9z8x7 now");
  ASSERT_TRUE(b.processor->consume(std::move(batch)).ok());
  const auto& out = b.capture->batches[0]->resource_logs[0].scope_logs[0].log_records[0];
  EXPECT_EQ(out.body.string_value.find("acme_q8"), std::string::npos);
  EXPECT_NE(out.body.string_value.find("[REDACTED:acme-key:"), std::string::npos);
}

}  // namespace
}  // namespace agentgate::components::secrets_processor
