// file_storage extension configuration (the collector's filestorage keys).
#pragma once

#include <chrono>
#include <string>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::file_storage {

struct Config : ComponentConfig {
  std::string directory;  // "" = <data dir>/file_storage/<extension id>
  bool create_directory = true;
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);  // accepted (lock wait in Go)
};

void readConfig(config::MapReader& reader, Config& cfg);

}  // namespace agentgate::components::file_storage
