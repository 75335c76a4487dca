// OTLP/JSON encoder (proto3 JSON mapping as OTLP specifies it): lowerCamelCase keys, trace/span
// ids as lowercase hex, 64-bit integers as strings, enums as numbers, defaults omitted.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "pdata/codec.h"

namespace agentgate::pdata {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  // Object/array bookkeeping: a comma goes before every member but the first.
  void open(char c) {
    out_.push_back(c);
    first_ = true;
  }
  void close(char c) {
    out_.push_back(c);
    first_ = false;
  }
  void key(std::string_view k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(k);
    out_.append("\":");
  }
  void element() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }

  void string(std::string_view s) {
    out_.push_back('"');
    size_t run = 0;  // copy unescaped runs in one append
    for (size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_.append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"':
          out_.append("\\\"");
          break;
        case '\\':
          out_.append("\\\\");
          break;
        case '\n':
          out_.append("\\n");
          break;
        case '\r':
          out_.append("\\r");
          break;
        case '\t':
          out_.append("\\t");
          break;
        case '\b':
          out_.append("\\b");
          break;
        case '\f':
          out_.append("\\f");
          break;
        default: {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out_.append(buf);
        }
      }
    }
    out_.append(s.data() + run, s.size() - run);
    out_.push_back('"');
  }
  void raw(std::string_view s) { out_.append(s); }
  template <typename T>
  void integer(T v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
  template <typename T>
  void quotedInteger(T v) {
    out_.push_back('"');
    integer(v);
    out_.push_back('"');
  }
  void number(double d) {
    if (std::isnan(d)) return raw("\"NaN\"");
    if (std::isinf(d)) return raw(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    out_.append(buf, r.ptr);
    // Shortest form may be a bare integer. Readers (simdjson too) take "-0" as the integer 0
    // and reject integers beyond 64 bits, so those keep a fraction to stay doubles.
    if ((d == 0 && std::signbit(d)) || std::fabs(d) >= 9.0e18) {
      if (std::string_view(buf, r.ptr - buf).find_first_of(".e") == std::string_view::npos) {
        out_.append(".0");
      }
    }
  }
  void hex(std::string_view bytes) {
    out_.push_back('"');
    for (char ch : bytes) {
      auto c = static_cast<unsigned char>(ch);
      out_.push_back(kHex[c >> 4]);
      out_.push_back(kHex[c & 15]);
    }
    out_.push_back('"');
  }
  void base64(std::string_view bytes) {
    out_.push_back('"');
    size_t i = 0;
    auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 3 <= bytes.size(); i += 3) {
      uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
      out_.push_back(kB64[(v >> 18) & 63]);
      out_.push_back(kB64[(v >> 12) & 63]);
      out_.push_back(kB64[(v >> 6) & 63]);
      out_.push_back(kB64[v & 63]);
    }
    if (bytes.size() - i == 1) {
      uint32_t v = b(i) << 16;
      out_.push_back(kB64[(v >> 18) & 63]);
      out_.push_back(kB64[(v >> 12) & 63]);
      out_.append("==");
    } else if (bytes.size() - i == 2) {
      uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
      out_.push_back(kB64[(v >> 18) & 63]);
      out_.push_back(kB64[(v >> 12) & 63]);
      out_.push_back(kB64[(v >> 6) & 63]);
      out_.push_back('=');
    }
    out_.push_back('"');
  }

  // ---- optional members (omitted when default)
  void str(std::string_view k, std::string_view v) {
    if (v.empty()) return;
    key(k);
    string(v);
  }
  void id(std::string_view k, std::string_view v) {
    if (v.empty()) return;
    key(k);
    hex(v);
  }
  void u64(std::string_view k, uint64_t v) {
    if (v == 0) return;
    key(k);
    quotedInteger(v);
  }
  template <typename T>
  void num(std::string_view k, T v) {
    if (v == 0) return;
    key(k);
    integer(v);
  }
  void dbl(std::string_view k, double v) {
    if (v == 0 && !std::signbit(v)) return;
    key(k);
    number(v);
  }

 private:
  std::string& out_;
  bool first_ = true;
};

class JsonEncoder {
 public:
  explicit JsonEncoder(std::string& out) : w_(out) {}

