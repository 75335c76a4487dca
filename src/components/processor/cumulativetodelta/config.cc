#include "components/processor/cumulativetodelta/config.h"

namespace agentgate::components::cumulativetodelta {

namespace {

void readMatch(config::MapReader& parent, std::string_view key, MatchConfig& out) {
  const config::ConfigNode* node = parent.child(key);
  if (!node) return;
  config::MapReader r(*node, parent.diags());
  r.read("metrics", out.metrics);
  r.readEnum("match_type", out.match_type, {"strict", "regexp"});
  r.read("metric_types", out.metric_types);
  r.ignore("regexp");  // cache settings of the collector's regexp filter
  r.finish();
  if (!out.metrics.empty() && out.match_type.empty())
    r.error("match_type", "match_type must be strict or regexp when metrics are listed");
  for (const auto& t : out.metric_types)
    if (t != "sum" && t != "histogram")
      r.error("metric_types", "unsupported metric type \"" + t + "\" (sum, histogram)");
  if (out.match_type == "regexp") {
    for (const auto& m : out.metrics) {
      // std::regex reports a bad pattern by throwing; this is config time, not the data plane.
      try {
        out.compiled.emplace_back(m, std::regex::ECMAScript | std::regex::optimize);
      } catch (const std::regex_error&) {
        r.error("metrics", "invalid regular expression \"" + m + "\"");
      }
    }
  }
}

}  // namespace

void readConfig(config::MapReader& reader, Config& cfg) {
  readMatch(reader, "include", cfg.include);
  readMatch(reader, "exclude", cfg.exclude);
  if (reader.readDuration("max_staleness", cfg.max_staleness) && cfg.max_staleness.count() < 0)
    reader.error("max_staleness", "must not be negative");
  reader.readEnum("initial_value", cfg.initial_value, {"auto", "keep", "drop"});
  reader.finish();
}

}  // namespace agentgate::components::cumulativetodelta
