#include "components/extension/file_storage/file_storage.h"

#include <filesystem>

namespace agentgate::components::file_storage {

Status FileStorage::start(Host&) {
  std::error_code ec;
  if (create_) std::filesystem::create_directories(directory_, ec);
  if (ec) return Error::io("cannot create directory " + directory_ + ": " + ec.message());
  if (!std::filesystem::is_directory(directory_, ec))
    return Error::config("directory " + directory_ + " does not exist");
  return {};
}

}  // namespace agentgate::components::file_storage
