#include "components/exporter/file/config.h"

namespace agentgate::components::file {

void readConfig(config::MapReader& reader, Config& cfg) {
  reader.read("path", cfg.path);
  reader.readEnum("format", cfg.format, {"json", "proto"});
  reader.read("append", cfg.append);
  reader.readDuration("flush_interval", cfg.flush_interval);
  if (const config::ConfigNode* rot = reader.child("rotation")) {
    RotationConfig r;
    config::MapReader rr(*rot, reader.diags());
    rr.read("max_megabytes", r.max_megabytes);
    rr.read("max_days", r.max_days);
    rr.read("max_backups", r.max_backups);
    rr.read("localtime", r.localtime);
    rr.finish();
    if (r.max_megabytes <= 0) rr.error("max_megabytes", "must be positive");
    if (r.max_days < 0) rr.error("max_days", "must not be negative");
    if (r.max_backups < 0) rr.error("max_backups", "must not be negative");
    cfg.rotation = r;
  }
  reader.finish();
  if (cfg.path.empty()) reader.error("path", "missing required field 'path'");
  if (cfg.flush_interval.count() < 0) reader.error("flush_interval", "must not be negative");
}

}  // namespace agentgate::components::file
