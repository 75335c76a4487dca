// bearertokenauth configuration (collector keys, spec 5.7).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::bearertokenauth {

struct Config : ComponentConfig {
  std::string header = "Authorization";
  std::string scheme = "Bearer";
  std::string token;
  std::vector<std::string> tokens;
  std::string filename;  // one token per line; wins over token/tokens and is reloaded on change
};

// Reads the keys into `cfg` and validates; every problem goes to the reader's diagnostics.
void readConfig(config::MapReader& reader, Config& cfg);

struct Problem {
  std::string key;  // config key the problem is reported at
  std::string message;
};

// nullopt when valid. `filename` winning over inline tokens is a warning, not a problem.
std::optional<Problem> validate(const Config& cfg);

}  // namespace agentgate::components::bearertokenauth
