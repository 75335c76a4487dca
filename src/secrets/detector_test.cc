// Per-type positive and negative cases for the detector. Tokens are generated from each type's
// format with a seeded PRNG, so no real credential is checked in.
#include "secrets/detector.h"

#include <zlib.h>

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace agentgate::secrets {
namespace {

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kHexLower = "0123456789abcdef";
constexpr std::string_view kUpperB32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

std::string rnd(std::mt19937& g, std::string_view alphabet, size_t n) {
  std::string s;
  std::uniform_int_distribution<size_t> d(0, alphabet.size() - 1);
  for (size_t i = 0; i < n; ++i) s += alphabet[d(g)];
  return s;
}

std::string githubToken(std::mt19937& g, std::string_view prefix) {
  std::string body = rnd(g, kAlnum, 30);
  uint32_t crc = static_cast<uint32_t>(
      ::crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  constexpr std::string_view kB62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string enc(6, '0');
  for (int i = 5; i >= 0; --i) {
    enc[i] = kB62[crc % 62];
    crc /= 62;
  }
  return std::string(prefix) + body + enc;
}

struct Case {
  std::string type;
  std::string secret;  // exact expected span
  std::string text;    // secret embedded in context
};

std::vector<Case> positives() {
  std::mt19937 g(42);
  std::vector<Case> c;
  auto add = [&](std::string type, std::string secret,
                 std::string before = "TOKEN_VALUE=", std::string after = " # set\n") {
    c.push_back({type, secret, before + secret + after});
  };
  add("github-pat-classic", githubToken(g, "ghp_"));
  add("github-oauth-token", githubToken(g, "gho_"), "{\"t\": \"", "\"}");
  add("github-app-token", githubToken(g, "ghs_"));
  add("github-refresh-token", githubToken(g, "ghr_"));
  add("npm-token", githubToken(g, "npm_"), "//registry.npmjs.org/:_authToken=", "\n");
  add("github-fine-grained-pat", "github_pat_" + rnd(g, kAlnum, 22) + "_" + rnd(g, kAlnum, 59));
  add("gitlab-pat", "glpat-" + rnd(g, kUrlSafe, 20));
  add("aws-access-key-id", "AKIA" + rnd(g, kUpperB32, 16), "aws_access_key_id = ", "\n");
  add("aws-secret-access-key", rnd(g, kB64, 40), "AWS_SECRET_ACCESS_KEY=", "\n");
  add("anthropic-api-key", "sk-ant-api03-" + rnd(g, kUrlSafe, 93) + "AA");
  add("openai-api-key", "sk-proj-" + rnd(g, kUrlSafe, 40) + "T3BlbkFJ" + rnd(g, kUrlSafe, 40));
  add("slack-bot-token", "xoxb-" + rnd(g, "0123456789", 12) + "-" + rnd(g, "0123456789", 13) + "-" +
                             rnd(g, kAlnum, 24));
  add("stripe-secret-key", "sk_live_" + rnd(g, kAlnum, 24));
  add("huggingface-token", "hf_" + rnd(g, kAlnum, 34));
  add("gcp-api-key", "AIza" + rnd(g, kUrlSafe, 35));
  add("azure-storage-account-key", rnd(g, kB64, 76) + "+ASt" + rnd(g, kB64, 5) + "A==");
  add("azure-function-key", rnd(g, kUrlSafe, 44) + "AzFu" + rnd(g, kUrlSafe, 5) + "g==");
  add("azure-ad-client-secret", rnd(g, kAlnum, 3) + "8Q~" + rnd(g, kUrlSafe, 34));
  add("azure-devops-pat",
      rnd(g, kAlnum, 52) + "JQQJ99" + rnd(g, kAlnum, 18) + "AZDO" + rnd(g, kAlnum, 4));
  add("azure-storage-connection-string", rnd(g, kB64, 86) + "==",
      "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=", ";EndpointSuffix=core");
  add("azure-sas-token", rnd(g, kAlnum, 40) + "%3D",
      "https://a.blob.core.windows.net/c?sv=1&sig=", "\n");
  add("sendgrid-api-key", "SG." + rnd(g, kUrlSafe, 22) + "." + rnd(g, kUrlSafe, 43));
  add("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + rnd(g, kUrlSafe, 43));
  add("digitalocean-pat", "dop_v1_" + rnd(g, kHexLower, 64));
  add("twilio-api-key", "SK" + rnd(g, kHexLower, 32));
  add("databricks-token", "dapi" + rnd(g, kHexLower, 32));
  add("telegram-bot-token", rnd(g, "0123456789", 10) + ":AA" + rnd(g, kUrlSafe, 33));
  add("private-key-rsa",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA" + rnd(g, kB64, 64) + "\n" +
          rnd(g, kB64, 64) + "\n-----END RSA PRIVATE KEY-----",
      "key: |\n", "\n");
  // Read-tool output: line-number prefixes inside the PEM block, JSON-escaped.
  add("private-key-pkcs8",
      "-----BEGIN PRIVATE KEY-----\\n    41\\u2192MIIEvQIBADANBgkq" + rnd(g, kB64, 64) +
          "\\n    42\\u2192" + rnd(g, kB64, 64) + "\\n    43\\u2192-----END PRIVATE KEY-----",
      "{\"tool_result\": \"    40\\u2192", "\"}");
  add("url-basic-auth-password", rnd(g, kAlnum, 14), "https://deploy:", "@git.example.org/x");
  add("database-url-password", rnd(g, kAlnum, 14), "postgres://app:", "@db.internal:5432/app");
  add("generic-password", rnd(g, kAlnum, 10) + "7!", "DB_PASSWORD: \"", "\"\n");
  add("generic-bearer-token", rnd(g, kAlnum, 40), "-H \"Authorization: Bearer ", "\"");
  add("fastly-api-token", rnd(g, kAlnum, 32), "FASTLY_API_TOKEN=", "\n");
  add("generic-api-key", rnd(g, kAlnum, 24) + "9", "\"apiKey\": \"", "\"");
  return c;
}

TEST(SecretsDetector, CompilesBuiltinRules) {
  auto det = Detector::create();
  ASSERT_TRUE(det.ok()) << det.error().message;
  EXPECT_GT((*det)->ruleCount(), 100u);
  EXPECT_GT(Detector::builtinTypes().size(), 100u);
}

TEST(SecretsDetector, FindsEachTypeWithExactSpan) {
  auto det = Detector::create();
  ASSERT_TRUE(det.ok());
  for (const auto& c : positives()) {
    auto found = (*det)->scan(c.text);
    size_t at = c.text.find(c.secret);
    ASSERT_NE(at, std::string::npos);
    ASSERT_EQ(found.size(), 1u) << c.type;
    EXPECT_EQ(found[0].type, c.type) << c.type;
    EXPECT_LE(found[0].start, at) << c.type;
    EXPECT_GE(found[0].end, at + c.secret.size()) << c.type;
    // The span covers the secret and little else (at most the quotes around it).
    EXPECT_LE(found[0].end - found[0].start, c.secret.size() + 4) << c.type;
  }
}

TEST(SecretsDetector, NegativesPerType) {
  auto det = Detector::create();
  ASSERT_TRUE(det.ok());
  const char* negatives[] = {
      // placeholders and documentation examples
      "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "AKIAIOSFODNN7EXAMPLE",
      "sk_live_AAAAAAAAAAAAAAAAAAAAAAAA",
      "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "mongodb+srv://<username>:<password>@cluster0.example.net/db",
      "https://user:password@example.com",
      "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
      "-----BEGIN PUBLIC "
      "KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
      "-----END PUBLIC KEY-----",
      // checksum mismatch: right shape, wrong CRC32
      "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5",
      "npm_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5",
      // ids and hashes that look random
      "toolu_01A09q90qw90lq917835lq9 msg_01XFDUDYJgAACzvnptvVoYEL",
      "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
      "\"requestId\": \"3f6c2b1e-8d4a-4f5b-9c7e-2a1d0e9f8b7c\"",
      "\"integrity\": \"sha512-Q2VydGFpbmx5IG5vdCBhIHNlY3JldCBqdXN0IGEgaGFzaA==\"",
      "\"key\": \"ctrl+shift+down\"",
      "\"tokenizationId\": \"b7e2c9a0-1f3d-4e5a-8b6c-7d9e0f1a2b3c\"",
      "password = os.environ.get(\"DB_PASSWORD\")",
      "api_key: ${API_KEY}",
      "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
      "xoxb-12345-abcd234",
      "eyJub3RhIjoiand0In0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2J5dGVzX2hlcmU",
      "the input_tokens=12345 and max_tokens: 4096",
      "{\"key\": \"cache_creation_5m_tokens\", \"value\": {\"intValue\": 3}}",
  };
  for (const char* n : negatives) {
    auto found = (*det)->scan(n);
    EXPECT_TRUE(found.empty()) << n << " -> " << (found.empty() ? "" : found[0].rule_id);
  }
}

TEST(SecretsDetector, ExamplesReportedOnlyWhenAsked) {
  DetectorOptions opts;
  opts.report_examples = true;
  auto det = Detector::create(opts);
  ASSERT_TRUE(det.ok());
  std::string text = "key AKIAIOSFODNN7EXAMPLE and ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij end";
  auto found = (*det)->scan(text);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_TRUE(found[0].example);
  EXPECT_EQ(found[0].type, "aws-access-key-id");
  EXPECT_EQ(found[0].confidence, Confidence::kLow);
  EXPECT_EQ(found[1].type, "github-pat-classic");
  EXPECT_TRUE(Detector::create().value()->scan(text).empty());
}

TEST(SecretsDetector, ChecksumsAndFingerprint) {
  std::mt19937 g(7);
  std::string good = githubToken(g, "ghp_");
  EXPECT_TRUE(checksumTokenValid(good));
  std::string bad = good;
  bad[10] = bad[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(checksumTokenValid(bad));

  std::string fp1 = fingerprint("k1", good);
  EXPECT_EQ(fp1.size(), 8u);
  EXPECT_EQ(fp1, fingerprint("k1", good));
  EXPECT_NE(fp1, fingerprint("k2", good));
  EXPECT_EQ(good.find(fp1), std::string::npos);
  EXPECT_NEAR(shannonEntropy("aaaa"), 0.0, 1e-9);
  EXPECT_NEAR(shannonEntropy("abcd"), 2.0, 1e-9);
}

TEST(SecretsDetector, MultipleFindingsSortedAndMerged) {
  auto det = Detector::create();
  ASSERT_TRUE(det.ok());
  std::mt19937 g(3);
  std::string a = githubToken(g, "ghp_");
  std::string b = "AKIA" + rnd(g, kUpperB32, 16);
  std::string text = "first " + a + " then " + b + " and again " + a;
  auto found = (*det)->scan(text);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_LT(found[0].start, found[1].start);
  EXPECT_LT(found[1].start, found[2].start);
  EXPECT_EQ(text.substr(found[1].start, found[1].end - found[1].start), b);
}

TEST(SecretsDetector, CustomRulesAndAllowValues) {
  DetectorOptions opts;
  opts.custom_rules.push_back(
      {"acme-key", "acme-api-key", "acme_", false, "[a-z0-9]{20}", true, 0});
  std::mt19937 g(9);
  std::string allowed = githubToken(g, "ghp_");
  opts.allow_values.push_back(allowed);
  auto det = Detector::create(opts);
  ASSERT_TRUE(det.ok()) << det.error().message;
  auto found = (*det)->scan("x acme_q8w7e6r5t4y3u2i1o0p9 y " + allowed);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].type, "acme-api-key");

  opts.custom_rules[0].value_pattern = "[a-z{3";
  EXPECT_FALSE(Detector::create(opts).ok());
}

TEST(SecretsDetector, AdversarialInputsStayBounded) {
  auto det = Detector::create();
  ASSERT_TRUE(det.ok());
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "key=token:";
  EXPECT_TRUE((*det)->scan(many).empty());
  // Past the hit limit the rest of the text is reported unscanned rather than passed on.
  std::string flood;
  for (int i = 0; i < 600000; ++i) flood += "SKSK";
  flood += " AKIAQ3EGRV7TW2XZLM5P";
  auto found = (*det)->scan(flood);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.back().type, "unscanned");
  EXPECT_EQ(found.back().end, flood.size());
  std::string pem = "-----BEGIN RSA PRIVATE KEY-----";
  (void)(*det)->scan(pem);  // truncated header at the very end
  (void)(*det)->scan("://");
  (void)(*det)->scan(std::string_view("\0\0\0", 3));
  SUCCEED();
}

// A confirmed secret is found again where its context alone would not confirm it (glued to a
// word); shorter spans are not repeated (a short password also occurs inside ordinary words).
TEST(SecretsDetector, RepeatsOfAConfirmedSecretAreFindings) {
  auto det = Detector::create();
  ASSERT_TRUE(det.ok());
  std::mt19937 g(606);
  std::string key = "SG." + rnd(g, kAlnum, 22) + "." + rnd(g, kAlnum, 43);
  std::string text = "oops " + key + "\nsom" + key + "where\n";
  auto f = (*det)->scan(text);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].type, "sendgrid-api-key");
  EXPECT_EQ(text.substr(f[1].start, f[1].end - f[1].start), key);
  EXPECT_EQ(f[1].start, text.find("som") + 3);
  // Without the confirmed occurrence, the glued one alone is not reported.
  EXPECT_TRUE((*det)->scan("som" + key + "where").empty());
}

