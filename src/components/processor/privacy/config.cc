#include "components/processor/privacy/config.h"

#include <charconv>

#include "common/strings.h"

namespace agentgate::components::privacy {

std::optional<ContentPolicy> parseContentPolicy(std::string_view text) {
  std::string t = strings::toLower(strings::trim(text));
  if (t == "keep") return ContentPolicy{ContentAction::kKeep, 0};
  if (t == "secrets_only") return ContentPolicy{ContentAction::kSecretsOnly, 0};
  if (t == "hash") return ContentPolicy{ContentAction::kHash, 0};
  if (t == "drop") return ContentPolicy{ContentAction::kDrop, 0};
  constexpr std::string_view kTrunc = "truncate(";
  if (t.starts_with(kTrunc) && t.ends_with(")")) {
    std::string_view n =
        strings::trim(std::string_view(t).substr(kTrunc.size(), t.size() - kTrunc.size() - 1));
    size_t v = 0;
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
    if (ec != std::errc() || p != n.data() + n.size() || n.empty()) return std::nullopt;
    return ContentPolicy{ContentAction::kTruncate, v};
  }
  return std::nullopt;
}

std::string contentPolicyName(const ContentPolicy& p) {
  switch (p.action) {
    case ContentAction::kKeep:
      return "keep";
    case ContentAction::kSecretsOnly:
      return "secrets_only";
    case ContentAction::kHash:
      return "hash";
    case ContentAction::kDrop:
      return "drop";
    case ContentAction::kTruncate:
      return "truncate(" + std::to_string(p.truncate_bytes) + ")";
  }
  return "keep";
}

std::optional<IdentityAction> parseIdentityAction(std::string_view text) {
  std::string t = strings::toLower(strings::trim(text));
  if (t == "keep") return IdentityAction::kKeep;
  if (t == "pseudonymise" || t == "pseudonymize") return IdentityAction::kPseudonymise;
  if (t == "drop") return IdentityAction::kDrop;
  return std::nullopt;
}

std::string_view identityActionName(IdentityAction a) {
  switch (a) {
    case IdentityAction::kKeep:
      return "keep";
    case IdentityAction::kPseudonymise:
      return "pseudonymise";
    case IdentityAction::kDrop:
      return "drop";
  }
  return "keep";
}

std::vector<std::string> Config::requiredBefore() const {
  bool needs = content.action == ContentAction::kSecretsOnly;
  for (const auto& [name, p] : fields) needs = needs || p.action == ContentAction::kSecretsOnly;
  if (needs) return {"secrets"};
  return {};
}

namespace {
constexpr std::string_view kContentHelp = "(keep, secrets_only, hash, drop, truncate(N))";
constexpr std::string_view kIdentityHelp = "(keep, pseudonymise, drop)";
}  // namespace

void readConfig(config::MapReader& reader, Config& cfg) {
  std::string text;
  if (reader.read("content", text)) {
    if (auto p = parseContentPolicy(text)) {
      cfg.content = *p;
    } else {
      reader.error("content",
                   "unsupported content policy '" + text + "' " + std::string(kContentHelp));
    }
  }
  std::map<std::string, std::string> fields;
  if (reader.read("fields", fields)) {
    for (const auto& [name, value] : fields) {
      if (auto p = parseContentPolicy(value)) {
        cfg.fields[name] = *p;
      } else {
        reader.error("fields", "unsupported policy '" + value + "' for field '" + name + "' " +
                                   std::string(kContentHelp));
      }
    }
  }
  if (reader.read("identity", text)) {
    if (auto a = parseIdentityAction(text)) {
      cfg.identity = *a;
    } else {
      reader.error("identity",
                   "unsupported identity action '" + text + "' " + std::string(kIdentityHelp));
    }
  }
  std::map<std::string, std::string> ids;
  if (reader.read("identity_fields", ids)) {
    for (const auto& [key, value] : ids) {
      if (auto a = parseIdentityAction(value)) {
        cfg.identity_fields[key] = *a;
      } else {
        reader.error("identity_fields", "unsupported action '" + value + "' for '" + key + "' " +
                                            std::string(kIdentityHelp));
      }
    }
  }
  reader.read("pseudonym_key", cfg.pseudonym_key);
  reader.finish();
}

}  // namespace agentgate::components::privacy
