// `agentgate components [--format text|json]`: the compiled-in component types.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "components/components.h"
#include "pipeline/registry.h"

namespace agentgate::cli {

namespace {

constexpr std::pair<ComponentKind, std::string_view> kSections[] = {
    {ComponentKind::kReceiver, "receivers"},
    {ComponentKind::kProcessor, "processors"},
    {ComponentKind::kExporter, "exporters"},
    {ComponentKind::kExtension, "extensions"},
};

std::string jsonString(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

void printText(const pipeline::Registry& registry) {
  for (const auto& [kind, section] : kSections) {
    std::cout << section << ":\n";
    auto factories = registry.all(kind);
    if (factories.empty()) std::cout << "  (none)\n";
    for (const Factory* f : factories) {
      std::cout << "  " << f->type();
      auto aliases = f->aliases();
      if (!aliases.empty()) {
        std::cout << " (alias" << (aliases.size() > 1 ? "es" : "") << ": ";
        for (size_t i = 0; i < aliases.size(); ++i) std::cout << (i ? ", " : "") << aliases[i];
        std::cout << ")";
      }
      if (kind == ComponentKind::kExtension) {
        std::cout << "  stability=" << stabilityName(f->stability(Signal::kLogs));
      } else {
        for (Signal s : kAllSignals) {
          Stability st = f->stability(s);
          if (st != Stability::kUndefined)
            std::cout << "  " << signalName(s) << "=" << stabilityName(st);
        }
      }
      std::cout << "\n";
    }
  }
}

void printJson(const pipeline::Registry& registry) {
  std::cout << "{";
  bool first_section = true;
  for (const auto& [kind, section] : kSections) {
    std::cout << (first_section ? "" : ",") << "\n  " << jsonString(section) << ": [";
    first_section = false;
    bool first = true;
    for (const Factory* f : registry.all(kind)) {
      std::cout << (first ? "" : ",") << "\n    {\"type\": " << jsonString(f->type())
                << ", \"aliases\": [";
      first = false;
      auto aliases = f->aliases();
      for (size_t i = 0; i < aliases.size(); ++i)
        std::cout << (i ? ", " : "") << jsonString(aliases[i]);
      std::cout << "], \"stability\": ";
      if (kind == ComponentKind::kExtension) {
        std::cout << jsonString(stabilityName(f->stability(Signal::kLogs)));
      } else {
        // Only the signals the component supports, like the text form.
        std::cout << "{";
        bool first_signal = true;
        for (Signal s : kAllSignals) {
          Stability st = f->stability(s);
          if (st == Stability::kUndefined) continue;
          std::cout << (first_signal ? "" : ", ") << jsonString(signalName(s)) << ": "
                    << jsonString(stabilityName(st));
          first_signal = false;
        }
        std::cout << "}";
      }
      std::cout << "}";
    }
    std::cout << (first ? "]" : "\n  ]");
  }
  std::cout << "\n}\n";
}

}  // namespace

void addComponentsCommand(CLI::App& app, Action& action) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* cmd = app.add_subcommand(
      "components", "List the compiled-in receivers, processors, exporters and extensions");
  cmd->add_option("--format", *format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([&action, format] {
    action = [format] {
      pipeline::Registry registry;
      components::registerAll(registry);
      if (*format == "json")
        printJson(registry);
      else
        printText(registry);
      return 0;
    };
  });
}

}  // namespace agentgate::cli
