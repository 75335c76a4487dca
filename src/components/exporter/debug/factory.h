// Factory of the debug exporter.
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::debug {

class DebugFactory final : public ExporterFactory {
 public:
  std::string_view type() const override { return "debug"; }
  Stability stability(Signal) const override { return Stability::kDevelopment; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::shared_ptr<Exporter>> create(const CreateSettings& settings,
                                           const ComponentConfig& cfg) const override;
};

std::unique_ptr<DebugFactory> makeDebugFactory();

}  // namespace agentgate::components::debug
