#include "components/processor/privacy/privacy_processor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "components/components.h"
#include "components/processor/privacy/factory.h"
#include "components/processor/secrets/factory.h"
#include "config/loader.h"
#include "pdata/codec.h"
#include "pipeline/collector_config.h"
#include "pipeline/registry.h"
#include "testlib/test_host.h"

namespace agentgate::components::privacy {
namespace {

namespace fs = std::filesystem;
using pdata::AnyValue;
using pdata::KeyValue;
using pdata::ValueType;

// The fake credentials the content-gated captures carry (spec/agent-telemetry.md finding 7).
constexpr std::string_view kAwsKey = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kGithubToken = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";

const fs::path kAgents = fs::path(AGENTGATE_SHARED_DIR) / "fixtures/agents";

class Capture : public Consumer {
 public:
  Status consume(BatchPtr&& batch) override {
    batches.push_back(std::move(batch));
    return {};
  }
  std::vector<BatchPtr> batches;
};

config::ConfigNode parse(const std::string& yaml, config::Diagnostics& diags) {
  return config::parseYaml(
      yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, diags);
}

template <typename Factory>
Result<std::shared_ptr<Processor>> make(const Factory& factory, const std::string& yaml,
                                        ConsumerPtr next, std::string* errors = nullptr) {
  config::Diagnostics diags;
  auto node = parse(yaml, diags);
  auto cfg = factory.createDefaultConfig();
  factory.unmarshal(node, *cfg, diags);
  if (diags.hasErrors()) {
    if (errors != nullptr) *errors = diags.report();
    return Error::config(diags.report());
  }
  CreateSettings settings;
  settings.id = {std::string(factory.type()), ""};
  return factory.create(settings, *cfg, Signal::kLogs, std::move(next));
}

// secrets -> privacy -> capture, the documented order.
struct Chain {
  std::shared_ptr<Processor> head;
  std::shared_ptr<Processor> privacy;
  std::shared_ptr<Capture> out = std::make_shared<Capture>();
};

Chain chain(const std::string& privacy_yaml) {
  Chain c;
  auto p = make(*makePrivacyFactory(), privacy_yaml, c.out);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  if (!p.ok()) return c;
  c.privacy = *p;
  auto s = make(*secrets_processor::makeSecretsFactory(), "fingerprint_key: k\n", c.privacy);
  EXPECT_TRUE(s.ok());
  if (s.ok()) c.head = *s;
  return c;
}

// Every request body of one capture scenario, decoded.
std::vector<BatchPtr> loadScenario(const fs::path& dir) {
  std::vector<BatchPtr> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::string name = f.filename().string();
    bool pb = name.ends_with(".pb");
    bool json = name.ends_with(".otlp.json");
    if (!pb && !json) continue;
    Signal sig = name.find("_logs_") != std::string::npos     ? Signal::kLogs
                 : name.find("_traces_") != std::string::npos ? Signal::kTraces
                                                              : Signal::kMetrics;
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto b = std::make_unique<pdata::Batch>(sig);
    std::string_view bytes = b->adoptBuffer(ss.str());
    Status st = pb ? pdata::decodeProtobuf(*b, bytes) : pdata::decodeJson(*b, bytes);
    EXPECT_TRUE(st.ok()) << f;
    if (st.ok()) out.push_back(std::move(b));
  }
  EXPECT_FALSE(out.empty()) << "no capture in " << dir;
  return out;
}

std::string dump(const std::vector<BatchPtr>& batches) {
  std::string all;
  for (const auto& b : batches) all += pdata::encodeJson(*b);
  return all;
}

const KeyValue* attr(const pdata::Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs)
    if (kv.key == key) return &kv;
  return nullptr;
}

// Calls fn(record, event name) for every log record and fn(span) for spans.
template <typename Fn>
void eachRecord(const std::vector<BatchPtr>& batches, Fn&& fn) {
  for (const auto& b : batches)
    for (const auto& rl : b->resource_logs)
      for (const auto& sl : rl.scope_logs)
        for (const auto& r : sl.log_records) fn(r);
}
template <typename Fn>
void eachSpan(const std::vector<BatchPtr>& batches, Fn&& fn) {
  for (const auto& b : batches)
    for (const auto& rs : b->resource_spans)
      for (const auto& ss : rs.scope_spans)
        for (const auto& s : ss.spans) fn(s);
}

