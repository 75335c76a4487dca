// The native OTLP path end to end inside one process: azure_auth gets tokens from the identity
// emulator (IMDS, App Service, Entra: secret, certificate, federated token), otlp_http sends the
// agents' captures to the DCE emulator, and what was accepted is queried from the landed OTel*
// tables. Every server is a real HTTP server on 127.0.0.1.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "components/exporter/otlp_http/otlp_http_exporter.h"
#include "components/extension/azure_auth/azure_auth.h"
#include "identity_endpoints.h"
#include "landed_tables.h"
#include "net/http_client.h"
#include "otlp_endpoint.h"
#include "pdata/codec.h"
#include "testlib/test_certificate.h"
#include "testlib/test_host.h"

namespace agentgate::azure_emulator {
namespace {

namespace fs = std::filesystem;
using components::azure_auth::AzureAuth;
using components::azure_auth::Environment;
using components::azure_auth::RetryPolicy;
using namespace std::chrono_literals;

const fs::path kClaude = fs::path(AGENTGATE_SHARED_DIR) / "fixtures" / "agents" /
                         "claude-code-2.1.197" / "a-defaults-tool";
constexpr const char* kScope = "https://monitor.azure.com/.default";
constexpr const char* kSecret = "emulator-client-secret-value";

// A private directory for the test's files (the emulator test does not link testlib/process).
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "native-otlp-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? fs::path(tmpl) : fs::path();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary | std::ios::trunc) << content;
    return path_ / name;
  }

 private:
  fs::path path_;
};

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

BatchPtr claudeCapture(Signal s) {
  for (const auto& e : fs::directory_iterator(kClaude)) {
    std::string name = e.path().filename().string();
    if (name.find("_" + std::string(signalName(s)) + "_") != std::string::npos &&
        e.path().extension() == ".pb") {
      auto b = std::make_unique<pdata::Batch>(s);
      auto bytes = b->adoptBuffer(readFile(e.path()));
      EXPECT_TRUE(pdata::decodeProtobuf(*b, bytes).ok());
      return b;
    }
  }
  ADD_FAILURE() << "no " << signalName(s) << " capture under " << kClaude;
  return std::make_unique<pdata::Batch>(s);
}

class NativeOtlpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = testlib::makeTestCertificate("agentgate-sp");
    IdentityOptions io;
    io.client_secret = kSecret;
    io.certificate_pem = cert_.cert_pem;
    io.federated_token = "eyJhbGciOiJSUzI1NiJ9.k8s-service-account.sig";
    auto id = IdentityEndpoints::start(io);
    ASSERT_TRUE(id.ok()) << id.error().message;
    identity_ = std::move(id.value());
    auto tables = LandedTables::open((tmp_.path() / "law.db").string());
    ASSERT_TRUE(tables.ok()) << tables.error().message;
    tables_ = std::move(tables.value());
    OtlpEndpointOptions oo;
    oo.tables = tables_.get();
    oo.authorize = [this](std::string_view token) -> std::optional<int> {
      if (reject_tokens_.load() > 0) {
        reject_tokens_--;
        return 401;
      }
      switch (identity_->check(token, "https://monitor.azure.com")) {
        case TokenCheck::kValid:
          return std::nullopt;
        case TokenCheck::kWrongAudience:
          return 403;
        default:
          return 401;
      }
    };
    auto dce = OtlpEndpoint::start(std::move(oo));
    ASSERT_TRUE(dce.ok()) << dce.error().message;
    dce_ = std::move(dce.value());
  }

  Environment imdsEnv() const {
    return {{"AZURE_POD_IDENTITY_AUTHORITY_HOST", identity_->imdsHost()}};
  }
  Environment entraEnv() const { return {{"AZURE_AUTHORITY_HOST", identity_->authorityHost()}}; }

  std::unique_ptr<AzureAuth> startAuth(Environment env, components::azure_auth::Config cfg) {
    if (cfg.scopes.empty()) cfg.scopes = {kScope};
    auto auth =
        std::make_unique<AzureAuth>("azure_auth", cfg, std::move(env), RetryPolicy{3, 20ms, 100ms});
    auto st = auth->startWithoutHost();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    return auth;
  }
  static components::azure_auth::Config managed(std::string client_id = {},
                                                std::string resource_id = {}) {
    components::azure_auth::Config c;
    c.managed_identity = components::azure_auth::ManagedIdentity{client_id, "", resource_id};
    return c;
  }
  components::azure_auth::Config secret(std::string s) const {
    components::azure_auth::Config c;
    c.service_principal = components::azure_auth::ServicePrincipal{
        identity_->options().tenant_id, identity_->options().client_id, std::move(s), ""};
    return c;
  }

  std::unique_ptr<components::otlp_http::OtlpHttpExporter> exporter(
      components::otlp_http::Config c = {}) {
    c.logs_endpoint = dce_->logsUrl();
    c.traces_endpoint = dce_->tracesUrl();
    c.metrics_endpoint = dce_->metricsUrl();
    c.authenticator = "azure_auth";
    auto e = components::otlp_http::OtlpHttpExporter::create("otlp_http/azuremonitor", c, 10s);
    EXPECT_TRUE(e.ok());
    EXPECT_TRUE(e.value()->start(host_).ok());
    return std::move(e.value());
  }

  int64_t count(const std::string& table) {
    auto n = tables_->count(table);
    EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
    return n.ok() ? n.value() : -1;
  }

  TempDir tmp_;
  testlib::TestCertificate cert_;
  std::unique_ptr<IdentityEndpoints> identity_;
  std::unique_ptr<LandedTables> tables_;
  std::unique_ptr<OtlpEndpoint> dce_;
  std::atomic<int> reject_tokens_{0};
  testlib::TestHost host_;
};

