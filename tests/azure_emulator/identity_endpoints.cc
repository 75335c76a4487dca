#include "identity_endpoints.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <simdjson.h>

#include <array>
#include <map>
#include <mutex>
#include <random>

#include "net/http_server.h"
#include "net/worker_pool.h"

namespace agentgate::azure_emulator {

namespace {

using WallClock = std::chrono::system_clock;

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parseForm(std::string_view s) {
  std::map<std::string, std::string> out;
  while (!s.empty()) {
    auto amp = s.find('&');
    std::string_view pair = s.substr(0, amp);
    auto eq = pair.find('=');
    std::string key = percentDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percentDecode(pair.substr(eq + 1));
    if (!key.empty()) out[key] = value;
    if (amp == std::string_view::npos) break;
    s.remove_prefix(amp + 1);
  }
  return out;
}

std::optional<std::string> base64UrlDecode(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return std::nullopt;
    }
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

std::string base64UrlEncode(const unsigned char* p, size_t n) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    buf = (buf << 8) | p[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += a[(buf >> bits) & 63];
    }
  }
  if (bits > 0) out += a[(buf << (6 - bits)) & 63];
  return out;
}

std::string randomToken() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  char buf[64];
  std::snprintf(buf, sizeof buf, "emu.%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

net::HttpResponse json(int status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

net::HttpResponse oauthError(int status, std::string_view code, std::string_view description) {
  return json(status, "{\"error\":\"" + std::string(code) + "\",\"error_description\":\"" +
                          std::string(description) + "\"}");
}

}  // namespace

Status verifyClientAssertion(std::string_view jwt, std::string_view certificate_pem,
                             std::string_view client_id, std::string_view audience) {
  auto d1 = jwt.find('.');
  auto d2 = d1 == std::string_view::npos ? d1 : jwt.find('.', d1 + 1);
  if (d2 == std::string_view::npos || jwt.find('.', d2 + 1) != std::string_view::npos)
    return Error::invalid("client assertion is not a compact JWS");
  auto header = base64UrlDecode(jwt.substr(0, d1));
  auto claims = base64UrlDecode(jwt.substr(d1 + 1, d2 - d1 - 1));
  auto sig = base64UrlDecode(jwt.substr(d2 + 1));
  if (!header || !claims || !sig) return Error::invalid("client assertion: bad base64url");

  BIO* bio = BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!cert) return Error::internal("emulator certificate unreadable");
  unsigned char* der = nullptr;
  int der_len = i2d_X509(cert, &der);
  unsigned char sha1[SHA_DIGEST_LENGTH];
  SHA1(der, static_cast<size_t>(der_len), sha1);
  OPENSSL_free(der);
  std::string thumb = base64UrlEncode(sha1, sizeof sha1);
  EVP_PKEY* pub = X509_get_pubkey(cert);
  X509_free(cert);

  simdjson::dom::parser parser;
  simdjson::dom::element h;
  std::string_view alg, x5t;
  if (parser.parse(*header).get(h) || h["alg"].get_string().get(alg) ||
      h["x5t"].get_string().get(x5t)) {
    EVP_PKEY_free(pub);
    return Error::invalid("client assertion: header lacks alg or x5t");
  }
  if (alg != "RS256") {
    EVP_PKEY_free(pub);
    return Error::invalid("client assertion: alg is not RS256");
  }
  if (x5t != thumb) {
    EVP_PKEY_free(pub);
    return Error::invalid("client assertion: x5t does not match the registered certificate");
  }
  std::string signing_input(jwt.substr(0, d2));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()),
                             signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
  if (!ok) return Error::invalid("client assertion: signature does not verify");

  simdjson::dom::parser cparser;
  simdjson::dom::element c;
  std::string_view aud, iss, sub;
  int64_t exp = 0, nbf = 0;
  if (cparser.parse(*claims).get(c) || c["aud"].get_string().get(aud) ||
      c["iss"].get_string().get(iss) || c["sub"].get_string().get(sub) ||
      c["exp"].get_int64().get(exp))
    return Error::invalid("client assertion: claims lack aud, iss, sub or exp");
  if (aud != audience) return Error::invalid("client assertion: aud is not the token endpoint");
  if (iss != client_id || sub != client_id)
    return Error::invalid("client assertion: iss/sub is not the client id");
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(WallClock::now().time_since_epoch()).count();
  if (exp <= now) return Error::invalid("client assertion: expired");
  if (!c["nbf"].get_int64().get(nbf) && nbf > now + 300)
    return Error::invalid("client assertion: not yet valid");
  return {};
}