bool isHex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string str(const KeyValue* kv) {
  return kv == nullptr ? std::string("<absent>") : std::string(kv->value.string_value);
}

TEST(PrivacyPolicy, ParsesEveryContentPolicy) {
  EXPECT_EQ(parseContentPolicy("keep")->action, ContentAction::kKeep);
  EXPECT_EQ(parseContentPolicy("secrets_only")->action, ContentAction::kSecretsOnly);
  EXPECT_EQ(parseContentPolicy("HASH")->action, ContentAction::kHash);
  EXPECT_EQ(parseContentPolicy("drop")->action, ContentAction::kDrop);
  auto t = parseContentPolicy("truncate( 512 )");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->action, ContentAction::kTruncate);
  EXPECT_EQ(t->truncate_bytes, 512u);
  EXPECT_EQ(contentPolicyName(*t), "truncate(512)");
  for (auto bad : {"truncate()", "truncate(-1)", "truncate(12", "truncate(1x)", "shred", ""})
    EXPECT_FALSE(parseContentPolicy(bad)) << bad;
  EXPECT_EQ(parseIdentityAction("pseudonymize"), IdentityAction::kPseudonymise);
  EXPECT_FALSE(parseIdentityAction("hash"));
}

TEST(PrivacyPolicy, ContentFieldsAreTiedToTheirEventOrSpan) {
  Config cfg;
  cfg.fields["prompt"] = {ContentAction::kDrop, 0};
  cfg.fields["acme.notes"] = {ContentAction::kHash, 0};
  Policy p(cfg);
  // Claude Code's generic keys count only on their own events.
  ASSERT_NE(p.content("prompt", kLogRecord, "claude_code.user_prompt"), nullptr);
  EXPECT_EQ(p.content("prompt", kLogRecord, "claude_code.user_prompt")->action,
            ContentAction::kDrop);
  EXPECT_NE(p.content("prompt", kLogRecord, "user_prompt"), nullptr);
  EXPECT_EQ(p.content("prompt", kLogRecord, "claude_code.api_request"), nullptr);
  EXPECT_EQ(p.content("prompt", kSpan, "claude_code.user_prompt"), nullptr);
  EXPECT_EQ(p.content("body", kLogRecord, "claude_code.api_request_body")->action,
            ContentAction::kDrop);  // default policy
  EXPECT_EQ(p.content("body", kLogRecord, "claude_code.api_request"), nullptr);
  EXPECT_EQ(p.content("content", kSpanEvent, "tool.output")->action, ContentAction::kSecretsOnly);
  EXPECT_EQ(p.content("content", kSpanEvent, "exception"), nullptr);
  // GenAI keys and configured keys are content anywhere.
  EXPECT_NE(p.content("gen_ai.input.messages", kSpan, "chat claude-sonnet-4.5"), nullptr);
  EXPECT_NE(p.content("gen_ai.input.messages", kLogRecord, ""), nullptr);
  EXPECT_EQ(p.content("acme.notes", kResource, "")->action, ContentAction::kHash);
  EXPECT_EQ(p.content("gen_ai.request.model", kSpan, "chat"), nullptr);
  // Identity defaults.
  EXPECT_EQ(*p.identity("user.email"), IdentityAction::kPseudonymise);
  EXPECT_EQ(*p.identity("user.id"), IdentityAction::kKeep);
  EXPECT_EQ(p.identity("session.id"), nullptr);
}

