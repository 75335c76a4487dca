#include "components/processor/redaction/redaction_processor.h"

#include <gtest/gtest.h>

#include "components/processor/redaction/factory.h"
#include "config/loader.h"

namespace agentgate::components::redaction {
namespace {

using pdata::AnyValue;
using pdata::KeyValue;
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
  std::shared_ptr<Capture> out = std::make_shared<Capture>();
  std::string errors;
};

Built build(const std::string& yaml) {
  config::Diagnostics diags;
  auto node = config::parseYaml(
      yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, diags);
  auto factory = makeRedactionFactory();
  auto cfg = factory->createDefaultConfig();
  factory->unmarshal(node, *cfg, diags);
  Built b;
  if (diags.hasErrors()) {
    b.errors = diags.report();
    return b;
  }
  CreateSettings settings;
  settings.id = {"redaction", ""};
  auto p = factory->create(settings, *cfg, Signal::kTraces, b.out);
  if (!p.ok()) {
    b.errors = p.error().message;
    return b;
  }
  b.processor = *p;
  return b;
}

AnyValue s(pdata::Batch& b, std::string_view v) {
  AnyValue a;
  a.type = ValueType::kString;
  a.string_value = b.copyString(v);
  return a;
}
AnyValue i(int64_t v) {
  AnyValue a;
  a.type = ValueType::kInt;
  a.int_value = v;
  return a;
}

const KeyValue* attr(const pdata::Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs)
    if (kv.key == key) return &kv;
  return nullptr;
}
std::string sv(const pdata::Attributes& attrs, std::string_view key) {
  const KeyValue* kv = attr(attrs, key);
  return kv == nullptr ? "<absent>" : std::string(kv->value.string_value);
}
int64_t iv(const pdata::Attributes& attrs, std::string_view key) {
  const KeyValue* kv = attr(attrs, key);
  return kv == nullptr || kv->value.type != ValueType::kInt ? -1 : kv->value.int_value;
}

// One span with the given attributes; returns the processed span's attributes.
pdata::Attributes runSpan(Built& b, const std::vector<std::pair<std::string, AnyValue>>& attrs_in) {
  auto batch = std::make_unique<pdata::Batch>(Signal::kTraces);
  auto& span = batch->resource_spans.emplace_back(batch->arena())
                   .scope_spans.emplace_back(batch->arena())
                   .spans.emplace_back(batch->arena());
  for (const auto& [k, v] : attrs_in) {
    AnyValue val = v;
    if (v.type == ValueType::kString) val.string_value = batch->copyString(v.string_value);
    span.attributes.push_back({batch->copyString(k), val});
  }
  EXPECT_TRUE(b.processor->consume(std::move(batch)).ok());
  return b.out->batches.back()->resource_spans[0].scope_spans[0].spans[0].attributes;
}

AnyValue lit(std::string_view v) {
  AnyValue a;
  a.type = ValueType::kString;
  a.string_value = v;
  return a;
}

TEST(Redaction, AllowedKeysFailClosed) {
  auto b = build("summary: info\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  auto out = runSpan(b, {{"user.email", lit("a@b.c")}, {"http.method", lit("GET")}});
  EXPECT_EQ(attr(out, "user.email"), nullptr);
  EXPECT_EQ(attr(out, "http.method"), nullptr);
  EXPECT_EQ(iv(out, "redaction.redacted.count"), 2);
  EXPECT_EQ(attr(out, "redaction.redacted.keys"), nullptr);  // names only at debug
}

TEST(Redaction, AllowListBlockedValuesAndDebugSummary) {
  auto b = build(
      "allowed_keys: [description, group, id, name]\n"
      "ignored_keys: [safe_attribute]\n"
      "blocked_values: ['4[0-9]{12}(?:[0-9]{3})?', '(5[1-5][0-9]{14})']\n"
      "summary: debug\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  auto out = runSpan(b, {{"id", lit("5105105105105100")},
                         {"name", lit("card 4111111111111111 and 4222222222222 ok")},
                         {"group", lit("nothing")},
                         {"secret", lit("x")},
                         {"credit_card", lit("4111111111111111")},
                         {"safe_attribute", lit("4111111111111111")}});
  EXPECT_EQ(sv(out, "id"), "****");
  EXPECT_EQ(sv(out, "name"), "card **** and **** ok");
  EXPECT_EQ(sv(out, "group"), "nothing");
  EXPECT_EQ(sv(out, "safe_attribute"), "4111111111111111");  // ignored: never checked
  EXPECT_EQ(attr(out, "secret"), nullptr);
  EXPECT_EQ(attr(out, "credit_card"), nullptr);
  EXPECT_EQ(sv(out, "redaction.redacted.keys"), "credit_card,secret");
  EXPECT_EQ(iv(out, "redaction.redacted.count"), 2);
  EXPECT_EQ(sv(out, "redaction.masked.keys"), "id,name");
  EXPECT_EQ(iv(out, "redaction.masked.count"), 2);
  EXPECT_EQ(iv(out, "redaction.ignored.count"), 1);
}

