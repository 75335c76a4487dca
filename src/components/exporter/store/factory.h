// Factory of the store exporter.
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::store {

class StoreFactory final : public ExporterFactory {
 public:
  std::string_view type() const override { return "store"; }
  Stability stability(Signal) const override { return Stability::kAlpha; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::shared_ptr<Exporter>> create(const CreateSettings& settings,
                                           const ComponentConfig& cfg) const override;
  // Acknowledged data reaches SQLite through the persistent queue (DESIGN section 2).
  bool queueByDefault() const override { return true; }
};

std::unique_ptr<StoreFactory> makeStoreExporterFactory();

}  // namespace agentgate::components::store
