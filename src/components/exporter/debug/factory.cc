#include "components/exporter/debug/factory.h"

#include "components/exporter/debug/config.h"
#include "components/exporter/debug/debug_exporter.h"

namespace agentgate::components::debug {

std::unique_ptr<ComponentConfig> DebugFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void DebugFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                             config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Exporter>> DebugFactory::create(const CreateSettings& settings,
                                                       const ComponentConfig& cfg) const {
  (void)settings;
  return std::shared_ptr<Exporter>(
      std::make_shared<DebugExporter>(static_cast<const Config&>(cfg)));
}

std::unique_ptr<DebugFactory> makeDebugFactory() { return std::make_unique<DebugFactory>(); }

}  // namespace agentgate::components::debug
