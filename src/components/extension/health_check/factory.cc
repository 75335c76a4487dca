#include "components/extension/health_check/factory.h"

#include "components/extension/health_check/config.h"
#include "components/extension/health_check/health_check.h"

namespace agentgate::components::health_check {

std::unique_ptr<ComponentConfig> HealthCheckFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void HealthCheckFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                   config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::unique_ptr<Extension>> HealthCheckFactory::create(const CreateSettings& settings,
                                                              const ComponentConfig& cfg) const {
  return std::unique_ptr<Extension>(
      std::make_unique<HealthCheck>(settings.id.str(), static_cast<const Config&>(cfg)));
}

std::unique_ptr<HealthCheckFactory> makeHealthCheckFactory() {
  return std::make_unique<HealthCheckFactory>();
}

}  // namespace agentgate::components::health_check
