// Protobuf codec: round trips and every class of malformed input the decoder must reject.
#include <gtest/gtest.h>

#include <cmath>

#include "pdata/codec.h"
#include "pdata/proto_wire.h"
#include "proto/pdata_test_util.h"

namespace agentgate::pdata {
namespace {

// Tiny protobuf writer for hand-made inputs.
struct PB {
  std::string s;
  PB& varint(uint32_t f, uint64_t v) {
    wire::putTag(s, f, wire::kVarint);
    wire::putVarint(s, v);
    return *this;
  }
  PB& fixed64(uint32_t f, uint64_t v) {
    wire::putTag(s, f, wire::kFixed64);
    wire::putFixed64(s, v);
    return *this;
  }
  PB& fixed32(uint32_t f, uint32_t v) {
    wire::putTag(s, f, wire::kFixed32);
    wire::putFixed32(s, v);
    return *this;
  }
  PB& dbl(uint32_t f, double d) {
    uint64_t v;
    std::memcpy(&v, &d, 8);
    return fixed64(f, v);
  }
  PB& bytes(uint32_t f, std::string_view b) {
    wire::putTag(s, f, wire::kLen);
    wire::putVarint(s, b.size());
    s.append(b);
    return *this;
  }
  PB& msg(uint32_t f, const PB& m) { return bytes(f, m.s); }
  PB& raw(std::string_view b) {
    s.append(b);
    return *this;
  }
};

PB kv(std::string_view key, const PB& value) { return PB().bytes(1, key).msg(2, value); }
PB str(std::string_view v) { return PB().bytes(1, v); }

// ExportLogsServiceRequest with one record built from `record`.
std::string logsRequest(const PB& record, const PB& resource = PB()) {
  PB scope_logs = PB().msg(1, PB().bytes(1, "scope")).msg(2, record);
  PB rl = PB().msg(1, resource).msg(2, scope_logs);
  return PB().msg(1, rl).s;
}

Status decodeLogs(Batch& b, const std::string& bytes, const DecodeLimits& limits = {}) {
  return decodeProtobuf(b, b.adoptBuffer(bytes), limits);
}

void expectInvalid(const Status& st, std::string_view needle) {
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalid);
  EXPECT_NE(st.error().message.find(needle), std::string::npos) << st.error().message;
}

// A logs batch exercising every field and every AnyValue type.
void fillLogs(Batch& b) {
  auto* mr = b.arena();
  auto& rl = b.resource_logs.emplace_back(mr);
  rl.schema_url = "https://opentelemetry.io/schemas/1.4.0";
  rl.resource.attributes.push_back(
      {"service.name", {ValueType::kString, false, 0, 0, "claude-code"}});
  rl.resource.dropped_attributes_count = 2;
  auto& sl = rl.scope_logs.emplace_back(mr);
  sl.scope.name = "com.anthropic.claude_code.events";
  sl.scope.version = "2.1.331";
  sl.scope.attributes.push_back({"k", {ValueType::kBool, true}});
  sl.schema_url = "s";
  auto& r = sl.log_records.emplace_back(mr);
  r.time_unix_nano = 1795577852879000000ull;
  r.observed_time_unix_nano = 1795577852879000001ull;
  r.severity_number = 9;
  r.severity_text = "INFO";
  r.body.type = ValueType::kString;
  r.body.string_value = "claude_code.tool_result";
  r.flags = 1;
  r.trace_id = b.copyString(std::string(16, '\x11'));
  r.span_id = b.copyString(std::string(8, '\x22'));
  r.event_name = "tool_result";
  r.dropped_attributes_count = 1;
  AnyValue i{ValueType::kInt};
  i.int_value = -42;
  AnyValue d{ValueType::kDouble};
  d.double_value = 3.25;
  AnyValue by{ValueType::kBytes};
  by.string_value = b.copyString(std::string("\x00\xff\x10", 3));
  AnyValue arr{ValueType::kArray};
  arr.array_value = b.newVec<AnyValue>();
  arr.array_value->push_back(i);
  arr.array_value->push_back(d);
  arr.array_value->push_back(AnyValue{});  // empty value inside an array
  AnyValue map{ValueType::kMap};
  map.map_value = b.newVec<KeyValue>();
  map.map_value->push_back({"nested", arr});
  map.map_value->push_back({"s", {ValueType::kString}});  // empty string, still a string
  r.attributes.push_back({"int", i});
  r.attributes.push_back({"double", d});
  r.attributes.push_back({"bytes", by});
  r.attributes.push_back({"array", arr});
  r.attributes.push_back({"map", map});
  r.attributes.push_back({"false", {ValueType::kBool, false}});
  r.attributes.push_back({"zero", {ValueType::kInt}});
  sl.log_records.emplace_back(mr);  // an all-default record
}

void fillTraces(Batch& b) {
  auto* mr = b.arena();
  auto& rs = b.resource_spans.emplace_back(mr);
  auto& ss = rs.scope_spans.emplace_back(mr);
  auto& s = ss.spans.emplace_back(mr);
  s.trace_id = b.copyString(std::string(16, '\x01'));
  s.span_id = b.copyString(std::string(8, '\x02'));
  s.parent_span_id = b.copyString(std::string(8, '\x03'));
  s.trace_state = "a=b";
  s.flags = 257;
  s.name = "execute_tool bash";
  s.kind = SpanKind::kClient;
  s.start_time_unix_nano = 1;
  s.end_time_unix_nano = 2;
  s.attributes.push_back({"a", {ValueType::kString, false, 0, 0, "b"}});
  s.dropped_attributes_count = 3;
  auto& e = s.events.emplace_back(mr);
  e.time_unix_nano = 5;
  e.name = "ev";
  e.attributes.push_back({"x", {ValueType::kBool, true}});
  s.dropped_events_count = 4;
  auto& l = s.links.emplace_back(mr);
  l.trace_id = s.trace_id;
  l.span_id = s.span_id;
  l.trace_state = "t";
  l.flags = 1;
  l.dropped_attributes_count = 6;
  s.dropped_links_count = 7;
  s.status.code = StatusCode::kError;
  s.status.message = "boom";
}

void fillMetrics(Batch& b) {
  auto* mr = b.arena();
  auto& rm = b.resource_metrics.emplace_back(mr);
  auto& sm = rm.scope_metrics.emplace_back(mr);
  auto& g = sm.metrics.emplace_back(mr);
  g.name = "gauge";
  g.type = MetricType::kGauge;
  auto& gp = g.number_points.emplace_back(mr);
  gp.as_double = 0;  // an explicit 0.0 value must survive
  gp.time_unix_nano = 9;
  auto& ex = gp.exemplars.emplace_back(mr);
  ex.is_int = true;
  ex.as_int = -5;
  ex.span_id = b.copyString(std::string(8, '\x07'));
  ex.trace_id = b.copyString(std::string(16, '\x08'));
  ex.filtered_attributes.push_back({"f", {ValueType::kInt, false, 1}});
  auto& sum = sm.metrics.emplace_back(mr);
  sum.name = "claude_code.token.usage";
  sum.unit = "tokens";
  sum.description = "d";
  sum.type = MetricType::kSum;
  sum.temporality = AggregationTemporality::kDelta;
  sum.is_monotonic = true;
  auto& sp = sum.number_points.emplace_back(mr);
  sp.is_int = true;
  sp.as_int = -12345678901234ll;
  sp.start_time_unix_nano = 1;
  sp.flags = 1;
  sum.metadata.push_back({"m", {ValueType::kString, false, 0, 0, "v"}});
  auto& h = sm.metrics.emplace_back(mr);
  h.name = "hist";
  h.type = MetricType::kHistogram;
  h.temporality = AggregationTemporality::kCumulative;
  auto& hp = h.histogram_points.emplace_back(mr);
  hp.count = 3;
  hp.has_sum = true;
  hp.sum = 0;  // optional sum present with value 0
  hp.bucket_counts = {1, 0, 2};
  hp.explicit_bounds = {0.5, 1e300};
  hp.has_min = true;
  hp.min = -1.5;
  hp.has_max = true;
  hp.max = std::numeric_limits<double>::infinity();
  auto& eh = sm.metrics.emplace_back(mr);
  eh.name = "exp";
  eh.type = MetricType::kExponentialHistogram;
  eh.temporality = AggregationTemporality::kDelta;
  auto& ep = eh.exp_histogram_points.emplace_back(mr);
  ep.scale = -3;
  ep.zero_count = 2;
  ep.positive.offset = -7;
  ep.positive.bucket_counts = {300, 1};
  ep.negative.offset = 5;
  ep.zero_threshold = 1e-9;
  ep.count = 305;
  auto& su = sm.metrics.emplace_back(mr);
  su.name = "summary";
  su.type = MetricType::kSummary;
  auto& qp = su.summary_points.emplace_back(mr);
  qp.count = 10;
  qp.sum = 55.5;
  qp.quantile_values.push_back({0.5, 5});
  qp.quantile_values.push_back({0.99, 9.9});
  auto& empty = sm.metrics.emplace_back(mr);
  empty.name = "empty gauge";
  empty.type = MetricType::kGauge;
}

void fill(Batch& b) {
  switch (b.signal()) {
    case Signal::kLogs:
      fillLogs(b);
      break;
    case Signal::kTraces:
      fillTraces(b);
      break;
    case Signal::kMetrics:
      fillMetrics(b);
      break;
  }
}

class RoundTrip : public ::testing::TestWithParam<Signal> {};

TEST_P(RoundTrip, ProtobufAndJsonAreLossless) {
  Batch b(GetParam());
  fill(b);
  std::string json = encodeJson(b);
  std::string pb = encodeProtobuf(b);

  Batch p(GetParam());
  ASSERT_TRUE(decodeProtobuf(p, p.adoptBuffer(pb)).ok());
  EXPECT_EQ(encodeJson(p), json);
  EXPECT_EQ(encodeProtobuf(p), pb);
  EXPECT_EQ(p.itemCount(), b.itemCount());

  Batch j(GetParam());
  Status st = decodeJson(j, json);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(encodeJson(j), json);
  EXPECT_EQ(encodeProtobuf(j), pb);

  BatchPtr c = cloneBatch(b);
  EXPECT_EQ(encodeProtobuf(*c), pb);
}

INSTANTIATE_TEST_SUITE_P(AllSignals, RoundTrip,
                         ::testing::Values(Signal::kLogs, Signal::kTraces, Signal::kMetrics));

TEST(ProtoDecode, ValuesSurviveExactly) {
  Batch b(Signal::kLogs);
  fillLogs(b);
  Batch p(Signal::kLogs);
  ASSERT_TRUE(decodeProtobuf(p, p.adoptBuffer(encodeProtobuf(b))).ok());
  const auto& r = p.resource_logs[0].scope_logs[0].log_records[0];
  EXPECT_EQ(r.time_unix_nano, 1795577852879000000ull);
  EXPECT_EQ(r.severity_number, 9);
  EXPECT_EQ(r.trace_id, std::string(16, '\x11'));
  EXPECT_EQ(r.event_name, "tool_result");
  ASSERT_EQ(r.attributes.size(), 7u);
  EXPECT_EQ(r.attributes[0].value.int_value, -42);
  EXPECT_EQ(r.attributes[2].value.string_value, std::string("\x00\xff\x10", 3));
  const auto& map = *r.attributes[4].value.map_value;
  EXPECT_EQ(map[1].value.type, ValueType::kString);  // "" string kept as a string
  EXPECT_EQ(r.attributes[5].value.type, ValueType::kBool);
  EXPECT_EQ(p.itemCount(), 2u);

  Batch m(Signal::kMetrics);
  fillMetrics(m);
  Batch pm(Signal::kMetrics);
  ASSERT_TRUE(decodeProtobuf(pm, pm.adoptBuffer(encodeProtobuf(m))).ok());
  const auto& metrics = pm.resource_metrics[0].scope_metrics[0].metrics;
  ASSERT_EQ(metrics.size(), 6u);
  EXPECT_FALSE(metrics[0].number_points[0].is_int);
  EXPECT_EQ(metrics[1].number_points[0].as_int, -12345678901234ll);
  EXPECT_TRUE(metrics[2].histogram_points[0].has_sum);
  EXPECT_EQ(metrics[3].exp_histogram_points[0].scale, -3);
  EXPECT_EQ(metrics[3].exp_histogram_points[0].positive.offset, -7);
  EXPECT_EQ(metrics[5].type, MetricType::kGauge);
  EXPECT_EQ(pm.itemCount(), 5u);
}

TEST(ProtoDecode, StringsPointIntoTheInput) {
  Batch b(Signal::kLogs);
  std::string_view in =
      b.adoptBuffer(logsRequest(PB().msg(6, kv("key", str("value"))).bytes(3, "WARN")));
  ASSERT_TRUE(decodeProtobuf(b, in).ok());
  const auto& r = b.resource_logs[0].scope_logs[0].log_records[0];
  EXPECT_GE(r.severity_text.data(), in.data());
  EXPECT_LT(r.severity_text.data(), in.data() + in.size());
  EXPECT_EQ(r.attributes[0].value.string_value, "value");
}

TEST(ProtoDecode, PackedAndUnpackedRepeatedScalars) {
  PB unpacked;
  unpacked.fixed64(4, 3).fixed64(6, 1).fixed64(6, 2).dbl(7, 0.5).dbl(7, 2.5);
  std::string packed_counts;
  wire::putFixed64(packed_counts, 7);
  wire::putFixed64(packed_counts, 8);
  unpacked.bytes(6, packed_counts);  // packed run appended after unpacked ones
  std::string exp_counts;
  wire::putVarint(exp_counts, 300);
  wire::putVarint(exp_counts, 1);
  PB buckets = PB().varint(1, wire::zigzagEncode32(-2)).varint(2, 5).bytes(2, exp_counts);
  PB exp_point = PB().msg(8, buckets);
  PB metric = PB().bytes(1, "h").msg(9, PB().msg(1, unpacked).varint(2, 2)).bytes(1, "renamed");
  PB metric2 = PB().bytes(1, "e").msg(10, PB().msg(1, exp_point));
  std::string req = PB().msg(1, PB().msg(2, PB().msg(2, metric).msg(2, metric2))).s;
  Batch b(Signal::kMetrics);
  Status st = decodeProtobuf(b, b.adoptBuffer(req));
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& m = b.resource_metrics[0].scope_metrics[0].metrics;
  EXPECT_EQ(m[0].name, "renamed");  // last value of a singular field wins
  const auto& hp = m[0].histogram_points[0];
  EXPECT_EQ(hp.bucket_counts, (Vec<uint64_t>{1, 2, 7, 8}));
  EXPECT_EQ(hp.explicit_bounds, (Vec<double>{0.5, 2.5}));
  EXPECT_EQ(m[0].temporality, AggregationTemporality::kCumulative);
  const auto& ep = m[1].exp_histogram_points[0];
  EXPECT_EQ(ep.positive.offset, -2);
  EXPECT_EQ(ep.positive.bucket_counts, (Vec<uint64_t>{5, 300, 1}));
}

TEST(ProtoDecode, UnknownFieldsOfEveryWireTypeAreSkipped) {
  PB unknown = PB().varint(99, 1).fixed64(98, 2).fixed32(97, 3).bytes(96, "zzz");
  PB record = PB().raw(unknown.s).bytes(3, "INFO").raw(unknown.s).bytes(12, "event");
  PB resource = PB().raw(unknown.s).msg(3, PB().bytes(1, "entity-ref"));  // entity_refs
  std::string req = logsRequest(record, resource) + unknown.s;
  Batch b(Signal::kLogs);
  Status st = decodeLogs(b, req);
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& r = b.resource_logs[0].scope_logs[0].log_records[0];
  EXPECT_EQ(r.severity_text, "INFO");
  EXPECT_EQ(r.event_name, "event");
}

TEST(ProtoDecode, GroupsAreRejected) {
  for (uint32_t wt : {3u, 4u}) {
    std::string rec;
    wire::putVarint(rec, (50u << 3) | wt);
    Batch b(Signal::kLogs);
    expectInvalid(decodeLogs(b, logsRequest(PB().raw(rec))), "groups");
  }
}

TEST(ProtoDecode, InvalidWireTypesAreRejected) {
  for (uint32_t wt : {6u, 7u}) {
    std::string rec;
    wire::putVarint(rec, (50u << 3) | wt);
    Batch b(Signal::kLogs);
    expectInvalid(decodeLogs(b, logsRequest(PB().raw(rec))), "wire type");
  }
  Batch b(Signal::kLogs);
  expectInvalid(decodeLogs(b, std::string("\x00\x01", 2)), "field number");
}

TEST(ProtoDecode, WrongWireTypeForKnownFieldNamesTheField) {
  struct Case {
    PB record;
    const char* field;
  } cases[] = {
      {PB().varint(1, 5), "time_unix_nano"}, {PB().fixed64(2, 5), "severity_number"},
      {PB().varint(3, 5), "severity_text"},  {PB().fixed32(5, 5), "body"},
      {PB().varint(6, 1), "attributes"},     {PB().varint(8, 1), "flags"},
      {PB().fixed32(9, 1), "trace_id"},
  };
  for (const auto& c : cases) {
    Batch b(Signal::kLogs);
    expectInvalid(decodeLogs(b, logsRequest(c.record)), c.field);
  }
  Batch b(Signal::kLogs);
  expectInvalid(decodeLogs(b, logsRequest(PB().msg(6, kv("k", PB().bytes(3, "x"))))),
                "int_value: wrong wire type");
}

TEST(ProtoDecode, EveryTruncationIsRejectedWithoutCrashing) {
  Batch full(Signal::kLogs);
  fillLogs(full);
  std::string pb = encodeProtobuf(full);
  size_t rejected = 0;
  for (size_t n = 0; n < pb.size(); ++n) {
    Batch b(Signal::kLogs);
    Status st = decodeProtobuf(b, b.adoptBuffer(pb.substr(0, n)));
    if (!st.ok()) {
      EXPECT_EQ(st.error().code, ErrorCode::kInvalid);
      ++rejected;
    }
  }
  // The only valid prefix is the empty request: a single resource_logs message spans the rest.
  EXPECT_EQ(rejected, pb.size() - 1);
  Batch b(Signal::kLogs);
  expectInvalid(decodeLogs(b, pb.substr(0, pb.size() - 1)), "length exceeds");
}

TEST(ProtoDecode, TruncatedScalarsAndVarints) {
  Batch a(Signal::kLogs);
  expectInvalid(decodeLogs(a, "\x0a\x05\x12\x03\x12\x01\x09"), "time_unix_nano: truncated");
  Batch b(Signal::kLogs);
  expectInvalid(decodeLogs(b, "\x0a"), "truncated varint");
  Batch c(Signal::kLogs);
  expectInvalid(decodeLogs(c, "\x0a\x80"), "truncated varint");
}

TEST(ProtoDecode, VarintOverflowIsRejected) {
  std::string eleven(10, '\xff');
  eleven += '\x01';
  Batch a(Signal::kLogs);
  expectInvalid(decodeLogs(a, logsRequest(PB().raw("\x10").raw(eleven))), "overflow");
  std::string tenth_too_big(9, '\xff');
  tenth_too_big += '\x02';
  Batch b(Signal::kLogs);
  expectInvalid(decodeLogs(b, logsRequest(PB().raw("\x10").raw(tenth_too_big))), "overflow");
  std::string max(9, '\xff');
  max += '\x01';  // 2^64-1: the largest legal varint
  Batch c(Signal::kLogs);
  ASSERT_TRUE(decodeLogs(c, logsRequest(PB().raw("\x38").raw(max))).ok());
}

TEST(ProtoDecode, InvalidUtf8IsRejected) {
  Batch a(Signal::kLogs);
  expectInvalid(decodeLogs(a, logsRequest(PB().msg(6, kv("bad\xc3", str("v"))))),
                "key: invalid UTF-8");
  Batch b(Signal::kLogs);
  expectInvalid(decodeLogs(b, logsRequest(PB().msg(5, str("\xed\xa0\x80 surrogate")))),
                "string_value: invalid UTF-8");
  Batch c(Signal::kLogs);
  expectInvalid(decodeLogs(c, logsRequest(PB().bytes(3, "\xff"))), "severity_text");
  Batch d(Signal::kLogs);  // bytes values are not text: anything goes
  ASSERT_TRUE(decodeLogs(d, logsRequest(PB().msg(5, PB().bytes(7, "\xff\xfe")))).ok());
  Batch e(Signal::kLogs);
  ASSERT_TRUE(decodeLogs(e, logsRequest(PB().bytes(3, "caf\xc3\xa9 \xf0\x9f\x98\x80"))).ok());
}

TEST(ProtoDecode, IdsMustHaveTheirSize) {
  Batch a(Signal::kLogs);
  expectInvalid(decodeLogs(a, logsRequest(PB().bytes(9, "short"))), "trace_id: must be 0 or 16");
  Batch b(Signal::kLogs);
  expectInvalid(decodeLogs(b, logsRequest(PB().bytes(10, std::string(9, 'x')))), "span_id");
  Batch c(Signal::kLogs);
  ASSERT_TRUE(decodeLogs(c, logsRequest(PB().bytes(9, ""))).ok());
}

std::string nestedArrays(size_t depth) {
  PB v = str("leaf");
  for (size_t i = 0; i < depth; ++i) v = PB().msg(5, PB().msg(1, v));
  return logsRequest(PB().msg(5, v));
}

TEST(ProtoDecode, DeepNestingIsRejectedNotOverflowed) {
  Batch a(Signal::kLogs);
  expectInvalid(decodeLogs(a, nestedArrays(10000)), "nesting deeper than 64");
  Batch b(Signal::kLogs);
  ASSERT_TRUE(decodeLogs(b, nestedArrays(64)).ok());
  Batch c(Signal::kLogs);
  expectInvalid(decodeLogs(c, nestedArrays(65)), "nesting");
  DecodeLimits huge;
  huge.max_anyvalue_depth = size_t{1} << 40;  // a silly limit is still capped internally
  Batch d(Signal::kLogs);
  expectInvalid(decodeLogs(d, nestedArrays(10000), huge), "nesting");
}

TEST(ProtoDecode, AttributeLimitsApply) {
  PB rec;
  for (int i = 0; i < 11; ++i) rec.msg(6, kv("k" + std::to_string(i), str("v")));
  DecodeLimits limits;
  limits.max_attributes_per_record = 10;
  Batch a(Signal::kLogs);
  expectInvalid(decodeLogs(a, logsRequest(rec), limits), "attributes: more than 10");
  limits.max_attributes_per_record = 11;
  Batch b(Signal::kLogs);
  ASSERT_TRUE(decodeLogs(b, logsRequest(rec), limits).ok());
  limits.max_attribute_value_bytes = 3;
  Batch c(Signal::kLogs);
  expectInvalid(decodeLogs(c, logsRequest(PB().msg(5, str("four"))), limits), "larger than 3");
}

TEST(ProtoDecode, ErrorMessageGivesThePath) {
  PB rec = PB().msg(6, kv("ok", str("v"))).msg(6, kv("k", str("\xff")));
  Batch b(Signal::kLogs);
  Status st = decodeLogs(b, logsRequest(rec));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message,
            "invalid OTLP protobuf: resource_logs[0].scope_logs[0].log_records[0].attributes[1]."
            "value: string_value: invalid UTF-8");
}

