// The telemetry model: OTLP's logs/traces/metrics shapes as arena-backed views.
//
// A Batch owns the request bytes it was decoded from and a monotonic arena. Every string in the
// model is a std::string_view pointing either into those request bytes (protobuf: zero-copy) or
// into the arena (JSON unescaping, hex-decoded ids, values written by processors). Every list is a
// std::pmr::vector allocated from the arena, so decoding a record performs no heap allocation of
// its own (the arena grows in large chunks). Views must never outlive their Batch.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include "agentgate/signal.h"

namespace agentgate::pdata {

template <typename T>
using Vec = std::pmr::vector<T>;

struct AnyValue;
struct KeyValue;

enum class ValueType : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kMap };

// AnyValue: one OTLP AnyValue. Arrays and maps are arena vectors held by pointer so the struct
// stays small and trivially movable; nullptr means empty.
struct AnyValue {
  ValueType type = ValueType::kEmpty;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view string_value;  // kString and kBytes (raw bytes for kBytes)
  Vec<AnyValue>* array_value = nullptr;
  Vec<KeyValue>* map_value = nullptr;
};

struct KeyValue {
  std::string_view key;
  AnyValue value;
};

using Attributes = Vec<KeyValue>;

struct Resource {
  explicit Resource(std::pmr::memory_resource* mr) : attributes(mr) {}
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
};

struct InstrumentationScope {
  explicit InstrumentationScope(std::pmr::memory_resource* mr) : attributes(mr) {}
  std::string_view name;
  std::string_view version;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
};

// ---- logs

struct LogRecord {
  explicit LogRecord(std::pmr::memory_resource* mr) : attributes(mr) {}
  uint64_t time_unix_nano = 0;
  uint64_t observed_time_unix_nano = 0;
  int32_t severity_number = 0;
  std::string_view severity_text;
  AnyValue body;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;
  std::string_view trace_id;  // 16 raw bytes or empty
  std::string_view span_id;   // 8 raw bytes or empty
  std::string_view event_name;
};

struct ScopeLogs {
  explicit ScopeLogs(std::pmr::memory_resource* mr) : scope(mr), log_records(mr) {}
  InstrumentationScope scope;
  Vec<LogRecord> log_records;
  std::string_view schema_url;
};

struct ResourceLogs {
  explicit ResourceLogs(std::pmr::memory_resource* mr) : resource(mr), scope_logs(mr) {}
  Resource resource;
  Vec<ScopeLogs> scope_logs;
  std::string_view schema_url;
};

// ---- traces

enum class SpanKind : int32_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5
};
enum class StatusCode : int32_t { kUnset = 0, kOk = 1, kError = 2 };

struct SpanEvent {
  explicit SpanEvent(std::pmr::memory_resource* mr) : attributes(mr) {}
  uint64_t time_unix_nano = 0;
  std::string_view name;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
};

struct SpanLink {
  explicit SpanLink(std::pmr::memory_resource* mr) : attributes(mr) {}
  std::string_view trace_id;
  std::string_view span_id;
  std::string_view trace_state;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;
};

struct SpanStatus {
  std::string_view message;
  StatusCode code = StatusCode::kUnset;
};

struct Span {
  explicit Span(std::pmr::memory_resource* mr) : attributes(mr), events(mr), links(mr) {}
  std::string_view trace_id;
  std::string_view span_id;
  std::string_view trace_state;
  std::string_view parent_span_id;
  uint32_t flags = 0;
  std::string_view name;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  Vec<SpanEvent> events;
  uint32_t dropped_events_count = 0;
  Vec<SpanLink> links;
  uint32_t dropped_links_count = 0;
  SpanStatus status;
};

struct ScopeSpans {
  explicit ScopeSpans(std::pmr::memory_resource* mr) : scope(mr), spans(mr) {}
  InstrumentationScope scope;
  Vec<Span> spans;
  std::string_view schema_url;
};

