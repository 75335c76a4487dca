// Factory of the cumulativetodelta processor (metrics only).
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::cumulativetodelta {

class CumulativeToDeltaFactory final : public ProcessorFactory {
 public:
  std::string_view type() const override { return "cumulativetodelta"; }
  Stability stability(Signal s) const override {
    return s == Signal::kMetrics ? Stability::kBeta : Stability::kUndefined;
  }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::shared_ptr<Processor>> create(const CreateSettings& settings,
                                            const ComponentConfig& cfg, Signal signal,
                                            ConsumerPtr next) const override;
};

std::unique_ptr<CumulativeToDeltaFactory> makeCumulativeToDeltaFactory();

}  // namespace agentgate::components::cumulativetodelta
