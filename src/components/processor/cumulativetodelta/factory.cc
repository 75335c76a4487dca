#include "components/processor/cumulativetodelta/factory.h"

#include "components/processor/cumulativetodelta/config.h"
#include "components/processor/cumulativetodelta/cumulative_to_delta.h"

namespace agentgate::components::cumulativetodelta {

std::unique_ptr<ComponentConfig> CumulativeToDeltaFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void CumulativeToDeltaFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                         config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Processor>> CumulativeToDeltaFactory::create(const CreateSettings& settings,
                                                                    const ComponentConfig& cfg,
                                                                    Signal signal,
                                                                    ConsumerPtr next) const {
  if (signal != Signal::kMetrics)
    return Error::config(settings.id.str() + ": cumulativetodelta handles metrics only");
  if (!next) return Error::config(settings.id.str() + ": no next consumer");
  return std::shared_ptr<Processor>(
      std::make_shared<CumulativeToDelta>(static_cast<const Config&>(cfg), std::move(next)));
}

std::unique_ptr<CumulativeToDeltaFactory> makeCumulativeToDeltaFactory() {
  return std::make_unique<CumulativeToDeltaFactory>();
}

}  // namespace agentgate::components::cumulativetodelta