struct ResourceSpans {
  explicit ResourceSpans(std::pmr::memory_resource* mr) : resource(mr), scope_spans(mr) {}
  Resource resource;
  Vec<ScopeSpans> scope_spans;
  std::string_view schema_url;
};

// ---- metrics

enum class AggregationTemporality : int32_t { kUnspecified = 0, kDelta = 1, kCumulative = 2 };

struct Exemplar {
  explicit Exemplar(std::pmr::memory_resource* mr) : filtered_attributes(mr) {}
  Attributes filtered_attributes;
  uint64_t time_unix_nano = 0;
  bool is_int = false;
  double as_double = 0;
  int64_t as_int = 0;
  std::string_view span_id;
  std::string_view trace_id;
};

struct NumberDataPoint {
  explicit NumberDataPoint(std::pmr::memory_resource* mr) : attributes(mr), exemplars(mr) {}
  Attributes attributes;
  uint64_t start_time_unix_nano = 0;
  uint64_t time_unix_nano = 0;
  bool is_int = false;  // which of as_int / as_double the sender set
  double as_double = 0;
  int64_t as_int = 0;
  Vec<Exemplar> exemplars;
  uint32_t flags = 0;
};

struct HistogramDataPoint {
  explicit HistogramDataPoint(std::pmr::memory_resource* mr)
      : attributes(mr), bucket_counts(mr), explicit_bounds(mr), exemplars(mr) {}
  Attributes attributes;
  uint64_t start_time_unix_nano = 0;
  uint64_t time_unix_nano = 0;
  uint64_t count = 0;
  bool has_sum = false;
  double sum = 0;
  Vec<uint64_t> bucket_counts;
  Vec<double> explicit_bounds;
  Vec<Exemplar> exemplars;
  uint32_t flags = 0;
  bool has_min = false;
  double min = 0;
  bool has_max = false;
  double max = 0;
};

struct ExponentialBuckets {
  explicit ExponentialBuckets(std::pmr::memory_resource* mr) : bucket_counts(mr) {}
  int32_t offset = 0;
  Vec<uint64_t> bucket_counts;
};

struct ExponentialHistogramDataPoint {
  explicit ExponentialHistogramDataPoint(std::pmr::memory_resource* mr)
      : attributes(mr), positive(mr), negative(mr), exemplars(mr) {}
  Attributes attributes;
  uint64_t start_time_unix_nano = 0;
  uint64_t time_unix_nano = 0;
  uint64_t count = 0;
  bool has_sum = false;
  double sum = 0;
  int32_t scale = 0;
  uint64_t zero_count = 0;
  ExponentialBuckets positive;
  ExponentialBuckets negative;
  uint32_t flags = 0;
  Vec<Exemplar> exemplars;
  bool has_min = false;
  double min = 0;
  bool has_max = false;
  double max = 0;
  double zero_threshold = 0;
};

struct QuantileValue {
  double quantile = 0;
  double value = 0;
};

struct SummaryDataPoint {
  explicit SummaryDataPoint(std::pmr::memory_resource* mr) : attributes(mr), quantile_values(mr) {}
  Attributes attributes;
  uint64_t start_time_unix_nano = 0;
  uint64_t time_unix_nano = 0;
  uint64_t count = 0;
  double sum = 0;
  Vec<QuantileValue> quantile_values;
  uint32_t flags = 0;
};

enum class MetricType : uint8_t {
  kEmpty,
  kGauge,
  kSum,
  kHistogram,
  kExponentialHistogram,
  kSummary
};

struct Metric {
  explicit Metric(std::pmr::memory_resource* mr)
      : number_points(mr),
        histogram_points(mr),
        exp_histogram_points(mr),
        summary_points(mr),
        metadata(mr) {}
  std::string_view name;
  std::string_view description;
  std::string_view unit;
  MetricType type = MetricType::kEmpty;
  // Sum / Histogram / ExponentialHistogram only.
  AggregationTemporality temporality = AggregationTemporality::kUnspecified;
  bool is_monotonic = false;           // Sum only
  Vec<NumberDataPoint> number_points;  // Gauge and Sum
  Vec<HistogramDataPoint> histogram_points;
  Vec<ExponentialHistogramDataPoint> exp_histogram_points;
  Vec<SummaryDataPoint> summary_points;
  Attributes metadata;
};