  void encode(const Batch& b) {
    w_.open('{');
    switch (b.signal()) {
      case Signal::kLogs:
        if (!b.resource_logs.empty()) {
          w_.key("resourceLogs");
          list(b.resource_logs, [&](const ResourceLogs& r) {
            resourceBody(r.resource);
            if (!r.scope_logs.empty()) {
              w_.key("scopeLogs");
              list(r.scope_logs, [&](const ScopeLogs& s) {
                scopeBody(s.scope);
                if (!s.log_records.empty()) {
                  w_.key("logRecords");
                  list(s.log_records, [&](const LogRecord& l) { logRecord(l); });
                }
                w_.str("schemaUrl", s.schema_url);
              });
            }
            w_.str("schemaUrl", r.schema_url);
          });
        }
        break;
      case Signal::kTraces:
        if (!b.resource_spans.empty()) {
          w_.key("resourceSpans");
          list(b.resource_spans, [&](const ResourceSpans& r) {
            resourceBody(r.resource);
            if (!r.scope_spans.empty()) {
              w_.key("scopeSpans");
              list(r.scope_spans, [&](const ScopeSpans& s) {
                scopeBody(s.scope);
                if (!s.spans.empty()) {
                  w_.key("spans");
                  list(s.spans, [&](const Span& sp) { span(sp); });
                }
                w_.str("schemaUrl", s.schema_url);
              });
            }
            w_.str("schemaUrl", r.schema_url);
          });
        }
        break;
      case Signal::kMetrics:
        if (!b.resource_metrics.empty()) {
          w_.key("resourceMetrics");
          list(b.resource_metrics, [&](const ResourceMetrics& r) {
            resourceBody(r.resource);
            if (!r.scope_metrics.empty()) {
              w_.key("scopeMetrics");
              list(r.scope_metrics, [&](const ScopeMetrics& s) {
                scopeBody(s.scope);
                if (!s.metrics.empty()) {
                  w_.key("metrics");
                  list(s.metrics, [&](const Metric& m) { metric(m); });
                }
                w_.str("schemaUrl", s.schema_url);
              });
            }
            w_.str("schemaUrl", r.schema_url);
          });
        }
        break;
    }
    w_.close('}');
  }

 private:
  // Writes `[ {fn(item)}, ... ]`; fn writes the members of one object.
  template <typename V, typename Fn>
  void list(const V& items, Fn fn) {
    w_.open('[');
    for (const auto& item : items) {
      w_.element();
      w_.open('{');
      fn(item);
      w_.close('}');
    }
    w_.close(']');
  }

  void anyValue(const AnyValue& v) {
    w_.open('{');
    switch (v.type) {
      case ValueType::kEmpty:
        break;
      case ValueType::kString:
        w_.key("stringValue");
        w_.string(v.string_value);
        break;
      case ValueType::kBool:
        w_.key("boolValue");
        w_.raw(v.bool_value ? "true" : "false");
        break;
      case ValueType::kInt:
        w_.key("intValue");
        w_.quotedInteger(v.int_value);
        break;
      case ValueType::kDouble:
        w_.key("doubleValue");
        w_.number(v.double_value);
        break;
      case ValueType::kBytes:
        w_.key("bytesValue");
        w_.base64(v.string_value);
        break;
      case ValueType::kArray:
        w_.key("arrayValue");
        w_.open('{');
        if (v.array_value && !v.array_value->empty()) {
          w_.key("values");
          w_.open('[');
          for (const auto& e : *v.array_value) {
            w_.element();
            anyValue(e);
          }
          w_.close(']');
        }
        w_.close('}');
        break;
      case ValueType::kMap:
        w_.key("kvlistValue");
        w_.open('{');
        if (v.map_value && !v.map_value->empty()) {
          w_.key("values");
          keyValues(*v.map_value);
        }
        w_.close('}');
        break;
    }
    w_.close('}');
  }

  void keyValues(const Vec<KeyValue>& kvs) {
    list(kvs, [&](const KeyValue& kv) {
      w_.key("key");
      w_.string(kv.key);
      if (kv.value.type != ValueType::kEmpty) {
        w_.key("value");
        anyValue(kv.value);
      }
    });
  }

  void attributes(std::string_view name, const Attributes& attrs) {
    if (attrs.empty()) return;
    w_.key(name);
    keyValues(attrs);
  }

  void resourceBody(const Resource& r) {
    if (r.attributes.empty() && r.dropped_attributes_count == 0) return;
    w_.key("resource");
    w_.open('{');
    attributes("attributes", r.attributes);
    w_.num("droppedAttributesCount", r.dropped_attributes_count);
    w_.close('}');
  }

  void scopeBody(const InstrumentationScope& s) {
    if (s.name.empty() && s.version.empty() && s.attributes.empty() &&
        s.dropped_attributes_count == 0) {
      return;
    }
    w_.key("scope");
    w_.open('{');
    w_.str("name", s.name);
    w_.str("version", s.version);
    attributes("attributes", s.attributes);
    w_.num("droppedAttributesCount", s.dropped_attributes_count);
    w_.close('}');
  }

