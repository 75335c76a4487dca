// Fan-out: one batch to several consumers (a receiver feeding several pipelines, a pipeline
// feeding several exporters).
#pragma once

#include <vector>

#include "agentgate/component.h"

namespace agentgate::pipeline {

// Consumers that mutate get a private copy; the last consumer receives the original batch, so a
// single consumer costs nothing. The first error is returned after every consumer has been
// offered the batch: a client retry then re-delivers to all, which is at-least-once delivery.
class FanoutConsumer : public Consumer {
 public:
  explicit FanoutConsumer(std::vector<ConsumerPtr> consumers);
  Status consume(BatchPtr&& batch) override;
  bool mutatesData() const override;

 private:
  std::vector<ConsumerPtr> consumers_;  // mutating consumers ordered last
};

// Returns the single consumer itself when there is one, a FanoutConsumer otherwise.
ConsumerPtr makeFanout(std::vector<ConsumerPtr> consumers);

}  // namespace agentgate::pipeline
