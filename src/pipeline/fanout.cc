#include "pipeline/fanout.h"

#include <algorithm>
#include <optional>

#include "pdata/codec.h"
#include "pdata/model.h"

namespace agentgate::pipeline {

FanoutConsumer::FanoutConsumer(std::vector<ConsumerPtr> consumers)
    : consumers_(std::move(consumers)) {
  std::stable_partition(consumers_.begin(), consumers_.end(),
                        [](const ConsumerPtr& c) { return !c->mutatesData(); });
}

bool FanoutConsumer::mutatesData() const {
  return std::any_of(consumers_.begin(), consumers_.end(),
                     [](const ConsumerPtr& c) { return c->mutatesData(); });
}

Status FanoutConsumer::consume(BatchPtr&& batch) {
  std::optional<Error> first_error;
  for (size_t i = 0; i < consumers_.size(); ++i) {
    const bool last = i + 1 == consumers_.size();
    BatchPtr mine = last ? std::move(batch) : pdata::cloneBatch(*batch);
    Status st = consumers_[i]->consume(std::move(mine));
    if (!st.ok() && !first_error) first_error = st.error();
  }
  if (first_error) return *first_error;
  return {};
}

ConsumerPtr makeFanout(std::vector<ConsumerPtr> consumers) {
  if (consumers.size() == 1) return consumers.front();
  return std::make_shared<FanoutConsumer>(std::move(consumers));
}

}  // namespace agentgate::pipeline
