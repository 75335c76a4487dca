// The configuration `agentgate run` uses when no --config is given.
#pragma once

#include <string>

namespace agentgate::cli {

// YAML text; ${env:AGENTGATE_DATA_DIR} is set by `run` to the resolved data directory.
const std::string& defaultConfigYaml();

// --data-dir, else $AGENTGATE_DATA_DIR, else $XDG_DATA_HOME/agentgate, else
// ~/.local/share/agentgate.
std::string resolveDataDir(const std::string& flag);

}  // namespace agentgate::cli
