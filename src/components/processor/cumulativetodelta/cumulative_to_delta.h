// The cumulativetodelta processor: monotonic cumulative sums and cumulative histograms become
// deltas against the previous point of the same stream (resource + scope + metric + point
// attributes). Azure Monitor's native OTLP path requires delta temporality (spec 4.5); Copilot
// CLI and Claude Code export cumulative.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "agentgate/component.h"
#include "components/processor/cumulativetodelta/config.h"
#include "pdata/model.h"

namespace agentgate::components::cumulativetodelta {

class CumulativeToDelta final : public Processor {
 public:
  // `start_unix_nano`: the processor's start, for initial_value auto (0 = now).
  CumulativeToDelta(Config cfg, ConsumerPtr next, uint64_t start_unix_nano = 0);
  Status consume(BatchPtr&& batch) override;
  bool mutatesData() const override { return true; }

  // Converts the batch in place (also used by consume); dropped points are removed and metrics
  // left without points are removed.
  void convert(pdata::Batch& batch);
  size_t streams() const;

 private:
  struct State {
    uint64_t start = 0;  // start_time of the stream's cumulative series
    uint64_t time = 0;   // time of the previous point
    double value = 0;
    int64_t int_value = 0;
    uint64_t count = 0;
    std::vector<uint64_t> buckets;
    std::vector<double> bounds;
    std::chrono::steady_clock::time_point seen;
  };
  bool selected(const pdata::Metric& m) const;
  // What to do with a point: false = drop it.
  bool convertNumber(const std::string& key, pdata::NumberDataPoint& p);
  bool convertHistogram(const std::string& key, pdata::HistogramDataPoint& p);
  bool keepFirst(uint64_t start_time) const;
  void sweep();

  Config cfg_;
  ConsumerPtr next_;
  uint64_t start_unix_nano_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, State> states_;
  std::chrono::steady_clock::time_point last_sweep_;
};

}  // namespace agentgate::components::cumulativetodelta
