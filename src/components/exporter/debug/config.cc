#include "components/exporter/debug/config.h"

namespace agentgate::components::debug {

void readConfig(config::MapReader& reader, Config& cfg) {
  std::string verbosity;
  if (reader.readEnum("verbosity", verbosity, {"basic", "normal", "detailed"})) {
    cfg.verbosity = verbosity == "detailed" ? Verbosity::kDetailed
                    : verbosity == "normal" ? Verbosity::kNormal
                                            : Verbosity::kBasic;
  }
  reader.read("sampling_initial", cfg.sampling_initial);
  reader.read("sampling_thereafter", cfg.sampling_thereafter);
  reader.read("use_internal_logger", cfg.use_internal_logger);
  bool has_paths = reader.read("output_paths", cfg.output_paths);
  reader.ignore("sending_queue");
  reader.finish();
  if (cfg.sampling_initial < 0) reader.error("sampling_initial", "must not be negative");
  if (cfg.sampling_thereafter < 0) reader.error("sampling_thereafter", "must not be negative");
  if (has_paths && cfg.use_internal_logger) {
    reader.error("output_paths", "only allowed with use_internal_logger: false");
  }
}

}  // namespace agentgate::components::debug
