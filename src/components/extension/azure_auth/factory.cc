#include "components/extension/azure_auth/factory.h"

#include "components/extension/azure_auth/azure_auth.h"
#include "components/extension/azure_auth/config.h"

namespace agentgate::components::azure_auth {

std::unique_ptr<ComponentConfig> AzureAuthFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void AzureAuthFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                 config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::unique_ptr<Extension>> AzureAuthFactory::create(const CreateSettings& settings,
                                                            const ComponentConfig& cfg) const {
  const auto& c = static_cast<const Config&>(cfg);
  if (auto problem = validate(c)) return Error::config(settings.id.str() + ": " + *problem);
  return std::unique_ptr<Extension>(
      std::make_unique<AzureAuth>(settings.id.str(), c, processEnvironment()));
}

std::unique_ptr<AzureAuthFactory> makeAzureAuthFactory() {
  return std::make_unique<AzureAuthFactory>();
}

}  // namespace agentgate::components::azure_auth
