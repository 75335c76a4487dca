// OTLP/JSON codec: the variants real senders produce, and malformed input.
#include <gtest/gtest.h>

#include <cmath>

#include "pdata/codec.h"

namespace agentgate::pdata {
namespace {

void expectInvalid(const Status& st, std::string_view needle) {
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalid);
  EXPECT_NE(st.error().message.find(needle), std::string::npos) << st.error().message;
}

// Wraps one log record object into an ExportLogsServiceRequest.
std::string logs(std::string_view record) {
  return R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)" + std::string(record) + "]}]}]}";
}

const LogRecord& first(const Batch& b) {
  return b.resource_logs.at(0).scope_logs.at(0).log_records.at(0);
}

TEST(JsonDecode, CamelAndSnakeCaseKeysAndPrettyPrinting) {
  const char* snake = R"({
    "resource_logs": [ {
      "resource": { "attributes": [ { "key": "service.name", "value": { "string_value": "copilot" } } ] },
      "scope_logs": [ {
        "scope": { "name": "s", "version": "1" },
        "log_records": [ {
          "time_unix_nano": "1795577852879000000",
          "observed_time_unix_nano": 1795577852879000001,
          "severity_number": "SEVERITY_NUMBER_WARN",
          "severity_text": "WARN",
          "body": { "kvlist_value": { "values": [ { "key": "a", "value": { "int_value": 5 } } ] } },
          "trace_id": "0102030405060708090A0B0C0D0E0F10",
          "span_id": "",
          "event_name": "e",
          "some_unknown_field": { "deep": [1, 2, {"x": null}] }
        } ]
      } ]
    } ]
  })";
  Batch b(Signal::kLogs);
  Status st = decodeJson(b, snake);
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& r = first(b);
  EXPECT_EQ(b.resource_logs[0].resource.attributes[0].value.string_value, "copilot");
  EXPECT_EQ(r.time_unix_nano, 1795577852879000000ull);
  EXPECT_EQ(r.observed_time_unix_nano, 1795577852879000001ull);
  EXPECT_EQ(r.severity_number, 13);
  EXPECT_EQ(r.trace_id,
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"));
  EXPECT_TRUE(r.span_id.empty());
  ASSERT_EQ(r.body.type, ValueType::kMap);
  EXPECT_EQ((*r.body.map_value)[0].value.int_value, 5);

  // The same document in lowerCamelCase encodes identically.
  std::string camel = encodeJson(b);
  Batch c(Signal::kLogs);
  ASSERT_TRUE(decodeJson(c, camel).ok());
  EXPECT_EQ(encodeJson(c), camel);
  EXPECT_NE(camel.find("\"resourceLogs\""), std::string::npos);
  EXPECT_NE(camel.find("\"traceId\":\"0102030405060708090a0b0c0d0e0f10\""), std::string::npos);
  EXPECT_NE(camel.find("\"timeUnixNano\":\"1795577852879000000\""), std::string::npos);
}

TEST(JsonDecode, ScalarVariants) {
  Batch b(Signal::kLogs);
  Status st = decodeJson(b, logs(R"({"attributes":[
      {"key":"i1","value":{"intValue":"-9223372036854775808"}},
      {"key":"i2","value":{"intValue":42}},
      {"key":"d1","value":{"doubleValue":"NaN"}},
      {"key":"d2","value":{"doubleValue":"-Infinity"}},
      {"key":"d3","value":{"doubleValue":1.5}},
      {"key":"d4","value":{"doubleValue":"2.5"}},
      {"key":"b","value":{"bytesValue":"AP8Q"}},
      {"key":"b2","value":{"bytesValue":"_-8"}},
      {"key":"t","value":{"boolValue":true}},
      {"key":"a","value":{"arrayValue":{"values":[{"stringValue":"x"},{}]}}},
      {"key":"n","value":null},
      {"key":"e","value":{}}]})"));
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& a = first(b).attributes;
  ASSERT_EQ(a.size(), 12u);
  EXPECT_EQ(a[0].value.int_value, INT64_MIN);
  EXPECT_EQ(a[1].value.int_value, 42);
  EXPECT_TRUE(std::isnan(a[2].value.double_value));
  EXPECT_EQ(a[3].value.double_value, -INFINITY);
  EXPECT_EQ(a[4].value.double_value, 1.5);
  EXPECT_EQ(a[5].value.double_value, 2.5);
  EXPECT_EQ(a[6].value.string_value, std::string("\x00\xff\x10", 3));
  EXPECT_EQ(a[7].value.string_value, std::string("\xff\xef", 2));
  EXPECT_TRUE(a[8].value.bool_value);
  EXPECT_EQ(a[9].value.array_value->size(), 2u);
  EXPECT_EQ(a[10].value.type, ValueType::kEmpty);
  EXPECT_EQ(a[11].value.type, ValueType::kEmpty);

  std::string out = encodeJson(b);
  EXPECT_NE(out.find(R"({"doubleValue":"NaN"})"), std::string::npos);
  EXPECT_NE(out.find(R"({"bytesValue":"AP8Q"})"), std::string::npos);
  EXPECT_NE(out.find(R"({"intValue":"42"})"), std::string::npos);
}

