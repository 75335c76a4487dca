// debug exporter configuration (collector keys, spec 5.8).
#pragma once

#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::debug {

enum class Verbosity { kBasic, kNormal, kDetailed };

struct Config : ComponentConfig {
  Verbosity verbosity = Verbosity::kBasic;
  int sampling_initial = 2;     // messages per second printed before sampling starts
  int sampling_thereafter = 1;  // then every Nth message (0 = none)
  bool use_internal_logger = true;
  std::vector<std::string> output_paths{"stdout"};  // only with use_internal_logger: false
};

void readConfig(config::MapReader& reader, Config& cfg);

}  // namespace agentgate::components::debug
