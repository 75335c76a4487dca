// Where azure_auth gets tokens: Azure IMDS, the App Service / Container Apps identity endpoint,
// or the Entra token endpoint (client secret, certificate assertion, federated token). One
// attempt per fetch(); retries, caching and refresh are the extension's.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "agentgate/result.h"
#include "components/extension/azure_auth/config.h"
#include "components/extension/azure_auth/token.h"
#include "net/http_client.h"

namespace agentgate::components::azure_auth {

// The environment variables the Azure SDKs read, captured once (tests pass their own):
// IDENTITY_ENDPOINT, IDENTITY_HEADER, AZURE_POD_IDENTITY_AUTHORITY_HOST, AZURE_AUTHORITY_HOST,
// AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_SECRET,
// AZURE_CLIENT_CERTIFICATE_PATH.
using Environment = std::map<std::string, std::string, std::less<>>;
Environment processEnvironment();

inline constexpr std::string_view kDefaultAuthorityHost = "https://login.microsoftonline.com";
inline constexpr std::string_view kDefaultImdsHost = "http://169.254.169.254";
inline constexpr std::string_view kImdsTokenPath = "/metadata/identity/oauth2/token";

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // For logs and error messages: the flow and the host it talks to, never a credential.
  virtual std::string describe() const = 0;
  // One token request for `scopes` (space-separated). Errors: permanent=false when the status or
  // transport failure is one the SDKs retry.
  virtual Result<AccessToken> fetch(std::string_view scopes, WallClock::time_point now) = 0;
};

// Picks and prepares the flow the config names (use_default: client secret, certificate,
// workload identity, managed identity, in the SDKs' order, from the environment). Reads the
// certificate now, so a bad PEM is a startup error.
Result<std::unique_ptr<TokenSource>> makeTokenSource(const Config& cfg, const Environment& env,
                                                     net::HttpClient& http);

}  // namespace agentgate::components::azure_auth
