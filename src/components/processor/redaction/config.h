// redaction processor configuration: the keys of the OpenTelemetry collector's redaction
// processor (spec/azure-monitor.md section 5.6), so a migrated config keeps its behaviour.
#pragma once

#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::redaction {

enum class HashFunction { kNone, kMd5, kSha1, kSha3, kHmacSha256, kHmacSha512 };
enum class Summary { kSilent, kInfo, kDebug };

struct Config : ComponentConfig {
  bool allow_all_keys = false;
  std::vector<std::string> allowed_keys;  // fail-closed: empty removes every attribute
  std::vector<std::string> ignored_keys;
  std::vector<std::string> ignored_key_patterns;  // RE2 (Go regexp) syntax, as every list below
  std::vector<std::string> blocked_key_patterns;
  std::vector<std::string> blocked_values;
  std::vector<std::string> allowed_values;
  bool redact_all_types = false;
  HashFunction hash_function = HashFunction::kNone;
  std::string hmac_key;
  // Unset behaves as upstream's default config: no summary attributes.
  Summary summary = Summary::kSilent;
};

void readConfig(config::MapReader& reader, Config& cfg);

}  // namespace agentgate::components::redaction
