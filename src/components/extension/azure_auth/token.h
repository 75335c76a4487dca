// Entra / managed identity token responses and when to refresh them (spec 4.6.6).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agentgate/result.h"

namespace agentgate::components::azure_auth {

using WallClock = std::chrono::system_clock;

struct AccessToken {
  std::string token;  // never logged, never in an error message
  WallClock::time_point expires_at;
  WallClock::time_point refresh_at;  // fetch a new one from here on
};

// Parses an OAuth2 token response (access_token; expires_in or expires_on as number or string;
// expires_on also as "MM/dd/yyyy HH:mm:ss", "yyyy-MM-dd HH:mm:ss" or RFC 3339; refresh_in).
// `managed_identity` applies MSAL's "refresh at half the lifetime when over 2 h" rule. Errors
// name the missing field, never a value.
Result<AccessToken> parseTokenResponse(std::string_view body, WallClock::time_point now,
                                       bool managed_identity);

// When a token received at `now` that expires at `expires_at` should be refreshed: MSAL's
// 5 minutes before expiry, but never later than 90 % into a short lifetime (test tokens of
// seconds still refresh ahead of expiry).
WallClock::time_point refreshTime(WallClock::time_point now, WallClock::time_point expires_at,
                                  std::optional<std::chrono::seconds> refresh_in,
                                  bool managed_identity);

// "error" (and "error_codes") of an Entra error body, for error messages: the code is safe to
// show, the description may quote request values so it is left out.
std::string oauthErrorCode(std::string_view body);

// application/x-www-form-urlencoded / query-string encoding.
std::string urlEncode(std::string_view s);
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

// "https://monitor.azure.com/.default" -> "https://monitor.azure.com" (managed identity wants a
// resource, not a scope).
std::string scopeToResource(std::string_view scope);

// "https://host:port/path" -> "host:port"; empty when not a URL.
std::string urlHost(std::string_view url);

}  // namespace agentgate::components::azure_auth
