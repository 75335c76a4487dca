#include "components/extension/bearertokenauth/config.h"

#include "common/logging.h"

namespace agentgate::components::bearertokenauth {

void readConfig(config::MapReader& reader, Config& cfg) {
  reader.read("header", cfg.header);
  reader.read("scheme", cfg.scheme);
  reader.read("token", cfg.token);
  reader.read("tokens", cfg.tokens);
  reader.read("filename", cfg.filename);
  reader.finish();
  if (auto problem = validate(cfg)) {
    reader.error(problem->key, problem->message);
  } else if (!cfg.filename.empty() && (!cfg.token.empty() || !cfg.tokens.empty())) {
    log::warn("bearertokenauth: 'filename' is set, so 'token'/'tokens' are ignored");
  }
}

std::optional<Problem> validate(const Config& cfg) {
  if (cfg.header.empty()) return Problem{"header", "must not be empty"};
  if (cfg.token.empty() && cfg.tokens.empty() && cfg.filename.empty()) {
    return Problem{"token", "one of 'token', 'tokens' or 'filename' is required"};
  }
  if (!cfg.token.empty() && !cfg.tokens.empty()) {
    return Problem{"tokens", "'token' and 'tokens' are mutually exclusive"};
  }
  for (size_t i = 0; i < cfg.tokens.size(); ++i) {
    if (cfg.tokens[i].empty()) return Problem{"tokens", "entry " + std::to_string(i) + " is empty"};
  }
  return std::nullopt;
}

}  // namespace agentgate::components::bearertokenauth
