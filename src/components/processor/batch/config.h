// batch processor configuration (collector keys, spec 5.4).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::batch {

struct Config : ComponentConfig {
  uint32_t send_batch_size = 8192;
  std::chrono::nanoseconds timeout = std::chrono::milliseconds(200);
  uint32_t send_batch_max_size = 0;  // 0 = no cap; else >= send_batch_size
  std::vector<std::string> metadata_keys;
  uint32_t metadata_cardinality_limit = 1000;
};

void readConfig(config::MapReader& reader, Config& cfg);

}  // namespace agentgate::components::batch
