// azure_auth pieces that need no server: config validation, token responses and refresh times,
// URL helpers, and the certificate client assertion (verified here with the certificate's own
// public key). The flows against real identity servers are in tests/azure_emulator.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <simdjson.h>

#include "components/extension/azure_auth/client_assertion.h"
#include "components/extension/azure_auth/config.h"
#include "components/extension/azure_auth/token.h"
#include "config/loader.h"
#include "testlib/test_certificate.h"

namespace agentgate::components::azure_auth {
namespace {

using namespace std::chrono_literals;

size_t parse(const std::string& yaml, Config& out) {
  config::Diagnostics diags;
  auto node = config::parseYaml(
      yaml, "t.yaml", [](std::string_view) { return std::optional<std::string>(); }, diags);
  config::MapReader r(node, diags);
  readConfig(r, out);
  return diags.errors().size();
}

TEST(AzureAuthConfig, FixtureShapeIsValid) {
  Config c;
  EXPECT_EQ(parse("managed_identity: {}\nscopes:\n  - https://monitor.azure.com/.default\n", c),
            0u);
  ASSERT_TRUE(c.managed_identity.has_value());
  EXPECT_TRUE(c.managed_identity->client_id.empty());
  ASSERT_EQ(c.scopes.size(), 1u);
}

TEST(AzureAuthConfig, ExactlyOneCredential) {
  Config none;
  EXPECT_GT(parse("scopes: [x]\n", none), 0u);
  EXPECT_NE(validate(none)->find("authentication configuration is empty"), std::string::npos);
  Config two;
  EXPECT_GT(parse("managed_identity: {}\nuse_default: true\n", two), 0u);
  Config both;
  EXPECT_GT(parse("service_principal: {tenant_id: t, client_id: c, client_secret: s, "
                  "client_certificate_path: /x}\n",
                  both),
            0u);
  EXPECT_NE(validate(both)->find("mutually exclusive"), std::string::npos);
  Config neither;
  EXPECT_GT(parse("service_principal: {tenant_id: t, client_id: c}\n", neither), 0u);
  EXPECT_NE(validate(neither)->find("both empty"), std::string::npos);
  Config selectors;
  EXPECT_GT(parse("managed_identity: {client_id: a, object_id: b}\n", selectors), 0u);
  Config unknown;
  EXPECT_GT(parse("managed_identity: {clientid: a}\n", unknown), 0u);
}

TEST(AzureAuthToken, ParsesEntraAndManagedIdentityShapes) {
  auto now = WallClock::now();
  auto entra = parseTokenResponse(
      R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"abc"})",
      now, false);
  ASSERT_TRUE(entra.ok()) << entra.error().message;
  EXPECT_EQ(entra->token, "abc");
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(entra->expires_at - now).count(),
            3599);
  // 5 minutes before expiry.
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(entra->expires_at - entra->refresh_at)
                .count(),
            300);

  // IMDS: numbers as strings.
  auto imds = parseTokenResponse(R"({"access_token":"t","expires_in":"86399","expires_on":"1"})",
                                 now, true);
  ASSERT_TRUE(imds.ok());
  // Managed identity over 2 h: refresh at half the lifetime.
  EXPECT_NEAR(std::chrono::duration_cast<std::chrono::seconds>(imds->refresh_at - now).count(),
              86399 / 2, 1);

  // App Service: only expires_on, as an epoch string.
  int64_t on =
      std::chrono::duration_cast<std::chrono::seconds>((now + 1h).time_since_epoch()).count();
  auto app = parseTokenResponse(
      R"({"access_token":"t","expires_on":")" + std::to_string(on) + R"(","token_type":"Bearer"})",
      now, true);
  ASSERT_TRUE(app.ok()) << app.error().message;
  EXPECT_NEAR(std::chrono::duration_cast<std::chrono::seconds>(app->expires_at - now).count(), 3600,
              1);

  auto dated =
      parseTokenResponse(R"({"access_token":"t","expires_on":"2199-01-02 03:04:05"})", now, false);
  ASSERT_TRUE(dated.ok()) << dated.error().message;
  auto us =
      parseTokenResponse(R"({"access_token":"t","expires_on":"01/02/2199 03:04:05"})", now, false);
  ASSERT_TRUE(us.ok());
  EXPECT_EQ(dated->expires_at, us->expires_at);

  auto refresh_in =
      parseTokenResponse(R"({"access_token":"t","expires_in":7200,"refresh_in":600})", now, false);
  ASSERT_TRUE(refresh_in.ok());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(refresh_in->refresh_at - now).count(),
            600);
}

TEST(AzureAuthToken, ShortLifetimesStillRefreshAhead) {
  auto now = WallClock::now();
  auto t = parseTokenResponse(R"({"access_token":"t","expires_in":10})", now, false);
  ASSERT_TRUE(t.ok());
  EXPECT_LT(t->refresh_at, t->expires_at);
  EXPECT_GT(t->refresh_at, now);
}

