// secrets processor configuration.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"
#include "secrets/detector.h"

namespace agentgate::components::secrets_processor {

// What happens to a value that holds a secret. Ordered by strength: when several findings in one
// value ask for different actions, the strongest wins.
enum class Action { kRedact, kHash, kDropAttribute, kDropRecord };
std::optional<Action> parseAction(std::string_view name);
std::string_view actionName(Action a);

struct Config : ComponentConfig {
  Action action = Action::kRedact;
  // Per rule id or type name ("github-pat", "aws-access-key-id"): overrides `action`.
  std::map<std::string, Action, std::less<>> rule_actions;
  // HMAC key for fingerprints. Empty: a random key per process (fingerprints then correlate
  // within one run only); set it (e.g. ${env:AGENTGATE_SECRETS_KEY}) to correlate across runs.
  std::string fingerprint_key;
  bool emit_findings = true;
  secrets::Confidence min_confidence = secrets::Confidence::kLow;
  std::vector<std::string> user_attributes = {"user.id", "user.email", "user.account_uuid"};
  secrets::DetectorOptions detector = [] {
    secrets::DetectorOptions d;
    d.report_examples = true;
    return d;
  }();
};

void readConfig(config::MapReader& reader, Config& cfg);

}  // namespace agentgate::components::secrets_processor