// The Claude Code capture with every content gate on, through secrets -> privacy with the default
// policy: no fake secret anywhere, the raw API bodies gone, the prompt and tool output kept with
// the secrets redacted.
TEST(PrivacyProcessor, DefaultPolicyOnClaudeCodeContentCapture) {
  auto c = chain("{}");
  ASSERT_TRUE(c.head);
  auto in = loadScenario(kAgents / "claude-code-2.1.331/b-content-all-tool");
  std::string before = dump(in);
  ASSERT_NE(before.find(kAwsKey), std::string::npos);  // the capture does carry them
  ASSERT_NE(before.find(kGithubToken), std::string::npos);
  for (auto& b : in) ASSERT_TRUE(c.head->consume(std::move(b)).ok());
  std::string after = dump(c.out->batches);
  EXPECT_EQ(after.find(kAwsKey), std::string::npos);
  EXPECT_EQ(after.find(kGithubToken), std::string::npos);

  int bodies = 0, prompts = 0;
  eachRecord(c.out->batches, [&](const pdata::LogRecord& r) {
    std::string_view name = r.body.string_value;
    if (name == "claude_code.api_request_body" || name == "claude_code.api_response_body") {
      ++bodies;
      EXPECT_EQ(attr(r.attributes, "body"), nullptr) << name;
      EXPECT_NE(attr(r.attributes, "body_length"), nullptr);  // metadata stays
    }
    if (name == "claude_code.user_prompt") {
      ++prompts;
      std::string p = str(attr(r.attributes, "prompt"));
      EXPECT_NE(p.find("Run echo hello"), std::string::npos) << p;  // secrets_only keeps text
      EXPECT_NE(p.find("[REDACTED:"), std::string::npos) << p;
    }
  });
  EXPECT_GT(bodies, 0);
  EXPECT_GT(prompts, 0);
  const auto& counts = std::static_pointer_cast<PrivacyProcessor>(c.privacy)->counts();
  EXPECT_EQ(counts.dropped.load(), static_cast<uint64_t>(bodies));
  EXPECT_EQ(counts.pseudonymised.load(), 0u);  // user.id is kept by default
}

TEST(PrivacyProcessor, ConfiguredPolicyOnClaudeCodeContentCapture) {
  auto c = chain(
      "pseudonym_key: test-key\n"
      "fields:\n"
      "  prompt: drop\n"
      "  tool_output: truncate(12)\n"
      "  tool_parameters: hash\n"
      "identity_fields: {user.id: pseudonymise}\n");
  ASSERT_TRUE(c.head);
  auto in = loadScenario(kAgents / "claude-code-2.1.331/b-content-all-tool");
  std::set<std::string> raw_ids;
  eachRecord(
      in, [&](const pdata::LogRecord& r) { raw_ids.insert(str(attr(r.attributes, "user.id"))); });
  raw_ids.erase("<absent>");
  ASSERT_EQ(raw_ids.size(), 1u);
  for (auto& b : in) ASSERT_TRUE(c.head->consume(std::move(b)).ok());

  int prompts = 0, params = 0, outputs = 0, interactions = 0;
  std::set<std::string> ids;
  eachRecord(c.out->batches, [&](const pdata::LogRecord& r) {
    if (const KeyValue* u = attr(r.attributes, "user.id")) ids.insert(str(u));
    std::string_view name = r.body.string_value;
    if (name == "claude_code.user_prompt") {
      ++prompts;
      EXPECT_EQ(attr(r.attributes, "prompt"), nullptr);
      EXPECT_NE(attr(r.attributes, "prompt_length"), nullptr);
    }
    if (const KeyValue* p = attr(r.attributes, "tool_parameters")) {
      ++params;
      EXPECT_TRUE(isHex64(p->value.string_value)) << p->value.string_value;
    }
  });
  // One user, one stable pseudonym, different from the raw id, also on the finding records.
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_TRUE(isHex64(*ids.begin()));
  EXPECT_EQ(*ids.begin(), hmacSha256Hex("test-key", *raw_ids.begin()));
  EXPECT_NE(*ids.begin(), *raw_ids.begin());
  eachSpan(c.out->batches, [&](const pdata::Span& s) {
    if (s.name == "claude_code.interaction") {
      ++interactions;
      EXPECT_EQ(attr(s.attributes, "user_prompt"), nullptr);
    }
    for (const auto& ev : s.events) {
      if (ev.name != "tool.output") continue;
      for (const auto& kv : ev.attributes) {
        if (kv.key != "output" && kv.key != "content") continue;
        ++outputs;
        EXPECT_LE(kv.value.string_value.size(), 12u);
      }
    }
  });
  EXPECT_GT(prompts, 0);
  EXPECT_GT(params, 0);
  EXPECT_GT(outputs, 0);
  EXPECT_GT(interactions, 0);
}

