// Process logging (spdlog). Data-rate events are counters, not log lines (DESIGN section 5); a log
// line never contains a credential or a payload value.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace agentgate::log {

// Configures the default logger: stderr, "info" unless AGENTGATE_LOG_LEVEL says otherwise.
void init(std::string_view level = {});

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::warn;

}  // namespace agentgate::log
