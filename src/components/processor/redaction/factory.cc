#include "components/processor/redaction/factory.h"

#include "components/processor/redaction/config.h"
#include "components/processor/redaction/redaction_processor.h"

namespace agentgate::components::redaction {

std::unique_ptr<ComponentConfig> RedactionFactory::createDefaultConfig() const {
  return std::make_unique<Config>();
}

void RedactionFactory::unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                                 config::Diagnostics& diags) const {
  config::MapReader reader(node, diags);
  readConfig(reader, static_cast<Config&>(cfg));
}

Result<std::shared_ptr<Processor>> RedactionFactory::create(const CreateSettings& settings,
                                                            const ComponentConfig& cfg,
                                                            Signal signal, ConsumerPtr next) const {
  (void)signal;
  if (!next) return Error::config(settings.id.str() + ": no next consumer");
  auto p = RedactionProcessor::create(static_cast<const Config&>(cfg), std::move(next));
  if (!p.ok()) return Error::config(settings.id.str() + ": " + p.error().message);
  return std::shared_ptr<Processor>(std::move(p).value());
}

std::unique_ptr<RedactionFactory> makeRedactionFactory() {
  return std::make_unique<RedactionFactory>();
}

}  // namespace agentgate::components::redaction
