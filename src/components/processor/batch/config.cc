#include "components/processor/batch/config.h"

namespace agentgate::components::batch {

void readConfig(config::MapReader& reader, Config& cfg) {
  reader.read("send_batch_size", cfg.send_batch_size);
  reader.readDuration("timeout", cfg.timeout);
  bool has_max = reader.read("send_batch_max_size", cfg.send_batch_max_size);
  reader.read("metadata_keys", cfg.metadata_keys);
  reader.read("metadata_cardinality_limit", cfg.metadata_cardinality_limit);
  reader.finish();
  if (cfg.timeout.count() < 0) reader.error("timeout", "must not be negative");
  if (has_max && cfg.send_batch_max_size != 0 && cfg.send_batch_max_size < cfg.send_batch_size) {
    reader.error("send_batch_max_size", "must be greater than or equal to send_batch_size");
  }
}

}  // namespace agentgate::components::batch
