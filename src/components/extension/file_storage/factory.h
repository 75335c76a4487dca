// Factory of the file_storage extension.
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components::file_storage {

class FileStorageFactory final : public ExtensionFactory {
 public:
  std::string_view type() const override { return "file_storage"; }
  Stability stability(Signal) const override { return Stability::kBeta; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override;
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override;
  Result<std::unique_ptr<Extension>> create(const CreateSettings& settings,
                                            const ComponentConfig& cfg) const override;
};

std::unique_ptr<FileStorageFactory> makeFileStorageFactory();

}  // namespace agentgate::components::file_storage
