// Origin matching lives apart from the config reader so the server does not pull in the config
// layer's objects.
#include <string_view>

#include "common/strings.h"
#include "net/cors_config.h"

namespace agentgate::net {

namespace {

bool isHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

}  // namespace

bool corsOriginAllowed(const CorsConfig& config, std::string_view origin) {
  for (const auto& pattern : config.allowed_origins) {
    if (pattern == "*") return true;
    size_t star = pattern.find('*');
    if (star == std::string::npos) {
      // Scheme and host are case-insensitive; browsers send them lower-cased anyway.
      if (strings::iequals(pattern, origin)) return true;
      continue;
    }
    // "https://*.example.com": prefix "https://", suffix ".example.com", and at least one
    // character of subdomain in between.
    std::string_view prefix = std::string_view(pattern).substr(0, star);
    std::string_view suffix = std::string_view(pattern).substr(star + 1);
    if (origin.size() > prefix.size() + suffix.size() &&
        strings::iequals(origin.substr(0, prefix.size()), prefix) &&
        strings::iequals(origin.substr(origin.size() - suffix.size()), suffix)) {
      // The wildcard stands for subdomain labels only, never for ":port", "/" or "@".
      std::string_view middle =
          origin.substr(prefix.size(), origin.size() - prefix.size() - suffix.size());
      bool labels = true;
      for (char c : middle) labels = labels && isHostChar(c);
      if (labels) return true;
    }
  }
  return false;
}

}  // namespace agentgate::net