TEST(ProtoDecode, SingularMessagesMergeAndOneofsReplace) {
  PB rec = PB().msg(5, PB().msg(5, PB().msg(1, str("a"))))
               .msg(5, PB().msg(5, PB().msg(1, str("b"))))         // same member: arrays merge
               .msg(6, kv("x", PB().bytes(1, "s").varint(3, 7)));  // later member wins
  PB resource1 = PB().msg(1, kv("a", str("1")));
  PB resource2 = PB().msg(1, kv("b", str("2")));
  std::string req =
      PB().msg(1, PB().msg(1, resource1).msg(1, resource2).msg(2, PB().msg(2, rec))).s;
  Batch b(Signal::kLogs);
  ASSERT_TRUE(decodeLogs(b, req).ok());
  EXPECT_EQ(b.resource_logs[0].resource.attributes.size(), 2u);
  const auto& r = b.resource_logs[0].scope_logs[0].log_records[0];
  ASSERT_EQ(r.body.type, ValueType::kArray);
  EXPECT_EQ(r.body.array_value->size(), 2u);
  EXPECT_EQ(r.attributes[0].value.type, ValueType::kInt);
  EXPECT_EQ(r.attributes[0].value.int_value, 7);
}

TEST(ProtoDecode, ItemCountCountsRecordsSpansAndPoints) {
  Batch l(Signal::kLogs);
  fillLogs(l);
  EXPECT_EQ(l.itemCount(), 2u);
  Batch t(Signal::kTraces);
  fillTraces(t);
  EXPECT_EQ(t.itemCount(), 1u);
  Batch m(Signal::kMetrics);
  fillMetrics(m);
  EXPECT_EQ(m.itemCount(), 5u);
}

