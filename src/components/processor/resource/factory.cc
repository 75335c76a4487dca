#include "components/processor/resource/factory.h"

#include "components/processor/resource/config.h"
#include "components/processor/resource/resource_processor.h"

namespace agentgate::components::resource {

std::unique_ptr<ComponentConfig> ResourceFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void ResourceFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Processor>> ResourceFactory::create(const CreateSettings& settings,
                                                           const ComponentConfig& cfg,
                                                           Signal signal, ConsumerPtr next) const {
  (void)signal;
  const auto& c = static_cast<const Config&>(cfg);
  if (c.attributes.empty()) {
    return Error::config(settings.id.str() + ": missing required field 'attributes'");
  }
  if (!next) return Error::config(settings.id.str() + ": no next consumer");
  return std::shared_ptr<Processor>(std::make_shared<ResourceProcessor>(c, std::move(next)));
}

std::unique_ptr<ResourceFactory> makeResourceFactory() {
  return std::make_unique<ResourceFactory>();
}

}  // namespace agentgate::components::resource
