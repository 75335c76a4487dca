// Factory of the azuremonitor exporter (Application Insights track API).
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::azuremonitor {

class AzureMonitorFactory final : public ExporterFactory {
 public:
  std::string_view type() const override { return "azuremonitor"; }
  Stability stability(Signal) const override { return Stability::kAlpha; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::shared_ptr<Exporter>> create(const CreateSettings& settings,
                                           const ComponentConfig& cfg) const override;
  // A network exporter: acknowledged data waits on disk while Azure is unreachable.
  bool queueByDefault() const override { return true; }
  // The HTTP client's default, as for otlp_http.
  std::chrono::nanoseconds defaultTimeout() const override { return std::chrono::seconds(30); }
};

std::unique_ptr<AzureMonitorFactory> makeAzureMonitorFactory();

}  // namespace agentgate::components::azuremonitor