TEST(ProtoEncode, ResponseBodies) {
  EXPECT_EQ(encodeExportResponseProtobuf(Signal::kLogs, 0, ""), "");
  std::string r = encodeExportResponseProtobuf(Signal::kTraces, 3, "bad");
  EXPECT_EQ(r, std::string("\x0a\x07\x08\x03\x12\x03"
                           "bad",
                           9));
  EXPECT_EQ(encodeExportResponseProtobuf(Signal::kMetrics, 0, "warn"),
            std::string("\x0a\x06\x12\x04warn", 8));
}

TEST(ProtoEncode, LongSubMessagesGetMultiByteLengths) {
  Batch b(Signal::kLogs);
  auto& r = b.resource_logs.emplace_back(b.arena())
                .scope_logs.emplace_back(b.arena())
                .log_records.emplace_back(b.arena());
  std::string big(70000, 'x');
  r.body.type = ValueType::kString;
  r.body.string_value = big;
  std::string pb = encodeProtobuf(b);
  Batch p(Signal::kLogs);
  ASSERT_TRUE(decodeProtobuf(p, p.adoptBuffer(pb)).ok());
  EXPECT_EQ(p.resource_logs[0].scope_logs[0].log_records[0].body.string_value, big);
}

TEST(Normalizer, DetectsChangedValues) {
  Batch b(Signal::kLogs);
  fillLogs(b);
  std::string before = testutil::normalizeOtlpJson(encodeJson(b));
  b.resource_logs[0].scope_logs[0].log_records[0].attributes[0].value.int_value = 41;
  EXPECT_NE(testutil::normalizeOtlpJson(encodeJson(b)), before);
  EXPECT_EQ(testutil::normalizeOtlpJson(R"({"a":"12","b":0,"c":[],"d":{"e":""}})"),
            testutil::normalizeOtlpJson(R"({"a":12})"));
}

}  // namespace
}  // namespace agentgate::pdata