// ---- identity emulator and azure_auth flows

TEST_F(NativeOtlpTest, ImdsRequiresTheMetadataHeader) {
  auto http = net::HttpClient::create({});
  ASSERT_TRUE(http.ok());
  net::HttpClientRequest req;
  req.method = "GET";
  req.url = identity_->imdsHost() +
            "/metadata/identity/oauth2/"
            "token?api-version=2018-02-01&resource=https%3A%2F%2Fmonitor.azure.com";
  auto res = http.value()->send(req);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 400);
  req.headers = {{"Metadata", "true"}};
  res = http.value()->send(req);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(identity_->stats(IdentityHost::kImds).issued, 1);
}

TEST_F(NativeOtlpTest, ManagedIdentityImdsSystemAssignedIsCached) {
  auto auth = startAuth(imdsEnv(), managed());
  auto h1 = auth->requestHeadersFor(dce_->logsUrl());
  ASSERT_TRUE(h1.ok()) << h1.error().message;
  ASSERT_EQ(h1->size(), 1u);
  EXPECT_EQ((*h1)[0].first, "Authorization");
  std::string token = (*h1)[0].second.substr(7);
  EXPECT_EQ(identity_->check(token, "https://monitor.azure.com"), TokenCheck::kValid);
  auto h2 = auth->requestHeadersFor(dce_->tracesUrl());
  ASSERT_TRUE(h2.ok());
  EXPECT_EQ((*h2)[0].second, (*h1)[0].second);
  EXPECT_EQ(auth->fetchCount(), 1u);
  EXPECT_EQ(identity_->stats(IdentityHost::kImds).last_selector, "");
}

TEST_F(NativeOtlpTest, ManagedIdentityUserAssignedSelectors) {
  auto by_client = startAuth(imdsEnv(), managed("aaaaaaaa-0000-4000-8000-000000000001"));
  ASSERT_TRUE(by_client->token(kScope).ok());
  EXPECT_EQ(identity_->stats(IdentityHost::kImds).last_selector,
            "client_id=aaaaaaaa-0000-4000-8000-000000000001");
  std::string arm =
      "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/"
      "userAssignedIdentities/u";
  auto by_res = startAuth(imdsEnv(), managed("", arm));
  ASSERT_TRUE(by_res->token(kScope).ok());
  EXPECT_EQ(identity_->stats(IdentityHost::kImds).last_selector, "msi_res_id=" + arm);
}

TEST_F(NativeOtlpTest, ManagedIdentityThroughAppServiceIdentityEndpoint) {
  Environment env = imdsEnv();
  env["IDENTITY_ENDPOINT"] = identity_->appServiceEndpoint();
  env["IDENTITY_HEADER"] = identity_->options().identity_header;
  auto auth = startAuth(env, managed("", "/subscriptions/s/x"));
  auto t = auth->token(kScope);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(identity_->check(t.value(), "https://monitor.azure.com"), TokenCheck::kValid);
  EXPECT_EQ(identity_->stats(IdentityHost::kAppService).issued, 1);
  EXPECT_EQ(identity_->stats(IdentityHost::kAppService).last_selector,
            "mi_res_id=/subscriptions/s/x");
  EXPECT_EQ(identity_->stats(IdentityHost::kImds).requests, 0);

  env["IDENTITY_HEADER"] = "wrong-header-value";
  auto bad = startAuth(env, managed());
  auto e = bad->token(kScope);
  ASSERT_FALSE(e.ok());
  EXPECT_FALSE(e.error().permanent);
  EXPECT_EQ(e.error().message.find("wrong-header-value"), std::string::npos);
}

