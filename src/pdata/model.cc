#include "pdata/model.h"

namespace agentgate::pdata {

size_t Batch::itemCount() const {
  size_t n = 0;
  switch (signal_) {
    case Signal::kLogs:
      for (const auto& r : resource_logs)
        for (const auto& s : r.scope_logs) n += s.log_records.size();
      break;
    case Signal::kTraces:
      for (const auto& r : resource_spans)
        for (const auto& s : r.scope_spans) n += s.spans.size();
      break;
    case Signal::kMetrics:
      for (const auto& r : resource_metrics)
        for (const auto& s : r.scope_metrics)
          for (const auto& m : s.metrics)
            n += m.number_points.size() + m.histogram_points.size() +
                 m.exp_histogram_points.size() + m.summary_points.size();
      break;
  }
  return n;
}

}  // namespace agentgate::pdata
