// Reads a collector `cors:` map (confighttp) into CorsConfig.
#pragma once

#include "config/map_reader.h"
#include "net/http_server.h"

namespace agentgate::net {

// Keys: allowed_origins (list), allowed_headers (list), max_age (seconds). Reports a bad origin
// pattern (more than one '*', or a '*' that is not the whole value or a leading subdomain label).
void unmarshalCors(const config::ConfigNode& node, CorsConfig& out, config::Diagnostics& diags);

// True when `origin` (the request's Origin header) is allowed by `config`.
bool corsOriginAllowed(const CorsConfig& config, std::string_view origin);

}  // namespace agentgate::net
