// Factory of the bearertokenauth extension.
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::bearertokenauth {

class BearerTokenAuthFactory final : public ExtensionFactory {
 public:
  std::string_view type() const override { return "bearertokenauth"; }
  Stability stability(Signal) const override { return Stability::kBeta; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::unique_ptr<Extension>> create(const CreateSettings& settings,
                                            const ComponentConfig& cfg) const override;
};

std::unique_ptr<BearerTokenAuthFactory> makeBearerTokenAuthFactory();

}  // namespace agentgate::components::bearertokenauth
