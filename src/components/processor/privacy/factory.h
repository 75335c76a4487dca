// Factory of the privacy processor.
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::privacy {

class PrivacyFactory final : public ProcessorFactory {
 public:
  std::string_view type() const override { return "privacy"; }
  Stability stability(Signal) const override { return Stability::kAlpha; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::shared_ptr<Processor>> create(const CreateSettings& settings,
                                            const ComponentConfig& cfg, Signal signal,
                                            ConsumerPtr next) const override;
};

std::unique_ptr<PrivacyFactory> makePrivacyFactory();

}  // namespace agentgate::components::privacy