TEST(SecretsDetector, OktaTokensAndLooseOpenShiftTokens) {
  auto det = Detector::create();
  ASSERT_TRUE(det.ok());
  std::mt19937 g(4242);
  std::string okta = "00" + rnd(g, kUrlSafe, 40);
  auto f = (*det)->scan("Debug this: `" + okta + "` (prod)");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].type, "okta-api-token");
  EXPECT_EQ(f[0].end - f[0].start, okta.size());
  // Hex of the same length, a longer run and a number ending in 00 are not Okta tokens.
  EXPECT_TRUE((*det)->scan("id 00" + rnd(g, kHexLower, 40) + " x").empty());
  EXPECT_TRUE((*det)->scan("run 00" + rnd(g, kUrlSafe, 48) + " x").empty());
  EXPECT_TRUE((*det)->scan("t=1700" + rnd(g, kUrlSafe, 40) + " x").empty());
  std::string os = "sha256~" + rnd(g, kAlnum, 12) + "@=-.a+/";
  f = (*det)->scan("wire `" + os + "` in");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].type, "openshift-user-token");
  EXPECT_EQ(f[0].end - f[0].start, os.size());
}

// A secret inside padded base64 (a Docker config's auth, a Kubernetes Secret's data) is found by
// decoding the run; binary base64 and base64 of harmless text are not findings.
TEST(SecretsDetector, Base64EncodedSecrets) {
  auto det = Detector::create();
  ASSERT_TRUE(det.ok());
  std::mt19937 g(64);
  std::string key = "SG." + rnd(g, kAlnum, 22) + "." + rnd(g, kAlnum, 43);
  auto b64 = [](std::string_view in) {
    static constexpr char kT[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string o;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
      uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
      for (int k = 18; k >= 0; k -= 6) o += kT[(v >> k) & 63];
    }
    if (i + 1 == in.size()) {
      uint32_t v = uint8_t(in[i]) << 16;
      o += kT[(v >> 18) & 63];
      o += kT[(v >> 12) & 63];
      o += "==";
    } else if (i + 2 == in.size()) {
      uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
      o += kT[(v >> 18) & 63];
      o += kT[(v >> 12) & 63];
      o += kT[(v >> 6) & 63];
      o += '=';
    }
    return o;
  };
  std::string enc = b64("apikey:" + key + "!");
  ASSERT_EQ(enc.back(), '=');
  // No keyword around it ("auth": would already count as an assignment of a secret).
  std::string text = "echo " + enc + " | base64 -d > creds\n";
  auto f = (*det)->scan(text);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].type, "sendgrid-api-key");
  EXPECT_EQ(f[0].rule_id, "base64-encoded");
  EXPECT_EQ(text.substr(f[0].start, f[0].end - f[0].start), enc);
  EXPECT_TRUE(
      (*det)->scan("data: " + b64("just a harmless sentence, nothing more!") + "\n").empty());
  std::string binary;
  for (int i = 0; i < 40; ++i) binary += static_cast<char>(g() & 0xFF);
  binary[0] = '\x01';
  EXPECT_TRUE((*det)->scan("sha: " + b64(binary + "x") + "\n").empty());
}

}  // namespace
}  // namespace agentgate::secrets
