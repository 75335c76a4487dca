#include "components/exporter/azuremonitor/factory.h"

#include <cstdlib>

#include "components/exporter/azuremonitor/azuremonitor_exporter.h"
#include "components/exporter/azuremonitor/config.h"
#include "components/exporter/azuremonitor/connection_string.h"

namespace agentgate::components::azuremonitor {
namespace {

std::string envConnectionString() {
  const char* v = std::getenv(std::string(kConnectionStringEnv).c_str());
  return v == nullptr ? std::string() : std::string(v);
}

}  // namespace

std::unique_ptr<ComponentConfig> AzureMonitorFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void AzureMonitorFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                    config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  auto& c = static_cast<Config&>(cfg);
  readConfig(reader, c);
  // A malformed connection string is a config error at its key. (Whether any source is set at
  // all is checked at create(): the environment variable may only be set where it runs.)
  if (envConnectionString().empty() && !c.connection_string.empty()) {
    if (auto cs = parseConnectionString(c.connection_string); !cs.ok()) {
      reader.error("connection_string", cs.error().message);
    }
  }
}

Result<std::shared_ptr<Exporter>> AzureMonitorFactory::create(const CreateSettings& settings,
                                                              const ComponentConfig& cfg) const {
  const auto& c = static_cast<const Config&>(cfg);
  if (auto problem = validate(c); !problem.empty()) {
    return Error::config(settings.id.str() + ": " + problem);
  }
  auto dest = resolveDestination(envConnectionString(), c.connection_string, c.instrumentation_key,
                                 c.endpoint);
  if (!dest.ok()) {
    Error e = dest.takeError();
    e.message = settings.id.str() + ": " + e.message;
    return e;
  }
  Config with_timeout = c;
  if (settings.timeout.count() > 0) with_timeout.request_timeout = settings.timeout;
  return std::shared_ptr<Exporter>(std::make_shared<AzureMonitorExporter>(
      settings.id.str(), std::move(with_timeout), std::move(dest.value())));
}

std::unique_ptr<AzureMonitorFactory> makeAzureMonitorFactory() {
  return std::make_unique<AzureMonitorFactory>();
}

}  // namespace agentgate::components::azuremonitor
