#include "exporterhelper/settings.h"

#include <cstdio>

namespace agentgate::exporterhelper {

bool isHelperKey(std::string_view key) {
  return key == "sending_queue" || key == "retry_on_failure" || key == "timeout";
}

void readHelperSettings(config::MapReader& reader, HelperSettings& out) {
  if (reader.readDuration("timeout", out.timeout)) {
    out.timeout_set = true;
    if (out.timeout.count() < 0) reader.error("timeout", "must not be negative");
  }

  if (const config::ConfigNode* q = reader.child("sending_queue")) {
    config::MapReader r(*q, reader.diags());
    QueueSettings& s = out.queue;
    if (!q->isNull()) s.enabled = true;  // a sending_queue section turns the queue on
    r.read("enabled", s.enabled);
    if (r.read("num_consumers", s.num_consumers) && s.num_consumers <= 0)
      r.error("num_consumers", "must be positive");
    if (r.read("queue_size", s.queue_size) && s.queue_size == 0)
      r.error("queue_size", "must be positive");
    r.read("storage", s.storage);
    std::string sizer = "requests";
    if (r.readEnum("sizer", sizer, {"requests", "items", "bytes"}) && sizer != "requests")
      r.error("sizer", "only sizer: requests is supported (max_size_mib bounds the bytes)");
    // Collector keys with no effect here: the queue is always on disk, a full queue is always
    // refused back to the client (retryable), and batching happens in the consumers.
    r.ignore("wait_for_result");
    r.ignore("block_on_overflow");
    r.ignore("blocking");
    if (const config::ConfigNode* b = r.child("batch")) {
      config::MapReader br(*b, reader.diags());
      BatchSettings& bs = s.batch;
      bs.enabled = true;
      if (br.readDuration("flush_timeout", bs.flush_timeout) && bs.flush_timeout.count() < 0)
        br.error("flush_timeout", "must not be negative");
      br.read("min_size", bs.min_size);
      br.read("max_size", bs.max_size);
      std::string bsizer = "items";
      if (br.readEnum("sizer", bsizer, {"items", "requests", "bytes"}) && bsizer != "items")
        br.error("sizer", "only sizer: items is supported for batching");
      br.finish();
      if (bs.max_size != 0 && bs.max_size < bs.min_size)
        br.error("max_size", "must be 0 or at least min_size");
    }
    if (r.read("max_size_mib", s.max_size_mib) && s.max_size_mib == 0)
      r.error("max_size_mib", "must be positive");
    std::string fsync = std::string(fsyncPolicyName(s.fsync));
    if (r.readEnum("fsync", fsync, {"always", "interval", "never"})) {
      s.fsync = fsync == "never"      ? FsyncPolicy::kNever
                : fsync == "interval" ? FsyncPolicy::kInterval
                                      : FsyncPolicy::kAlways;
    }
    if (r.readDuration("fsync_interval", s.fsync_interval) && s.fsync_interval.count() <= 0)
      r.error("fsync_interval", "must be positive");
    if (r.read("segment_size_mib", s.segment_size_mib) && s.segment_size_mib == 0)
      r.error("segment_size_mib", "must be positive");
    r.finish();
  }

  if (const config::ConfigNode* n = reader.child("retry_on_failure")) {
    config::MapReader r(*n, reader.diags());
    RetrySettings& s = out.retry;
    r.read("enabled", s.enabled);
    if (r.readDuration("initial_interval", s.initial_interval) && s.initial_interval.count() <= 0)
      r.error("initial_interval", "must be positive");
    if (r.read("randomization_factor", s.randomization_factor) &&
        (s.randomization_factor < 0 || s.randomization_factor > 1))
      r.error("randomization_factor", "must be between 0 and 1");
    if (r.read("multiplier", s.multiplier) && s.multiplier < 1)
      r.error("multiplier", "must be at least 1");
    if (r.readDuration("max_interval", s.max_interval) && s.max_interval.count() <= 0)
      r.error("max_interval", "must be positive");
    if (r.readDuration("max_elapsed_time", s.max_elapsed_time) && s.max_elapsed_time.count() < 0)
      r.error("max_elapsed_time", "must not be negative");
    r.finish();
  }
}

std::string queueDirName(std::string_view exporter_id) {
  // "type/name" -> "type_name"; other characters a name may hold are %-escaped so that two ids
  // never share a queue directory.
  std::string out;
  for (char c : exporter_id) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
    if (keep) {
      out.push_back(c);
    } else if (c == '/') {
      out.push_back('_');
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

}  // namespace agentgate::exporterhelper
