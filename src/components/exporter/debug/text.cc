#include "components/exporter/debug/text.h"

#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "common/strings.h"

namespace agentgate::components::debug {
namespace {

using pdata::AnyValue;
using pdata::Attributes;
using pdata::ValueType;

std::string goFloat(double d) {  // strconv.FormatFloat(d, 'f', -1, 64)
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[512];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string goPercentF(double d) {  // fmt "%f"
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[512];
  std::snprintf(buf, sizeof buf, "%f", d);
  return buf;
}

std::string base64(std::string_view in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kTable[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kTable[(n >> 18) & 63];
    out += kTable[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kTable[(n >> 18) & 63];
    out += kTable[(n >> 12) & 63];
    out += kTable[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

void jsonValue(std::string& out, const AnyValue& v) {
  switch (v.type) {
    case ValueType::kString:
      strings::appendJsonString(out, v.string_value);
      break;
    case ValueType::kBytes:
      strings::appendJsonString(out, base64(v.string_value));
      break;
    case ValueType::kBool:
      out += v.bool_value ? "true" : "false";
      break;
    case ValueType::kInt:
      out += std::to_string(v.int_value);
      break;
    case ValueType::kDouble:
      out += goFloat(v.double_value);
      break;
    case ValueType::kArray:
      out += '[';
      if (v.array_value) {
        bool first = true;
        for (const auto& e : *v.array_value) {
          if (!first) out += ',';
          first = false;
          jsonValue(out, e);
        }
      }
      out += ']';
      break;
    case ValueType::kMap:
      out += '{';
      if (v.map_value) {
        bool first = true;
        for (const auto& kv : *v.map_value) {
          if (!first) out += ',';
          first = false;
          strings::appendJsonString(out, kv.key);
          out += ':';
          jsonValue(out, kv.value);
        }
      }
      out += '}';
      break;
    case ValueType::kEmpty:
      out += "null";
      break;
  }
}

std::string_view typeName(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "Str";
    case ValueType::kBool:
      return "Bool";
    case ValueType::kInt:
      return "Int";
    case ValueType::kDouble:
      return "Double";
    case ValueType::kBytes:
      return "Bytes";
    case ValueType::kArray:
      return "Slice";
    case ValueType::kMap:
      return "Map";
    case ValueType::kEmpty:
      return "Empty";
  }
  return "Empty";
}

std::string severityName(int32_t n) {
  static constexpr const char* kNames[] = {"Trace", "Debug", "Info", "Warn", "Error", "Fatal"};
  if (n <= 0 || n > 24) return "Unspecified";
  int group = (n - 1) / 4;
  int sub = (n - 1) % 4;
  std::string s = kNames[group];
  if (sub > 0) s += std::to_string(sub + 1);
  return s;
}

std::string_view spanKindName(pdata::SpanKind k) {
  switch (k) {
    case pdata::SpanKind::kInternal:
      return "Internal";
    case pdata::SpanKind::kServer:
      return "Server";
    case pdata::SpanKind::kClient:
      return "Client";
    case pdata::SpanKind::kProducer:
      return "Producer";
    case pdata::SpanKind::kConsumer:
      return "Consumer";
    default:
      return "Unspecified";
  }
}

std::string_view statusName(pdata::StatusCode c) {
  switch (c) {
    case pdata::StatusCode::kOk:
      return "Ok";
    case pdata::StatusCode::kError:
      return "Error";
    default:
      return "Unset";
  }
}

std::string_view metricTypeName(pdata::MetricType t) {
  switch (t) {
    case pdata::MetricType::kGauge:
      return "Gauge";
    case pdata::MetricType::kSum:
      return "Sum";
    case pdata::MetricType::kHistogram:
      return "Histogram";
    case pdata::MetricType::kExponentialHistogram:
      return "ExponentialHistogram";
    case pdata::MetricType::kSummary:
      return "Summary";
    default:
      return "Empty";
  }
}

std::string_view temporalityName(pdata::AggregationTemporality t) {
  switch (t) {
    case pdata::AggregationTemporality::kDelta:
      return "Delta";
    case pdata::AggregationTemporality::kCumulative:
      return "Cumulative";
    default:
      return "Unspecified";
  }
}

class Writer {
 public:
  void line(std::string_view s) {
    out_ += s;
    out_ += '\n';
  }
  template <typename... Parts>
  void line(Parts&&... parts) {
    (out_.append(std::string_view(parts)), ...);
    out_ += '\n';
  }
  void attributes(std::string_view title, const Attributes& attrs, std::string_view indent = "") {
    if (attrs.empty()) return;
    line(indent, title, ":");
    for (const auto& kv : attrs) {
      line(indent, "     -> ", kv.key, ": ", formatTypedValue(kv.value));
    }
  }
  void scope(const pdata::InstrumentationScope& s) {
    line("InstrumentationScope ", s.name, " ", s.version);
    attributes("InstrumentationScope attributes", s.attributes);
  }
  void resource(std::string_view what, size_t i, const pdata::Resource& r,
                std::string_view schema_url) {
    line(what, " #", std::to_string(i));
    line("Resource SchemaURL: ", schema_url);
    attributes("Resource attributes", r.attributes);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string hex(std::string_view raw) { return strings::hexEncode(raw); }

std::string attrsInline(const Attributes& attrs, char sep) {
  std::string out;
  for (const auto& kv : attrs) {
    if (!out.empty()) out += sep;
    out += kv.key;
    out += '=';
    out += formatValue(kv.value);
  }
  return out;
}

std::string numberValue(const pdata::NumberDataPoint& p) {
  return p.is_int ? std::to_string(p.as_int) : goPercentF(p.as_double);
}

void dataPointHeader(Writer& w, std::string_view kind, size_t i, const Attributes& attrs,
                     uint64_t start, uint64_t time) {
  w.line(kind, " #", std::to_string(i));
  w.attributes("Data point attributes", attrs);
  w.line("StartTimestamp: ", formatTimestamp(start));
  w.line("Timestamp: ", formatTimestamp(time));
}

void detailedMetric(Writer& w, const pdata::Metric& m) {
  w.line("Descriptor:");
  w.line("     -> Name: ", m.name);
  w.line("     -> Description: ", m.description);
  w.line("     -> Unit: ", m.unit);
  w.line("     -> DataType: ", metricTypeName(m.type));
  if (m.type == pdata::MetricType::kSum) {
    w.line("     -> IsMonotonic: ", m.is_monotonic ? "true" : "false");
  }
  if (m.type == pdata::MetricType::kSum || m.type == pdata::MetricType::kHistogram ||
      m.type == pdata::MetricType::kExponentialHistogram) {
    w.line("     -> AggregationTemporality: ", temporalityName(m.temporality));
  }
  for (size_t i = 0; i < m.number_points.size(); ++i) {
    const auto& p = m.number_points[i];
    dataPointHeader(w, "NumberDataPoints", i, p.attributes, p.start_time_unix_nano,
                    p.time_unix_nano);
    w.line("Value: ", numberValue(p));
  }
  for (size_t i = 0; i < m.histogram_points.size(); ++i) {
    const auto& p = m.histogram_points[i];
    dataPointHeader(w, "HistogramDataPoints", i, p.attributes, p.start_time_unix_nano,
                    p.time_unix_nano);
    w.line("Count: ", std::to_string(p.count));
    if (p.has_sum) w.line("Sum: ", goPercentF(p.sum));
    if (p.has_min) w.line("Min: ", goPercentF(p.min));
    if (p.has_max) w.line("Max: ", goPercentF(p.max));
    for (size_t b = 0; b < p.explicit_bounds.size(); ++b) {
      w.line("ExplicitBounds #", std::to_string(b), ": ", goPercentF(p.explicit_bounds[b]));
    }
    for (size_t b = 0; b < p.bucket_counts.size(); ++b) {
      w.line("Buckets #", std::to_string(b), ", Count: ", std::to_string(p.bucket_counts[b]));
    }
  }
  for (size_t i = 0; i < m.exp_histogram_points.size(); ++i) {
    const auto& p = m.exp_histogram_points[i];
    dataPointHeader(w, "ExponentialHistogramDataPoints", i, p.attributes, p.start_time_unix_nano,
                    p.time_unix_nano);
    w.line("Count: ", std::to_string(p.count));
    if (p.has_sum) w.line("Sum: ", goPercentF(p.sum));
    if (p.has_min) w.line("Min: ", goPercentF(p.min));
    if (p.has_max) w.line("Max: ", goPercentF(p.max));
    w.line("Scale: ", std::to_string(p.scale));
    w.line("ZeroCount: ", std::to_string(p.zero_count));
    double base = std::pow(2.0, std::pow(2.0, -p.scale));
    for (size_t b = p.negative.bucket_counts.size(); b-- > 0;) {
      int64_t idx = p.negative.offset + static_cast<int64_t>(b);
      w.line("Bucket [", goFloat(-std::pow(base, idx + 1)), ", ", goFloat(-std::pow(base, idx)),
             "), Count: ", std::to_string(p.negative.bucket_counts[b]));
    }
    for (size_t b = 0; b < p.positive.bucket_counts.size(); ++b) {
      int64_t idx = p.positive.offset + static_cast<int64_t>(b);
      w.line("Bucket (", goFloat(std::pow(base, idx)), ", ", goFloat(std::pow(base, idx + 1)),
             "], Count: ", std::to_string(p.positive.bucket_counts[b]));
    }
  }
  for (size_t i = 0; i < m.summary_points.size(); ++i) {
    const auto& p = m.summary_points[i];
    dataPointHeader(w, "SummaryDataPoints", i, p.attributes, p.start_time_unix_nano,
                    p.time_unix_nano);
    w.line("Count: ", std::to_string(p.count));
    w.line("Sum: ", goPercentF(p.sum));
    for (size_t q = 0; q < p.quantile_values.size(); ++q) {
      w.line("QuantileValue #", std::to_string(q), ": Quantile ",
             goPercentF(p.quantile_values[q].quantile), ", Value ",
             goPercentF(p.quantile_values[q].value));
    }
  }
}

void detailedSpan(Writer& w, const pdata::Span& s) {
  w.line("    Trace ID       : ", hex(s.trace_id));
  w.line("    Parent ID      : ", hex(s.parent_span_id));
  w.line("    ID             : ", hex(s.span_id));
  w.line("    Name           : ", s.name);
  w.line("    Kind           : ", spanKindName(s.kind));
  w.line("    Start time     : ", formatTimestamp(s.start_time_unix_nano));
  w.line("    End time       : ", formatTimestamp(s.end_time_unix_nano));
  w.line("    Status code    : ", statusName(s.status.code));
  w.line("    Status message : ", s.status.message);
  w.attributes("Attributes", s.attributes);
  if (!s.events.empty()) {
    w.line("Events:");
    for (size_t i = 0; i < s.events.size(); ++i) {
      const auto& e = s.events[i];
      w.line("SpanEvent #", std::to_string(i));
      w.line("     -> Name: ", e.name);
      w.line("     -> Timestamp: ", formatTimestamp(e.time_unix_nano));
      w.line("     -> DroppedAttributesCount: ", std::to_string(e.dropped_attributes_count));
      if (!e.attributes.empty()) {
        w.line("     -> Attributes::");
        for (const auto& kv : e.attributes) {
          w.line("          -> ", kv.key, ": ", formatTypedValue(kv.value));
        }
      }
    }
  }
  if (!s.links.empty()) {
    w.line("Links:");
    for (size_t i = 0; i < s.links.size(); ++i) {
      const auto& l = s.links[i];
      w.line("SpanLink #", std::to_string(i));
      w.line("     -> Trace ID: ", hex(l.trace_id));
      w.line("     -> ID: ", hex(l.span_id));
      w.line("     -> TraceState: ", l.trace_state);
      w.line("     -> DroppedAttributesCount: ", std::to_string(l.dropped_attributes_count));
      if (!l.attributes.empty()) {
        w.line("     -> Attributes::");
        for (const auto& kv : l.attributes) {
          w.line("          -> ", kv.key, ": ", formatTypedValue(kv.value));
        }
      }
    }
  }
}

}  // namespace

std::string formatTimestamp(uint64_t unix_nano) {
  time_t secs = static_cast<time_t>(unix_nano / 1000000000ull);
  uint64_t frac = unix_nano % 1000000000ull;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09" PRIu64, frac);
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  out += " +0000 UTC";
  return out;
}

std::string formatValue(const AnyValue& v) {
  switch (v.type) {
    case ValueType::kString:
      return std::string(v.string_value);
    case ValueType::kBytes:
      return base64(v.string_value);
    case ValueType::kBool:
      return v.bool_value ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(v.int_value);
    case ValueType::kDouble:
      return goFloat(v.double_value);
    case ValueType::kEmpty:
      return {};
    case ValueType::kArray:
    case ValueType::kMap: {
      std::string out;
      jsonValue(out, v);
      return out;
    }
  }
  return {};
}

std::string formatTypedValue(const AnyValue& v) {
  return std::string(typeName(v.type)) + "(" + formatValue(v) + ")";
}

std::string basicLine(const pdata::Batch& batch) {
  switch (batch.signal()) {
    case Signal::kLogs: {
      size_t records = 0;
      for (const auto& rl : batch.resource_logs)
        for (const auto& sl : rl.scope_logs) records += sl.log_records.size();
      return "Logs\t{\"resource logs\": " + std::to_string(batch.resource_logs.size()) +
             ", \"log records\": " + std::to_string(records) + "}\n";
    }
    case Signal::kTraces: {
      size_t spans = 0;
      for (const auto& rs : batch.resource_spans)
        for (const auto& ss : rs.scope_spans) spans += ss.spans.size();
      return "Traces\t{\"resource spans\": " + std::to_string(batch.resource_spans.size()) +
             ", \"spans\": " + std::to_string(spans) + "}\n";
    }
    case Signal::kMetrics: {
      size_t metrics = 0;
      size_t points = 0;
      for (const auto& rm : batch.resource_metrics) {
        for (const auto& sm : rm.scope_metrics) {
          metrics += sm.metrics.size();
          for (const auto& m : sm.metrics) {
            points += m.number_points.size() + m.histogram_points.size() +
                      m.exp_histogram_points.size() + m.summary_points.size();
          }
        }
      }
      return "Metrics\t{\"resource metrics\": " + std::to_string(batch.resource_metrics.size()) +
             ", \"metrics\": " + std::to_string(metrics) +
             ", \"data points\": " + std::to_string(points) + "}\n";
    }
  }
  return {};
}

std::string normalText(const pdata::Batch& batch) {
  std::string out;
  auto add = [&out](std::string head, const Attributes& attrs) {
    std::string a = attrsInline(attrs, ' ');
    out += head;
    if (!a.empty()) {
      out += ' ';
      out += a;
    }
    out += '\n';
  };
  for (const auto& rl : batch.resource_logs)
    for (const auto& sl : rl.scope_logs)
      for (const auto& r : sl.log_records) add(formatValue(r.body), r.attributes);
  for (const auto& rs : batch.resource_spans)
    for (const auto& ss : rs.scope_spans)
      for (const auto& s : ss.spans) {
        add(std::string(s.name) + " " + hex(s.trace_id) + " " + hex(s.span_id), s.attributes);
      }
  for (const auto& rm : batch.resource_metrics)
    for (const auto& sm : rm.scope_metrics)
      for (const auto& m : sm.metrics) {
        auto point = [&](const Attributes& attrs, const std::string& value) {
          out += m.name;
          out += '{' + attrsInline(attrs, ',') + "} " + value + '\n';
        };
        for (const auto& p : m.number_points) point(p.attributes, numberValue(p));
        for (const auto& p : m.histogram_points) {
          point(p.attributes, "count=" + std::to_string(p.count) + " sum=" + goFloat(p.sum));
        }
        for (const auto& p : m.exp_histogram_points) {
          point(p.attributes, "count=" + std::to_string(p.count) + " sum=" + goFloat(p.sum));
        }
        for (const auto& p : m.summary_points) {
          point(p.attributes, "count=" + std::to_string(p.count) + " sum=" + goFloat(p.sum));
        }
      }
  return out;
}

std::string detailedText(const pdata::Batch& batch) {
  Writer w;
  for (size_t i = 0; i < batch.resource_logs.size(); ++i) {
    const auto& rl = batch.resource_logs[i];
    w.resource("ResourceLog", i, rl.resource, rl.schema_url);
    for (size_t j = 0; j < rl.scope_logs.size(); ++j) {
      const auto& sl = rl.scope_logs[j];
      w.line("ScopeLogs #", std::to_string(j));
      w.line("ScopeLogs SchemaURL: ", sl.schema_url);
      w.scope(sl.scope);
      for (size_t k = 0; k < sl.log_records.size(); ++k) {
        const auto& r = sl.log_records[k];
        w.line("LogRecord #", std::to_string(k));
        w.line("ObservedTimestamp: ", formatTimestamp(r.observed_time_unix_nano));
        w.line("Timestamp: ", formatTimestamp(r.time_unix_nano));
        w.line("SeverityText: ", r.severity_text);
        w.line("SeverityNumber: ", severityName(r.severity_number), "(",
               std::to_string(r.severity_number), ")");
        if (!r.event_name.empty()) w.line("EventName: ", r.event_name);
        w.line("Body: ", formatTypedValue(r.body));
        w.attributes("Attributes", r.attributes);
        w.line("Trace ID: ", hex(r.trace_id));
        w.line("Span ID: ", hex(r.span_id));
        w.line("Flags: ", std::to_string(r.flags));
      }
    }
  }
  for (size_t i = 0; i < batch.resource_spans.size(); ++i) {
    const auto& rs = batch.resource_spans[i];
    w.resource("ResourceSpans", i, rs.resource, rs.schema_url);
    for (size_t j = 0; j < rs.scope_spans.size(); ++j) {
      const auto& ss = rs.scope_spans[j];
      w.line("ScopeSpans #", std::to_string(j));
      w.line("ScopeSpans SchemaURL: ", ss.schema_url);
      w.scope(ss.scope);
      for (size_t k = 0; k < ss.spans.size(); ++k) {
        w.line("Span #", std::to_string(k));
        detailedSpan(w, ss.spans[k]);
      }
    }
  }
  for (size_t i = 0; i < batch.resource_metrics.size(); ++i) {
    const auto& rm = batch.resource_metrics[i];
    w.resource("ResourceMetrics", i, rm.resource, rm.schema_url);
    for (size_t j = 0; j < rm.scope_metrics.size(); ++j) {
      const auto& sm = rm.scope_metrics[j];
      w.line("ScopeMetrics #", std::to_string(j));
      w.line("ScopeMetrics SchemaURL: ", sm.schema_url);
      w.scope(sm.scope);
      for (size_t k = 0; k < sm.metrics.size(); ++k) {
        w.line("Metric #", std::to_string(k));
        detailedMetric(w, sm.metrics[k]);
      }
    }
  }
  return w.take();
}

}  // namespace agentgate::components::debug
