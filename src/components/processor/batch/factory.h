// Factory of the batch processor.
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::batch {

class BatchFactory final : public ProcessorFactory {
 public:
  std::string_view type() const override { return "batch"; }
  Stability stability(Signal) const override { return Stability::kBeta; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::shared_ptr<Processor>> create(const CreateSettings& settings,
                                            const ComponentConfig& cfg, Signal signal,
                                            ConsumerPtr next) const override;
};

std::unique_ptr<BatchFactory> makeBatchFactory();

}  // namespace agentgate::components::batch
