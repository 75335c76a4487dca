// Parses argv, dispatches to a subcommand, maps its result to the exit code. Nothing else.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "common/logging.h"

int main(int argc, char** argv) {
  agentgate::log::init();
  CLI::App app{"agentgate: an OpenTelemetry collector for coding-agent telemetry"};
  app.require_subcommand(1);
  agentgate::cli::Action action;
  agentgate::cli::addRunCommand(app, action);
  agentgate::cli::addValidateCommand(app, action);
  agentgate::cli::addComponentsCommand(app, action);
  agentgate::cli::addPrintConfigCommand(app, action);
  agentgate::cli::addVersionCommand(app, action);
  agentgate::cli::addQueryCommand(app, action);
  agentgate::cli::addScanCommand(app, action);
  agentgate::cli::addQueueCommand(app, action);
  CLI11_PARSE(app, argc, argv);
  return action ? action() : 2;
}
