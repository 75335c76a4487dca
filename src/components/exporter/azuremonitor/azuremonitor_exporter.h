// The azuremonitor exporter: OTLP -> Application Insights envelopes (src/appinsights, the Go
// exporter's mapping) -> NDJSON + gzip -> POST <IngestionEndpoint>/v2.1/track. Unlike the Go
// exporter, a failure is returned to the sending queue; after a partial success only what the
// service did not take is sent again (Error::pending).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "agentgate/component.h"
#include "appinsights/mapper.h"
#include "components/exporter/azuremonitor/config.h"
#include "components/exporter/azuremonitor/connection_string.h"
#include "components/exporter/azuremonitor/track_sender.h"

namespace agentgate::components::azuremonitor {

class AzureMonitorExporter final : public Exporter {
 public:
  AzureMonitorExporter(std::string id, Config config, Destination destination);
  ~AzureMonitorExporter() override;

  // Resolves auth.authenticator, creates the HTTP client.
  Status start(Host& host) override;
  void shutdown() override;
  Status consume(BatchPtr&& batch) override;

  const Destination& destination() const { return destination_; }
  // The envelopes of `batch` as the exporter sends them (one JSON text each), after the item
  // size cap; `oversize` counts the envelopes left out. For tests and the benchmark.
  std::vector<std::string> serialize(const pdata::Batch& batch, size_t* oversize = nullptr,
                                     size_t* rejected_spans = nullptr) const;

 private:
  std::string id_;
  Config config_;
  Destination destination_;
  appinsights::MapOptions map_options_;
  std::mutex mu_;  // guards sender_ across start/shutdown vs consume
  std::shared_ptr<TrackSender> sender_;
};

}  // namespace agentgate::components::azuremonitor