  void logRecord(const LogRecord& l) {
    w_.u64("timeUnixNano", l.time_unix_nano);
    w_.u64("observedTimeUnixNano", l.observed_time_unix_nano);
    w_.num("severityNumber", l.severity_number);
    w_.str("severityText", l.severity_text);
    if (l.body.type != ValueType::kEmpty) {
      w_.key("body");
      anyValue(l.body);
    }
    attributes("attributes", l.attributes);
    w_.num("droppedAttributesCount", l.dropped_attributes_count);
    w_.num("flags", l.flags);
    w_.id("traceId", l.trace_id);
    w_.id("spanId", l.span_id);
    w_.str("eventName", l.event_name);
  }

  void span(const Span& s) {
    w_.id("traceId", s.trace_id);
    w_.id("spanId", s.span_id);
    w_.str("traceState", s.trace_state);
    w_.id("parentSpanId", s.parent_span_id);
    w_.num("flags", s.flags);
    w_.str("name", s.name);
    w_.num("kind", static_cast<int32_t>(s.kind));
    w_.u64("startTimeUnixNano", s.start_time_unix_nano);
    w_.u64("endTimeUnixNano", s.end_time_unix_nano);
    attributes("attributes", s.attributes);
    w_.num("droppedAttributesCount", s.dropped_attributes_count);
    if (!s.events.empty()) {
      w_.key("events");
      list(s.events, [&](const SpanEvent& e) {
        w_.u64("timeUnixNano", e.time_unix_nano);
        w_.str("name", e.name);
        attributes("attributes", e.attributes);
        w_.num("droppedAttributesCount", e.dropped_attributes_count);
      });
    }
    w_.num("droppedEventsCount", s.dropped_events_count);
    if (!s.links.empty()) {
      w_.key("links");
      list(s.links, [&](const SpanLink& l) {
        w_.id("traceId", l.trace_id);
        w_.id("spanId", l.span_id);
        w_.str("traceState", l.trace_state);
        attributes("attributes", l.attributes);
        w_.num("droppedAttributesCount", l.dropped_attributes_count);
        w_.num("flags", l.flags);
      });
    }
    w_.num("droppedLinksCount", s.dropped_links_count);
    if (!s.status.message.empty() || s.status.code != StatusCode::kUnset) {
      w_.key("status");
      w_.open('{');
      w_.str("message", s.status.message);
      w_.num("code", static_cast<int32_t>(s.status.code));
      w_.close('}');
    }
  }

  void exemplars(const Vec<Exemplar>& xs) {
    if (xs.empty()) return;
    w_.key("exemplars");
    list(xs, [&](const Exemplar& x) {
      attributes("filteredAttributes", x.filtered_attributes);
      w_.u64("timeUnixNano", x.time_unix_nano);
      if (x.is_int) {
        w_.key("asInt");
        w_.quotedInteger(x.as_int);
      } else {
        w_.key("asDouble");
        w_.number(x.as_double);
      }
      w_.id("spanId", x.span_id);
      w_.id("traceId", x.trace_id);
    });
  }

  void pointHeader(const Attributes& attrs, uint64_t start, uint64_t time) {
    attributes("attributes", attrs);
    w_.u64("startTimeUnixNano", start);
    w_.u64("timeUnixNano", time);
  }

  void optionalDouble(std::string_view k, bool has, double v) {
    if (!has) return;
    w_.key(k);
    w_.number(v);
  }

  void u64Array(std::string_view k, const Vec<uint64_t>& v) {
    if (v.empty()) return;
    w_.key(k);
    w_.open('[');
    for (uint64_t x : v) {
      w_.element();
      w_.quotedInteger(x);
    }
    w_.close(']');
  }

  void buckets(std::string_view k, const ExponentialBuckets& b) {
    if (b.offset == 0 && b.bucket_counts.empty()) return;
    w_.key(k);
    w_.open('{');
    w_.num("offset", b.offset);
    u64Array("bucketCounts", b.bucket_counts);
    w_.close('}');
  }

