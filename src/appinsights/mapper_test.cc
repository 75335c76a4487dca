#include "appinsights/mapper.h"

#include <gtest/gtest.h>

#include "appinsights/go_json.h"

namespace agentgate::appinsights {
namespace {

using pdata::AnyValue;
using pdata::Attributes;
using pdata::ValueType;

AnyValue str(std::string_view s) {
  AnyValue v;
  v.type = ValueType::kString;
  v.string_value = s;
  return v;
}
AnyValue i64(int64_t n) {
  AnyValue v;
  v.type = ValueType::kInt;
  v.int_value = n;
  return v;
}
AnyValue dbl(double d) {
  AnyValue v;
  v.type = ValueType::kDouble;
  v.double_value = d;
  return v;
}
AnyValue boolean(bool b) {
  AnyValue v;
  v.type = ValueType::kBool;
  v.bool_value = b;
  return v;
}

constexpr char kTrace[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10";
constexpr char kSpan[] = "\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8";
constexpr char kParent[] = "\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8";

MapOptions testOptions() {
  MapOptions o;
  o.instrumentation_key = "ikey-1";
  o.sdk_version = "otelc-test";
  o.now_unix_nano = 1'700'000'000'000'000'000ull;
  return o;
}

struct LogFixture {
  pdata::Batch batch{Signal::kLogs};
  pdata::LogRecord* record;
  pdata::Resource* resource;
  pdata::InstrumentationScope* scope;
  LogFixture() {
    auto& rl = batch.resource_logs.emplace_back(batch.arena());
    auto& sl = rl.scope_logs.emplace_back(batch.arena());
    record = &sl.log_records.emplace_back(batch.arena());
    resource = &rl.resource;
    scope = &sl.scope;
    resource->attributes.push_back({"service.name", str("claude-code")});
    record->time_unix_nano = 1'764'041'638'545'000'000ull;
    record->body = str("claude_code.tool_result");
  }
};

struct SpanFixture {
  pdata::Batch batch{Signal::kTraces};
  pdata::Span* span;
  pdata::Resource* resource;
  SpanFixture(pdata::SpanKind kind) {
    auto& rs = batch.resource_spans.emplace_back(batch.arena());
    auto& ss = rs.scope_spans.emplace_back(batch.arena());
    span = &ss.spans.emplace_back(batch.arena());
    resource = &rs.resource;
    resource->attributes.push_back({"service.name", str("svc")});
    span->kind = kind;
    span->name = "op";
    span->trace_id = std::string_view(kTrace, 16);
    span->span_id = std::string_view(kSpan, 8);
    span->parent_span_id = std::string_view(kParent, 8);
    span->start_time_unix_nano = 1'000'000'000ull;
    span->end_time_unix_nano = 2'250'000'000ull;
  }
  Envelope map(const MapOptions& o = testOptions()) {
    auto r = mapBatch(batch, o);
    EXPECT_GE(r.envelopes.size(), 1u);
    return r.envelopes.empty() ? Envelope{} : r.envelopes[0];
  }
};

TEST(SeverityTest, MapsOtelRangesToAiLevels) {
  EXPECT_EQ(severityLevel(0), 1);
  EXPECT_EQ(severityLevel(1), 0);
  EXPECT_EQ(severityLevel(8), 0);
  EXPECT_EQ(severityLevel(9), 1);
  EXPECT_EQ(severityLevel(12), 1);
  EXPECT_EQ(severityLevel(13), 2);
  EXPECT_EQ(severityLevel(16), 2);
  EXPECT_EQ(severityLevel(17), 3);
  EXPECT_EQ(severityLevel(20), 3);
  EXPECT_EQ(severityLevel(21), 4);
  EXPECT_EQ(severityLevel(24), 4);
  EXPECT_EQ(severityLevel(25), 1);
  EXPECT_EQ(severityLevel(-3), 1);
}

TEST(FormatTest, DurationIsDaysHoursMinutesSecondsMicros) {
  EXPECT_EQ(formatDuration(1'250'000'000ull), "00.00:00:01.250000");
  EXPECT_EQ(formatDuration(0), "00.00:00:00.000000");
  EXPECT_EQ(formatDuration(999), "00.00:00:00.000000");
  uint64_t d = ((((3ull * 24 + 4) * 60 + 5) * 60 + 6) * 1'000'000 + 7) * 1000;
  EXPECT_EQ(formatDuration(d), "03.04:05:06.000007");
}

TEST(FormatTest, TimeIsRfc3339NanoUtcWithoutTrailingZeros) {
  EXPECT_EQ(formatRfc3339Nano(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatRfc3339Nano(1'764'041'638'545'000'000ull), "2025-11-25T03:33:58.545Z");
  EXPECT_EQ(formatRfc3339Nano(951'782'400'000'000'001ull), "2000-02-29T00:00:00.000000001Z");
}

TEST(GoJsonTest, EscapesLikeEncodingJson) {
  std::string out;
  appendJsonString(out, "a<b>&\"\\\n\t\x01\xe2\x80\xa8\xff");
  EXPECT_EQ(out, R"("a\u003cb\u003e\u0026\"\\\n\t\u0001\u2028\ufffd")");
  out.clear();
  appendJsonFloat(out, 1e-7);
  out += ' ';
  appendJsonFloat(out, 1e21);
  out += ' ';
  appendJsonFloat(out, 100);
  out += ' ';
  appendJsonFloat(out, 0.1);
  EXPECT_EQ(out, "1e-7 1e+21 100 0.1");
  EXPECT_EQ(formatFloatF(1e21), "1000000000000000000000");
  EXPECT_EQ(formatFloatF(2.5), "2.5");
  EXPECT_EQ(base64("hi!?"), "aGkhPw==");
}

TEST(LogMappingTest, MessageWithTagsAndPropertyOrder) {
  LogFixture f;
  f.resource->attributes.push_back({"service.namespace", str("ns")});
  f.resource->attributes.push_back({"service.instance.id", str("inst")});
  f.resource->attributes.push_back({"service.version", str("2.1")});
  f.resource->attributes.push_back({"host.cpus", i64(8)});  // non-string resource attr -> ""
  f.resource->attributes.push_back({"dup", str("from-resource")});
  f.scope->name = "com.anthropic.claude_code";
  f.scope->version = "2.1.331";
  f.record->attributes.push_back({"dup", str("from-log")});
  f.record->attributes.push_back({"n", i64(42)});
  f.record->attributes.push_back({"d", dbl(0.5)});
  f.record->attributes.push_back({"b", boolean(true)});
  f.record->severity_number = 17;
  f.record->trace_id = std::string_view(kTrace, 16);
  f.record->span_id = std::string_view(kSpan, 8);

  auto r = mapBatch(f.batch, testOptions());
  ASSERT_EQ(r.envelopes.size(), 1u);
  const Envelope& e = r.envelopes[0];
  EXPECT_EQ(e.kind, EnvelopeKind::kMessage);
  EXPECT_EQ(e.message, "claude_code.tool_result");
  EXPECT_EQ(e.severity_level, 3);
  EXPECT_EQ(e.tags.at("ai.cloud.role"), "ns.claude-code");
  EXPECT_EQ(e.tags.at("ai.cloud.roleInstance"), "inst");
  EXPECT_EQ(e.tags.at("ai.application.ver"), "2.1");
  EXPECT_EQ(e.tags.at("ai.operation.id"), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(e.tags.at("ai.operation.parentId"), "a1a2a3a4a5a6a7a8");
  EXPECT_EQ(e.tags.at("ai.internal.sdkVersion"), "otelc-test");
  EXPECT_EQ(e.properties.at("host.cpus"), "");
  EXPECT_EQ(e.properties.at("dup"), "from-log");
  EXPECT_EQ(e.properties.at("n"), "42");
  EXPECT_EQ(e.properties.at("d"), "0.5");
  EXPECT_EQ(e.properties.at("b"), "true");
  EXPECT_EQ(e.properties.at("instrumentationlibrary.name"), "com.anthropic.claude_code");
  EXPECT_EQ(e.properties.at("instrumentationlibrary.version"), "2.1.331");
  EXPECT_EQ(
      toJson(e),
      R"({"ver":1,"name":"Microsoft.ApplicationInsights.Message","time":"2025-11-25T03:33:58.545Z",)"
      R"("sampleRate":100,"seq":"","iKey":"ikey-1","tags":{"ai.application.ver":"2.1",)"
      R"("ai.cloud.role":"ns.claude-code","ai.cloud.roleInstance":"inst",)"
      R"("ai.internal.sdkVersion":"otelc-test","ai.operation.id":"0102030405060708090a0b0c0d0e0f10",)"
      R"("ai.operation.parentId":"a1a2a3a4a5a6a7a8"},"data":{"baseType":"MessageData",)"
      R"("baseData":{"ver":2,"message":"claude_code.tool_result","severityLevel":3,)"
      R"("properties":{"b":"true","d":"0.5","dup":"from-log","host.cpus":"",)"
      R"("instrumentationlibrary.name":"com.anthropic.claude_code",)"
      R"("instrumentationlibrary.version":"2.1.331","n":"42","service.instance.id":"inst",)"
      R"("service.name":"claude-code","service.namespace":"ns","service.version":"2.1"}}}})");
}

TEST(LogMappingTest, ZeroIdsGiveEmptyTagsAndMissingServiceNameGivesNoRole) {
  LogFixture f;
  f.resource->attributes.clear();
  f.record->trace_id = std::string_view("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
  auto r = mapBatch(f.batch, testOptions());
  const Envelope& e = r.envelopes.at(0);
  EXPECT_EQ(e.tags.at("ai.operation.id"), "");
  EXPECT_EQ(e.tags.at("ai.operation.parentId"), "");
  EXPECT_EQ(e.tags.count("ai.cloud.role"), 0u);
  EXPECT_EQ(e.tags.count("ai.cloud.roleInstance"), 0u);
  EXPECT_EQ(e.severity_level, 1);
}

TEST(LogMappingTest, TimestampFallsBackToObservedThenNow) {
  LogFixture f;
  f.record->time_unix_nano = 0;
  f.record->observed_time_unix_nano = 5;
  EXPECT_EQ(mapBatch(f.batch, testOptions()).envelopes.at(0).time_unix_nano, 5u);
  f.record->observed_time_unix_nano = 0;
  EXPECT_EQ(mapBatch(f.batch, testOptions()).envelopes.at(0).time_unix_nano,
            testOptions().now_unix_nano);
}

TEST(LogMappingTest, MapBodyBecomesJsonMessage) {
  LogFixture f;
  auto* map = f.batch.newVec<pdata::KeyValue>();
  map->push_back({"z", i64(1)});
  map->push_back({"a", str("<x>")});
  f.record->body.type = ValueType::kMap;
  f.record->body.map_value = map;
  EXPECT_EQ(mapBatch(f.batch, testOptions()).envelopes.at(0).message,
            R"({"a":"\u003cx\u003e","z":1})");
}

TEST(LogMappingTest, ExceptionOnlyWhenEnabled) {
  LogFixture f;
  f.record->attributes.push_back({"exception.type", str("TypeError")});
  f.record->attributes.push_back({"exception.message", str("boom")});
  f.record->severity_text = "ERROR";
  f.record->severity_number = 17;
  auto o = testOptions();
  EXPECT_EQ(mapBatch(f.batch, o).envelopes.at(0).kind, EnvelopeKind::kMessage);
  o.exception_events_enabled = true;
  Envelope e = mapBatch(f.batch, o).envelopes.at(0);
  ASSERT_EQ(e.kind, EnvelopeKind::kException);
  EXPECT_EQ(e.problem_id, "ERROR");
  EXPECT_EQ(e.severity_level, 3);
  ASSERT_EQ(e.exceptions.size(), 1u);
  EXPECT_EQ(e.exceptions[0].type_name, "TypeError");
  EXPECT_EQ(e.exceptions[0].message, "boom");
  EXPECT_FALSE(e.exceptions[0].has_full_stack);
  EXPECT_NE(toJson(e).find(R"("exceptions":[{"id":0,"outerId":0,"typeName":"TypeError",)"
                           R"("message":"boom","hasFullStack":false,"stack":""}],)"
                           R"("severityLevel":3,"problemId":"ERROR")"),
            std::string::npos);
}

TEST(LogMappingTest, CustomEventHasOnlyLogAttributesAndNoTags) {
  LogFixture f;
  f.record->attributes.push_back({"microsoft.custom_event.name", str("MyEvent")});
  f.record->attributes.push_back({"k", str("v")});
  auto o = testOptions();
  o.custom_events_enabled = true;
  Envelope e = mapBatch(f.batch, o).envelopes.at(0);
  ASSERT_EQ(e.kind, EnvelopeKind::kEvent);
  EXPECT_EQ(e.name, "MyEvent");
  EXPECT_TRUE(e.tags.empty());
  EXPECT_EQ(e.properties.size(), 2u);
  EXPECT_EQ(e.properties.count("service.name"), 0u);
  EXPECT_EQ(toJson(e).find("\"tags\""), std::string::npos);
}

TEST(SpanMappingTest, ServerAndConsumerAreRequestsOthersDependencies) {
  for (auto kind : {pdata::SpanKind::kServer, pdata::SpanKind::kConsumer}) {
    SpanFixture f(kind);
    EXPECT_EQ(f.map().kind, EnvelopeKind::kRequest);
  }
  for (auto kind : {pdata::SpanKind::kClient, pdata::SpanKind::kProducer,
                    pdata::SpanKind::kInternal, pdata::SpanKind::kUnspecified}) {
    SpanFixture f(kind);
    EXPECT_EQ(f.map().kind, EnvelopeKind::kRemoteDependency);
  }
}

TEST(SpanMappingTest, InternalDependencyIsInProcWithStatusDefaults) {
  SpanFixture f(pdata::SpanKind::kInternal);
  f.span->status.code = pdata::StatusCode::kError;
  f.span->status.message = "bad";
  Envelope e = f.map();
  EXPECT_EQ(e.type, "InProc");
  EXPECT_EQ(e.result_code, "2");
  EXPECT_FALSE(e.success);
  EXPECT_EQ(e.id, "a1a2a3a4a5a6a7a8");
  EXPECT_EQ(e.tags.at("ai.operation.parentId"), "b1b2b3b4b5b6b7b8");
  EXPECT_EQ(e.tags.count("ai.operation.name"), 0u);
  EXPECT_EQ(e.properties.at("otel.status_code"), "STATUS_CODE_ERROR");
  EXPECT_EQ(e.properties.at("otel.status_description"), "bad");
  EXPECT_EQ(formatDuration(e.duration_nanos), "00.00:00:01.250000");
  std::string json = toJson(e);
  EXPECT_NE(json.find(R"("baseData":{"ver":2,"name":"op","id":"a1a2a3a4a5a6a7a8","resultCode":"2",)"
                      R"("duration":"00.00:00:01.250000","success":false,"data":"","target":"",)"
                      R"("type":"InProc","properties":{)"),
            std::string::npos)
      << json;
}

TEST(SpanMappingTest, UnknownClientHasEmptyTypeAndOkStatusSucceeds) {
  SpanFixture f(pdata::SpanKind::kClient);
  f.span->status.code = pdata::StatusCode::kOk;
  Envelope e = f.map();
  EXPECT_EQ(e.type, "");
  EXPECT_EQ(e.result_code, "1");
  EXPECT_TRUE(e.success);
  EXPECT_EQ(e.properties.at("otel.status_code"), "STATUS_CODE_OK");
  EXPECT_EQ(e.properties.count("otel.status_description"), 0u);
}

TEST(SpanMappingTest, HttpServerRequest) {
  SpanFixture f(pdata::SpanKind::kServer);
  auto& a = f.span->attributes;
  a.push_back({"http.request.method", str("GET")});
  a.push_back({"http.route", str("users/{id}")});
  a.push_back({"url.scheme", str("https")});
  a.push_back({"server.address", str("example.com")});
  a.push_back({"server.port", i64(8443)});
  a.push_back({"url.path", str("/users/7")});
  a.push_back({"url.query", str("x=1")});
  a.push_back({"client.address", str("10.0.0.9")});
  a.push_back({"http.response.status_code", str("404")});
  a.push_back({"enduser.id", str("alice")});
  Envelope e = f.map();
  EXPECT_EQ(e.name, "GET /users/{id}");
  EXPECT_EQ(e.url, "https://example.com:8443/users/7?x=1");
  EXPECT_EQ(e.source, "10.0.0.9");
  EXPECT_EQ(e.result_code, "404");
  EXPECT_FALSE(e.success);
  EXPECT_EQ(e.tags.at("ai.operation.name"), "GET /users/{id}");
  EXPECT_EQ(e.tags.at("ai.user.id"), "alice");
  auto o = testOptions();
  o.align_http_server_request_success_with_otel_spec = true;
  EXPECT_TRUE(f.map(o).success);
  o = testOptions();
  o.non_error_http_status_codes = {404};
  EXPECT_TRUE(f.map(o).success);
}

TEST(SpanMappingTest, HttpClientDependency) {
  SpanFixture f(pdata::SpanKind::kClient);
  auto& a = f.span->attributes;
  a.push_back({"http.request.method", str("POST")});
  a.push_back({"url.full", str("https://api.anthropic.com/v1/messages?beta=true")});
  a.push_back({"http.response.status_code", i64(503)});
  Envelope e = f.map();
  EXPECT_EQ(e.name, "POST");  // no span-name fallback
  EXPECT_EQ(e.type, "HTTP");
  EXPECT_EQ(e.data, "https://api.anthropic.com/v1/messages?beta=true");
  EXPECT_EQ(e.target, "api.anthropic.com");
  EXPECT_EQ(e.result_code, "503");
  EXPECT_FALSE(e.success);
  auto o = testOptions();
  o.align_http_server_request_success_with_otel_spec = true;  // client spans unaffected
  a.back().value = i64(404);
  EXPECT_FALSE(f.map(o).success);
}

TEST(SpanMappingTest, LegacyHttpKeysAreUnknown) {
  SpanFixture f(pdata::SpanKind::kClient);
  f.span->attributes.push_back({"http.method", str("GET")});
  f.span->attributes.push_back({"http.status_code", i64(500)});
  Envelope e = f.map();
  EXPECT_EQ(e.type, "");
  EXPECT_EQ(e.name, "op");
  EXPECT_EQ(e.result_code, "0");
  EXPECT_TRUE(e.success);
}

TEST(SpanMappingTest, RpcDbMessagingDetection) {
  {
    SpanFixture f(pdata::SpanKind::kClient);
    f.span->attributes.push_back({"http.request.method", str("POST")});
    f.span->attributes.push_back({"rpc.system", str("grpc")});  // rpc wins over http
    f.span->attributes.push_back({"rpc.grpc.status_code", i64(14)});
    f.span->attributes.push_back({"network.peer.address", str("10.1.1.1")});
    f.span->attributes.push_back({"client.port", i64(4317)});
    Envelope e = f.map();
    EXPECT_EQ(e.type, "grpc");
    EXPECT_EQ(e.data, "op");
    EXPECT_EQ(e.result_code, "14");
    EXPECT_EQ(e.target, "10.1.1.1:4317");
  }
  {
    SpanFixture f(pdata::SpanKind::kServer);
    f.span->attributes.push_back({"rpc.system", str("grpc")});
    f.span->attributes.push_back({"server.address", str("collector")});
    f.span->attributes.push_back({"server.port", i64(4317)});
    Envelope e = f.map();
    EXPECT_EQ(e.name, "grpc op");
    EXPECT_EQ(e.url, "grpc op");
    EXPECT_EQ(e.source, "collector:4317");
    EXPECT_EQ(e.result_code, "0");
  }
  {
    SpanFixture f(pdata::SpanKind::kClient);
    f.span->attributes.push_back({"db.system.name", str("postgresql")});
    f.span->attributes.push_back({"db.operation.name", str("SELECT")});
    Envelope e = f.map();
    EXPECT_EQ(e.type, "postgresql");
    EXPECT_EQ(e.data, "SELECT");
  }
  {
    SpanFixture f(pdata::SpanKind::kProducer);
    f.span->attributes.push_back({"messaging.system", str("kafka")});
    EXPECT_EQ(f.map().type, "kafka");
  }
  {
    SpanFixture f(pdata::SpanKind::kServer);
    f.span->attributes.push_back({"faas.trigger", str("http")});
    auto r = mapBatch(f.batch, testOptions());
    EXPECT_EQ(r.rejected_spans, 1u);
    EXPECT_TRUE(r.envelopes.empty());
  }
}

TEST(SpanMappingTest, SpanAttributeTypesAndPropertyPrecedence) {
  SpanFixture f(pdata::SpanKind::kInternal);
  auto& a = f.span->attributes;
  a.push_back({"s", str("x")});
  a.push_back({"i", i64(-3)});
  a.push_back({"d", dbl(1e21)});
  a.push_back({"b", boolean(false)});
  AnyValue bytes;
  bytes.type = ValueType::kBytes;
  bytes.string_value = "raw";
  a.push_back({"bytes", bytes});
  AnyValue arr;
  arr.type = ValueType::kArray;
  arr.array_value = f.batch.newVec<AnyValue>();
  arr.array_value->push_back(str("e"));
  a.push_back({"arr", arr});
  a.push_back({"service.name", str("from-span")});
  a.push_back({"otel.status_code", str("from-span")});
  Envelope e = f.map();
  EXPECT_EQ(e.properties.at("s"), "x");
  EXPECT_EQ(e.properties.at("i"), "-3");
  EXPECT_EQ(e.properties.at("d"), "1000000000000000000000");
  EXPECT_EQ(e.properties.at("b"), "false");
  EXPECT_EQ(e.properties.count("bytes"), 0u);
  EXPECT_EQ(e.properties.count("arr"), 0u);
  EXPECT_EQ(e.properties.at("service.name"), "svc");  // resource written after span attrs
  EXPECT_EQ(e.properties.at("otel.status_code"), "STATUS_CODE_UNSET");
}

TEST(SpanMappingTest, LinksAndEvents) {
  SpanFixture f(pdata::SpanKind::kClient);
  auto& link = f.span->links.emplace_back(f.batch.arena());
  link.trace_id = std::string_view(kTrace, 16);
  link.span_id = std::string_view(kParent, 8);
  auto& ex = f.span->events.emplace_back(f.batch.arena());
  ex.name = "exception";
  ex.time_unix_nano = 1'500'000'000ull;
  ex.attributes.push_back({"exception.type", str("Err")});
  ex.attributes.push_back({"exception.stacktrace", str("at x")});
  auto& other = f.span->events.emplace_back(f.batch.arena());
  other.name = "retry";
  auto r = mapBatch(f.batch, testOptions());
  ASSERT_EQ(r.envelopes.size(), 2u);
  EXPECT_EQ(r.envelopes[0].properties.at("_MS.links"),
            R"([{"operation_Id":"0102030405060708090a0b0c0d0e0f10","id":"b1b2b3b4b5b6b7b8"}])");
  const Envelope& x = r.envelopes[1];
  EXPECT_EQ(x.kind, EnvelopeKind::kException);
  EXPECT_EQ(x.severity_level, 3);
  EXPECT_EQ(x.tags.at("ai.operation.parentId"), "a1a2a3a4a5a6a7a8");  // the span's own id
  EXPECT_EQ(x.exceptions.at(0).stack, "at x");
  EXPECT_TRUE(x.exceptions.at(0).has_full_stack);
  EXPECT_EQ(x.properties.at("service.name"), "svc");
  auto o = testOptions();
  o.span_events_enabled = true;
  r = mapBatch(f.batch, o);
  ASSERT_EQ(r.envelopes.size(), 3u);
  EXPECT_EQ(r.envelopes[2].kind, EnvelopeKind::kMessage);
  EXPECT_EQ(r.envelopes[2].message, "retry");
  EXPECT_EQ(r.envelopes[2].severity_level, 0);
}

TEST(MetricMappingTest, GaugeSumHistogramSummary) {
  pdata::Batch b(Signal::kMetrics);
  auto& rm = b.resource_metrics.emplace_back(b.arena());
  rm.resource.attributes.push_back({"service.name", str("svc")});
  auto& sm = rm.scope_metrics.emplace_back(b.arena());
  auto& g = sm.metrics.emplace_back(b.arena());
  g.name = "claude_code.token.usage";
  g.type = pdata::MetricType::kSum;
  auto& p = g.number_points.emplace_back(b.arena());
  p.is_int = true;
  p.as_int = 7;
  p.time_unix_nano = 3'000'000'000ull;
  p.attributes.push_back({"type", str("input")});
  auto& h = sm.metrics.emplace_back(b.arena());
  h.name = "latency";
  h.type = pdata::MetricType::kHistogram;
  auto& hp = h.histogram_points.emplace_back(b.arena());
  hp.count = 4;
  hp.sum = 10.5;
  hp.has_min = true;
  hp.min = 1;
  auto& s = sm.metrics.emplace_back(b.arena());
  s.name = "sum";
  s.type = pdata::MetricType::kSummary;
  auto& sp = s.summary_points.emplace_back(b.arena());
  sp.count = 2;
  sp.sum = 3;
  auto r = mapBatch(b, testOptions());
  ASSERT_EQ(r.envelopes.size(), 3u);
  const auto& e = r.envelopes[0];
  EXPECT_EQ(e.kind, EnvelopeKind::kMetric);
  EXPECT_EQ(e.tags.count("ai.operation.id"), 0u);
  EXPECT_EQ(e.tags.at("ai.cloud.role"), "svc");
  EXPECT_EQ(e.properties.at("type"), "input");
  EXPECT_EQ(
      toJson(e),
      R"({"ver":1,"name":"Microsoft.ApplicationInsights.Metric","time":"1970-01-01T00:00:03Z",)"
      R"("sampleRate":100,"seq":"","iKey":"ikey-1","tags":{"ai.cloud.role":"svc",)"
      R"("ai.internal.sdkVersion":"otelc-test"},"data":{"baseType":"MetricData","baseData":)"
      R"({"ver":2,"metrics":[{"name":"claude_code.token.usage","kind":0,"value":7,"count":1,)"
      R"("min":0,"max":0,"stdDev":0}],"properties":{"service.name":"svc","type":"input"}}}})");
  const auto& hm = r.envelopes[1].metrics.at(0);
  EXPECT_EQ(hm.kind, 1);
  EXPECT_EQ(hm.value, 10.5);
  EXPECT_EQ(hm.count, 4);
  EXPECT_EQ(hm.min, 1);
  EXPECT_EQ(hm.max, 0);
  const auto& smp = r.envelopes[2].metrics.at(0);
  EXPECT_EQ(smp.kind, 1);
  EXPECT_EQ(smp.value, 3);
  EXPECT_EQ(smp.count, 2);
}

TEST(TruncationTest, ServiceLimits) {
  Envelope e;
  e.kind = EnvelopeKind::kMessage;
  e.message = std::string(40000, 'm');
  e.properties["v"] = std::string(9000, 'v');
  std::string long_key(200, 'k');
  e.properties[long_key] = "long";
  e.properties[long_key.substr(0, 150)] = "short";
  e.tags["ai.cloud.role"] = std::string(300, 'r');
  e.tags["custom.tag"] = std::string(3000, 'c');
  e.ikey = std::string(50, 'i');
  size_t n = sanitize(e);
  EXPECT_EQ(e.message.size(), 32768u);
  EXPECT_EQ(e.properties.at("v").size(), 8192u);
  EXPECT_EQ(e.properties.count(long_key), 0u);
  EXPECT_EQ(e.properties.at(long_key.substr(0, 150)), "long");  // truncated key overwrites
  EXPECT_EQ(e.tags.at("ai.cloud.role").size(), 256u);
  EXPECT_EQ(e.tags.at("custom.tag").size(), 3000u);
  EXPECT_EQ(e.ikey.size(), 40u);
  EXPECT_EQ(n, 5u);

  Envelope d;
  d.kind = EnvelopeKind::kRemoteDependency;
  d.data = std::string(9000, 'd');
  d.id = std::string(200, 'i');
  sanitize(d);
  EXPECT_EQ(d.data.size(), 8192u);
  EXPECT_EQ(d.id.size(), 128u);

  Envelope r;
  r.kind = EnvelopeKind::kRequest;
  r.url = std::string(3000, 'u');
  sanitize(r);
  EXPECT_EQ(r.url.size(), 2048u);

  Envelope ev;
  ev.kind = EnvelopeKind::kEvent;
  ev.name = std::string(600, 'n');
  sanitize(ev);
  EXPECT_EQ(ev.name.size(), 512u);
}

TEST(TruncationTest, MapBatchCountsTruncationsAndJsonStaysValidUtf8) {
  LogFixture f;
  std::string body(32767, 'a');
  body += "\xc3\xa9";  // a 2-byte character split by the 32768-byte cut
  f.record->body = str(body);
  auto r = mapBatch(f.batch, testOptions());
  EXPECT_EQ(r.truncations, 1u);
  EXPECT_EQ(r.envelopes.at(0).message.size(), 32768u);
  EXPECT_NE(toJson(r.envelopes[0]).find("a\\ufffd\",\"severityLevel\""), std::string::npos);
}

TEST(TagMappingTest, RoleInstanceSourcesAndLiteralDefault) {
  LogFixture f;
  f.resource->attributes.push_back({"host.name", str("box")});
  auto o = testOptions();
  o.cloud_role_instance = {"service.instance.id", "host.name"};
  EXPECT_EQ(mapBatch(f.batch, o).envelopes.at(0).tags.at("ai.cloud.roleInstance"), "box");
  o.cloud_role_instance = {"service.instance.id", "fallback"};
  EXPECT_EQ(mapBatch(f.batch, o).envelopes.at(0).tags.at("ai.cloud.roleInstance"), "fallback");
}

}  // namespace
}  // namespace agentgate::appinsights
