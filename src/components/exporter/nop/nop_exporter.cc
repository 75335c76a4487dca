#include "components/exporter/nop/nop_exporter.h"

#include "pdata/model.h"

namespace agentgate::components::nop {

Status NopExporter::consume(BatchPtr&& batch) {
  items_.fetch_add(batch->itemCount(), std::memory_order_relaxed);
  batches_.fetch_add(1, std::memory_order_relaxed);
  batch.reset();
  return {};
}

}  // namespace agentgate::components::nop
