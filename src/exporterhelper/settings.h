// The exporterhelper keys every exporter accepts, as the collector spells them
// (spec/azure-monitor.md 5.9): sending_queue, retry_on_failure, timeout. The pipeline reads them
// for every exporter, so exporters need not.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/map_reader.h"
#include "exporterhelper/persistent_queue.h"

namespace agentgate::exporterhelper {

struct RetrySettings {
  bool enabled = true;
  std::chrono::nanoseconds initial_interval = std::chrono::seconds(5);
  double randomization_factor = 0.5;
  double multiplier = 1.5;
  std::chrono::nanoseconds max_interval = std::chrono::seconds(30);
  // 0 = retry until delivered: our default, since the queue is on disk.
  std::chrono::nanoseconds max_elapsed_time{0};
};

// Consumer-side batching (sending_queue.batch): a consumer merges queued batches of one signal
// until min_size items or flush_timeout, then exports them in one call. It happens after the
// queue, so it never holds acknowledged data only in memory.
struct BatchSettings {
  bool enabled = false;  // on when sending_queue.batch is present
  std::chrono::nanoseconds flush_timeout = std::chrono::milliseconds(200);
  uint64_t min_size = 8192;  // items (log records, spans, data points)
  uint64_t max_size = 0;     // 0 = no cap; queued batches are merged whole, never split
};

struct QueueSettings {
  bool enabled = false;  // default per exporter type (ExporterFactory::queueByDefault)
  int num_consumers = 10;
  uint64_t queue_size = 1000;  // batches (sizer: requests)
  std::string storage;         // file_storage extension id; "" = <data dir>/queue/<exporter id>
  // Ours:
  uint64_t max_size_mib = 1024;  // byte budget of the queue on disk
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  std::chrono::nanoseconds fsync_interval = std::chrono::seconds(1);
  uint64_t segment_size_mib = 8;
  BatchSettings batch;
};

struct HelperSettings {
  QueueSettings queue;
  RetrySettings retry;
  // Per export attempt. Accepted; exporters calling out over the network apply it themselves.
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);
  bool timeout_set = false;  // the config named `timeout` (passed to the exporter's factory)
};

// True for the keys the pipeline takes away from an exporter's own config.
bool isHelperKey(std::string_view key);

// Reads sending_queue / retry_on_failure / timeout from an exporter's config map (other keys are
// left for the exporter). Problems go to the reader's diagnostics.
void readHelperSettings(config::MapReader& reader, HelperSettings& out);

// A directory name for an exporter id ("file/out" -> "file_out").
std::string queueDirName(std::string_view exporter_id);

}  // namespace agentgate::exporterhelper
