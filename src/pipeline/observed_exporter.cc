#include "pipeline/observed_exporter.h"

#include "pdata/model.h"

namespace agentgate::pipeline {

ObservedExporter::ObservedExporter(std::shared_ptr<Exporter> exporter, const std::string& id,
                                   Signal signal, selftelemetry::Registry& registry, bool queued)
    : exporter_(std::move(exporter)),
      sent_(queued ? nullptr
                   : &registry.counter(
                         "otelcol_exporter_sent_" + std::string(signalItemUnit(signal)),
                         {{"exporter", id}}, "Items successfully sent to the destination.")),
      failed_(queued ? registry.counter(
                           "otelcol_exporter_enqueue_failed_" + std::string(signalItemUnit(signal)),
                           {{"exporter", id}}, "Items the sending queue refused.")
                     : registry.counter(
                           "otelcol_exporter_send_failed_" + std::string(signalItemUnit(signal)),
                           {{"exporter", id}}, "Items the exporter failed to send.")) {}

Status ObservedExporter::consume(BatchPtr&& batch) {
  const size_t items = batch->itemCount();
  Status st = exporter_->consume(std::move(batch));
  if (!st.ok())
    failed_.add(items);
  else if (sent_ != nullptr)
    sent_->add(items);
  return st;
}

}  // namespace agentgate::pipeline
