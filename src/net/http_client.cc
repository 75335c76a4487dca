#include "net/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <ctime>
#include <mutex>

#include "common/strings.h"

namespace agentgate::net {
namespace {

constexpr size_t kMaxIdleHandles = 8;

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// The scheme://host:port part of a URL: what an error may name without leaking paths or queries
// (SAS tokens and API keys travel in queries).
std::string urlOrigin(std::string_view url) {
  size_t scheme_end = url.find("://");
  size_t host_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  std::string_view origin = url.substr(0, host_end);
  size_t at = origin.find('@', host_start);  // user:password@host
  if (at != std::string_view::npos) {
    return std::string(origin.substr(0, host_start)) + std::string(origin.substr(at + 1));
  }
  return std::string(origin);
}

struct Exchange {
  HttpClientResponse* response;
  size_t max_body;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t n = size * count;
  std::string& body = ex->response->body;
  if (body.size() < ex->max_body) body.append(data, std::min(n, ex->max_body - body.size()));
  return n;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    ex->response->headers.clear();  // a new status line (redirect, 100-continue) starts over
    return n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    ex->response->headers.emplace_back(lowerAscii(trimSpace(line.substr(0, colon))),
                                       std::string(trimSpace(line.substr(colon + 1))));
  }
  return n;
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpClientOptions options) : options_(std::move(options)) {}
  ~CurlHttpClient() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  Result<HttpClientResponse> send(const HttpClientRequest& request) override {
    CURL* h = acquire();
    if (h == nullptr) return Error::internal("http client: curl_easy_init failed");
    HttpClientResponse response;
    Exchange ex{&response, options_.max_response_bytes};
    curl_slist* headers = curl_slist_append(nullptr, "Expect:");  // no 100-continue round trip
    for (const auto& [name, value] : request.headers) {
      std::string line = name + ": " + value;
      headers = curl_slist_append(headers, line.c_str());
    }
    auto timeout = request.timeout.count() > 0 ? request.timeout : options_.timeout;
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &onBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      if (request.method != "POST") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      }
    }
    const TlsClientConfig& tls = options_.tls;
    if (!tls.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
    if (!tls.cert_file.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, tls.cert_file.c_str());
    if (!tls.key_file.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, tls.key_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSLVERSION,
                     tls.min_version == "1.3" ? CURL_SSLVERSION_TLSv1_3 : CURL_SSLVERSION_TLSv1_2);
    if (tls.insecure_skip_verify) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    // Options set per request (body pointer, header list) must not outlive this call.
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);
    curl_slist_free_all(headers);
    release(h);
    if (rc != CURLE_OK) {
      return Error::unavailable("http " + request.method + " " + urlOrigin(request.url) + ": " +
                                curl_easy_strerror(rc));
    }
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  CURL* acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void release(CURL* h) {
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }

  HttpClientOptions options_;
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::optional<std::string_view> HttpClientResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return std::string_view(value);
  }
  return std::nullopt;
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(HttpClientOptions options) {
  static const bool inited = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!inited) return Error::internal("http client: curl_global_init failed");
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    return Error::config("tls: cert_file and key_file must be set together");
  }
  return std::unique_ptr<HttpClient>(std::make_unique<CurlHttpClient>(std::move(options)));
}

std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value) {
  value = trimSpace(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::seconds{999999999};
    return std::chrono::seconds{std::stoll(std::string(value))};
  }
  std::string copy(value);
  time_t when = curl_getdate(copy.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  time_t now = std::time(nullptr);
  return std::chrono::seconds{when > now ? when - now : 0};
}

Error httpStatusError(const HttpClientResponse& response, std::string_view what) {
  std::string message = std::string(what) + ": HTTP " + std::to_string(response.status);
  int s = response.status;
  bool retryable = s == 408 || s == 429 || s == 439 || s == 500 || s == 502 || s == 503 || s == 504;
  if (!retryable) {
    Error e{s == 401   ? ErrorCode::kUnauthenticated
            : s == 403 ? ErrorCode::kForbidden
            : s == 404 ? ErrorCode::kNotFound
            : s == 413 ? ErrorCode::kTooLarge
            : s == 415 ? ErrorCode::kUnsupportedMedia
            : s >= 500 ? ErrorCode::kInternal
                       : ErrorCode::kInvalid,
            std::move(message),
            true,
            {}};
    return e;
  }
  std::chrono::seconds retry{0};
  if (auto ra = response.header("retry-after")) {
    if (auto parsed = parseRetryAfter(*ra)) retry = *parsed;
  }
  return Error{s == 429 || s == 439 ? ErrorCode::kResourceExhausted : ErrorCode::kUnavailable,
               std::move(message), false, retry};
}

void unmarshalTlsClient(const config::ConfigNode& node, TlsClientConfig& out,
                        config::Diagnostics& diags) {
  config::MapReader r(node, diags);
  r.read("ca_file", out.ca_file);
  r.read("cert_file", out.cert_file);
  r.read("key_file", out.key_file);
  r.read("insecure", out.insecure);
  r.read("insecure_skip_verify", out.insecure_skip_verify);
  // SNI always follows the URL's host; an override would need a resolve table, not needed yet.
  r.ignore("server_name_override");
  const std::vector<std::string> versions = {"1.0", "1.1", "1.2", "1.3"};
  if (r.readEnum("min_version", out.min_version, versions) &&
      (out.min_version == "1.0" || out.min_version == "1.1")) {
    r.error("min_version", "TLS versions below 1.2 are not supported; use \"1.2\" or \"1.3\"");
  }
  r.ignore("max_version");
  r.ignore("reload_interval");
  r.ignore("include_system_ca_certs_pool");
  r.ignore("cipher_suites");
  r.ignore("curve_preferences");
  if (out.cert_file.empty() != out.key_file.empty()) {
    r.error(out.cert_file.empty() ? "cert_file" : "key_file",
            "cert_file and key_file must be set together");
  }
  r.finish();
}

}  // namespace agentgate::net
