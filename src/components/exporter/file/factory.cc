#include "components/exporter/file/factory.h"

#include "components/exporter/file/config.h"
#include "components/exporter/file/file_exporter.h"

namespace agentgate::components::file {

std::unique_ptr<ComponentConfig> FileFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void FileFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                            config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Exporter>> FileFactory::create(const CreateSettings& settings,
                                                      const ComponentConfig& cfg) const {
  const auto& c = static_cast<const Config&>(cfg);
  if (c.path.empty()) return Error::config(settings.id.str() + ": missing required field 'path'");
  return std::shared_ptr<Exporter>(std::make_shared<FileExporter>(c));
}

std::unique_ptr<FileFactory> makeFileFactory() { return std::make_unique<FileFactory>(); }

}  // namespace agentgate::components::file
