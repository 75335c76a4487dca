#include "components/receiver/otlp/factory.h"

#include "components/receiver/otlp/config.h"
#include "components/receiver/otlp/otlp_receiver.h"

namespace agentgate::components {
namespace {

using otlpreceiver::OtlpReceiverConfig;

class OtlpReceiverFactory final : public ReceiverFactory {
 public:
  std::string_view type() const override { return "otlp"; }
  Stability stability(Signal) const override { return Stability::kStable; }
  std::unique_ptr<ComponentConfig> createDefaultConfig() const override {
    return std::make_unique<OtlpReceiverConfig>();
  }
  void unmarshal(const config::ConfigNode& node, ComponentConfig& cfg,
                 config::Diagnostics& diags) const override {
    otlpreceiver::unmarshalConfig(node, static_cast<OtlpReceiverConfig&>(cfg), diags);
  }
  Result<std::unique_ptr<Receiver>> create(const CreateSettings& settings,
                                           const ComponentConfig& cfg,
                                           ReceiverConsumers next) const override {
    const auto* typed = dynamic_cast<const OtlpReceiverConfig*>(&cfg);
    if (!typed) return Error::internal("otlp receiver: wrong config type");
    if (auto st = typed->validate(); !st.ok()) return st.takeError();
    return std::unique_ptr<Receiver>(
        std::make_unique<otlpreceiver::OtlpReceiver>(settings, *typed, std::move(next)));
  }
};

}  // namespace

std::unique_ptr<ReceiverFactory> makeOtlpReceiverFactory() {
  return std::make_unique<OtlpReceiverFactory>();
}

}  // namespace agentgate::components