  void metric(const Metric& m) {
    w_.str("name", m.name);
    w_.str("description", m.description);
    w_.str("unit", m.unit);
    switch (m.type) {
      case MetricType::kEmpty:
        break;
      case MetricType::kGauge:
      case MetricType::kSum:
        w_.key(m.type == MetricType::kGauge ? "gauge" : "sum");
        w_.open('{');
        if (!m.number_points.empty()) {
          w_.key("dataPoints");
          list(m.number_points, [&](const NumberDataPoint& p) {
            pointHeader(p.attributes, p.start_time_unix_nano, p.time_unix_nano);
            if (p.is_int) {
              w_.key("asInt");
              w_.quotedInteger(p.as_int);
            } else {
              w_.key("asDouble");
              w_.number(p.as_double);
            }
            exemplars(p.exemplars);
            w_.num("flags", p.flags);
          });
        }
        if (m.type == MetricType::kSum) {
          w_.num("aggregationTemporality", static_cast<int32_t>(m.temporality));
          if (m.is_monotonic) {
            w_.key("isMonotonic");
            w_.raw("true");
          }
        }
        w_.close('}');
        break;
      case MetricType::kHistogram:
        w_.key("histogram");
        w_.open('{');
        if (!m.histogram_points.empty()) {
          w_.key("dataPoints");
          list(m.histogram_points, [&](const HistogramDataPoint& p) {
            pointHeader(p.attributes, p.start_time_unix_nano, p.time_unix_nano);
            w_.u64("count", p.count);
            optionalDouble("sum", p.has_sum, p.sum);
            u64Array("bucketCounts", p.bucket_counts);
            if (!p.explicit_bounds.empty()) {
              w_.key("explicitBounds");
              w_.open('[');
              for (double d : p.explicit_bounds) {
                w_.element();
                w_.number(d);
              }
              w_.close(']');
            }
            exemplars(p.exemplars);
            w_.num("flags", p.flags);
            optionalDouble("min", p.has_min, p.min);
            optionalDouble("max", p.has_max, p.max);
          });
        }
        w_.num("aggregationTemporality", static_cast<int32_t>(m.temporality));
        w_.close('}');
        break;
      case MetricType::kExponentialHistogram:
        w_.key("exponentialHistogram");
        w_.open('{');
        if (!m.exp_histogram_points.empty()) {
          w_.key("dataPoints");
          list(m.exp_histogram_points, [&](const ExponentialHistogramDataPoint& p) {
            pointHeader(p.attributes, p.start_time_unix_nano, p.time_unix_nano);
            w_.u64("count", p.count);
            optionalDouble("sum", p.has_sum, p.sum);
            w_.num("scale", p.scale);
            w_.u64("zeroCount", p.zero_count);
            buckets("positive", p.positive);
            buckets("negative", p.negative);
            w_.num("flags", p.flags);
            exemplars(p.exemplars);
            optionalDouble("min", p.has_min, p.min);
            optionalDouble("max", p.has_max, p.max);
            w_.dbl("zeroThreshold", p.zero_threshold);
          });
        }
        w_.num("aggregationTemporality", static_cast<int32_t>(m.temporality));
        w_.close('}');
        break;
      case MetricType::kSummary:
        w_.key("summary");
        w_.open('{');
        if (!m.summary_points.empty()) {
          w_.key("dataPoints");
          list(m.summary_points, [&](const SummaryDataPoint& p) {
            pointHeader(p.attributes, p.start_time_unix_nano, p.time_unix_nano);
            w_.u64("count", p.count);
            w_.dbl("sum", p.sum);
            if (!p.quantile_values.empty()) {
              w_.key("quantileValues");
              list(p.quantile_values, [&](const QuantileValue& q) {
                w_.dbl("quantile", q.quantile);
                w_.dbl("value", q.value);
              });
            }
            w_.num("flags", p.flags);
          });
        }
        w_.close('}');
        break;
    }
    attributes("metadata", m.metadata);
  }

  JsonWriter w_;
};

}  // namespace

std::string encodeJson(const Batch& batch) {
  std::string out;
  out.reserve(batch.bufferBytes() * 2 + 256);
  JsonEncoder(out).encode(batch);
  return out;
}

std::string encodeExportResponseJson(Signal signal, int64_t rejected, std::string_view message) {
  std::string out;
  JsonWriter w(out);
  w.open('{');
  if (rejected != 0 || !message.empty()) {
    w.key("partialSuccess");
    w.open('{');
    if (rejected != 0) {
      switch (signal) {
        case Signal::kLogs:
          w.key("rejectedLogRecords");
          break;
        case Signal::kTraces:
          w.key("rejectedSpans");
          break;
        case Signal::kMetrics:
          w.key("rejectedDataPoints");
          break;
      }
      w.quotedInteger(rejected);
    }
    w.str("errorMessage", message);
    w.close('}');
  }
  w.close('}');
  return out;
}

}  // namespace agentgate::pdata
