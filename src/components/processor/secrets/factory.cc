#include "components/processor/secrets/factory.h"

#include <openssl/rand.h>

#include "components/processor/secrets/config.h"
#include "components/processor/secrets/secrets_processor.h"

namespace agentgate::components::secrets_processor {

std::unique_ptr<ComponentConfig> SecretsFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void SecretsFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                               config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Processor>> SecretsFactory::create(const CreateSettings& settings,
                                                          const ComponentConfig& cfg, Signal signal,
                                                          ConsumerPtr next) const {
  (void)signal;
  if (!next) return Error::config(settings.id.str() + ": no next consumer");
  Config c = static_cast<const Config&>(cfg);
  auto det = secrets::Detector::create(c.detector);
  if (!det.ok()) return Error::config(settings.id.str() + ": " + det.error().message);
  if (c.fingerprint_key.empty()) {
    unsigned char key[32];
    if (RAND_bytes(key, sizeof key) != 1)
      return Error::internal(settings.id.str() + ": cannot generate a fingerprint key");
    c.fingerprint_key.assign(reinterpret_cast<const char*>(key), sizeof key);
  }
  return std::shared_ptr<Processor>(std::make_shared<SecretsProcessor>(
      std::move(c), std::move(det).value(), settings.id.str(), std::move(next)));
}

std::unique_ptr<SecretsFactory> makeSecretsFactory() { return std::make_unique<SecretsFactory>(); }

}  // namespace agentgate::components::secrets_processor
