// file exporter configuration (collector's fileexporter keys).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::file {

struct RotationConfig {
  int max_megabytes = 100;
  int max_days = 0;        // 0 = backups never expire by age
  int max_backups = 100;   // 0 = keep every backup
  bool localtime = false;  // backup timestamps in local time instead of UTC
};

struct Config : ComponentConfig {
  std::string path;             // required
  std::string format = "json";  // "json" (OTLP JSON lines) | "proto" (4-byte BE length + bytes)
  std::optional<RotationConfig> rotation;  // absent = never rotate
  std::chrono::nanoseconds flush_interval =
      std::chrono::seconds(1);  // accepted; writes are unbuffered
  bool append = false;          // false truncates the file at start
};

void readConfig(config::MapReader& reader, Config& cfg);

}  // namespace agentgate::components::file
