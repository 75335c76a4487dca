#include "components/exporter/debug/debug_exporter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "components/exporter/debug/factory.h"
#include "components/exporter/debug/text.h"
#include "config/loader.h"
#include "pdata/model.h"

namespace agentgate::components::debug {
namespace {

using pdata::AnyValue;
using pdata::ValueType;

AnyValue str(pdata::Batch& b, std::string_view s) {
  AnyValue v;
  v.type = ValueType::kString;
  v.string_value = b.copyString(s);
  return v;
}

BatchPtr logs(size_t records) {
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rl = b->resource_logs.emplace_back(b->arena());
  rl.schema_url = "https://opentelemetry.io/schemas/1.26.0";
  rl.resource.attributes.push_back({"service.name", str(*b, "claude-code")});
  auto& sl = rl.scope_logs.emplace_back(b->arena());
  sl.scope.name = "com.anthropic.claude_code.events";
  sl.scope.version = "1.0.0";
  for (size_t i = 0; i < records; ++i) {
    auto& r = sl.log_records.emplace_back(b->arena());
    r.time_unix_nano = 1714557600500000000ull;  // 2024-05-01 10:00:00.5 UTC
    r.severity_number = 9;
    r.severity_text = "INFO";
    r.body = str(*b, "claude_code.api_request");
    AnyValue cost;
    cost.type = ValueType::kDouble;
    cost.double_value = 0.25;
    r.attributes.push_back({"cost_usd", cost});
    AnyValue tokens;
    tokens.type = ValueType::kInt;
    tokens.int_value = 1200;
    r.attributes.push_back({"input_tokens", tokens});
    r.trace_id = b->copyString(std::string(16, '\x01'));
    r.span_id = b->copyString(std::string(8, '\x0a'));
    r.flags = 1;
  }
  return b;
}

BatchPtr traces() {
  auto b = std::make_unique<pdata::Batch>(Signal::kTraces);
  auto& rs = b->resource_spans.emplace_back(b->arena());
  auto& ss = rs.scope_spans.emplace_back(b->arena());
  auto& s = ss.spans.emplace_back(b->arena());
  s.name = "llm_request";
  s.kind = pdata::SpanKind::kClient;
  s.trace_id = b->copyString(std::string(16, '\xab'));
  s.span_id = b->copyString(std::string(8, '\xcd'));
  s.start_time_unix_nano = 1000000000;
  s.end_time_unix_nano = 2000000000;
  s.status.code = pdata::StatusCode::kError;
  s.status.message = "boom";
  s.attributes.push_back({"model", str(*b, "opus")});
  auto& e = s.events.emplace_back(b->arena());
  e.name = "retry";
  return b;
}

BatchPtr metrics() {
  auto b = std::make_unique<pdata::Batch>(Signal::kMetrics);
  auto& rm = b->resource_metrics.emplace_back(b->arena());
  auto& sm = rm.scope_metrics.emplace_back(b->arena());
  auto& m = sm.metrics.emplace_back(b->arena());
  m.name = "claude_code.token.usage";
  m.unit = "tokens";
  m.description = "Number of tokens used";
  m.type = pdata::MetricType::kSum;
  m.is_monotonic = true;
  m.temporality = pdata::AggregationTemporality::kDelta;
  for (int i = 0; i < 2; ++i) {
    auto& p = m.number_points.emplace_back(b->arena());
    p.is_int = true;
    p.as_int = 100 + i;
    p.attributes.push_back({"type", str(*b, i == 0 ? "input" : "output")});
  }
  auto& g = sm.metrics.emplace_back(b->arena());
  g.name = "gauge";
  g.type = pdata::MetricType::kGauge;
  auto& gp = g.number_points.emplace_back(b->arena());
  gp.as_double = 1.5;
  return b;
}

Config withVerbosity(Verbosity v) {
  Config c;
  c.verbosity = v;
  c.sampling_initial = 1000;
  return c;
}

TEST(DebugExporter, BasicPrintsOneCountLinePerBatch) {
  std::ostringstream out;
  DebugExporter e(withVerbosity(Verbosity::kBasic), &out);
  ASSERT_TRUE(e.consume(logs(13)).ok());
  ASSERT_TRUE(e.consume(traces()).ok());
  ASSERT_TRUE(e.consume(metrics()).ok());
  EXPECT_EQ(out.str(),
            "Logs\t{\"resource logs\": 1, \"log records\": 13}\n"
            "Traces\t{\"resource spans\": 1, \"spans\": 1}\n"
            "Metrics\t{\"resource metrics\": 1, \"metrics\": 2, \"data points\": 3}\n");
}

TEST(DebugExporter, NormalPrintsOneLinePerItem) {
  std::ostringstream out;
  DebugExporter e(withVerbosity(Verbosity::kNormal), &out);
  ASSERT_TRUE(e.consume(logs(2)).ok());
  ASSERT_TRUE(e.consume(traces()).ok());
  ASSERT_TRUE(e.consume(metrics()).ok());
  std::string s = out.str();
  EXPECT_NE(s.find("\nclaude_code.api_request cost_usd=0.25 input_tokens=1200\n"
                   "claude_code.api_request cost_usd=0.25 input_tokens=1200\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("\nllm_request abababababababababababababababab cdcdcdcdcdcdcdcd model=opus\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("\nclaude_code.token.usage{type=input} 100\n"), std::string::npos) << s;
  EXPECT_NE(s.find("\ngauge{} 1.500000\n"), std::string::npos) << s;
}

TEST(DebugExporter, DetailedLogsMatchTheCollectorLayout) {
  std::ostringstream out;
  DebugExporter e(withVerbosity(Verbosity::kDetailed), &out);
  ASSERT_TRUE(e.consume(logs(1)).ok());
  EXPECT_EQ(out.str(),
            "Logs\t{\"resource logs\": 1, \"log records\": 1}\n"
            "ResourceLog #0\n"
            "Resource SchemaURL: https://opentelemetry.io/schemas/1.26.0\n"
            "Resource attributes:\n"
            "     -> service.name: Str(claude-code)\n"
            "ScopeLogs #0\n"
            "ScopeLogs SchemaURL: \n"
            "InstrumentationScope com.anthropic.claude_code.events 1.0.0\n"
            "LogRecord #0\n"
            "ObservedTimestamp: 1970-01-01 00:00:00 +0000 UTC\n"
            "Timestamp: 2024-05-01 10:00:00.5 +0000 UTC\n"
            "SeverityText: INFO\n"
            "SeverityNumber: Info(9)\n"
            "Body: Str(claude_code.api_request)\n"
            "Attributes:\n"
            "     -> cost_usd: Double(0.25)\n"
            "     -> input_tokens: Int(1200)\n"
            "Trace ID: 01010101010101010101010101010101\n"
            "Span ID: 0a0a0a0a0a0a0a0a\n"
            "Flags: 1\n");
}

TEST(DebugExporter, DetailedSpansAndMetrics) {
  std::ostringstream out;
  DebugExporter e(withVerbosity(Verbosity::kDetailed), &out);
  ASSERT_TRUE(e.consume(traces()).ok());
  ASSERT_TRUE(e.consume(metrics()).ok());
  std::string s = out.str();
  for (const char* want :
       {"ResourceSpans #0\n", "Span #0\n",
        "    Trace ID       : abababababababababababababababab\n", "    Parent ID      : \n",
        "    Name           : llm_request\n", "    Kind           : Client\n",
        "    Start time     : 1970-01-01 00:00:01 +0000 UTC\n", "    Status code    : Error\n",
        "    Status message : boom\n", "Attributes:\n     -> model: Str(opus)\n",
        "Events:\nSpanEvent #0\n     -> Name: retry\n", "ResourceMetrics #0\n",
        "Metric #0\nDescriptor:\n     -> Name: claude_code.token.usage\n"
        "     -> Description: Number of tokens used\n     -> Unit: tokens\n"
        "     -> DataType: Sum\n     -> IsMonotonic: true\n"
        "     -> AggregationTemporality: Delta\n"
        "NumberDataPoints #0\nData point attributes:\n     -> type: Str(input)\n",
        "Value: 100\n", "Metric #1\n", "     -> DataType: Gauge\n", "Value: 1.500000\n"}) {
    EXPECT_NE(s.find(want), std::string::npos) << "missing: " << want << "\nin:\n" << s;
  }
}

TEST(DebugExporter, SamplingLimitsMessagesPerSecond) {
  std::ostringstream out;
  Config c;
  c.sampling_initial = 2;
  c.sampling_thereafter = 0;
  DebugExporter e(c, &out);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(e.consume(logs(1)).ok());
  std::string s = out.str();
  // Five calls within one second: only the first two print (unless the window rolled over).
  size_t lines = std::count(s.begin(), s.end(), '\n');
  EXPECT_GE(lines, 2u);
  EXPECT_LT(lines, 5u);
}

TEST(DebugText, FormatsValuesAndTimestamps) {
  EXPECT_EQ(formatTimestamp(0), "1970-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(formatTimestamp(1000000001), "1970-01-01 00:00:01.000000001 +0000 UTC");
  pdata::Batch b(Signal::kLogs);
  AnyValue m;
  m.type = ValueType::kMap;
  m.map_value = b.newVec<pdata::KeyValue>();
  AnyValue arr;
  arr.type = ValueType::kArray;
  arr.array_value = b.newVec<AnyValue>();
  arr.array_value->push_back(str(b, "a\"b"));
  AnyValue t;
  t.type = ValueType::kBool;
  t.bool_value = true;
  arr.array_value->push_back(t);
  m.map_value->push_back({"list", arr});
  EXPECT_EQ(formatTypedValue(m), "Map({\"list\":[\"a\\\"b\",true]})");
  AnyValue bytes;
  bytes.type = ValueType::kBytes;
  bytes.string_value = "hi!?";
  EXPECT_EQ(formatTypedValue(bytes), "Bytes(aGkhPw==)");
  EXPECT_EQ(formatTypedValue(AnyValue{}), "Empty()");
}

TEST(DebugFactory, ConfigKeys) {
  auto f = makeDebugFactory();
  EXPECT_EQ(f->stability(Signal::kLogs), Stability::kDevelopment);
  EXPECT_EQ(f->stability(Signal::kMetrics), Stability::kDevelopment);
  auto parse = [&](const std::string& yaml, Config& out) {
    config::Diagnostics d;
    auto node = config::parseYaml(
        yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, d);
    auto cfg = f->createDefaultConfig();
    f->unmarshal(node, *cfg, d);
    out = static_cast<Config&>(*cfg);
    return !d.hasErrors();
  };
  Config c;
  ASSERT_TRUE(parse("verbosity: Detailed\nsampling_initial: 5\nsampling_thereafter: 200\n", c));
  EXPECT_EQ(c.verbosity, Verbosity::kDetailed);
  EXPECT_EQ(c.sampling_initial, 5);
  EXPECT_EQ(c.sampling_thereafter, 200);
  ASSERT_TRUE(parse("use_internal_logger: false\noutput_paths: [stderr]\n", c));
  EXPECT_EQ(c.output_paths.at(0), "stderr");
  EXPECT_FALSE(parse("verbosity: loud\n", c));
  EXPECT_FALSE(parse("verbosityy: basic\n", c));
  ASSERT_TRUE(parse("", c));
  EXPECT_EQ(c.verbosity, Verbosity::kBasic);
}

}  // namespace
}  // namespace agentgate::components::debug
