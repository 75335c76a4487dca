// cloneBatch: a direct deep copy. Every string is copied into the clone's arena, so the clone
// shares nothing with the original (no request buffers, no arena) and can be mutated freely.
#include "pdata/codec.h"

namespace agentgate::pdata {
namespace {

class Cloner {
 public:
  explicit Cloner(Batch& dst) : dst_(dst), mr_(dst.arena()) {}

  std::string_view s(std::string_view v) { return dst_.copyString(v); }

  AnyValue value(const AnyValue& v) {
    AnyValue out = v;
    out.string_value = s(v.string_value);
    out.array_value = nullptr;
    out.map_value = nullptr;
    if (v.type == ValueType::kArray && v.array_value) {
      out.array_value = dst_.newVec<AnyValue>();
      out.array_value->reserve(v.array_value->size());
      for (const auto& e : *v.array_value) out.array_value->push_back(value(e));
    } else if (v.type == ValueType::kMap && v.map_value) {
      out.map_value = dst_.newVec<KeyValue>();
      attrs(*v.map_value, *out.map_value);
    }
    return out;
  }

  void attrs(const Vec<KeyValue>& from, Vec<KeyValue>& to) {
    to.reserve(to.size() + from.size());
    for (const auto& kv : from) to.push_back(KeyValue{s(kv.key), value(kv.value)});
  }

  void resource(const Resource& from, Resource& to) {
    attrs(from.attributes, to.attributes);
    to.dropped_attributes_count = from.dropped_attributes_count;
  }

  void scope(const InstrumentationScope& from, InstrumentationScope& to) {
    to.name = s(from.name);
    to.version = s(from.version);
    attrs(from.attributes, to.attributes);
    to.dropped_attributes_count = from.dropped_attributes_count;
  }

  // Copies a list of structs constructed from the arena, field by field via `fn`.
  template <typename T, typename Fn>
  void list(const Vec<T>& from, Vec<T>& to, Fn fn) {
    to.reserve(to.size() + from.size());
    for (const auto& item : from) fn(item, to.emplace_back(mr_));
  }

  // Generic three-level layout: resource -> scope -> items.
  template <typename R, typename S, typename I, typename Fn>
  void signal(const Vec<R>& from, Vec<R>& to, Vec<S> R::*scopes, Vec<I> S::*items, Fn item) {
    list(from, to, [&](const R& rf, R& rt) {
      resource(rf.resource, rt.resource);
      rt.schema_url = s(rf.schema_url);
      list(rf.*scopes, rt.*scopes, [&](const S& sf, S& st) {
        scope(sf.scope, st.scope);
        st.schema_url = s(sf.schema_url);
        list(sf.*items, st.*items, item);
      });
    });
  }

  void logRecord(const LogRecord& f, LogRecord& t) {
    t.time_unix_nano = f.time_unix_nano;
    t.observed_time_unix_nano = f.observed_time_unix_nano;
    t.severity_number = f.severity_number;
    t.severity_text = s(f.severity_text);
    t.body = value(f.body);
    attrs(f.attributes, t.attributes);
    t.dropped_attributes_count = f.dropped_attributes_count;
    t.flags = f.flags;
    t.trace_id = s(f.trace_id);
    t.span_id = s(f.span_id);
    t.event_name = s(f.event_name);
  }

  void span(const Span& f, Span& t) {
    t.trace_id = s(f.trace_id);
    t.span_id = s(f.span_id);
    t.trace_state = s(f.trace_state);
    t.parent_span_id = s(f.parent_span_id);
    t.flags = f.flags;
    t.name = s(f.name);
    t.kind = f.kind;
    t.start_time_unix_nano = f.start_time_unix_nano;
    t.end_time_unix_nano = f.end_time_unix_nano;
    attrs(f.attributes, t.attributes);
    t.dropped_attributes_count = f.dropped_attributes_count;
    list(f.events, t.events, [&](const SpanEvent& ef, SpanEvent& et) {
      et.time_unix_nano = ef.time_unix_nano;
      et.name = s(ef.name);
      attrs(ef.attributes, et.attributes);
      et.dropped_attributes_count = ef.dropped_attributes_count;
    });
    t.dropped_events_count = f.dropped_events_count;
    list(f.links, t.links, [&](const SpanLink& lf, SpanLink& lt) {
      lt.trace_id = s(lf.trace_id);
      lt.span_id = s(lf.span_id);
      lt.trace_state = s(lf.trace_state);
      attrs(lf.attributes, lt.attributes);
      lt.dropped_attributes_count = lf.dropped_attributes_count;
      lt.flags = lf.flags;
    });
    t.dropped_links_count = f.dropped_links_count;
    t.status.message = s(f.status.message);
    t.status.code = f.status.code;
  }

