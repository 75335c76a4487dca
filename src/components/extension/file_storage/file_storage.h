// file_storage extension: a directory where exporters' persistent sending queues live
// (sending_queue.storage: file_storage[/name]).
#pragma once

#include <string>

#include "components/extension/file_storage/config.h"
#include "exporterhelper/storage.h"

namespace agentgate::components::file_storage {

class FileStorage final : public exporterhelper::StorageExtension {
 public:
  FileStorage(std::string id, std::string directory, bool create_directory)
      : id_(std::move(id)), directory_(std::move(directory)), create_(create_directory) {}
  Status start(Host& host) override;
  std::string directory() const override { return directory_; }

 private:
  std::string id_;
  std::string directory_;
  bool create_;
};

}  // namespace agentgate::components::file_storage