TEST_F(NativeOtlpTest, ServicePrincipalClientSecret) {
  auto auth = startAuth(entraEnv(), secret(kSecret));
  auto t = auth->token(kScope);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(identity_->stats(IdentityHost::kEntra).last_grant, "client_secret");
  EXPECT_EQ(identity_->check(t.value(), "https://monitor.azure.com"), TokenCheck::kValid);

  auto wrong = startAuth(entraEnv(), secret("not-the-secret-xyz"));
  auto e = wrong->token(kScope);
  ASSERT_FALSE(e.ok());
  EXPECT_FALSE(e.error().permanent);  // the data waits in the queue until the secret is fixed
  EXPECT_NE(e.error().message.find("invalid_client"), std::string::npos) << e.error().message;
  EXPECT_EQ(e.error().message.find("not-the-secret-xyz"), std::string::npos);
  EXPECT_EQ(wrong->fetchCount(), 1u);  // 401 is not retried in place
}

TEST_F(NativeOtlpTest, ServicePrincipalCertificateAssertion) {
  auto pem = tmp_.write("sp.pem", cert_.cert_pem + cert_.key_pem);
  components::azure_auth::Config c;
  c.service_principal = components::azure_auth::ServicePrincipal{
      identity_->options().tenant_id, identity_->options().client_id, "", pem.string()};
  auto auth = startAuth(entraEnv(), c);
  auto t = auth->token(kScope);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(identity_->stats(IdentityHost::kEntra).last_grant, "client_assertion");

  auto other = testlib::makeTestCertificate("not-registered");
  auto other_pem = tmp_.write("other.pem", other.cert_pem + other.key_pem);
  c.service_principal->client_certificate_path = other_pem.string();
  auto refused = startAuth(entraEnv(), c);
  auto e = refused->token(kScope);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("invalid_client"), std::string::npos);
  EXPECT_EQ(identity_->stats(IdentityHost::kEntra).refused, 1);
}

TEST_F(NativeOtlpTest, WorkloadIdentityFederatedTokenFileFromEnvironment) {
  auto file = tmp_.write("sa-token", identity_->options().federated_token + "\n");
  Environment env = entraEnv();
  env["AZURE_CLIENT_ID"] = identity_->options().client_id;
  env["AZURE_TENANT_ID"] = identity_->options().tenant_id;
  env["AZURE_FEDERATED_TOKEN_FILE"] = file.string();
  components::azure_auth::Config c;
  c.workload_identity = components::azure_auth::WorkloadIdentity{};
  auto auth = startAuth(env, c);
  auto t = auth->token(kScope);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(identity_->stats(IdentityHost::kEntra).last_grant, "federated");
  // Kubernetes rotates the file: the next token request reads the new content.
  tmp_.write("sa-token", "rotated-but-unknown-token");
  auth->invalidate();
  EXPECT_FALSE(auth->token(kScope).ok());
}

TEST_F(NativeOtlpTest, UseDefaultPicksTheClientSecretFromTheEnvironment) {
  Environment env = entraEnv();
  env["AZURE_TENANT_ID"] = identity_->options().tenant_id;
  env["AZURE_CLIENT_ID"] = identity_->options().client_id;
  env["AZURE_CLIENT_SECRET"] = kSecret;
  components::azure_auth::Config c;
  c.use_default = true;
  auto auth = startAuth(env, c);
  EXPECT_NE(auth->describe().find("client secret"), std::string::npos) << auth->describe();
  ASSERT_TRUE(auth->token(kScope).ok());
  EXPECT_EQ(identity_->stats(IdentityHost::kEntra).last_grant, "client_secret");
}

TEST_F(NativeOtlpTest, WithoutScopesTheAudienceIsTheDestinationHost) {
  // The collector's fallback: https://<host>/.default. For a DCE that is not Azure Monitor's
  // audience, which is why every Azure example configures scopes.
  auto auth =
      std::make_unique<AzureAuth>("azure_auth", managed(), imdsEnv(), RetryPolicy{1, 10ms, 10ms});
  ASSERT_TRUE(auth->startWithoutHost().ok());
  EXPECT_FALSE(auth->requestHeaders().ok());  // no URL, no scopes: nothing to ask for
  auto h = auth->requestHeadersFor(dce_->logsUrl());
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("HTTP 400"), std::string::npos) << h.error().message;
  EXPECT_EQ(identity_->stats(IdentityHost::kImds).refused, 1);
}

