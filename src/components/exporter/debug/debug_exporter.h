// The debug exporter: prints batches (counts, one line per item, or a full dump) and drops them.
#pragma once

#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>

#include "agentgate/component.h"
#include "components/exporter/debug/config.h"

namespace agentgate::components::debug {

class DebugExporter final : public Exporter {
 public:
  // `out` overrides the destination (tests); nullptr = stderr, or the first of output_paths when
  // use_internal_logger is false ("stdout", "stderr" or a file opened for append).
  explicit DebugExporter(Config cfg, std::ostream* out = nullptr);
  Status start(Host& host) override;
  Status consume(BatchPtr&& batch) override;

 private:
  bool sample();

  Config cfg_;
  std::ostream* out_;
  std::unique_ptr<std::ofstream> file_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point window_start_{};
  uint64_t window_count_ = 0;
};

}  // namespace agentgate::components::debug
