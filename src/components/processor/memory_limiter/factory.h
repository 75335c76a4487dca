// Factory of the memory_limiter processor.
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::memory_limiter {

class MemoryLimiterFactory final : public ProcessorFactory {
 public:
  std::string_view type() const override { return "memory_limiter"; }
  Stability stability(Signal) const override { return Stability::kBeta; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::shared_ptr<Processor>> create(const CreateSettings& settings,
                                            const ComponentConfig& cfg, Signal signal,
                                            ConsumerPtr next) const override;
};

std::unique_ptr<MemoryLimiterFactory> makeMemoryLimiterFactory();

}  // namespace agentgate::components::memory_limiter
