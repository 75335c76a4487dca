// Factory of the azure_auth extension (alias azureauth).
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::azure_auth {

class AzureAuthFactory final : public ExtensionFactory {
 public:
  std::string_view type() const override { return "azure_auth"; }
  std::vector<std::string_view> aliases() const override { return {"azureauth"}; }
  Stability stability(Signal) const override { return Stability::kAlpha; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::unique_ptr<Extension>> create(const CreateSettings& settings,
                                            const ComponentConfig& cfg) const override;
};

std::unique_ptr<AzureAuthFactory> makeAzureAuthFactory();

}  // namespace agentgate::components::azure_auth
