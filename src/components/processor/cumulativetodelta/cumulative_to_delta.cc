#include "components/processor/cumulativetodelta/cumulative_to_delta.h"

#include <algorithm>
#include <cstring>

namespace agentgate::components::cumulativetodelta {

namespace {

void appendValue(std::string& out, const pdata::AnyValue& v);

// A canonical text of an attribute set (sorted by key), so the same set in another order is the
// same stream.
void appendAttrs(std::string& out, const pdata::Attributes& attrs) {
  std::vector<const pdata::KeyValue*> sorted;
  sorted.reserve(attrs.size());
  for (const auto& kv : attrs) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(),
            [](const pdata::KeyValue* a, const pdata::KeyValue* b) { return a->key < b->key; });
  out += '{';
  for (const auto* kv : sorted) {
    out += std::to_string(kv->key.size());
    out += ':';
    out += kv->key;
    out += '=';
    appendValue(out, kv->value);
    out += ';';
  }
  out += '}';
}

void appendValue(std::string& out, const pdata::AnyValue& v) {
  out += static_cast<char>('0' + static_cast<int>(v.type));
  switch (v.type) {
    case pdata::ValueType::kString:
    case pdata::ValueType::kBytes:
      out += std::to_string(v.string_value.size());
      out += ':';
      out += v.string_value;
      break;
    case pdata::ValueType::kBool:
      out += v.bool_value ? 't' : 'f';
      break;
    case pdata::ValueType::kInt:
      out += std::to_string(v.int_value);
      break;
    case pdata::ValueType::kDouble: {
      char buf[sizeof(double)];
      std::memcpy(buf, &v.double_value, sizeof buf);
      out.append(buf, sizeof buf);
      break;
    }
    case pdata::ValueType::kArray:
      out += '[';
      if (v.array_value)
        for (const auto& e : *v.array_value) {
          appendValue(out, e);
          out += ',';
        }
      out += ']';
      break;
    case pdata::ValueType::kMap:
      if (v.map_value) appendAttrs(out, *v.map_value);
      break;
    case pdata::ValueType::kEmpty:
      break;
  }
}

bool matches(const MatchConfig& m, const pdata::Metric& metric) {
  if (!m.metric_types.empty()) {
    std::string_view type = metric.type == pdata::MetricType::kSum ? "sum" : "histogram";
    if (std::find(m.metric_types.begin(), m.metric_types.end(), type) == m.metric_types.end())
      return false;
  }
  if (m.metrics.empty()) return true;
  if (m.match_type == "regexp") {
    for (const auto& re : m.compiled)
      if (std::regex_search(metric.name.begin(), metric.name.end(), re)) return true;
    return false;
  }
  return std::find(m.metrics.begin(), m.metrics.end(), metric.name) != m.metrics.end();
}

template <typename T, typename Pred>
void eraseIf(pdata::Vec<T>& v, Pred keep) {
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!keep(v[i])) continue;
    if (out != i) v[out] = std::move(v[i]);
    ++out;
  }
  while (v.size() > out) v.pop_back();
}

uint64_t nowUnixNano() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

CumulativeToDelta::CumulativeToDelta(Config cfg, ConsumerPtr next, uint64_t start_unix_nano)
    : cfg_(std::move(cfg)),
      next_(std::move(next)),
      start_unix_nano_(start_unix_nano ? start_unix_nano : nowUnixNano()),
      last_sweep_(std::chrono::steady_clock::now()) {}

size_t CumulativeToDelta::streams() const {
  std::lock_guard<std::mutex> lock(mu_);
  return states_.size();
}

bool CumulativeToDelta::selected(const pdata::Metric& m) const {
  if (cfg_.include.configured() && !matches(cfg_.include, m)) return false;
  if (cfg_.exclude.configured() && matches(cfg_.exclude, m)) return false;
  return true;
}

// auto keeps the first point only when its series provably began after this processor started
// (nothing of it was counted before); otherwise the first cumulative value would be reported as
// one huge delta.
bool CumulativeToDelta::keepFirst(uint64_t start_time) const {
  if (cfg_.initial_value == "keep") return true;
  if (cfg_.initial_value == "drop") return false;
  return start_time != 0 && start_time > start_unix_nano_;
}

bool CumulativeToDelta::convertNumber(const std::string& key, pdata::NumberDataPoint& p) {
  const double cur = p.is_int ? static_cast<double>(p.as_int) : p.as_double;
  auto [it, fresh] = states_.try_emplace(key);
  State& s = it->second;
  s.seen = std::chrono::steady_clock::now();
  if (!fresh && p.time_unix_nano <= s.time) return false;  // out of order or duplicate
  bool reset =
      !fresh &&
      ((p.start_time_unix_nano != 0 && s.start != 0 && p.start_time_unix_nano != s.start) ||
       (p.is_int ? p.as_int < s.int_value : cur < s.value));
  const uint64_t prev_time = s.time;
  const double prev = s.value;
  const int64_t prev_int = s.int_value;
  s.start = p.start_time_unix_nano;
  s.time = p.time_unix_nano;
  s.value = cur;
  s.int_value = p.as_int;
  if (fresh) return keepFirst(p.start_time_unix_nano);
  if (reset) return true;  // the new series' value is its delta since its own start
  if (p.is_int) {
    p.as_int -= prev_int;
  } else {
    p.as_double -= prev;
  }
  p.start_time_unix_nano = prev_time;
  return true;
}

