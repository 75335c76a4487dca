#include "components/processor/batch/factory.h"

#include "components/processor/batch/batch_processor.h"
#include "components/processor/batch/config.h"

namespace agentgate::components::batch {

std::unique_ptr<ComponentConfig> BatchFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void BatchFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                             config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Processor>> BatchFactory::create(const CreateSettings& settings,
                                                        const ComponentConfig& cfg, Signal signal,
                                                        ConsumerPtr next) const {
  (void)signal;
  if (!next) return Error::config(settings.id.str() + ": no next consumer");
  return std::shared_ptr<Processor>(
      std::make_shared<BatchProcessor>(static_cast<const Config&>(cfg), std::move(next)));
}

std::unique_ptr<BatchFactory> makeBatchFactory() { return std::make_unique<BatchFactory>(); }

}  // namespace agentgate::components::batch
