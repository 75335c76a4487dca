// The resource processor: applies attribute actions to the resource of every resource group.
#pragma once

#include <memory>

#include "agentgate/component.h"
#include "components/processor/resource/config.h"
#include "pdata/model.h"

namespace agentgate::components::resource {

class ResourceProcessor final : public Processor {
 public:
  ResourceProcessor(Config cfg, ConsumerPtr next) : cfg_(std::move(cfg)), next_(std::move(next)) {}
  Status consume(BatchPtr&& batch) override;
  bool mutatesData() const override { return true; }

 private:
  Config cfg_;
  ConsumerPtr next_;
};

// Applies `actions` in order to `attrs`; new strings are copied into the batch arena.
void applyActions(const std::vector<ActionConfig>& actions, pdata::Attributes& attrs,
                  pdata::Batch& batch);

// Lower-case hex SHA-256 of the value's bytes as the collector defines them (spec 5.5).
std::string hashValue(const pdata::AnyValue& value);

}  // namespace agentgate::components::resource
