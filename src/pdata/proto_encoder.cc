// OTLP protobuf encoder: the inverse of proto_decoder.cc. proto3 defaults are omitted; oneof
// members (AnyValue, data point values) are written whenever set, as libprotobuf does.
//
// Sub-message lengths are not precomputed: a one-byte length placeholder is written and the body
// is shifted in the rare case the length needs more bytes (bodies of >= 128 bytes). The shift is a
// memmove of an already-hot buffer, cheaper than a second sizing pass over the tree.
#include <cstring>

#include "pdata/codec.h"
#include "pdata/proto_wire.h"

namespace agentgate::pdata {
namespace {

using wire::putFixed32;
using wire::putFixed64;
using wire::putTag;
using wire::putVarint;

class ProtoEncoder {
 public:
  explicit ProtoEncoder(std::string& out) : out_(out) {}

  void logsRequest(const Batch& b) {
    for (const auto& r : b.resource_logs) {
      size_t m = begin(1);
      resource(r.resource);
      for (const auto& s : r.scope_logs) {
        size_t sm = begin(2);
        scope(s.scope);
        for (const auto& rec : s.log_records) {
          size_t lm = begin(2);
          logRecord(rec);
          end(lm);
        }
        str(3, s.schema_url);
        end(sm);
      }
      str(3, r.schema_url);
      end(m);
    }
  }

  void tracesRequest(const Batch& b) {
    for (const auto& r : b.resource_spans) {
      size_t m = begin(1);
      resource(r.resource);
      for (const auto& s : r.scope_spans) {
        size_t sm = begin(2);
        scope(s.scope);
        for (const auto& sp : s.spans) {
          size_t lm = begin(2);
          span(sp);
          end(lm);
        }
        str(3, s.schema_url);
        end(sm);
      }
      str(3, r.schema_url);
      end(m);
    }
  }

  void metricsRequest(const Batch& b) {
    for (const auto& r : b.resource_metrics) {
      size_t m = begin(1);
      resource(r.resource);
      for (const auto& s : r.scope_metrics) {
        size_t sm = begin(2);
        scope(s.scope);
        for (const auto& met : s.metrics) {
          size_t lm = begin(2);
          metric(met);
          end(lm);
        }
        str(3, s.schema_url);
        end(sm);
      }
      str(3, r.schema_url);
      end(m);
    }
  }

  // Exposed for the response encoder.
  size_t begin(uint32_t field) {
    putTag(out_, field, wire::kLen);
    out_.push_back(0);
    return out_.size();
  }
  void end(size_t start) {
    size_t n = out_.size() - start;
    size_t vs = wire::varintSize(n);
    if (vs > 1) out_.insert(start, vs - 1, '\0');
    char* p = out_.data() + start - 1;
    while (n >= 0x80) {
      *p++ = static_cast<char>((n & 0x7f) | 0x80);
      n >>= 7;
    }
    *p = static_cast<char>(n);
  }
  void str(uint32_t field, std::string_view s) {
    if (s.empty()) return;
    strAlways(field, s);
  }
  void strAlways(uint32_t field, std::string_view s) {
    putTag(out_, field, wire::kLen);
    putVarint(out_, s.size());
    out_.append(s);
  }
  void varint(uint32_t field, uint64_t v) {
    if (v == 0) return;
    putTag(out_, field, wire::kVarint);
    putVarint(out_, v);
  }

 private:
  void fixed64(uint32_t field, uint64_t v) {
    if (v == 0) return;
    putTag(out_, field, wire::kFixed64);
    putFixed64(out_, v);
  }
  void fixed32(uint32_t field, uint32_t v) {
    if (v == 0) return;
    putTag(out_, field, wire::kFixed32);
    putFixed32(out_, v);
  }
  void doubleAlways(uint32_t field, double d) {
    uint64_t v;
    std::memcpy(&v, &d, 8);
    putTag(out_, field, wire::kFixed64);
    putFixed64(out_, v);
  }
  // proto3 omits a double only when it is +0.0 (bitwise zero), so -0.0 survives.
  void dbl(uint32_t field, double d) {
    uint64_t v;
    std::memcpy(&v, &d, 8);
    if (v == 0) return;
    doubleAlways(field, d);
  }
  void i32(uint32_t field, int32_t v) {  // negative int32 is sign-extended to 10 bytes
    varint(field, static_cast<uint64_t>(static_cast<int64_t>(v)));
  }

