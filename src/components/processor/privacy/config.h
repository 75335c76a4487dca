// privacy processor configuration: the content policy per field and the identity policy.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::privacy {

enum class ContentAction { kKeep, kSecretsOnly, kHash, kDrop, kTruncate };
enum class IdentityAction { kKeep, kPseudonymise, kDrop };

struct ContentPolicy {
  ContentAction action = ContentAction::kSecretsOnly;
  size_t truncate_bytes = 0;  // kTruncate only
  bool operator==(const ContentPolicy&) const = default;
};

// "keep", "secrets_only", "hash", "drop", "truncate(N)"; nullopt when malformed.
std::optional<ContentPolicy> parseContentPolicy(std::string_view text);
std::string contentPolicyName(const ContentPolicy& p);
std::optional<IdentityAction> parseIdentityAction(std::string_view text);
std::string_view identityActionName(IdentityAction a);

struct Config : ComponentConfig {
  // Applies to every content field not named in `fields`.
  ContentPolicy content;
  // Field name (built-in, see policy.h, or any attribute key) -> policy. The defaults drop the raw
  // API bodies: they repeat the prompt, the tool results and the whole system prompt.
  std::map<std::string, ContentPolicy, std::less<>> fields = {
      {"api_request_body", {ContentAction::kDrop, 0}},
      {"api_response_body", {ContentAction::kDrop, 0}},
  };
  // Applies to every identity attribute not named in `identity_fields`.
  IdentityAction identity = IdentityAction::kPseudonymise;
  // Identity attribute key -> action; a key not in the built-in list becomes an identity
  // attribute. Defaults keep the ids that are already opaque or company-wide.
  std::map<std::string, IdentityAction, std::less<>> identity_fields = {
      {"user.id", IdentityAction::kKeep},
      {"organization.id", IdentityAction::kKeep},
      {"enduser.pseudo.id", IdentityAction::kKeep},
  };
  // HMAC-SHA256 key of pseudonyms and content hashes. Empty: $AGENTGATE_PRIVACY_KEY, else a random
  // key per process (pseudonyms then correlate within one run only).
  std::string pseudonym_key;

  // secrets_only relies on the secrets processor having scanned the value already.
  std::vector<std::string> requiredBefore() const override;
};

void readConfig(config::MapReader& reader, Config& cfg);

}  // namespace agentgate::components::privacy
