// Loading a collector YAML file into a ConfigNode tree with ${env:VAR} substitution.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "agentgate/result.h"
#include "config/config_node.h"
#include "config/diagnostics.h"

namespace agentgate::config {

// Looks up an environment variable; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup processEnv();

// Parses YAML text. `file` names the source in marks. Substitutes ${env:NAME}, ${NAME},
// ${env:NAME:-default} and $$ in scalars; syntax errors and bad substitutions go to diags.
ConfigNode parseYaml(std::string_view text, const std::string& file, const EnvLookup& env,
                     Diagnostics& diags);
// Reads and parses a file; an unreadable file is reported to diags.
ConfigNode loadFile(const std::string& path, const EnvLookup& env, Diagnostics& diags);

// Renders a tree back to YAML, masking values of sensitive keys (token, tokens, connection_string,
// client_secret, instrumentation_key, password, key_file contents never read) as "[REDACTED]".
std::string toYaml(const ConfigNode& root, bool mask_secrets = true);

}  // namespace agentgate::config
