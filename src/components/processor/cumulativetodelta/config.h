// cumulativetodelta configuration (the collector's cumulativetodeltaprocessor keys).
#pragma once

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::cumulativetodelta {

struct MatchConfig {
  std::vector<std::string> metrics;
  std::string match_type;                 // strict | regexp (required when metrics are listed)
  std::vector<std::string> metric_types;  // sum | histogram; empty = both
  std::vector<std::regex> compiled;       // regexp patterns, compiled once
  bool configured() const { return !metrics.empty() || !metric_types.empty(); }
};

struct Config : ComponentConfig {
  MatchConfig include;
  MatchConfig exclude;
  std::chrono::nanoseconds max_staleness{0};  // 0 = streams are kept forever
  std::string initial_value = "auto";         // auto | keep | drop
};

void readConfig(config::MapReader& reader, Config& cfg);

}  // namespace agentgate::components::cumulativetodelta
