// `agentgate validate --config F`: loads and builds the whole configuration, reports every problem.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "components/components.h"
#include "config/loader.h"
#include "pipeline/collector_config.h"

namespace agentgate::cli {

namespace {

int runValidate(const std::string& path) {
  config::Diagnostics diags;
  config::ConfigNode root = config::loadFile(path, config::processEnv(), diags);
  // A YAML syntax error leaves no usable tree; building it would only add noise to the report.
  if (!diags.hasErrors()) {
    pipeline::Registry registry;
    components::registerAll(registry);
    (void)pipeline::buildCollectorConfig(root, registry, diags);
  }
  if (diags.hasErrors()) {
    std::cerr << diags.report();
    return 1;
  }
  std::cout << "config OK" << std::endl;
  return 0;
}

}  // namespace

void addValidateCommand(CLI::App& app, Action& action) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check a collector config: every unknown key, bad value and dangling reference");
  cmd->add_option("--config,-c", *path, "collector YAML file")->required();
  cmd->callback([&action, path] { action = [path] { return runValidate(*path); }; });
}

}  // namespace agentgate::cli
