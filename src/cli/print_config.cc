// `agentgate print-config --config F`: the config after ${env:...} substitution, secrets masked.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "config/loader.h"

namespace agentgate::cli {

namespace {

int runPrintConfig(const std::string& path) {
  config::Diagnostics diags;
  config::ConfigNode root = config::loadFile(path, config::processEnv(), diags);
  if (diags.hasErrors()) {
    std::cerr << diags.report();
    return 1;
  }
  // Masking is not optional: this output ends up in tickets and chat.
  std::cout << config::toYaml(root, /*mask_secrets=*/true);
  return 0;
}

}  // namespace

void addPrintConfigCommand(CLI::App& app, Action& action) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "print-config", "Print the config with environment variables resolved and secrets masked");
  cmd->add_option("--config,-c", *path, "collector YAML file")->required();
  cmd->callback([&action, path] { action = [path] { return runPrintConfig(*path); }; });
}

}  // namespace agentgate::cli