  void anyValue(const AnyValue& v) {
    switch (v.type) {
      case ValueType::kEmpty:
        break;
      case ValueType::kString:
        strAlways(1, v.string_value);
        break;
      case ValueType::kBool:
        putTag(out_, 2, wire::kVarint);
        putVarint(out_, v.bool_value ? 1 : 0);
        break;
      case ValueType::kInt:
        putTag(out_, 3, wire::kVarint);
        putVarint(out_, static_cast<uint64_t>(v.int_value));
        break;
      case ValueType::kDouble:
        doubleAlways(4, v.double_value);
        break;
      case ValueType::kArray: {
        size_t m = begin(5);
        if (v.array_value) {
          for (const auto& e : *v.array_value) {
            size_t em = begin(1);
            anyValue(e);
            end(em);
          }
        }
        end(m);
        break;
      }
      case ValueType::kMap: {
        size_t m = begin(6);
        if (v.map_value) {
          for (const auto& kv : *v.map_value) keyValue(1, kv);
        }
        end(m);
        break;
      }
      case ValueType::kBytes:
        strAlways(7, v.string_value);
        break;
    }
  }

  void keyValue(uint32_t field, const KeyValue& kv) {
    size_t m = begin(field);
    str(1, kv.key);
    if (kv.value.type != ValueType::kEmpty) {
      size_t vm = begin(2);
      anyValue(kv.value);
      end(vm);
    }
    end(m);
  }

  void attributes(uint32_t field, const Attributes& attrs) {
    for (const auto& kv : attrs) keyValue(field, kv);
  }

  void resource(const Resource& r) {
    if (r.attributes.empty() && r.dropped_attributes_count == 0) return;
    size_t m = begin(1);
    attributes(1, r.attributes);
    varint(2, r.dropped_attributes_count);
    end(m);
  }

  void scope(const InstrumentationScope& s) {
    if (s.name.empty() && s.version.empty() && s.attributes.empty() &&
        s.dropped_attributes_count == 0) {
      return;
    }
    size_t m = begin(1);
    str(1, s.name);
    str(2, s.version);
    attributes(3, s.attributes);
    varint(4, s.dropped_attributes_count);
    end(m);
  }

  void logRecord(const LogRecord& r) {
    fixed64(1, r.time_unix_nano);
    i32(2, r.severity_number);
    str(3, r.severity_text);
    if (r.body.type != ValueType::kEmpty) {
      size_t m = begin(5);
      anyValue(r.body);
      end(m);
    }
    attributes(6, r.attributes);
    varint(7, r.dropped_attributes_count);
    fixed32(8, r.flags);
    str(9, r.trace_id);
    str(10, r.span_id);
    fixed64(11, r.observed_time_unix_nano);
    str(12, r.event_name);
  }

  void span(const Span& s) {
    str(1, s.trace_id);
    str(2, s.span_id);
    str(3, s.trace_state);
    str(4, s.parent_span_id);
    str(5, s.name);
    i32(6, static_cast<int32_t>(s.kind));
    fixed64(7, s.start_time_unix_nano);
    fixed64(8, s.end_time_unix_nano);
    attributes(9, s.attributes);
    varint(10, s.dropped_attributes_count);
    for (const auto& e : s.events) {
      size_t m = begin(11);
      fixed64(1, e.time_unix_nano);
      str(2, e.name);
      attributes(3, e.attributes);
      varint(4, e.dropped_attributes_count);
      end(m);
    }
    varint(12, s.dropped_events_count);
    for (const auto& l : s.links) {
      size_t m = begin(13);
      str(1, l.trace_id);
      str(2, l.span_id);
      str(3, l.trace_state);
      attributes(4, l.attributes);
      varint(5, l.dropped_attributes_count);
      fixed32(6, l.flags);
      end(m);
    }
    varint(14, s.dropped_links_count);
    if (!s.status.message.empty() || s.status.code != StatusCode::kUnset) {
      size_t m = begin(15);
      str(2, s.status.message);
      i32(3, static_cast<int32_t>(s.status.code));
      end(m);
    }
    fixed32(16, s.flags);
  }

  void exemplars(uint32_t field, const Vec<Exemplar>& xs) {
    for (const auto& x : xs) {
      size_t m = begin(field);
      fixed64(2, x.time_unix_nano);
      if (x.is_int) {
        putTag(out_, 6, wire::kFixed64);
        putFixed64(out_, static_cast<uint64_t>(x.as_int));
      } else {
        doubleAlways(3, x.as_double);
      }
      str(4, x.span_id);
      str(5, x.trace_id);
      attributes(7, x.filtered_attributes);
      end(m);
    }
  }

