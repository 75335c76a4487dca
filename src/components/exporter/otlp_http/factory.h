// Factory of the otlp_http exporter (alias otlphttp).
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::otlp_http {

class OtlpHttpFactory final : public ExporterFactory {
 public:
  std::string_view type() const override { return "otlp_http"; }
  std::vector<std::string_view> aliases() const override { return {"otlphttp"}; }
  Stability stability(Signal) const override { return Stability::kBeta; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::shared_ptr<Exporter>> create(const CreateSettings& settings,
                                           const ComponentConfig& cfg) const override;
  bool queueByDefault() const override { return true; }
  // confighttp's client default, which the collector's otlphttp `timeout` key sets.
  std::chrono::nanoseconds defaultTimeout() const override { return std::chrono::seconds(30); }
};

std::unique_ptr<OtlpHttpFactory> makeOtlpHttpFactory();

}  // namespace agentgate::components::otlp_http
