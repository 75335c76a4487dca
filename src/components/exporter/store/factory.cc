#include "components/exporter/store/factory.h"

#include "components/exporter/store/config.h"
#include "components/exporter/store/store_exporter.h"

namespace agentgate::components::store {

std::unique_ptr<ComponentConfig> StoreFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void StoreFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                             config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Exporter>> StoreFactory::create(const CreateSettings& settings,
                                                       const ComponentConfig& cfg) const {
  const auto& c = static_cast<const Config&>(cfg);
  if (auto problem = validate(c); !problem.empty()) {
    return Error::config(settings.id.str() + ": " + problem);
  }
  std::string path = c.path;
  if (path.empty()) {
    std::string dir = settings.data_dir.empty() ? "." : settings.data_dir;
    path = dir + "/agentgate.db";
  }
  return std::shared_ptr<Exporter>(std::make_shared<StoreExporter>(settings.id.str(), c, path));
}

std::unique_ptr<StoreFactory> makeStoreExporterFactory() {
  return std::make_unique<StoreFactory>();
}

}  // namespace agentgate::components::store
