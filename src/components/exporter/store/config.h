// store exporter configuration.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::store {

struct Config : ComponentConfig {
  std::string path;  // "" = ${data_dir}/agentgate.db
  std::vector<std::string> tables = {"appinsights", "otel"};
  std::chrono::nanoseconds retention = std::chrono::hours(720);  // 0 = keep forever
  uint64_t max_size_mib = 1024;                                  // 0 = unlimited

  bool appInsights() const;
  bool otel() const;
};

void readConfig(config::MapReader& reader, Config& cfg);
// Empty when valid, else the problem.
std::string validate(const Config& cfg);

}  // namespace agentgate::components::store
