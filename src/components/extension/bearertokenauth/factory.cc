#include "components/extension/bearertokenauth/factory.h"

#include "components/extension/bearertokenauth/bearer_token_auth.h"
#include "components/extension/bearertokenauth/config.h"

namespace agentgate::components::bearertokenauth {

std::unique_ptr<ComponentConfig> BearerTokenAuthFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void BearerTokenAuthFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                       config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::unique_ptr<Extension>> BearerTokenAuthFactory::create(
    const CreateSettings& settings, const ComponentConfig& cfg) const {
  const auto& c = static_cast<const Config&>(cfg);
  if (auto problem = validate(c)) {
    return Error::config(settings.id.str() + ": " + problem->message);
  }
  return std::unique_ptr<Extension>(std::make_unique<BearerTokenAuth>(settings.id.str(), c));
}

std::unique_ptr<BearerTokenAuthFactory> makeBearerTokenAuthFactory() {
  return std::make_unique<BearerTokenAuthFactory>();
}

}  // namespace agentgate::components::bearertokenauth
