// Fuzzes the config path end to end: YAML -> ConfigNode (with ${env:...} substitution) ->
// buildCollectorConfig with every compiled-in factory -> print-config rendering. Any input must
// end in diagnostics, never a crash, hang or unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/logging.h"
#include "components/components.h"
#include "config/loader.h"
#include "pipeline/collector_config.h"

namespace {

const agentgate::pipeline::Registry& registry() {
  static const agentgate::pipeline::Registry* r = [] {
    auto* reg = new agentgate::pipeline::Registry();
    agentgate::components::registerAll(*reg);
    return reg;
  }();
  return *r;
}

// A fixed environment so runs are reproducible: one set variable, one empty, the rest unset.
std::optional<std::string> fakeEnv(std::string_view name) {
  if (name == "FUZZ_SET") return std::string("value-1");
  if (name == "FUZZ_EMPTY") return std::string();
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Unset-variable warnings would flood the fuzzer's output.
  agentgate::log::init("error");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  agentgate::config::Diagnostics diags;
  agentgate::config::ConfigNode root =
      agentgate::config::parseYaml(text, "fuzz.yaml", fakeEnv, diags);
  (void)agentgate::config::toYaml(root);
  (void)agentgate::pipeline::buildCollectorConfig(root, registry(), diags);
  (void)diags.report();
  return 0;
}
