// Subcommands of the agentgate binary: one file each, registered with CLI11 in main.cc.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace agentgate::cli {

// Each function adds its subcommand to `app` and sets `action` to run it when selected;
// the action returns the process exit code.
using Action = std::function<int()>;

void addRunCommand(CLI::App& app, Action& action);
void addValidateCommand(CLI::App& app, Action& action);
void addComponentsCommand(CLI::App& app, Action& action);
void addPrintConfigCommand(CLI::App& app, Action& action);
void addVersionCommand(CLI::App& app, Action& action);
void addQueryCommand(CLI::App& app, Action& action);
void addScanCommand(CLI::App& app, Action& action);
void addQueueCommand(CLI::App& app, Action& action);

}  // namespace agentgate::cli