TEST_F(NativeOtlpTest, TokenEndpointOutageShorterThanTheRetriesIsInvisible) {
  identity_->failNext(IdentityHost::kEntra, 2, 503);
  auto auth = startAuth(entraEnv(), secret(kSecret));
  auto t = auth->token(kScope);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(auth->fetchCount(), 3u);
  EXPECT_EQ(identity_->stats(IdentityHost::kEntra).scripted, 2);
}

TEST_F(NativeOtlpTest, TokenEndpointDownIsRetryableThenRecovers) {
  identity_->failNext(IdentityHost::kImds, 4, 500);
  auto auth = startAuth(imdsEnv(), managed());
  auto e = auth->token(kScope);
  ASSERT_FALSE(e.ok());
  EXPECT_FALSE(e.error().permanent);
  EXPECT_EQ(e.error().code, ErrorCode::kUnavailable);
  auto t = auth->token(kScope);  // one scripted failure left, then a token
  ASSERT_TRUE(t.ok()) << t.error().message;
}

TEST_F(NativeOtlpTest, ShortLivedTokensAreRefreshedBeforeTheyExpire) {
  identity_->setTokenLifetime(4s);
  auto auth = startAuth(imdsEnv(), managed());
  auto t1 = auth->token(kScope);
  ASSERT_TRUE(t1.ok());
  std::this_thread::sleep_for(3700ms);  // past the refresh point (90 %), before expiry
  EXPECT_EQ(identity_->check(t1.value(), "https://monitor.azure.com"), TokenCheck::kValid);
  auto t2 = auth->token(kScope);
  ASSERT_TRUE(t2.ok());
  EXPECT_NE(t1.value(), t2.value());
  EXPECT_EQ(auth->fetchCount(), 2u);
}

// ---- DCE emulator

TEST_F(NativeOtlpTest, DceRefusesJsonAnonymousWrongStreamAndUnknownRule) {
  auto auth = startAuth(imdsEnv(), managed());
  auto token = auth->token(kScope);
  ASSERT_TRUE(token.ok());
  auto http = net::HttpClient::create({});
  ASSERT_TRUE(http.ok());
  auto post = [&](std::string url, std::string ct, bool with_token) {
    net::HttpClientRequest r;
    r.url = std::move(url);
    r.headers = {{"Content-Type", std::move(ct)}};
    if (with_token) r.headers.emplace_back("Authorization", "Bearer " + token.value());
    r.body = pdata::encodeProtobuf(*claudeCapture(Signal::kLogs));
    auto res = http.value()->send(r);
    EXPECT_TRUE(res.ok());
    return res.ok() ? res->status : 0;
  };
  EXPECT_EQ(post(dce_->logsUrl(), "application/json", true), 415);
  EXPECT_EQ(post(dce_->logsUrl(), "application/x-protobuf", false), 401);
  std::string dcr_stream = dce_->logsUrl();
  dcr_stream.replace(dcr_stream.find("Microsoft-OTLP-Logs"), 19, "Microsoft-OTel-Logs");
  EXPECT_EQ(post(dcr_stream, "application/x-protobuf", true), 400);
  EXPECT_EQ(post(dce_->tracesUrl().substr(0, dce_->tracesUrl().size() - 6) + "logs",
                 "application/x-protobuf", true),
            400);  // logs sent to the traces stream
  std::string other_rule = dce_->logsUrl();
  other_rule.replace(other_rule.find("dcr-"), 8, "dcr-ffff");
  EXPECT_EQ(post(other_rule, "application/x-protobuf", true), 404);
  EXPECT_EQ(post(dce_->logsUrl(), "application/x-protobuf", true), 200);
  EXPECT_EQ(count("OTelLogs"), static_cast<int64_t>(claudeCapture(Signal::kLogs)->itemCount()));
}

// ---- otlp_http + azure_auth into the DCE