struct IdentityEndpoints::State {
  mutable std::mutex mu;
  IdentityOptions options;
  struct Issued {
    std::string resource;
    WallClock::time_point expires;
  };
  std::map<std::string, Issued, std::less<>> tokens;
  std::array<IdentityStats, 3> stats;
  std::array<int, 3> fail_remaining{0, 0, 0};
  std::array<int, 3> fail_status{503, 503, 503};
  net::WorkerPool pool{1};
  std::array<std::unique_ptr<net::HttpServer>, 3> servers;

  // Scripted failure for `host`, or nullopt. Counts the request.
  std::optional<net::HttpResponse> scripted(IdentityHost host) {
    std::lock_guard lock(mu);
    auto i = static_cast<size_t>(host);
    stats[i].requests++;
    if (fail_remaining[i] <= 0) return std::nullopt;
    fail_remaining[i]--;
    stats[i].scripted++;
    return oauthError(fail_status[i], "temporarily_unavailable", "scripted outage");
  }
  net::HttpResponse refuse(IdentityHost host, int status, std::string_view code,
                           std::string_view why) {
    std::lock_guard lock(mu);
    stats[static_cast<size_t>(host)].refused++;
    return oauthError(status, code, why);
  }
  // Issues a token; `app_service` answers in App Service's shape (expires_on as a string).
  net::HttpResponse issue(IdentityHost host, const std::string& resource, bool managed) {
    std::lock_guard lock(mu);
    std::string token = randomToken();
    auto lifetime = options.token_lifetime;
    auto expires = WallClock::now() + lifetime;
    tokens[token] = Issued{resource, expires};
    stats[static_cast<size_t>(host)].issued++;
    int64_t on =
        std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
    std::string body;
    if (managed) {
      // IMDS and App Service send numbers as strings.
      body = "{\"access_token\":\"" + token + "\",\"expires_in\":\"" +
             std::to_string(lifetime.count()) + "\",\"expires_on\":\"" + std::to_string(on) +
             "\",\"resource\":\"" + resource + "\",\"token_type\":\"Bearer\"}";
      if (host == IdentityHost::kAppService)
        body = "{\"access_token\":\"" + token + "\",\"expires_on\":\"" + std::to_string(on) +
               "\",\"resource\":\"" + resource + "\",\"token_type\":\"Bearer\"}";
    } else {
      body = "{\"token_type\":\"Bearer\",\"expires_in\":" + std::to_string(lifetime.count()) +
             ",\"ext_expires_in\":" + std::to_string(lifetime.count()) + ",\"access_token\":\"" +
             token + "\"}";
    }
    return json(200, std::move(body));
  }
  void setSelector(IdentityHost host, std::string s) {
    std::lock_guard lock(mu);
    stats[static_cast<size_t>(host)].last_selector = std::move(s);
  }
  void setGrant(std::string g) {
    std::lock_guard lock(mu);
    stats[static_cast<size_t>(IdentityHost::kEntra)].last_grant = std::move(g);
  }
};

namespace {

class IdentityHandler final : public net::HttpHandler {
 public:
  IdentityHandler(IdentityEndpoints::State* state, IdentityHost host) : s_(state), host_(host) {}

  net::HttpResponse onRequest(net::HttpRequest& r) override {
    switch (host_) {
      case IdentityHost::kImds:
        return imds(r);
      case IdentityHost::kAppService:
        return appService(r);
      case IdentityHost::kEntra:
        return entra(r);
    }
    return net::HttpResponse::text(500, "unknown host");
  }