TEST(AzureAuthToken, BadResponsesNameTheFieldNotTheValue) {
  auto now = WallClock::now();
  auto no_token = parseTokenResponse(R"({"expires_in":10})", now, false);
  ASSERT_FALSE(no_token.ok());
  EXPECT_NE(no_token.error().message.find("access_token"), std::string::npos);
  auto no_expiry = parseTokenResponse(R"({"access_token":"s3cr3t-value"})", now, false);
  ASSERT_FALSE(no_expiry.ok());
  EXPECT_EQ(no_expiry.error().message.find("s3cr3t"), std::string::npos);
  EXPECT_FALSE(parseTokenResponse("not json", now, false).ok());
  EXPECT_FALSE(parseTokenResponse(R"({"access_token":"t","expires_in":-5})", now, false).ok());
}

TEST(AzureAuthToken, OauthErrorCodeOnly) {
  EXPECT_EQ(oauthErrorCode(R"({"error":"invalid_client","error_description":"secret abc"})"),
            "invalid_client");
  EXPECT_EQ(oauthErrorCode("garbage"), "");
}

TEST(AzureAuthHelpers, UrlPieces) {
  EXPECT_EQ(scopeToResource("https://monitor.azure.com/.default"), "https://monitor.azure.com");
  EXPECT_EQ(urlHost("https://x.ingest.monitor.azure.com/datacollectionRules/d"),
            "x.ingest.monitor.azure.com");
  EXPECT_EQ(urlHost("http://127.0.0.1:8080?x"), "127.0.0.1:8080");
  EXPECT_EQ(urlEncode("a b/c=d"), "a%20b%2Fc%3Dd");
  EXPECT_EQ(formEncode({{"grant_type", "client_credentials"}, {"scope", "https://m/.default"}}),
            "grant_type=client_credentials&scope=https%3A%2F%2Fm%2F.default");
}

std::string b64urlDecode(std::string_view in) {
  std::string std64(in);
  for (auto& c : std64) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (std64.size() % 4) std64 += '=';
  std::string out(std64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(std64.data()),
                          static_cast<int>(std64.size()));
  out.resize(static_cast<size_t>(n) - (std64.size() - in.size()));
  return out;
}

TEST(ClientAssertion, SignedRs256WithThumbprintAndClaims) {
  auto tc = testlib::makeTestCertificate();
  auto cred = CertificateCredential::fromPem(tc.key_pem + tc.cert_pem);  // key first works too
  ASSERT_TRUE(cred.ok()) << cred.error().message;
  auto jwt =
      cred.value()->assertion("client-1", "https://login/t/oauth2/v2.0/token", WallClock::now());
  ASSERT_TRUE(jwt.ok());
  auto d1 = jwt->find('.'), d2 = jwt->rfind('.');
  ASSERT_NE(d1, d2);
  std::string header = b64urlDecode(jwt->substr(0, d1));
  std::string claims = b64urlDecode(jwt->substr(d1 + 1, d2 - d1 - 1));
  EXPECT_NE(header.find(R"("alg":"RS256")"), std::string::npos) << header;
  EXPECT_NE(header.find("\"x5t\":\"" + cred.value()->thumbprint() + "\""), std::string::npos);
  EXPECT_EQ(cred.value()->thumbprint().size(), 27u);  // base64url of 20 bytes
  simdjson::dom::parser p;
  auto doc = p.parse(claims);
  ASSERT_FALSE(doc.error());
  EXPECT_EQ(std::string_view(doc["aud"]), "https://login/t/oauth2/v2.0/token");
  EXPECT_EQ(std::string_view(doc["iss"]), "client-1");
  EXPECT_EQ(std::string_view(doc["sub"]), "client-1");
  EXPECT_GT(int64_t(doc["exp"]), int64_t(doc["nbf"]));

  // The signature verifies with the certificate's public key.
  BIO* bio = BIO_new_mem_buf(tc.cert_pem.data(), static_cast<int>(tc.cert_pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_PKEY* pub = X509_get_pubkey(x);
  std::string sig = b64urlDecode(jwt->substr(d2 + 1));
  std::string input = jwt->substr(0, d2);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
  X509_free(x);
}

TEST(ClientAssertion, BadPemIsAClearErrorWithoutKeyMaterial) {
  auto tc = testlib::makeTestCertificate();
  auto no_key = CertificateCredential::fromPem(tc.cert_pem);
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.error().message.find("PRIVATE KEY"), std::string::npos);
  auto other = testlib::makeTestCertificate("other");
  auto mismatch = CertificateCredential::fromPem(tc.cert_pem + other.key_pem);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("does not match"), std::string::npos);
  EXPECT_EQ(mismatch.error().message.find("BEGIN"), std::string::npos);
  EXPECT_FALSE(CertificateCredential::fromPem("garbage").ok());
  EXPECT_FALSE(CertificateCredential::fromFile("/nonexistent/cert.pem").ok());
}

}  // namespace
}  // namespace agentgate::components::azure_auth