TEST_F(NativeOtlpTest, CapturesLandInTheOtelTables) {
  host_.addExtension("azure_auth", startAuth(imdsEnv(), managed()));
  auto e = exporter();
  auto logs = claudeCapture(Signal::kLogs);
  auto traces = claudeCapture(Signal::kTraces);
  auto metrics = claudeCapture(Signal::kMetrics);
  const auto n_logs = static_cast<int64_t>(logs->itemCount());
  const auto n_spans = static_cast<int64_t>(traces->itemCount());
  const auto n_points = static_cast<int64_t>(metrics->itemCount());
  ASSERT_GT(n_logs, 0);
  ASSERT_GT(n_spans, 0);
  ASSERT_TRUE(e->consume(std::move(logs)).ok());
  ASSERT_TRUE(e->consume(std::move(traces)).ok());
  ASSERT_TRUE(e->consume(std::move(metrics)).ok());
  EXPECT_EQ(count("OTelLogs"), n_logs);
  EXPECT_EQ(count("OTelSpans"), n_spans);
  EXPECT_GE(count("OTelResources"), 1);
  auto q = tables_->query("OTelLogs | where ServiceName == 'claude-code' | count");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(std::get<int64_t>(q->rows[0][0]), n_logs);
  auto st = dce_->stats();
  EXPECT_EQ(st.metric_points, n_points);
  EXPECT_EQ(st.accepted, 3);
  EXPECT_EQ(st.unauthorized, 0);
}

TEST_F(NativeOtlpTest, ServiceAnswersMapToRetryAndPermanentErrors) {
  host_.addExtension("azure_auth", startAuth(imdsEnv(), managed()));
  auto e = exporter();
  dce_->failNext(1, 503, 2);
  auto st = e->consume(claudeCapture(Signal::kLogs));
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(st.error().permanent);
  EXPECT_EQ(st.error().retry_after, 2s);
  dce_->failNext(1, 429, 3);
  st = e->consume(claudeCapture(Signal::kLogs));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().retry_after, 3s);
  dce_->failNext(1, 400);
  st = e->consume(claudeCapture(Signal::kLogs));
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().permanent);
  EXPECT_EQ(count("OTelLogs"), 0);
  ASSERT_TRUE(e->consume(claudeCapture(Signal::kLogs)).ok());
  EXPECT_GT(count("OTelLogs"), 0);
}

TEST_F(NativeOtlpTest, PartialSuccessIsCounted) {
  host_.addExtension("azure_auth", startAuth(imdsEnv(), managed()));
  auto e = exporter();
  dce_->partialSuccessNext(1, 3, "3 records older than 2 days");
  ASSERT_TRUE(e->consume(claudeCapture(Signal::kLogs)).ok());
  EXPECT_EQ(e->partialRejected(Signal::kLogs), 3u);
}

TEST_F(NativeOtlpTest, JsonEncodingIsRefusedWith415Permanently) {
  host_.addExtension("azure_auth", startAuth(imdsEnv(), managed()));
  components::otlp_http::Config c;
  c.encoding = "json";
  auto e = exporter(c);
  auto st = e->consume(claudeCapture(Signal::kLogs));
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().permanent);
  EXPECT_NE(st.error().message.find("415"), std::string::npos);
}

TEST_F(NativeOtlpTest, RevokedTokenIsReplacedOn401WithoutLosingTheBatch) {
  auto auth = startAuth(imdsEnv(), managed());
  AzureAuth* raw = auth.get();
  host_.addExtension("azure_auth", std::move(auth));
  auto e = exporter();
  ASSERT_TRUE(e->consume(claudeCapture(Signal::kLogs)).ok());
  reject_tokens_ = 1;  // the DCE stops accepting the cached token
  ASSERT_TRUE(e->consume(claudeCapture(Signal::kLogs)).ok());
  EXPECT_EQ(raw->fetchCount(), 2u);
  EXPECT_EQ(count("OTelLogs"), 2 * static_cast<int64_t>(claudeCapture(Signal::kLogs)->itemCount()));
}

TEST_F(NativeOtlpTest, TokenExpiryMidRunRefreshesWithoutLosingABatch) {
  identity_->setTokenLifetime(1s);
  host_.addExtension("azure_auth", startAuth(imdsEnv(), managed()));
  auto e = exporter();
  int64_t sent = 0;
  for (int i = 0; i < 6; ++i) {
    auto b = claudeCapture(Signal::kLogs);
    sent += static_cast<int64_t>(b->itemCount());
    auto st = e->consume(std::move(b));
    ASSERT_TRUE(st.ok()) << i << ": " << st.error().message;
    std::this_thread::sleep_for(400ms);
  }
  EXPECT_EQ(count("OTelLogs"), sent);
  EXPECT_GE(identity_->stats(IdentityHost::kImds).issued, 2);
  EXPECT_EQ(dce_->stats().unauthorized, 0);
}

}  // namespace
}  // namespace agentgate::azure_emulator