TEST(Redaction, AllowedValuesWinOverBlockedValuesAndBlockedKeysMaskWhole) {
  auto b = build(
      "allow_all_keys: true\n"
      "blocked_values: ['[a-z0-9.]+@[a-z.]+']\n"
      "allowed_values: ['.+@example\\.com$']\n"
      "blocked_key_patterns: ['.*token.*']\n"
      "summary: debug\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  auto out = runSpan(b, {{"owner", lit("dev@example.com")},
                         {"other", lit("mail x@corp.io now")},
                         {"api_token", lit("abc123")},
                         {"token_count", i(5)}});
  EXPECT_EQ(sv(out, "owner"), "dev@example.com");
  EXPECT_EQ(sv(out, "other"), "mail **** now");
  EXPECT_EQ(sv(out, "api_token"), "****");
  EXPECT_EQ(sv(out, "token_count"), "****");  // a blocked key masks any type
  EXPECT_EQ(sv(out, "redaction.allowed.keys"), "owner");
  EXPECT_EQ(iv(out, "redaction.allowed.count"), 1);
  EXPECT_EQ(sv(out, "redaction.masked.keys"), "api_token,other,token_count");
}

TEST(Redaction, HashFunctionsUseKnownDigests) {
  struct Case {
    std::string fn;
    std::string expect;
  } cases[] = {
      {"md5", "900150983cd24fb0d6963f7d28e17f72"},
      {"sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {"sha3", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
  };
  for (const auto& c : cases) {
    auto b = build("allow_all_keys: true\nblocked_values: [abc]\nhash_function: " + c.fn + "\n");
    ASSERT_TRUE(b.errors.empty()) << b.errors;
    auto out = runSpan(b, {{"k", lit("x abc y")}});
    EXPECT_EQ(sv(out, "k"), "x " + c.expect + " y") << c.fn;
  }
  // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
  auto b = build(
      "allow_all_keys: true\nblocked_values: ['what.*']\nhash_function: hmac-sha256\n"
      "hmac_key: Jefe\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  auto out = runSpan(b, {{"k", lit("what do ya want for nothing?")}});
  EXPECT_EQ(sv(out, "k"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Redaction, NonStringValuesOnlyWithRedactAllTypes) {
  auto plain = build("allow_all_keys: true\nblocked_values: ['4[0-9]{15}']\n");
  auto out = runSpan(plain, {{"n", i(4111111111111111)}});
  EXPECT_EQ(attr(out, "n")->value.type, ValueType::kInt);
  auto all =
      build("allow_all_keys: true\nredact_all_types: true\nblocked_values: ['4[0-9]{15}']\n");
  ASSERT_TRUE(all.errors.empty()) << all.errors;
  out = runSpan(all, {{"n", i(4111111111111111)}});
  EXPECT_EQ(sv(out, "n"), "****");
}

TEST(Redaction, ReplaceAllFollowsGoEmptyMatchRule) {
  auto b = build("allow_all_keys: true\nblocked_values: ['a*']\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  auto out = runSpan(b, {{"k", lit("baaac")}});
  EXPECT_EQ(sv(out, "k"), "****b****c****");  // Go: ReplaceAllString("baaac", "****")
  // Multi-byte characters are stepped over whole.
  out = runSpan(b, {{"k", lit("\xC3\xA9")}});
  EXPECT_EQ(sv(out, "k"), "****\xC3\xA9****");
}

TEST(Redaction, LogBodiesAndSummaryMerging) {
  auto b = build(
      "allowed_keys: [msg, user, password, inner, list]\n"
      "blocked_values: ['sk-[a-z0-9]{8}']\n"
      "blocked_key_patterns: ['^password$']\n"
      "summary: debug\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  auto batch = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rl = batch->resource_logs.emplace_back(batch->arena());
  auto& sl = rl.scope_logs.emplace_back(batch->arena());
  auto& str_rec = sl.log_records.emplace_back(batch->arena());
  str_rec.body = s(*batch, "key sk-abcd1234 leaked");
  str_rec.attributes.push_back({"msg", s(*batch, "hi")});
  str_rec.attributes.push_back({"redaction.masked.count", i(3)});  // from an earlier processor
  auto& map_rec = sl.log_records.emplace_back(batch->arena());
  auto* map = batch->newVec<KeyValue>();
  map->push_back({"user", s(*batch, "bob")});
  map->push_back({"password", s(*batch, "hunter2")});
  map->push_back({"extra", s(*batch, "x")});
  auto* inner = batch->newVec<KeyValue>();
  inner->push_back({"msg", s(*batch, "token sk-zzzz9999")});
  inner->push_back({"drop_me", s(*batch, "y")});
  AnyValue inner_v;
  inner_v.type = ValueType::kMap;
  inner_v.map_value = inner;
  map->push_back({"inner", inner_v});
  auto* list = batch->newVec<AnyValue>();
  list->push_back(s(*batch, "sk-11112222"));
  AnyValue list_v;
  list_v.type = ValueType::kArray;
  list_v.array_value = list;
  map->push_back({"list", list_v});
  map_rec.body.type = ValueType::kMap;
  map_rec.body.map_value = map;
  ASSERT_TRUE(b.processor->consume(std::move(batch)).ok());

  const auto& recs = b.out->batches[0]->resource_logs[0].scope_logs[0].log_records;
  EXPECT_EQ(recs[0].body.string_value, "key **** leaked");
  EXPECT_EQ(sv(recs[0].attributes, "redaction.body.masked.keys"), "body");
  EXPECT_EQ(iv(recs[0].attributes, "redaction.body.masked.count"), 1);
  EXPECT_EQ(iv(recs[0].attributes, "redaction.masked.count"), 3);  // kept, not redacted

  const auto& body = *recs[1].body.map_value;
  EXPECT_EQ(sv(body, "user"), "bob");
  EXPECT_EQ(sv(body, "password"), "****");
  EXPECT_EQ(attr(body, "extra"), nullptr);
  const auto& in = *attr(body, "inner")->value.map_value;
  EXPECT_EQ(sv(in, "msg"), "token ****");
  EXPECT_EQ(attr(in, "drop_me"), nullptr);
  EXPECT_EQ((*attr(body, "list")->value.array_value)[0].string_value, "****");
  EXPECT_EQ(sv(recs[1].attributes, "redaction.body.redacted.keys"), "extra,inner.drop_me");
  EXPECT_EQ(sv(recs[1].attributes, "redaction.body.masked.keys"), "inner.msg,list.[0],password");
  EXPECT_EQ(iv(recs[1].attributes, "redaction.body.masked.count"), 3);
}

TEST(Redaction, ResourceEventsAndDataPoints) {
  auto b = build("allowed_keys: [service.name, k]\nblocked_values: ['s3cr3t']\nsummary: info\n");
  ASSERT_TRUE(b.errors.empty()) << b.errors;
  auto batch = std::make_unique<pdata::Batch>(Signal::kMetrics);
  auto& rm = batch->resource_metrics.emplace_back(batch->arena());
  rm.resource.attributes.push_back({"service.name", s(*batch, "svc")});
  rm.resource.attributes.push_back({"host.name", s(*batch, "h")});
  auto& m = rm.scope_metrics.emplace_back(batch->arena()).metrics.emplace_back(batch->arena());
  auto& dp = m.number_points.emplace_back(batch->arena());
  dp.attributes.push_back({"k", s(*batch, "a s3cr3t b")});
  ASSERT_TRUE(b.processor->consume(std::move(batch)).ok());
  const auto& out = b.out->batches[0]->resource_metrics[0];
  EXPECT_EQ(attr(out.resource.attributes, "host.name"), nullptr);
  EXPECT_EQ(iv(out.resource.attributes, "redaction.redacted.count"), 1);
  EXPECT_EQ(sv(out.scope_metrics[0].metrics[0].number_points[0].attributes, "k"), "a **** b");

  auto t = std::make_unique<pdata::Batch>(Signal::kTraces);
  auto& span = t->resource_spans.emplace_back(t->arena())
                   .scope_spans.emplace_back(t->arena())
                   .spans.emplace_back(t->arena());
  auto& ev = span.events.emplace_back(t->arena());
  ev.attributes.push_back({"k", s(*t, "s3cr3t")});
  ev.attributes.push_back({"other", s(*t, "x")});
  ASSERT_TRUE(b.processor->consume(std::move(t)).ok());
  const auto& e = b.out->batches[1]->resource_spans[0].scope_spans[0].spans[0].events[0];
  EXPECT_EQ(sv(e.attributes, "k"), "****");
  EXPECT_EQ(attr(e.attributes, "other"), nullptr);
}

TEST(Redaction, ConfigErrors) {
  EXPECT_NE(build("blocked_values: ['(unclosed']\n").errors.find("blocked_values"),
            std::string::npos);
  EXPECT_NE(build("allowed_values: ['[z-a]']\n").errors.find("allowed_values"), std::string::npos);
  EXPECT_NE(build("hash_function: hmac-sha256\n").errors.find("hmac_key"), std::string::npos);
  EXPECT_NE(build("hash_function: crc32\n").errors.find("hash_function"), std::string::npos);
  EXPECT_NE(build("summary: loud\n").errors.find("summary"), std::string::npos);
  EXPECT_NE(build("url_sanitizer: {enabled: true}\n").errors.find("url_sanitizer"),
            std::string::npos);
  EXPECT_NE(build("db_sanitizer: {sql: {enabled: true, attributes: [db.statement]}}\n")
                .errors.find("db_sanitizer"),
            std::string::npos);
  EXPECT_TRUE(build("url_sanitizer: {enabled: false}\nsummary: silent\n").errors.empty());
  EXPECT_NE(build("nope: 1\n").errors.find("nope"), std::string::npos);
}

}  // namespace
}  // namespace agentgate::components::redaction