struct ScopeMetrics {
  explicit ScopeMetrics(std::pmr::memory_resource* mr) : scope(mr), metrics(mr) {}
  InstrumentationScope scope;
  Vec<Metric> metrics;
  std::string_view schema_url;
};

struct ResourceMetrics {
  explicit ResourceMetrics(std::pmr::memory_resource* mr) : resource(mr), scope_metrics(mr) {}
  Resource resource;
  Vec<ScopeMetrics> scope_metrics;
  std::string_view schema_url;
};

// Who sent a batch and how: filled by the receiver, read by processors (resource from_context,
// secrets user attribution) and exporters.
struct RequestContext {
  std::string client_address;  // "ip:port"
  std::string auth_subject;    // authenticator's identity (never the token itself)
  std::vector<std::pair<std::string, std::string>> auth_attributes;  // auth.<name>
  std::vector<std::pair<std::string, std::string>>
      metadata;  // include_metadata: lower-cased header/metadata -> value
};

// Batch: one decoded export request of one signal. Move-only; owns everything its views point to.
class Batch {
  // Counts the arena's blocks (for the memory limiter); the arena asks it only for new chunks, so
  // counting costs nothing per record.
  class CountingResource final : public std::pmr::memory_resource {
   public:
    size_t bytes = 0;

   private:
    void* do_allocate(size_t n, size_t align) override {
      bytes += n;
      return std::pmr::new_delete_resource()->allocate(n, align);
    }
    void do_deallocate(void* p, size_t n, size_t align) override {
      bytes -= n;
      std::pmr::new_delete_resource()->deallocate(p, n, align);
    }
    bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
      return this == &o;
    }
  };
  // First members: constructed before and destroyed after every vector that allocates from them.
  CountingResource upstream_;
  std::pmr::monotonic_buffer_resource arena_{16 * 1024, &upstream_};

 public:
  explicit Batch(Signal signal) : signal_(signal) {}
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  Signal signal() const { return signal_; }
  std::pmr::memory_resource* arena() { return &arena_; }

  // Takes ownership of bytes that views will point into; returns a stable view of them.
  std::string_view adoptBuffer(std::string bytes) {
    buffers_.push_back(std::make_unique<std::string>(std::move(bytes)));
    return *buffers_.back();
  }
  // Copies s into the arena and returns a view of the copy (for strings made by processors).
  std::string_view copyString(std::string_view s) {
    if (s.empty()) return {};
    auto* p = static_cast<char*>(arena_.allocate(s.size(), 1));
    std::copy(s.begin(), s.end(), p);
    return {p, s.size()};
  }
  // Allocates a fresh arena vector (for AnyValue arrays/maps).
  template <typename T>
  Vec<T>* newVec() {
    void* mem = arena_.allocate(sizeof(Vec<T>), alignof(Vec<T>));
    return new (mem) Vec<T>(&arena_);  // arena never runs destructors: T must not own heap memory
  }

  Vec<ResourceLogs> resource_logs{&arena_};
  Vec<ResourceSpans> resource_spans{&arena_};
  Vec<ResourceMetrics> resource_metrics{&arena_};
  RequestContext context;

  // Number of items in the OTLP sense: log records, spans, or metric data points.
  size_t itemCount() const;
  // Bytes held by request buffers (for the memory limiter).
  size_t bufferBytes() const {
    size_t n = 0;
    for (const auto& b : buffers_) n += b->size();
    return n;
  }
  // Bytes the arena took from the heap (decoded model, copied strings).
  size_t arenaBytes() const { return upstream_.bytes; }

 private:
  Signal signal_;
  std::vector<std::unique_ptr<std::string>> buffers_;
};

using BatchPtr = std::unique_ptr<Batch>;

}  // namespace agentgate::pdata
