// The Azure identity hosts, each a real HTTP server on 127.0.0.1 with its own port as in Azure:
// IMDS (managed identity on a VM/AKS node), the App Service / Container Apps IDENTITY_ENDPOINT,
// and the Entra ID token endpoint (client secret, certificate assertion, federated token).
// Tokens are opaque, live for a configurable time, and are checked by the DCE emulator
// (otlp_endpoint.h) so only a token issued here, unexpired, for Azure Monitor gets data in.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "agentgate/result.h"

namespace agentgate::azure_emulator {

struct IdentityOptions {
  std::string tenant_id = "72f988bf-0000-4000-8000-00000000e1a7";
  std::string client_id = "11111111-2222-4333-8444-555555555555";  // the app registration
  std::string client_secret;    // accepted secret; empty: the secret grant is refused
  std::string certificate_pem;  // certificate whose key must sign client assertions
  std::string federated_token;  // accepted workload-identity (service account) token
  std::string identity_header = "emulator-identity-header";  // App Service X-IDENTITY-HEADER
  // A user-assigned identity's client id the hosts know besides the system-assigned one (empty:
  // any selector is accepted).
  std::string user_assigned_client_id;
  std::string resource = "https://monitor.azure.com";  // the only audience tokens are issued for
  std::chrono::seconds token_lifetime{3600};
};

enum class IdentityHost { kImds, kAppService, kEntra };

struct IdentityStats {
  int requests = 0;
  int issued = 0;
  int refused = 0;            // 4xx for a bad request or credential
  int scripted = 0;           // failNext answers
  std::string last_selector;  // "client_id=...", "object_id=...", "msi_res_id=..." or ""
  std::string last_grant;     // Entra: "client_secret" | "client_assertion" | "federated"
};

enum class TokenCheck { kValid, kUnknown, kExpired, kWrongAudience };

class IdentityEndpoints {
 public:
  static Result<std::unique_ptr<IdentityEndpoints>> start(IdentityOptions options);
  ~IdentityEndpoints();

  // AZURE_POD_IDENTITY_AUTHORITY_HOST value: "http://127.0.0.1:P" (IMDS path appended by clients).
  std::string imdsHost() const;
  // IDENTITY_ENDPOINT value: "http://127.0.0.1:P/msi/token".
  std::string appServiceEndpoint() const;
  // AZURE_AUTHORITY_HOST value: "http://127.0.0.1:P" ("/{tenant}/oauth2/v2.0/token" appended).
  std::string authorityHost() const;
  const IdentityOptions& options() const;

  void setTokenLifetime(std::chrono::seconds lifetime);
  // The next `requests` token requests to `host` get `status` (503/500 = "down").
  void failNext(IdentityHost host, int requests, int status = 503);
  TokenCheck check(std::string_view token, std::string_view resource) const;
  IdentityStats stats(IdentityHost host) const;

  struct State;

 private:
  IdentityEndpoints() = default;
  std::shared_ptr<State> state_;
};

// Verifies an RS256 client assertion against a PEM certificate: signature, x5t, aud, iss, sub,
// exp, nbf. The error says which check failed, never the assertion.
Status verifyClientAssertion(std::string_view jwt, std::string_view certificate_pem,
                             std::string_view client_id, std::string_view audience);

}  // namespace agentgate::azure_emulator