  void exemplars(const Vec<Exemplar>& from, Vec<Exemplar>& to) {
    list(from, to, [&](const Exemplar& f, Exemplar& t) {
      attrs(f.filtered_attributes, t.filtered_attributes);
      t.time_unix_nano = f.time_unix_nano;
      t.is_int = f.is_int;
      t.as_double = f.as_double;
      t.as_int = f.as_int;
      t.span_id = s(f.span_id);
      t.trace_id = s(f.trace_id);
    });
  }

  template <typename T>
  void copyVec(const Vec<T>& from, Vec<T>& to) {
    to.assign(from.begin(), from.end());
  }

  void metric(const Metric& f, Metric& t) {
    t.name = s(f.name);
    t.description = s(f.description);
    t.unit = s(f.unit);
    t.type = f.type;
    t.temporality = f.temporality;
    t.is_monotonic = f.is_monotonic;
    list(f.number_points, t.number_points, [&](const NumberDataPoint& pf, NumberDataPoint& pt) {
      attrs(pf.attributes, pt.attributes);
      pt.start_time_unix_nano = pf.start_time_unix_nano;
      pt.time_unix_nano = pf.time_unix_nano;
      pt.is_int = pf.is_int;
      pt.as_double = pf.as_double;
      pt.as_int = pf.as_int;
      exemplars(pf.exemplars, pt.exemplars);
      pt.flags = pf.flags;
    });
    list(f.histogram_points, t.histogram_points,
         [&](const HistogramDataPoint& pf, HistogramDataPoint& pt) {
           attrs(pf.attributes, pt.attributes);
           pt.start_time_unix_nano = pf.start_time_unix_nano;
           pt.time_unix_nano = pf.time_unix_nano;
           pt.count = pf.count;
           pt.has_sum = pf.has_sum;
           pt.sum = pf.sum;
           copyVec(pf.bucket_counts, pt.bucket_counts);
           copyVec(pf.explicit_bounds, pt.explicit_bounds);
           exemplars(pf.exemplars, pt.exemplars);
           pt.flags = pf.flags;
           pt.has_min = pf.has_min;
           pt.min = pf.min;
           pt.has_max = pf.has_max;
           pt.max = pf.max;
         });
    list(f.exp_histogram_points, t.exp_histogram_points,
         [&](const ExponentialHistogramDataPoint& pf, ExponentialHistogramDataPoint& pt) {
           attrs(pf.attributes, pt.attributes);
           pt.start_time_unix_nano = pf.start_time_unix_nano;
           pt.time_unix_nano = pf.time_unix_nano;
           pt.count = pf.count;
           pt.has_sum = pf.has_sum;
           pt.sum = pf.sum;
           pt.scale = pf.scale;
           pt.zero_count = pf.zero_count;
           pt.positive.offset = pf.positive.offset;
           copyVec(pf.positive.bucket_counts, pt.positive.bucket_counts);
           pt.negative.offset = pf.negative.offset;
           copyVec(pf.negative.bucket_counts, pt.negative.bucket_counts);
           pt.flags = pf.flags;
           exemplars(pf.exemplars, pt.exemplars);
           pt.has_min = pf.has_min;
           pt.min = pf.min;
           pt.has_max = pf.has_max;
           pt.max = pf.max;
           pt.zero_threshold = pf.zero_threshold;
         });
    list(f.summary_points, t.summary_points, [&](const SummaryDataPoint& pf, SummaryDataPoint& pt) {
      attrs(pf.attributes, pt.attributes);
      pt.start_time_unix_nano = pf.start_time_unix_nano;
      pt.time_unix_nano = pf.time_unix_nano;
      pt.count = pf.count;
      pt.sum = pf.sum;
      copyVec(pf.quantile_values, pt.quantile_values);
      pt.flags = pf.flags;
    });
    attrs(f.metadata, t.metadata);
  }

 private:
  Batch& dst_;
  std::pmr::memory_resource* mr_;
};

}  // namespace

BatchPtr cloneBatch(const Batch& batch) {
  auto out = std::make_unique<Batch>(batch.signal());
  Cloner c(*out);
  c.signal(batch.resource_logs, out->resource_logs, &ResourceLogs::scope_logs,
           &ScopeLogs::log_records, [&](const LogRecord& f, LogRecord& t) { c.logRecord(f, t); });
  c.signal(batch.resource_spans, out->resource_spans, &ResourceSpans::scope_spans,
           &ScopeSpans::spans, [&](const Span& f, Span& t) { c.span(f, t); });
  c.signal(batch.resource_metrics, out->resource_metrics, &ResourceMetrics::scope_metrics,
           &ScopeMetrics::metrics, [&](const Metric& f, Metric& t) { c.metric(f, t); });
  out->context = batch.context;
  return out;
}

}  // namespace agentgate::pdata
