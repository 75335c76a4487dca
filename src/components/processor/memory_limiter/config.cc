#include "components/processor/memory_limiter/config.h"

namespace agentgate::components::memory_limiter {

void readConfig(config::MapReader& reader, Config& cfg) {
  reader.readDuration("check_interval", cfg.check_interval);
  reader.read("limit_mib", cfg.limit_mib);
  reader.read("spike_limit_mib", cfg.spike_limit_mib);
  reader.read("limit_percentage", cfg.limit_percentage);
  reader.read("spike_limit_percentage", cfg.spike_limit_percentage);
  // Go GC tuning: nothing to tune here.
  for (const char* k : {"min_gc_interval_when_soft_limited", "min_gc_interval_when_hard_limited",
                        "max_gc_interval_when_soft_limited", "max_gc_interval_when_hard_limited"}) {
    reader.ignore(k);
  }
  reader.finish();
  if (cfg.check_interval.count() <= 0) {
    reader.error("check_interval", "'check_interval' must be greater than zero");
  }
  if (cfg.limit_mib == 0 && cfg.limit_percentage == 0) {
    reader.error("limit_mib", "one of 'limit_mib' or 'limit_percentage' is required");
  }
  if (cfg.limit_percentage > 100 || cfg.spike_limit_percentage > 100) {
    reader.error("limit_percentage", "percentages must be between 0 and 100");
  }
  if (cfg.limit_mib > 0 && cfg.spike_limit_mib >= cfg.limit_mib) {
    reader.error("spike_limit_mib", "'spike_limit_mib' must be smaller than 'limit_mib'");
  }
  if (cfg.limit_mib == 0 && cfg.limit_percentage > 0 &&
      cfg.spike_limit_percentage >= cfg.limit_percentage) {
    reader.error("spike_limit_percentage",
                 "'spike_limit_percentage' must be smaller than 'limit_percentage'");
  }
}

}  // namespace agentgate::components::memory_limiter
