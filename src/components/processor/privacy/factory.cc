#include "components/processor/privacy/factory.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "common/logging.h"
#include "components/processor/privacy/config.h"
#include "components/processor/privacy/privacy_processor.h"

namespace agentgate::components::privacy {

std::unique_ptr<ComponentConfig> PrivacyFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void PrivacyFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                               config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Processor>> PrivacyFactory::create(const CreateSettings& settings,
                                                          const ComponentConfig& cfg, Signal signal,
                                                          ConsumerPtr next) const {
  (void)signal;
  if (!next) return Error::config(settings.id.str() + ": no next consumer");
  const auto& c = static_cast<const Config&>(cfg);
  std::string key = c.pseudonym_key;
  if (key.empty()) {
    if (const char* env = std::getenv("AGENTGATE_PRIVACY_KEY"); env != nullptr) key = env;
  }
  if (key.empty()) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
      return Error::internal(settings.id.str() + ": cannot generate a pseudonym key");
    key.assign(reinterpret_cast<const char*>(bytes), sizeof bytes);
    log::warn(
        "{}: no pseudonym_key and no AGENTGATE_PRIVACY_KEY; pseudonyms and hashes use a random "
        "key and will not match across restarts",
        settings.id.str());
  }
  return std::shared_ptr<Processor>(
      std::make_shared<PrivacyProcessor>(c, std::move(key), settings.id.str(), std::move(next)));
}

std::unique_ptr<PrivacyFactory> makePrivacyFactory() { return std::make_unique<PrivacyFactory>(); }

}  // namespace agentgate::components::privacy