 private:
  // A managed identity selector check shared by IMDS and App Service; nullopt when accepted.
  std::optional<net::HttpResponse> selector(const std::map<std::string, std::string>& q,
                                            std::string_view res_id_key) {
    std::string sel;
    int n = 0;
    for (std::string_view k :
         {std::string_view("client_id"), std::string_view("object_id"), res_id_key}) {
      auto it = q.find(std::string(k));
      if (it != q.end()) {
        sel = std::string(k) + "=" + it->second;
        ++n;
      }
    }
    if (n > 1) return s_->refuse(host_, 400, "invalid_request", "more than one identity selector");
    s_->setSelector(host_, sel);
    const auto& uai = s_->options.user_assigned_client_id;
    auto cid = q.find("client_id");
    if (!uai.empty() && cid != q.end() && cid->second != uai)
      return s_->refuse(host_, 400, "invalid_request", "Identity not found");
    return std::nullopt;
  }

  std::optional<net::HttpResponse> resourceCheck(const std::map<std::string, std::string>& q) {
    auto it = q.find("resource");
    if (it == q.end() || it->second.empty())
      return s_->refuse(host_, 400, "invalid_request",
                        "Required query variable 'resource' is missing");
    if (it->second != s_->options.resource && it->second != s_->options.resource + "/")
      return s_->refuse(host_, 400, "invalid_resource", "unknown resource");
    return std::nullopt;
  }

  net::HttpResponse imds(net::HttpRequest& r) {
    if (r.path != "/metadata/identity/oauth2/token")
      return net::HttpResponse::text(404, "not found");
    if (auto f = s_->scripted(host_)) return *f;
    if (r.method != "GET") return s_->refuse(host_, 405, "invalid_request", "GET only");
    if (r.header("metadata").value_or("") != "true")
      return s_->refuse(host_, 400, "invalid_request", "Required metadata header not specified");
    auto q = parseForm(r.query);
    if (q["api-version"].empty())
      return s_->refuse(host_, 400, "invalid_request", "api-version is required");
    if (auto bad = resourceCheck(q)) return *bad;
    if (auto bad = selector(q, "msi_res_id")) return *bad;
    return s_->issue(host_, s_->options.resource, true);
  }

  net::HttpResponse appService(net::HttpRequest& r) {
    if (r.path != "/msi/token") return net::HttpResponse::text(404, "not found");
    if (auto f = s_->scripted(host_)) return *f;
    if (r.header("x-identity-header").value_or("") != s_->options.identity_header)
      return s_->refuse(host_, 401, "invalid_request", "X-IDENTITY-HEADER missing or wrong");
    auto q = parseForm(r.query);
    if (q["api-version"] != "2019-08-01")
      return s_->refuse(host_, 400, "invalid_request", "api-version must be 2019-08-01");
    if (auto bad = resourceCheck(q)) return *bad;
    if (auto bad = selector(q, "mi_res_id")) return *bad;
    return s_->issue(host_, s_->options.resource, true);
  }

