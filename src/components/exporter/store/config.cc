#include "components/exporter/store/config.h"

#include <algorithm>

namespace agentgate::components::store {

bool Config::appInsights() const {
  return std::find(tables.begin(), tables.end(), "appinsights") != tables.end();
}

bool Config::otel() const {
  return std::find(tables.begin(), tables.end(), "otel") != tables.end();
}

void readConfig(config::MapReader& reader, Config& cfg) {
  reader.read("path", cfg.path);
  reader.read("tables", cfg.tables);
  reader.readDuration("retention", cfg.retention);
  reader.read("max_size_mib", cfg.max_size_mib);
  reader.finish();
  if (auto problem = validate(cfg); !problem.empty()) {
    reader.error(problem.rfind("retention", 0) == 0 ? "retention" : "tables", problem);
  }
}

std::string validate(const Config& cfg) {
  if (cfg.tables.empty()) return "tables: at least one of appinsights, otel is required";
  for (const auto& t : cfg.tables) {
    if (t != "appinsights" && t != "otel") {
      return "tables: unknown table set '" + t + "' (expected appinsights or otel)";
    }
  }
  if (cfg.retention.count() < 0) return "retention must not be negative";
  return {};
}

}  // namespace agentgate::components::store
