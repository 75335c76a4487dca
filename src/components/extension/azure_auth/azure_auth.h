// The azure_auth extension: a client authenticator that adds "Authorization: Bearer <token>"
// with an Entra access token for the configured scopes, cached and refreshed ahead of expiry.
// No server side: the collector's server path was the GHSA-pjv4-3c63-699f bypass; receivers
// should use bearertokenauth or OIDC instead.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agentgate/auth.h"
#include "agentgate/component.h"
#include "components/extension/azure_auth/config.h"
#include "components/extension/azure_auth/token_source.h"

namespace agentgate::components::azure_auth {

struct RetryPolicy {
  int attempts = 3;  // the SDKs' defaultRetryCount
  std::chrono::milliseconds first_delay{250};
  std::chrono::milliseconds max_delay{2000};  // also caps a token endpoint's Retry-After
};

class AzureAuth final : public Extension, public ClientAuthenticator {
 public:
  AzureAuth(std::string id, Config cfg, Environment env, RetryPolicy retry = {});
  ~AzureAuth() override;

  // Creates the HTTP client and the token source (a certificate is read here). Does not fetch:
  // the first export does, so a slow IMDS never delays startup.
  Status start(Host& host) override;
  void shutdown() override {}

  ClientAuthenticator* asClientAuthenticator() override { return this; }
  Result<std::vector<std::pair<std::string, std::string>>> requestHeaders() override;
  Result<std::vector<std::pair<std::string, std::string>>> requestHeadersFor(
      std::string_view url) override;
  void invalidate() override;

  // A token for `scopes` (space-separated): cached until its refresh time; on a failed refresh a
  // still-valid cached token is used. Errors are retryable (data waits in the queue).
  Result<std::string> token(const std::string& scopes);

  // For tests without a Host.
  Status startWithoutHost();
  uint64_t fetchCount() const { return fetches_.load(); }
  std::string describe() const;

 private:
  Result<AccessToken> fetchWithRetry(const std::string& scopes);

  std::string id_;
  Config cfg_;
  Environment env_;
  RetryPolicy retry_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<TokenSource> source_;
  std::mutex mu_;  // held across a fetch: concurrent exporters wait for one token, not N
  std::map<std::string, AccessToken> cache_;
  std::atomic<uint64_t> fetches_{0};
};

}  // namespace agentgate::components::azure_auth