// Copilot's GenAI span attributes: hash one, drop one, truncate one; unrelated keys untouched.
TEST(PrivacyProcessor, CopilotGenAiFields) {
  auto c = chain(
      "pseudonym_key: k2\n"
      "fields:\n"
      "  gen_ai.input.messages: hash\n"
      "  gen_ai.system_instructions: drop\n"
      "  gen_ai.tool.call.result: truncate(5)\n");
  ASSERT_TRUE(c.head);
  auto in = loadScenario(kAgents / "copilot-cli-1.0.102/b-content-tool");
  std::map<std::string, std::string> first_input;  // span id -> raw input messages
  eachSpan(in, [&](const pdata::Span& s) {
    if (const KeyValue* m = attr(s.attributes, "gen_ai.input.messages"))
      first_input[std::string(s.span_id)] = str(m);
  });
  ASSERT_FALSE(first_input.empty());
  for (auto& b : in) ASSERT_TRUE(c.head->consume(std::move(b)).ok());
  std::string after = dump(c.out->batches);
  EXPECT_EQ(after.find(kAwsKey), std::string::npos);
  EXPECT_EQ(after.find(kGithubToken), std::string::npos);
  int hashed = 0, results = 0;
  eachSpan(c.out->batches, [&](const pdata::Span& s) {
    EXPECT_EQ(attr(s.attributes, "gen_ai.system_instructions"), nullptr);
    if (const KeyValue* m = attr(s.attributes, "gen_ai.input.messages")) {
      ++hashed;
      EXPECT_TRUE(isHex64(m->value.string_value));
    }
    if (const KeyValue* r = attr(s.attributes, "gen_ai.tool.call.result")) {
      ++results;
      EXPECT_LE(r->value.string_value.size(), 5u);
    }
    EXPECT_NE(attr(s.attributes, "gen_ai.operation.name"), nullptr);
  });
  EXPECT_EQ(hashed, static_cast<int>(first_input.size()));
  EXPECT_GT(results, 0);
}

AnyValue text(pdata::Batch& b, std::string_view s) {
  AnyValue v;
  v.type = ValueType::kString;
  v.string_value = b.copyString(s);
  return v;
}

// Identity on resource, record, span event and data point; non-string values; UTF-8 truncation.
TEST(PrivacyProcessor, IdentityEverywhereAndValueTypes) {
  auto out = std::make_shared<Capture>();
  auto p = make(*makePrivacyFactory(),
                "content: truncate(4)\npseudonym_key: key\n"
                "identity_fields: {user.account_uuid: drop, acme.badge: pseudonymise}\n",
                out);
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rl = b->resource_logs.emplace_back(b->arena());
  rl.resource.attributes.push_back({"user.email", text(*b, "dev@example.com")});
  auto& rec = rl.scope_logs.emplace_back(b->arena()).log_records.emplace_back(b->arena());
  rec.body = text(*b, "claude_code.user_prompt");
  rec.attributes.push_back({"user.email", text(*b, "dev@example.com")});
  rec.attributes.push_back({"user.account_uuid", text(*b, "8c0f-uuid")});
  AnyValue badge;
  badge.type = ValueType::kInt;
  badge.int_value = 4242;
  rec.attributes.push_back({"acme.badge", badge});
  rec.attributes.push_back({"prompt", text(*b, "h\xC3\xA9llo world")});  // é is 2 bytes at [1,3)
  rec.attributes.push_back({"session.id", text(*b, "s-1")});
  ASSERT_TRUE((*p)->consume(std::move(b)).ok());
  const auto& o = *out->batches[0];
  const auto& r = o.resource_logs[0].scope_logs[0].log_records[0];
  std::string email = hmacSha256Hex("key", "dev@example.com");
  EXPECT_EQ(str(attr(o.resource_logs[0].resource.attributes, "user.email")), email);
  EXPECT_EQ(str(attr(r.attributes, "user.email")), email);
  EXPECT_EQ(attr(r.attributes, "user.account_uuid"), nullptr);
  EXPECT_EQ(str(attr(r.attributes, "acme.badge")), hmacSha256Hex("key", "4242"));
  EXPECT_EQ(str(attr(r.attributes, "prompt")), "h\xC3\xA9l");
  EXPECT_EQ(str(attr(r.attributes, "session.id")), "s-1");
}

