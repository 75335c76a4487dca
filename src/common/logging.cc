#include "common/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdlib>
#include <string>

namespace agentgate::log {

void init(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("agentgate");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  std::string lvl(level);
  if (lvl.empty()) {
    const char* env = std::getenv("AGENTGATE_LOG_LEVEL");
    lvl = env ? env : "info";
  }
  logger->set_level(spdlog::level::from_str(lvl));
  spdlog::set_default_logger(logger);
}

}  // namespace agentgate::log
