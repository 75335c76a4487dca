// Self-telemetry: counters and gauges rendered as Prometheus text with the collector's names.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentgate::selftelemetry {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Thread-safe. Returned references stay valid for the registry's life; look them up once at
// component creation and keep the reference (the hot path never takes the lock).
class Registry {
 public:
  Counter& counter(std::string_view name, const Labels& labels, std::string_view help = {});
  Gauge& gauge(std::string_view name, const Labels& labels, std::string_view help = {});
  // Value read at render time (queue sizes, RSS).
  void gaugeFunction(std::string_view name, const Labels& labels, std::function<double()> fn,
                     std::string_view help = {});
  // Counter whose value is read at render time (process CPU seconds).
  void counterFunction(std::string_view name, const Labels& labels, std::function<double()> fn,
                       std::string_view help = {});
  // Prometheus text exposition format 0.0.4.
  std::string renderPrometheus() const;
  // Current value of a counter, or 0 when absent (tests).
  uint64_t counterValue(std::string_view name, const Labels& labels) const;

 private:
  struct Family {
    std::string type;  // "counter" | "gauge"
    std::string help;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::function<double()>> functions;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace agentgate::selftelemetry
