// The batch processor, for now a pass-through: it accepts the collector's keys so configs written
// for the collector load, and forwards every batch unchanged (see README).
#pragma once

#include "agentgate/component.h"
#include "components/processor/batch/config.h"

namespace agentgate::components::batch {

class BatchProcessor final : public Processor {
 public:
  BatchProcessor(Config cfg, ConsumerPtr next) : cfg_(std::move(cfg)), next_(std::move(next)) {}
  Status consume(BatchPtr&& batch) override { return next_->consume(std::move(batch)); }

 private:
  Config cfg_;
  ConsumerPtr next_;
};

}  // namespace agentgate::components::batch