  net::HttpResponse entra(net::HttpRequest& r) {
    const auto& o = s_->options;
    const std::string token_path = "/" + o.tenant_id + "/oauth2/v2.0/token";
    if (r.path != token_path) {
      if (r.path.size() > 20 && r.path.find("/oauth2/v2.0/token") != std::string::npos) {
        s_->scripted(host_);
        return s_->refuse(host_, 400, "invalid_request", "AADSTS90002: Tenant not found");
      }
      return net::HttpResponse::text(404, "not found");
    }
    if (auto f = s_->scripted(host_)) return *f;
    if (r.method != "POST") return s_->refuse(host_, 405, "invalid_request", "POST only");
    auto ct = r.header("content-type").value_or("");
    if (ct.find("application/x-www-form-urlencoded") == std::string_view::npos)
      return s_->refuse(host_, 400, "invalid_request", "form body required");
    auto f = parseForm(r.body);
    if (f["grant_type"] != "client_credentials")
      return s_->refuse(host_, 400, "unsupported_grant_type", "client_credentials only");
    if (f["client_id"] != o.client_id)
      return s_->refuse(host_, 400, "unauthorized_client", "AADSTS700016: application not found");
    if (f["scope"] != o.resource + "/.default")
      return s_->refuse(host_, 400, "invalid_scope", "AADSTS70011: invalid scope");
    if (f.count("client_secret")) {
      s_->setGrant("client_secret");
      if (o.client_secret.empty() || f["client_secret"] != o.client_secret)
        return s_->refuse(host_, 401, "invalid_client", "AADSTS7000215: invalid client secret");
    } else if (f.count("client_assertion")) {
      if (f["client_assertion_type"] != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        return s_->refuse(host_, 400, "invalid_request", "client_assertion_type");
      const std::string& a = f["client_assertion"];
      if (!o.federated_token.empty() && a == o.federated_token) {
        s_->setGrant("federated");
      } else {
        s_->setGrant("client_assertion");
        std::string audience = "http://" + std::string(r.header("host").value_or("")) + token_path;
        if (o.certificate_pem.empty())
          return s_->refuse(host_, 401, "invalid_client", "no certificate registered");
        if (auto st = verifyClientAssertion(a, o.certificate_pem, o.client_id, audience); !st.ok())
          return s_->refuse(host_, 401, "invalid_client", st.error().message);
      }
    } else {
      return s_->refuse(host_, 400, "invalid_request", "no client credential");
    }
    return s_->issue(host_, o.resource, false);
  }

  IdentityEndpoints::State* s_;
  IdentityHost host_;
};

}  // namespace

Result<std::unique_ptr<IdentityEndpoints>> IdentityEndpoints::start(IdentityOptions options) {
  std::unique_ptr<IdentityEndpoints> out(new IdentityEndpoints());
  out->state_ = std::make_shared<State>();
  out->state_->options = std::move(options);
  out->state_->pool.start();
  for (auto host : {IdentityHost::kImds, IdentityHost::kAppService, IdentityHost::kEntra}) {
    net::HttpServerOptions so;
    so.name = "azure-identity";
    auto server =
        net::HttpServer::create(out->state_->pool, std::move(so),
                                std::make_shared<IdentityHandler>(out->state_.get(), host));
    if (!server) return server.takeError();
    if (auto st = server.value()->start(); !st.ok()) return st.error();
    out->state_->servers[static_cast<size_t>(host)] = std::move(server.value());
  }
  return out;
}

IdentityEndpoints::~IdentityEndpoints() {
  if (!state_) return;
  for (auto& s : state_->servers)
    if (s) s->stop();
  state_->pool.stop();
}

std::string IdentityEndpoints::imdsHost() const {
  return "http://" + state_->servers[0]->boundAddress();
}
std::string IdentityEndpoints::appServiceEndpoint() const {
  return "http://" + state_->servers[1]->boundAddress() + "/msi/token";
}
std::string IdentityEndpoints::authorityHost() const {
  return "http://" + state_->servers[2]->boundAddress();
}
const IdentityOptions& IdentityEndpoints::options() const { return state_->options; }

void IdentityEndpoints::setTokenLifetime(std::chrono::seconds lifetime) {
  std::lock_guard lock(state_->mu);
  state_->options.token_lifetime = lifetime;
}

void IdentityEndpoints::failNext(IdentityHost host, int requests, int status) {
  std::lock_guard lock(state_->mu);
  state_->fail_remaining[static_cast<size_t>(host)] = requests;
  state_->fail_status[static_cast<size_t>(host)] = status;
}

TokenCheck IdentityEndpoints::check(std::string_view token, std::string_view resource) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->tokens.find(token);
  if (it == state_->tokens.end()) return TokenCheck::kUnknown;
  if (WallClock::now() >= it->second.expires) return TokenCheck::kExpired;
  if (it->second.resource != resource) return TokenCheck::kWrongAudience;
  return TokenCheck::kValid;
}

IdentityStats IdentityEndpoints::stats(IdentityHost host) const {
  std::lock_guard lock(state_->mu);
  return state_->stats[static_cast<size_t>(host)];
}

}  // namespace agentgate::azure_emulator