TEST(JsonDecode, EnumsAsNamesOrNumbers) {
  const char* traces = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"kind":"SPAN_KIND_SERVER","status":{"code":"STATUS_CODE_ERROR","message":"m"}},
      {"kind":3,"status":{"code":1}}]}]}]})";
  Batch t(Signal::kTraces);
  ASSERT_TRUE(decodeJson(t, traces).ok());
  const auto& spans = t.resource_spans[0].scope_spans[0].spans;
  EXPECT_EQ(spans[0].kind, SpanKind::kServer);
  EXPECT_EQ(spans[0].status.code, StatusCode::kError);
  EXPECT_EQ(spans[1].kind, SpanKind::kClient);
  EXPECT_EQ(spans[1].status.code, StatusCode::kOk);
  EXPECT_NE(encodeJson(t).find(R"("kind":2)"), std::string::npos);

  const char* metrics = R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[
      {"name":"s","sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA","isMonotonic":true,
       "dataPoints":[{"asInt":"7","timeUnixNano":1}]}},
      {"name":"h","histogram":{"aggregationTemporality":2,"dataPoints":[
       {"count":"3","sum":1.5,"bucketCounts":["1",2],"explicitBounds":[0.5],"min":0,"max":1}]}}]}]}]})";
  Batch m(Signal::kMetrics);
  Status st = decodeJson(m, metrics);
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& ms = m.resource_metrics[0].scope_metrics[0].metrics;
  EXPECT_EQ(ms[0].temporality, AggregationTemporality::kDelta);
  EXPECT_TRUE(ms[0].is_monotonic);
  EXPECT_TRUE(ms[0].number_points[0].is_int);
  EXPECT_EQ(ms[0].number_points[0].as_int, 7);
  EXPECT_EQ(ms[1].temporality, AggregationTemporality::kCumulative);
  EXPECT_EQ(ms[1].histogram_points[0].bucket_counts, (Vec<uint64_t>{1, 2}));
  EXPECT_TRUE(ms[1].histogram_points[0].has_min);
  EXPECT_EQ(m.itemCount(), 2u);

  Batch bad(Signal::kTraces);
  expectInvalid(
      decodeJson(bad, R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"NOPE"}]}]}]})"),
      "kind: unknown enum name");
}

