#include "net/cors_config.h"

#include <algorithm>

#include "common/strings.h"

namespace agentgate::net {

namespace {

bool validPattern(std::string_view p) {
  size_t stars = std::count(p.begin(), p.end(), '*');
  if (stars == 0 || p == "*") return true;
  if (stars > 1) return false;
  // "scheme://*.domain" only.
  size_t scheme_end = p.find("://");
  return scheme_end != std::string_view::npos && p.substr(scheme_end + 3, 2) == "*." &&
         p.size() > scheme_end + 5;
}

}  // namespace

void unmarshalCors(const config::ConfigNode& node, CorsConfig& out, config::Diagnostics& diags) {
  config::MapReader r(node, diags);
  r.read("allowed_origins", out.allowed_origins);
  r.read("allowed_headers", out.allowed_headers);
  r.read("max_age", out.max_age);
  for (const auto& o : out.allowed_origins) {
    if (!validPattern(o)) {
      r.error("allowed_origins", "invalid origin pattern \"" + o +
                                     "\": use \"*\", an exact origin or \"https://*.example.com\"");
    }
  }
  if (out.max_age < 0) r.error("max_age", "max_age must not be negative");
  r.finish();
}

}  // namespace agentgate::net
