// The bearertokenauth extension: a static or file-backed set of bearer tokens checked in
// constant time on the server side, and the first token sent on the client side.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agentgate/auth.h"
#include "agentgate/component.h"
#include "components/extension/bearertokenauth/config.h"

namespace agentgate::components::bearertokenauth {

class BearerTokenAuth final : public Extension,
                              public ServerAuthenticator,
                              public ClientAuthenticator {
 public:
  // `id` is the component id ("bearertokenauth/ingest"); it names identities, never the token.
  BearerTokenAuth(std::string id, Config cfg);
  ~BearerTokenAuth() override;

  // Loads the token file (when configured) and starts watching its directory.
  Status start(Host& host) override;
  void shutdown() override;

  ServerAuthenticator* asServerAuthenticator() override { return this; }
  ClientAuthenticator* asClientAuthenticator() override { return this; }

  Result<AuthIdentity> authenticate(const HeaderLookup& headers) const override;
  Result<std::vector<std::pair<std::string, std::string>>> requestHeaders() override;

  // Re-reads the token file now; the watcher calls this on every change in the directory.
  Status reload();

 private:
  using Values = std::vector<std::string>;  // full expected header values ("Bearer <token>")
  std::shared_ptr<const Values> values() const;
  void setTokens(const std::vector<std::string>& tokens);
  void watchLoop(int inotify_fd, int stop_fd);

  std::string id_;
  Config cfg_;
  mutable std::mutex mu_;
  std::shared_ptr<const Values> values_;
  std::thread watcher_;
  int stop_fd_ = -1;
};

// Splits a token file: one token per line, surrounding whitespace trimmed, blank lines skipped.
std::vector<std::string> parseTokenFile(std::string_view text);

}  // namespace agentgate::components::bearertokenauth
