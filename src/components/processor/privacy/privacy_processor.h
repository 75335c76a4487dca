// The privacy processor: the company's content policy, enforced at the collector whatever the
// clients' own gates say. Each content field (prompts, tool input/output, raw API bodies, GenAI
// messages) is kept, left to the secrets processor, hashed, dropped or truncated; identity
// attributes are kept, pseudonymised with a keyed HMAC, or dropped.
#pragma once

#include <atomic>
#include <string>

#include "agentgate/component.h"
#include "components/processor/privacy/config.h"
#include "components/processor/privacy/policy.h"
#include "pdata/model.h"
#include "selftelemetry/registry.h"

namespace agentgate::components::privacy {

class PrivacyProcessor final : public Processor {
 public:
  // `key` is the HMAC key of pseudonyms and content hashes (never empty here).
  PrivacyProcessor(const Config& cfg, std::string key, std::string component_id, ConsumerPtr next);
  Status start(Host& host) override;
  Status consume(BatchPtr&& batch) override;
  bool mutatesData() const override { return true; }

  // Values changed since creation, per action, for tests and the self-metrics.
  struct Counts {
    std::atomic<uint64_t> dropped{0}, hashed{0}, truncated{0}, pseudonymised{0};
  };
  const Counts& counts() const { return counts_; }

  struct Walker;

 private:
  Policy policy_;
  std::string key_;
  std::string id_;
  ConsumerPtr next_;
  Counts counts_;
  selftelemetry::Counter* metric_dropped_ = nullptr;
  selftelemetry::Counter* metric_hashed_ = nullptr;
  selftelemetry::Counter* metric_truncated_ = nullptr;
  selftelemetry::Counter* metric_pseudonymised_ = nullptr;
};

// Lower-case hex HMAC-SHA256(key, data): the pseudonym of an identity value and the content hash.
std::string hmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace agentgate::components::privacy