TEST(PrivacyProcessor, TruncateNeverSplitsACharacter) {
  auto out = std::make_shared<Capture>();
  auto p = make(*makePrivacyFactory(), "content: truncate(2)\n", out);
  ASSERT_TRUE(p.ok());
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rec = b->resource_logs.emplace_back(b->arena())
                  .scope_logs.emplace_back(b->arena())
                  .log_records.emplace_back(b->arena());
  rec.body = text(*b, "claude_code.user_prompt");
  rec.attributes.push_back({"prompt", text(*b, "h\xC3\xA9llo")});
  ASSERT_TRUE((*p)->consume(std::move(b)).ok());
  const auto& r = out->batches[0]->resource_logs[0].scope_logs[0].log_records[0];
  EXPECT_EQ(str(attr(r.attributes, "prompt")), "h");
}

TEST(PrivacyProcessor, StartRegistersMetrics) {
  auto out = std::make_shared<Capture>();
  auto p = make(*makePrivacyFactory(), "content: drop\n", out);
  ASSERT_TRUE(p.ok());
  testlib::TestHost host;
  ASSERT_TRUE((*p)->start(host).ok());
  auto b = std::make_unique<pdata::Batch>(Signal::kTraces);
  auto& span = b->resource_spans.emplace_back(b->arena())
                   .scope_spans.emplace_back(b->arena())
                   .spans.emplace_back(b->arena());
  span.attributes.push_back({"gen_ai.output.messages", text(*b, "[]")});
  ASSERT_TRUE((*p)->consume(std::move(b)).ok());
  EXPECT_EQ(host.telemetry().counterValue("agentgate_privacy_values_total",
                                          {{"processor", "privacy"}, {"action", "drop"}}),
            1u);
}

TEST(PrivacyProcessor, ConfigErrors) {
  std::string errors;
  auto out = std::make_shared<Capture>();
  EXPECT_FALSE(make(*makePrivacyFactory(), "content: shred\n", out, &errors).ok());
  EXPECT_NE(errors.find("content"), std::string::npos);
  EXPECT_FALSE(make(*makePrivacyFactory(), "fields: {prompt: truncate(x)}\n", out, &errors).ok());
  EXPECT_NE(errors.find("prompt"), std::string::npos);
  EXPECT_FALSE(make(*makePrivacyFactory(), "identity: hash\n", out, &errors).ok());
  EXPECT_NE(errors.find("identity"), std::string::npos);
  EXPECT_FALSE(
      make(*makePrivacyFactory(), "identity_fields: {user.email: x}\n", out, &errors).ok());
  EXPECT_FALSE(make(*makePrivacyFactory(), "unknown: 1\n", out, &errors).ok());
  EXPECT_NE(errors.find("unknown"), std::string::npos);
}

// secrets_only relies on the secrets processor having run: the config loader enforces the order.
TEST(PrivacyProcessor, PipelineMustRunSecretsFirst) {
  pipeline::Registry registry;
  registerAll(registry);
  auto check = [&](const std::string& processors, const std::string& privacy_body) {
    std::string yaml =
        "receivers: {otlp: {protocols: {http: {endpoint: 127.0.0.1:0}}}}\n"
        "processors:\n  secrets: {}\n  privacy: " +
        privacy_body +
        "\n"
        "exporters: {nop: {}}\n"
        "service: {pipelines: {logs: {receivers: [otlp], processors: " +
        processors + ", exporters: [nop]}}}\n";
    config::Diagnostics diags;
    auto root = parse(yaml, diags);
    (void)pipeline::buildCollectorConfig(root, registry, diags);
    return diags.hasErrors() ? diags.report() : std::string();
  };
  EXPECT_EQ(check("[secrets, privacy]", "{}"), "");
  std::string e = check("[privacy, secrets]", "{}");
  EXPECT_NE(e.find("needs a \"secrets\" processor before it"), std::string::npos) << e;
  EXPECT_NE(check("[privacy]", "{fields: {prompt: secrets_only}, content: drop}"), "");
  // Nothing left for the secrets processor: privacy may run alone.
  EXPECT_EQ(check("[privacy]", "{content: drop, fields: {api_request_body: drop}}"), "");
}

}  // namespace
}  // namespace agentgate::components::privacy