bool CumulativeToDelta::convertHistogram(const std::string& key, pdata::HistogramDataPoint& p) {
  auto [it, fresh] = states_.try_emplace(key);
  State& s = it->second;
  s.seen = std::chrono::steady_clock::now();
  if (!fresh && p.time_unix_nano <= s.time) return false;
  bool layout_changed =
      !fresh && (s.bounds.size() != p.explicit_bounds.size() ||
                 !std::equal(s.bounds.begin(), s.bounds.end(), p.explicit_bounds.begin()) ||
                 s.buckets.size() != p.bucket_counts.size());
  bool reset = !fresh &&
               (layout_changed || p.count < s.count ||
                (p.start_time_unix_nano != 0 && s.start != 0 && p.start_time_unix_nano != s.start));
  if (!reset && !fresh) {
    for (size_t i = 0; i < p.bucket_counts.size(); ++i)
      if (p.bucket_counts[i] < s.buckets[i]) reset = true;
  }
  State prev = s;
  s.start = p.start_time_unix_nano;
  s.time = p.time_unix_nano;
  s.count = p.count;
  s.value = p.sum;
  s.buckets.assign(p.bucket_counts.begin(), p.bucket_counts.end());
  s.bounds.assign(p.explicit_bounds.begin(), p.explicit_bounds.end());
  // Cumulative min/max cover the whole series, not the interval: a delta point cannot keep them.
  p.has_min = false;
  p.has_max = false;
  if (fresh) return keepFirst(p.start_time_unix_nano);
  if (reset) return true;
  p.count -= prev.count;
  if (p.has_sum) p.sum -= prev.value;
  for (size_t i = 0; i < p.bucket_counts.size(); ++i) p.bucket_counts[i] -= prev.buckets[i];
  p.start_time_unix_nano = prev.time;
  return true;
}

void CumulativeToDelta::sweep() {
  if (cfg_.max_staleness.count() <= 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_sweep_ <
      std::min<std::chrono::nanoseconds>(cfg_.max_staleness, std::chrono::seconds(1)))
    return;
  last_sweep_ = now;
  for (auto it = states_.begin(); it != states_.end();) {
    if (now - it->second.seen > cfg_.max_staleness) {
      it = states_.erase(it);
    } else {
      ++it;
    }
  }
}

void CumulativeToDelta::convert(pdata::Batch& batch) {
  if (batch.signal() != Signal::kMetrics) return;
  std::lock_guard<std::mutex> lock(mu_);
  sweep();
  std::string key;
  for (auto& rm : batch.resource_metrics) {
    std::string resource_key;
    appendAttrs(resource_key, rm.resource.attributes);
    for (auto& sm : rm.scope_metrics) {
      std::string scope_key = resource_key;
      scope_key += sm.scope.name;
      scope_key += '\x1f';
      scope_key += sm.scope.version;
      scope_key += '\x1f';
      appendAttrs(scope_key, sm.scope.attributes);
      for (auto& m : sm.metrics) {
        const bool sum = m.type == pdata::MetricType::kSum && m.is_monotonic;
        const bool hist = m.type == pdata::MetricType::kHistogram;
        if ((!sum && !hist) || m.temporality != pdata::AggregationTemporality::kCumulative ||
            !selected(m))
          continue;
        std::string metric_key = scope_key;
        metric_key += '\x1e';
        metric_key += sum ? 's' : 'h';
        metric_key += m.name;
        metric_key += '\x1f';
        metric_key += m.unit;
        metric_key += '\x1f';
        if (sum) {
          eraseIf(m.number_points, [&](pdata::NumberDataPoint& p) {
            if (p.flags & 1) return false;  // no recorded value: nothing to subtract
            key = metric_key;
            appendAttrs(key, p.attributes);
            return convertNumber(key, p);
          });
        } else {
          eraseIf(m.histogram_points, [&](pdata::HistogramDataPoint& p) {
            if (p.flags & 1) return false;
            key = metric_key;
            appendAttrs(key, p.attributes);
            return convertHistogram(key, p);
          });
        }
        m.temporality = pdata::AggregationTemporality::kDelta;
      }
      eraseIf(sm.metrics, [](const pdata::Metric& m) {
        switch (m.type) {
          case pdata::MetricType::kSum:
          case pdata::MetricType::kGauge:
            return !m.number_points.empty();
          case pdata::MetricType::kHistogram:
            return !m.histogram_points.empty();
          default:
            return true;
        }
      });
    }
  }
}

Status CumulativeToDelta::consume(BatchPtr&& batch) {
  convert(*batch);
  if (batch->itemCount() == 0) return {};  // every point was a first observation
  return next_->consume(std::move(batch));
}

}  // namespace agentgate::components::cumulativetodelta
