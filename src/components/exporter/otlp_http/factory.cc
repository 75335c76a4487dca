#include "components/exporter/otlp_http/factory.h"

#include "components/exporter/otlp_http/config.h"
#include "components/exporter/otlp_http/otlp_http_exporter.h"

namespace agentgate::components::otlp_http {

std::unique_ptr<ComponentConfig> OtlpHttpFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void OtlpHttpFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Exporter>> OtlpHttpFactory::create(const CreateSettings& settings,
                                                          const ComponentConfig& cfg) const {
  const auto& c = static_cast<const Config&>(cfg);
  if (auto problem = validate(c)) return Error::config(settings.id.str() + ": " + *problem);
  auto timeout = settings.timeout.count() > 0
                     ? std::chrono::duration_cast<std::chrono::milliseconds>(settings.timeout)
                     : std::chrono::milliseconds(30000);
  auto exporter = OtlpHttpExporter::create(settings.id.str(), c, timeout);
  if (!exporter) return exporter.takeError();
  return std::shared_ptr<Exporter>(std::move(exporter.value()));
}

std::unique_ptr<OtlpHttpFactory> makeOtlpHttpFactory() {
  return std::make_unique<OtlpHttpFactory>();
}

}  // namespace agentgate::components::otlp_http
