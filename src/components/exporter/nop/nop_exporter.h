// The nop exporter: accepts and discards every batch, counting what it saw (benchmarks, tests).
#pragma once

#include <atomic>
#include <cstdint>

#include "agentgate/component.h"

namespace agentgate::components::nop {

class NopExporter final : public Exporter {
 public:
  Status consume(BatchPtr&& batch) override;
  uint64_t batches() const { return batches_.load(std::memory_order_relaxed); }
  uint64_t items() const { return items_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> items_{0};
};

}  // namespace agentgate::components::nop