TEST(JsonDecode, MalformedInput) {
  struct Case {
    std::string json;
    const char* needle;
  } cases[] = {
      {"{", "invalid JSON"},
      {"[]", "expected an object"},
      {"{\"resourceLogs\":{}}", "resourceLogs: expected an array"},
      {logs(R"({"traceId":"abcd"})"), "traceId: must be 32 hex digits"},
      {logs(R"({"spanId":"zz00000000000000"})"), "spanId: invalid hex digit"},
      {logs(R"({"timeUnixNano":"12x"})"), "timeUnixNano: expected an unsigned integer"},
      {logs(R"({"timeUnixNano":-1})"), "timeUnixNano"},
      {logs(R"({"attributes":{}})"), "attributes: expected an array"},
      {logs(R"({"attributes":[{"key":1}]})"), "key: expected a string"},
      {logs(R"({"body":{"intValue":1.5}})"), "intValue"},
      {logs(R"({"body":{"bytesValue":"***"}})"), "bytesValue: invalid base64"},
      {logs(R"({"droppedAttributesCount":4294967296})"), "droppedAttributesCount"},
      {logs(R"({"severityNumber":"SEVERITY_NUMBER_LOUD"})"), "severityNumber"},
      {logs("{\"severityText\":\"\xff\"}"), "invalid JSON"},
  };
  for (const auto& c : cases) {
    Batch b(Signal::kLogs);
    expectInvalid(decodeJson(b, c.json), c.needle);
  }
  Batch b(Signal::kLogs);
  Status st = decodeJson(
      b, logs(R"({"severityText":"a"},{"attributes":[{"key":"k","value":{"boolValue":"yes"}}]})"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message,
            "invalid OTLP/JSON: resourceLogs[0].scopeLogs[0].logRecords[1].attributes[0].value: "
            "boolValue: expected a boolean");
}

std::string nested(size_t depth) {
  std::string s;
  for (size_t i = 0; i < depth; ++i) s += R"({"arrayValue":{"values":[)";
  s += R"({"stringValue":"leaf"})";
  for (size_t i = 0; i < depth; ++i) s += "]}}";
  return logs(R"({"body":)" + s + "}");
}

TEST(JsonDecode, DeepNestingIsRejected) {
  Batch a(Signal::kLogs);
  ASSERT_FALSE(decodeJson(a, nested(10000)).ok());
  Batch b(Signal::kLogs);
  expectInvalid(decodeJson(b, nested(65)), "nesting deeper than 64");
  Batch c(Signal::kLogs);
  ASSERT_TRUE(decodeJson(c, nested(64)).ok());
}

TEST(JsonDecode, AttributeLimit) {
  std::string attrs;
  for (int i = 0; i < 5; ++i) {
    if (i) attrs += ",";
    attrs += R"({"key":"k","value":{"boolValue":true}})";
  }
  DecodeLimits limits;
  limits.max_attributes_per_record = 4;
  Batch b(Signal::kLogs);
  expectInvalid(decodeJson(b, logs(R"({"attributes":[)" + attrs + "]}"), limits), "more than 4");
  limits.max_attributes_per_record = 5;
  Batch c(Signal::kLogs);
  ASSERT_TRUE(decodeJson(c, logs(R"({"attributes":[)" + attrs + "]}"), limits).ok());
}

TEST(JsonDecode, StringsAreCopiedIntoTheArena) {
  Batch b(Signal::kLogs);
  {
    std::string json = logs(R"({"severityText":"esc\"aped\u00e9\n"})");
    ASSERT_TRUE(decodeJson(b, json).ok());
    json.assign(json.size(), 'x');  // the input dies; views must not point into it
  }
  EXPECT_EQ(first(b).severity_text, "esc\"aped\xc3\xa9\n");
  std::string out = encodeJson(b);
  EXPECT_NE(out.find(R"("severityText":"esc\"aped)"
                     "\xc3\xa9"
                     R"(\n")"),
            std::string::npos)
      << out;
}

TEST(JsonEncode, ControlCharactersAreEscaped) {
  Batch b(Signal::kLogs);
  auto& r = b.resource_logs.emplace_back(b.arena())
                .scope_logs.emplace_back(b.arena())
                .log_records.emplace_back(b.arena());
  r.severity_text = b.copyString(std::string("a\x01\tb", 4));
  std::string out = encodeJson(b);
  EXPECT_NE(out.find(R"("a\u0001\tb")"), std::string::npos) << out;
  Batch back(Signal::kLogs);
  ASSERT_TRUE(decodeJson(back, out).ok());
  EXPECT_EQ(first(back).severity_text, std::string("a\x01\tb", 4));
}

TEST(JsonEncode, DoublesStayDoubles) {
  // Found by pdata_json_fuzz: -0.0 printed as "-0" re-read as the integer 0.
  const char* in = R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"h","histogram":
      {"dataPoints":[{"min":-0.0,"max":1.8446744073709552e19,"sum":5}]}}]}]}]})";
  Batch b(Signal::kMetrics);
  ASSERT_TRUE(decodeJson(b, in).ok());
  std::string out = encodeJson(b);
  EXPECT_NE(out.find(R"("min":-0.0)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("max":18446744073709551616.0)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("sum":5)"), std::string::npos) << out;
  Batch again(Signal::kMetrics);
  ASSERT_TRUE(decodeJson(again, out).ok());
  EXPECT_EQ(encodeJson(again), out);
  const auto& p = again.resource_metrics[0].scope_metrics[0].metrics[0].histogram_points[0];
  EXPECT_TRUE(std::signbit(p.min));
}

TEST(JsonEncode, ResponseBodies) {
  EXPECT_EQ(encodeExportResponseJson(Signal::kLogs, 0, ""), "{}");
  EXPECT_EQ(encodeExportResponseJson(Signal::kLogs, 2, "bad \"x\""),
            R"({"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"bad \"x\""}})");
  EXPECT_EQ(encodeExportResponseJson(Signal::kTraces, 1, ""),
            R"({"partialSuccess":{"rejectedSpans":"1"}})");
  EXPECT_EQ(encodeExportResponseJson(Signal::kMetrics, 5, "m"),
            R"({"partialSuccess":{"rejectedDataPoints":"5","errorMessage":"m"}})");
}

}  // namespace
}  // namespace agentgate::pdata
