// The secrets processor: finds secrets in every string of a batch (log bodies, attributes of
// records, spans, span events, links, resources and scopes, nested maps and arrays), replaces or
// drops them, and reports each detection as a finding that never contains the secret.
#pragma once

#include "agentgate/secret_finding.h"

#include <atomic>
#include <memory>
#include <string>

#include "agentgate/component.h"
#include "components/processor/secrets/config.h"
#include "pdata/model.h"
#include "secrets/detector.h"
#include "selftelemetry/registry.h"

namespace agentgate::components::secrets_processor {

// Body of the log records that report a detection.
inline constexpr std::string_view kFindingBody = kSecretFindingName;
inline constexpr std::string_view kFindingScope = "agentgate.secrets";

class SecretsProcessor final : public Processor {
 public:
  SecretsProcessor(Config cfg, std::shared_ptr<const secrets::Detector> detector,
                   std::string component_id, ConsumerPtr next);
  Status start(Host& host) override;
  Status consume(BatchPtr&& batch) override;
  bool mutatesData() const override { return true; }

  // Detections since creation (all signals), for tests and the self-metric.
  uint64_t findingCount() const { return findings_.load(std::memory_order_relaxed); }

  struct Walker;

 private:
  Config cfg_;
  std::shared_ptr<const secrets::Detector> detector_;
  std::string id_;
  ConsumerPtr next_;
  std::atomic<uint64_t> findings_{0};
  selftelemetry::Counter* metric_ = nullptr;
};

}  // namespace agentgate::components::secrets_processor
