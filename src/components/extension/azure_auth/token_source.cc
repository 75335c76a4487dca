#include "components/extension/azure_auth/token_source.h"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "components/extension/azure_auth/client_assertion.h"

namespace agentgate::components::azure_auth {

namespace {

std::string envOr(const Environment& env, std::string_view name, const std::string& fallback) {
  if (!fallback.empty()) return fallback;
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

std::string trimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

bool retryable(int status, bool imds) {
  if (imds) {
    return status == 404 || status == 410 || status == 429 || (status >= 500 && status <= 511);
  }
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

// Sends a token request and parses the answer. `what` names the flow and host.
Result<AccessToken> exchange(net::HttpClient& http, const net::HttpClientRequest& req,
                             const std::string& what, bool managed_identity, bool imds,
                             WallClock::time_point now) {
  auto res = http.send(req);
  if (!res) return Error::unavailable(what + ": " + res.error().message);
  if (res->status != 200 && !(managed_identity && res->status == 202)) {
    std::string msg = what + ": HTTP " + std::to_string(res->status);
    std::string code = oauthErrorCode(res->body);
    if (!code.empty()) msg += " (" + code + ")";
    Error e = Error::unavailable(std::move(msg), std::chrono::seconds{0});
    e.permanent = !retryable(res->status, imds);
    if (auto ra = res->header("retry-after"))
      if (auto secs = net::parseRetryAfter(*ra)) e.retry_after = *secs;
    return e;
  }
  auto token = parseTokenResponse(res->body, now, managed_identity);
  if (!token) return Error::unavailable(what + ": " + token.error().message);
  return token;
}

std::string selectorQuery(const ManagedIdentity& mi, bool app_service) {
  if (!mi.client_id.empty()) return "&client_id=" + urlEncode(mi.client_id);
  if (!mi.object_id.empty()) return "&object_id=" + urlEncode(mi.object_id);
  if (!mi.resource_id.empty())
    return std::string(app_service ? "&mi_res_id=" : "&msi_res_id=") + urlEncode(mi.resource_id);
  return {};
}

class ImdsSource final : public TokenSource {
 public:
  ImdsSource(net::HttpClient& http, std::string host, ManagedIdentity mi)
      : http_(http), host_(trimSlash(std::move(host))), mi_(std::move(mi)) {}
  std::string describe() const override {
    return "managed identity token request (IMDS at " + urlHost(host_) + ")";
  }
  Result<AccessToken> fetch(std::string_view scopes, WallClock::time_point now) override {
    net::HttpClientRequest req;
    req.method = "GET";
    req.url = host_ + std::string(kImdsTokenPath) +
              "?api-version=2018-02-01&resource=" + urlEncode(scopeToResource(firstScope(scopes))) +
              selectorQuery(mi_, false);
    req.headers = {{"Metadata", "true"}};
    return exchange(http_, req, describe(), true, true, now);
  }
  static std::string_view firstScope(std::string_view scopes) {
    return scopes.substr(0, scopes.find(' '));
  }

 private:
  net::HttpClient& http_;
  std::string host_;
  ManagedIdentity mi_;
};

class AppServiceSource final : public TokenSource {
 public:
  AppServiceSource(net::HttpClient& http, std::string endpoint, std::string header,
                   ManagedIdentity mi)
      : http_(http),
        endpoint_(std::move(endpoint)),
        header_(std::move(header)),
        mi_(std::move(mi)) {}
  std::string describe() const override {
    return "managed identity token request (IDENTITY_ENDPOINT at " + urlHost(endpoint_) + ")";
  }
  Result<AccessToken> fetch(std::string_view scopes, WallClock::time_point now) override {
    net::HttpClientRequest req;
    req.method = "GET";
    req.url = endpoint_ + (endpoint_.find('?') == std::string::npos ? "?" : "&") +
              "api-version=2019-08-01&resource=" +
              urlEncode(scopeToResource(ImdsSource::firstScope(scopes))) + selectorQuery(mi_, true);
    req.headers = {{"X-IDENTITY-HEADER", header_}};
    return exchange(http_, req, describe(), true, false, now);
  }

 private:
  net::HttpClient& http_;
  std::string endpoint_;
  std::string header_;
  ManagedIdentity mi_;
};

// client_credentials against {authority}/{tenant}/oauth2/v2.0/token, with a secret or an
// assertion (certificate JWT or federated token) made per request.
class EntraSource final : public TokenSource {
 public:
  using AssertionFn =
      std::function<Result<std::string>(const std::string& token_url, WallClock::time_point now)>;
  EntraSource(net::HttpClient& http, std::string authority, std::string tenant,
              std::string client_id, std::string secret, AssertionFn assertion, std::string flow)
      : http_(http),
        url_(trimSlash(std::move(authority)) + "/" + urlEncode(tenant) + "/oauth2/v2.0/token"),
        client_id_(std::move(client_id)),
        secret_(std::move(secret)),
        assertion_(std::move(assertion)),
        flow_(std::move(flow)) {}
  std::string describe() const override { return flow_ + " token request (" + urlHost(url_) + ")"; }
  Result<AccessToken> fetch(std::string_view scopes, WallClock::time_point now) override {
    std::vector<std::pair<std::string, std::string>> form = {{"grant_type", "client_credentials"},
                                                             {"client_id", client_id_},
                                                             {"scope", std::string(scopes)}};
    if (assertion_) {
      auto a = assertion_(url_, now);
      if (!a) {
        Error e = a.takeError();
        e.message = describe() + ": " + e.message;
        e.permanent = false;
        return e;
      }
      form.emplace_back("client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      form.emplace_back("client_assertion", std::move(a.value()));
    } else {
      form.emplace_back("client_secret", secret_);
    }
    net::HttpClientRequest req;
    req.method = "POST";
    req.url = url_;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    req.body = formEncode(form);
    return exchange(http_, req, describe(), false, false, now);
  }

 private:
  net::HttpClient& http_;
  std::string url_;
  std::string client_id_;
  std::string secret_;
  AssertionFn assertion_;
  std::string flow_;
};

// The projected service-account token: re-read on every request, so a rotated file is used as
// soon as Kubernetes writes it (the SDKs cache it up to 10 minutes; a read is cheaper than a
// stale assertion).
Result<std::string> readFederatedToken(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::unavailable("cannot read federated token file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  size_t b = 0;
  while (b < t.size() && std::isspace(static_cast<unsigned char>(t[b]))) ++b;
  t.erase(0, b);
  if (t.empty()) return Error::unavailable("federated token file " + path + " is empty");
  return t;
}

Result<std::unique_ptr<TokenSource>> managedIdentity(const ManagedIdentity& mi,
                                                     const Environment& env,
                                                     net::HttpClient& http) {
  std::string endpoint = envOr(env, "IDENTITY_ENDPOINT", "");
  std::string header = envOr(env, "IDENTITY_HEADER", "");
  if (!endpoint.empty() && !header.empty())
    return std::unique_ptr<TokenSource>(
        std::make_unique<AppServiceSource>(http, endpoint, header, mi));
  std::string host = envOr(env, "AZURE_POD_IDENTITY_AUTHORITY_HOST", "");
  if (host.empty()) host = std::string(kDefaultImdsHost);
  return std::unique_ptr<TokenSource>(std::make_unique<ImdsSource>(http, host, mi));
}

Result<std::unique_ptr<TokenSource>> servicePrincipal(const ServicePrincipal& sp,
                                                      const Environment& env,
                                                      net::HttpClient& http) {
  std::string authority = envOr(env, "AZURE_AUTHORITY_HOST", "");
  if (authority.empty()) authority = std::string(kDefaultAuthorityHost);
  if (!sp.client_secret.empty())
    return std::unique_ptr<TokenSource>(std::make_unique<EntraSource>(
        http, authority, sp.tenant_id, sp.client_id, sp.client_secret, nullptr, "client secret"));
  auto cert = CertificateCredential::fromFile(sp.client_certificate_path);
  if (!cert) return cert.takeError();
  std::shared_ptr<CertificateCredential> shared = std::move(cert.value());
  std::string client_id = sp.client_id;
  auto fn = [shared, client_id](const std::string& url, WallClock::time_point now) {
    return shared->assertion(client_id, url, now);
  };
  return std::unique_ptr<TokenSource>(std::make_unique<EntraSource>(
      http, authority, sp.tenant_id, sp.client_id, "", fn, "client certificate"));
}

Result<std::unique_ptr<TokenSource>> workloadIdentity(const WorkloadIdentity& in,
                                                      const Environment& env,
                                                      net::HttpClient& http) {
  WorkloadIdentity wi;
  wi.client_id = envOr(env, "AZURE_CLIENT_ID", in.client_id);
  wi.tenant_id = envOr(env, "AZURE_TENANT_ID", in.tenant_id);
  wi.federated_token_file = envOr(env, "AZURE_FEDERATED_TOKEN_FILE", in.federated_token_file);
  if (wi.client_id.empty() || wi.tenant_id.empty() || wi.federated_token_file.empty())
    return Error::config(
        "workload_identity: client_id, tenant_id and federated_token_file are required (or "
        "AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE)");
  std::string authority = envOr(env, "AZURE_AUTHORITY_HOST", "");
  if (authority.empty()) authority = std::string(kDefaultAuthorityHost);
  std::string file = wi.federated_token_file;
  auto fn = [file](const std::string&, WallClock::time_point) { return readFederatedToken(file); };
  return std::unique_ptr<TokenSource>(std::make_unique<EntraSource>(
      http, authority, wi.tenant_id, wi.client_id, "", fn, "workload identity"));
}

}  // namespace

Environment processEnvironment() {
  Environment env;
  for (const char* name :
       {"IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
        "AZURE_AUTHORITY_HOST", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH"}) {
    if (const char* v = std::getenv(name); v && *v) env.emplace(name, v);
  }
  return env;
}

Result<std::unique_ptr<TokenSource>> makeTokenSource(const Config& cfg, const Environment& env,
                                                     net::HttpClient& http) {
  if (cfg.service_principal) return servicePrincipal(*cfg.service_principal, env, http);
  if (cfg.workload_identity) return workloadIdentity(*cfg.workload_identity, env, http);
  if (cfg.managed_identity) return managedIdentity(*cfg.managed_identity, env, http);
  // use_default: the SDKs' chain, decided once from what the environment offers.
  std::string tenant = envOr(env, "AZURE_TENANT_ID", "");
  std::string client = envOr(env, "AZURE_CLIENT_ID", "");
  if (!tenant.empty() && !client.empty()) {
    ServicePrincipal sp{tenant, client, envOr(env, "AZURE_CLIENT_SECRET", ""),
                        envOr(env, "AZURE_CLIENT_CERTIFICATE_PATH", "")};
    if (!sp.client_secret.empty() || !sp.client_certificate_path.empty()) {
      if (!sp.client_secret.empty()) sp.client_certificate_path.clear();
      return servicePrincipal(sp, env, http);
    }
    if (!envOr(env, "AZURE_FEDERATED_TOKEN_FILE", "").empty())
      return workloadIdentity(WorkloadIdentity{}, env, http);
  }
  ManagedIdentity mi;
  mi.client_id = client;  // DefaultAzureCredential's user-assigned identity selector
  return managedIdentity(mi, env, http);
}

}  // namespace agentgate::components::azure_auth
