#include "components/processor/memory_limiter/factory.h"

#include "components/processor/memory_limiter/config.h"
#include "components/processor/memory_limiter/memory_limiter.h"

namespace agentgate::components::memory_limiter {

std::unique_ptr<ComponentConfig> MemoryLimiterFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void MemoryLimiterFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                     config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Processor>> MemoryLimiterFactory::create(const CreateSettings& settings,
                                                                const ComponentConfig& cfg,
                                                                Signal signal,
                                                                ConsumerPtr next) const {
  (void)signal;
  const auto& c = static_cast<const Config&>(cfg);
  if (c.check_interval.count() <= 0) {
    return Error::config(settings.id.str() + ": 'check_interval' must be greater than zero");
  }
  if (c.limit_mib == 0 && c.limit_percentage == 0) {
    return Error::config(settings.id.str() +
                         ": one of 'limit_mib' or 'limit_percentage' is required");
  }
  if (!next) return Error::config(settings.id.str() + ": no next consumer");
  Limits limits = computeLimits(c, c.limit_mib > 0 ? 0 : totalMemory());
  if (limits.limit_bytes == 0) {
    return Error::config(settings.id.str() +
                         ": cannot determine total memory for limit_percentage");
  }
  return std::shared_ptr<Processor>(std::make_shared<MemoryLimiter>(c, limits, std::move(next)));
}

std::unique_ptr<MemoryLimiterFactory> makeMemoryLimiterFactory() {
  return std::make_unique<MemoryLimiterFactory>();
}

}  // namespace agentgate::components::memory_limiter
