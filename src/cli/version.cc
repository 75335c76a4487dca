// `agentgate version`.
#include <iostream>

#include "cli/commands.h"

#ifndef AGENTGATE_VERSION
#define AGENTGATE_VERSION "unknown"
#endif

namespace agentgate::cli {

namespace {

const char* compilerDescription() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown compiler";
#endif
}

}  // namespace

void addVersionCommand(CLI::App& app, Action& action) {
  CLI::App* cmd = app.add_subcommand("version", "Print the version and how the binary was built");
  cmd->callback([&action] {
    action = [] {
      std::cout << "agentgate " << AGENTGATE_VERSION << "\n"
                << "compiler: " << compilerDescription() << "\n";
#ifdef NDEBUG
      std::cout << "build: release\n";
#else
      std::cout << "build: debug\n";
#endif
      return 0;
    };
  });
}

}  // namespace agentgate::cli
