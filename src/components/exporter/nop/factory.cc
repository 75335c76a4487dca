#include "components/exporter/nop/factory.h"

#include "components/exporter/nop/config.h"
#include "components/exporter/nop/nop_exporter.h"
#include "config/map_reader.h"

namespace agentgate::components::nop {

std::unique_ptr<ComponentConfig> NopFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void NopFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                           config::Diagnostics& diags) const {
  (void)cfg;
  config::MapReader reader(node, diags);
  reader.finish();
}

Result<std::shared_ptr<Exporter>> NopFactory::create(const CreateSettings& settings,
                                                     const ComponentConfig& cfg) const {
  (void)settings;
  (void)cfg;
  return std::shared_ptr<Exporter>(std::make_shared<NopExporter>());
}

std::unique_ptr<NopFactory> makeNopFactory() { return std::make_unique<NopFactory>(); }

}  // namespace agentgate::components::nop
