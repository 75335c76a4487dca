// memory_limiter configuration (collector keys, spec 5.3).
#pragma once

#include <chrono>
#include <cstdint>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::memory_limiter {

struct Config : ComponentConfig {
  std::chrono::nanoseconds check_interval{0};  // required, > 0
  uint32_t limit_mib = 0;
  uint32_t spike_limit_mib = 0;   // 0 = 20% of limit_mib
  uint32_t limit_percentage = 0;  // of total memory (cgroup limit or MemTotal); limit_mib wins
  uint32_t spike_limit_percentage = 0;
};

void readConfig(config::MapReader& reader, Config& cfg);

}  // namespace agentgate::components::memory_limiter
