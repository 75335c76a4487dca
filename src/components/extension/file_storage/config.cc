#include "components/extension/file_storage/config.h"

namespace agentgate::components::file_storage {

void readConfig(config::MapReader& reader, Config& cfg) {
  reader.read("directory", cfg.directory);
  reader.read("create_directory", cfg.create_directory);
  reader.readDuration("timeout", cfg.timeout);
  // Collector keys with no meaning for a segment-log queue: compaction (bbolt), fsync (the
  // queue's own sending_queue.fsync policy decides), directory_permissions.
  reader.ignore("compaction");
  reader.ignore("fsync");
  reader.ignore("directory_permissions");
  reader.finish();
  if (cfg.timeout.count() < 0) reader.error("timeout", "must not be negative");
}

}  // namespace agentgate::components::file_storage
