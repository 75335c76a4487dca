#include "components/extension/azure_auth/azure_auth.h"

#include <thread>

#include "common/logging.h"

namespace agentgate::components::azure_auth {

AzureAuth::AzureAuth(std::string id, Config cfg, Environment env, RetryPolicy retry)
    : id_(std::move(id)), cfg_(std::move(cfg)), env_(std::move(env)), retry_(retry) {}

AzureAuth::~AzureAuth() = default;

Status AzureAuth::start(Host& host) {
  (void)host;
  return startWithoutHost();
}

Status AzureAuth::startWithoutHost() {
  net::HttpClientOptions opts;
  opts.timeout = std::chrono::seconds(30);
  opts.connect_timeout = std::chrono::seconds(5);
  opts.max_response_bytes = 1u << 20;
  opts.user_agent = "agentgate azure_auth";
  auto http = net::HttpClient::create(std::move(opts));
  if (!http) return Error::config(id_ + ": " + http.error().message);
  http_ = std::move(http.value());
  auto source = makeTokenSource(cfg_, env_, *http_);
  if (!source) return Error::config(id_ + ": " + source.error().message);
  source_ = std::move(source.value());
  log::info("{}: tokens from {}", id_, source_->describe());
  return {};
}

std::string AzureAuth::describe() const { return source_ ? source_->describe() : "not started"; }

Result<AccessToken> AzureAuth::fetchWithRetry(const std::string& scopes) {
  auto delay = retry_.first_delay;
  Error last = Error::unavailable("no attempt made");
  for (int attempt = 1; attempt <= retry_.attempts; ++attempt) {
    fetches_.fetch_add(1);
    auto token = source_->fetch(scopes, WallClock::now());
    if (token) return token;
    last = token.takeError();
    if (last.permanent || attempt == retry_.attempts) break;
    auto wait = delay;
    if (last.retry_after.count() > 0)
      wait = std::chrono::duration_cast<std::chrono::milliseconds>(last.retry_after);
    std::this_thread::sleep_for(std::min(wait, retry_.max_delay));
    delay = std::min(delay * 2, retry_.max_delay);
  }
  return last;
}

Result<std::string> AzureAuth::token(const std::string& scopes) {
  if (!source_) return Error::unavailable(id_ + ": extension not started");
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = WallClock::now();
  auto it = cache_.find(scopes);
  if (it != cache_.end() && now < it->second.refresh_at) return it->second.token;

  auto fresh = fetchWithRetry(scopes);
  if (fresh) {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(fresh->expires_at - now);
    log::debug("{}: new token for {}, expires in {}s", id_, scopes, secs.count());
    std::string token = fresh->token;
    cache_[scopes] = std::move(fresh.value());
    return token;
  }
  Error e = fresh.takeError();
  // The refresh failed but the cached token has not expired yet (refresh runs ahead of expiry
  // precisely so that a token endpoint outage shorter than the margin costs nothing).
  if (it != cache_.end() && now + std::chrono::seconds(1) < it->second.expires_at) {
    log::warn("{}: token refresh failed, using the cached token until it expires: {}", id_,
              e.message);
    return it->second.token;
  }
  log::warn("{}: {}", id_, e.message);
  // Retryable for the exporter whatever the cause: a bad secret or a missing role assignment is
  // fixed in Azure, and the data should still be there when it is.
  e.code = ErrorCode::kUnavailable;
  e.permanent = false;
  e.message = id_ + ": " + e.message;
  return e;
}

Result<std::vector<std::pair<std::string, std::string>>> AzureAuth::requestHeaders() {
  if (cfg_.scopes.empty())
    return Error::invalid(id_ + ": no scopes configured and no request URL to derive one from");
  return requestHeadersFor("");
}

Result<std::vector<std::pair<std::string, std::string>>> AzureAuth::requestHeadersFor(
    std::string_view url) {
  std::string scopes;
  for (const auto& s : cfg_.scopes) scopes += (scopes.empty() ? "" : " ") + s;
  if (scopes.empty()) {
    // The collector's fallback: the destination host's own audience.
    std::string host = urlHost(url);
    if (host.empty()) return Error::invalid(id_ + ": cannot derive a scope from the request URL");
    if (auto colon = host.rfind(':');
        colon != std::string::npos && host.find(']') == std::string::npos)
      host.resize(colon);
    scopes = "https://" + host + "/.default";
  }
  auto t = token(scopes);
  if (!t) return t.takeError();
  return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + t.value()}};
}

void AzureAuth::invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.clear();
}

}  // namespace agentgate::components::azure_auth