  void metric(const Metric& m) {
    str(1, m.name);
    str(2, m.description);
    str(3, m.unit);
    switch (m.type) {
      case MetricType::kEmpty:
        break;
      case MetricType::kGauge:
      case MetricType::kSum: {
        size_t d = begin(m.type == MetricType::kGauge ? 5 : 7);
        for (const auto& p : m.number_points) {
          size_t pm = begin(1);
          fixed64(2, p.start_time_unix_nano);
          fixed64(3, p.time_unix_nano);
          if (p.is_int) {
            putTag(out_, 6, wire::kFixed64);
            putFixed64(out_, static_cast<uint64_t>(p.as_int));
          } else {
            doubleAlways(4, p.as_double);
          }
          exemplars(5, p.exemplars);
          attributes(7, p.attributes);
          varint(8, p.flags);
          end(pm);
        }
        if (m.type == MetricType::kSum) {
          i32(2, static_cast<int32_t>(m.temporality));
          varint(3, m.is_monotonic ? 1 : 0);
        }
        end(d);
        break;
      }
      case MetricType::kHistogram: {
        size_t d = begin(9);
        for (const auto& p : m.histogram_points) {
          size_t pm = begin(1);
          fixed64(2, p.start_time_unix_nano);
          fixed64(3, p.time_unix_nano);
          fixed64(4, p.count);
          if (p.has_sum) doubleAlways(5, p.sum);
          if (!p.bucket_counts.empty()) {
            putTag(out_, 6, wire::kLen);
            putVarint(out_, p.bucket_counts.size() * 8);
            for (uint64_t c : p.bucket_counts) putFixed64(out_, c);
          }
          if (!p.explicit_bounds.empty()) {
            putTag(out_, 7, wire::kLen);
            putVarint(out_, p.explicit_bounds.size() * 8);
            for (double b : p.explicit_bounds) {
              uint64_t v;
              std::memcpy(&v, &b, 8);
              putFixed64(out_, v);
            }
          }
          exemplars(8, p.exemplars);
          attributes(9, p.attributes);
          varint(10, p.flags);
          if (p.has_min) doubleAlways(11, p.min);
          if (p.has_max) doubleAlways(12, p.max);
          end(pm);
        }
        i32(2, static_cast<int32_t>(m.temporality));
        end(d);
        break;
      }
      case MetricType::kExponentialHistogram: {
        size_t d = begin(10);
        for (const auto& p : m.exp_histogram_points) {
          size_t pm = begin(1);
          attributes(1, p.attributes);
          fixed64(2, p.start_time_unix_nano);
          fixed64(3, p.time_unix_nano);
          fixed64(4, p.count);
          if (p.has_sum) doubleAlways(5, p.sum);
          varint(6, wire::zigzagEncode32(p.scale));
          fixed64(7, p.zero_count);
          buckets(8, p.positive);
          buckets(9, p.negative);
          varint(10, p.flags);
          exemplars(11, p.exemplars);
          if (p.has_min) doubleAlways(12, p.min);
          if (p.has_max) doubleAlways(13, p.max);
          dbl(14, p.zero_threshold);
          end(pm);
        }
        i32(2, static_cast<int32_t>(m.temporality));
        end(d);
        break;
      }
      case MetricType::kSummary: {
        size_t d = begin(11);
        for (const auto& p : m.summary_points) {
          size_t pm = begin(1);
          fixed64(2, p.start_time_unix_nano);
          fixed64(3, p.time_unix_nano);
          fixed64(4, p.count);
          dbl(5, p.sum);
          for (const auto& q : p.quantile_values) {
            size_t qm = begin(6);
            dbl(1, q.quantile);
            dbl(2, q.value);
            end(qm);
          }
          attributes(7, p.attributes);
          varint(8, p.flags);
          end(pm);
        }
        end(d);
        break;
      }
    }
    attributes(12, m.metadata);
  }

  void buckets(uint32_t field, const ExponentialBuckets& b) {
    if (b.offset == 0 && b.bucket_counts.empty()) return;
    size_t m = begin(field);
    varint(1, wire::zigzagEncode32(b.offset));
    if (!b.bucket_counts.empty()) {
      size_t n = 0;
      for (uint64_t c : b.bucket_counts) n += wire::varintSize(c);
      putTag(out_, 2, wire::kLen);
      putVarint(out_, n);
      for (uint64_t c : b.bucket_counts) putVarint(out_, c);
    }
    end(m);
  }

  std::string& out_;
};

}  // namespace

std::string encodeProtobuf(const Batch& batch) {
  std::string out;
  out.reserve(batch.bufferBytes() + 256);
  ProtoEncoder enc(out);
  switch (batch.signal()) {
    case Signal::kLogs:
      enc.logsRequest(batch);
      break;
    case Signal::kTraces:
      enc.tracesRequest(batch);
      break;
    case Signal::kMetrics:
      enc.metricsRequest(batch);
      break;
  }
  return out;
}

std::string encodeExportResponseProtobuf(Signal signal, int64_t rejected,
                                         std::string_view message) {
  // Every Export*ServiceResponse has partial_success = 1 with rejected_<items> = 1 and
  // error_message = 2, so the signal does not change the bytes.
  std::string out;
  if (rejected == 0 && message.empty()) return out;
  ProtoEncoder enc(out);
  size_t m = enc.begin(1);
  enc.varint(1, static_cast<uint64_t>(rejected));
  enc.str(2, message);
  enc.end(m);
  return out;
}

}  // namespace agentgate::pdata
