// Authenticator interfaces provided by extensions (bearertokenauth, azure_auth).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agentgate/result.h"

namespace agentgate {

// Read access to request headers / gRPC metadata. Lookups are case-insensitive.
class HeaderLookup {
 public:
  virtual ~HeaderLookup() = default;
  virtual std::optional<std::string_view> get(std::string_view name) const = 0;
};

// The identity an authenticator established. Never holds the credential itself.
struct AuthIdentity {
  std::string subject;  // e.g. "token#2" or a name configured for the token
  std::vector<std::pair<std::string, std::string>> attributes;  // exposed as auth.<key>
};

class ServerAuthenticator {
 public:
  virtual ~ServerAuthenticator() = default;
  // kUnauthenticated on failure; the message must never contain the presented credential.
  virtual Result<AuthIdentity> authenticate(const HeaderLookup& headers) const = 0;
};

class ClientAuthenticator {
 public:
  virtual ~ClientAuthenticator() = default;
  // Headers to add to an outgoing request (e.g. Authorization: Bearer <token>).
  virtual Result<std::vector<std::pair<std::string, std::string>>> requestHeaders() = 0;
  // Headers for a request to `url`: an authenticator may derive its audience from the host
  // (azure_auth without `scopes`). The default ignores the URL.
  virtual Result<std::vector<std::pair<std::string, std::string>>> requestHeadersFor(
      std::string_view url) {
    (void)url;
    return requestHeaders();
  }
  // The destination answered 401 to the headers last given: drop any cached credential so the
  // next requestHeaders() fetches a fresh one. No-op for static credentials.
  virtual void invalidate() {}
};

}  // namespace agentgate
