#include "components/extension/file_storage/factory.h"

#include "components/extension/file_storage/config.h"
#include "components/extension/file_storage/file_storage.h"
#include "exporterhelper/settings.h"

namespace agentgate::components::file_storage {

std::unique_ptr<ComponentConfig> FileStorageFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void FileStorageFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                   config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::unique_ptr<Extension>> FileStorageFactory::create(const CreateSettings& settings,
                                                              const ComponentConfig& cfg) const {
  const auto& c = static_cast<const Config&>(cfg);
  std::string dir = c.directory;
  if (dir.empty()) {
    if (settings.data_dir.empty())
      return Error::config(settings.id.str() + ": directory is required without --data-dir");
    dir = settings.data_dir + "/file_storage/" + exporterhelper::queueDirName(settings.id.str());
  }
  return std::unique_ptr<Extension>(
      std::make_unique<FileStorage>(settings.id.str(), dir, c.create_directory));
}

std::unique_ptr<FileStorageFactory> makeFileStorageFactory() {
  return std::make_unique<FileStorageFactory>();
}

}  // namespace agentgate::components::file_storage
