#include "components/extension/bearertokenauth/bearer_token_auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/strings.h"
#include "components/extension/bearertokenauth/factory.h"
#include "config/loader.h"
#include "testlib/test_host.h"

namespace agentgate::components::bearertokenauth {
namespace {

class Headers : public HeaderLookup {
 public:
  Headers(std::initializer_list<std::pair<std::string, std::string>> h) : h_(h) {}
  std::optional<std::string_view> get(std::string_view name) const override {
    for (const auto& [k, v] : h_)
      if (strings::iequals(k, name)) return std::string_view(v);
    return std::nullopt;
  }

 private:
  std::vector<std::pair<std::string, std::string>> h_;
};

Config inlineConfig(std::string token) {
  Config c;
  c.token = std::move(token);
  return c;
}

TEST(BearerTokenAuth, AcceptsMatchingTokenAndRejectsOthers) {
  BearerTokenAuth auth("bearertokenauth/ingest", inlineConfig("s3cret"));
  auto ok = auth.authenticate(Headers{{"authorization", "Bearer s3cret"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->subject, "bearertokenauth/ingest#0");

  auto bad = auth.authenticate(Headers{{"Authorization", "Bearer wrong"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kUnauthenticated);

  auto missing = auth.authenticate(Headers{});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnauthenticated);

  EXPECT_FALSE(auth.authenticate(Headers{{"Authorization", "s3cret"}}).ok());
  EXPECT_FALSE(auth.authenticate(Headers{{"Authorization", "Bearer s3cret "}}).ok());
}

TEST(BearerTokenAuth, MultipleTokensReportTheMatchingIndex) {
  Config c;
  c.tokens = {"alpha", "beta", "gamma"};
  BearerTokenAuth auth("bearertokenauth", c);
  for (int i = 0; i < 3; ++i) {
    auto r = auth.authenticate(Headers{{"AUTHORIZATION", "Bearer " + c.tokens[i]}});
    ASSERT_TRUE(r.ok()) << i;
    EXPECT_EQ(r->subject, "bearertokenauth#" + std::to_string(i));
    EXPECT_EQ(r->subject.find(c.tokens[i]), std::string::npos);
  }
  EXPECT_FALSE(auth.authenticate(Headers{{"Authorization", "Bearer delta"}}).ok());
}

TEST(BearerTokenAuth, CustomHeaderAndScheme) {
  Config c = inlineConfig("k1");
  c.header = "X-Api-Key";
  c.scheme = "Token";
  BearerTokenAuth auth("bearertokenauth", c);
  EXPECT_TRUE(auth.authenticate(Headers{{"x-api-key", "Token k1"}}).ok());
  EXPECT_FALSE(auth.authenticate(Headers{{"Authorization", "Token k1"}}).ok());
  EXPECT_FALSE(auth.authenticate(Headers{{"x-api-key", "Bearer k1"}}).ok());
  auto h = auth.requestHeaders();
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0].first, "X-Api-Key");
  EXPECT_EQ((*h)[0].second, "Token k1");
}

TEST(BearerTokenAuth, EmptySchemeComparesTheBareToken) {
  Config c = inlineConfig("raw-token");
  c.scheme = "";
  BearerTokenAuth auth("bearertokenauth", c);
  EXPECT_TRUE(auth.authenticate(Headers{{"Authorization", "raw-token"}}).ok());
  EXPECT_FALSE(auth.authenticate(Headers{{"Authorization", "Bearer raw-token"}}).ok());
  auto h = auth.requestHeaders();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)[0].second, "raw-token");
}

TEST(BearerTokenAuth, ClientSendsFirstToken) {
  Config c;
  c.tokens = {"first", "second"};
  BearerTokenAuth auth("bearertokenauth", c);
  auto h = auth.requestHeaders();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)[0].first, "Authorization");
  EXPECT_EQ((*h)[0].second, "Bearer first");
}

TEST(BearerTokenAuth, ErrorMessageNeverContainsThePresentedValue) {
  BearerTokenAuth auth("bearertokenauth", inlineConfig("expected-token"));
  const std::string presented = "Bearer leaked-credential-XYZ";
  auto r = auth.authenticate(Headers{{"Authorization", presented}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("leaked-credential-XYZ"), std::string::npos);
  EXPECT_EQ(r.error().message.find("expected-token"), std::string::npos);
}

TEST(BearerTokenAuth, ParseTokenFileTrimsAndSkipsBlankLines) {
  auto t = parseTokenFile("  one \r\n\n\ttwo\nthree");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0], "one");
  EXPECT_EQ(t[1], "two");
  EXPECT_EQ(t[2], "three");
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bta-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::filesystem::path path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void writeFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::trunc);
  out << text;
}

template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not a sync
  }
  return pred();
}

TEST(BearerTokenAuth, FileTokensAreReloadedWhenTheFileChanges) {
  TempDir dir;
  auto file = dir.path() / "tokens.txt";
  writeFile(file, "old-token\n");
  Config c;
  c.filename = file.string();
  c.token = "ignored-inline";  // filename wins
  BearerTokenAuth auth("bearertokenauth/file", c);
  testlib::TestHost host;
  ASSERT_TRUE(auth.start(host).ok());
  EXPECT_TRUE(auth.authenticate(Headers{{"Authorization", "Bearer old-token"}}).ok());
  EXPECT_FALSE(auth.authenticate(Headers{{"Authorization", "Bearer ignored-inline"}}).ok());

  // In-place rewrite.
  writeFile(file, "new-token\nsecond-token\n");
  ASSERT_TRUE(waitFor([&] {
    return auth.authenticate(Headers{{"Authorization", "Bearer new-token"}}).ok();
  }));
  EXPECT_FALSE(auth.authenticate(Headers{{"Authorization", "Bearer old-token"}}).ok());
  auto second = auth.authenticate(Headers{{"Authorization", "Bearer second-token"}});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->subject, "bearertokenauth/file#1");

  // Atomic replace by rename, as secret mounts do.
  writeFile(dir.path() / "tokens.tmp", "renamed-token\n");
  std::filesystem::rename(dir.path() / "tokens.tmp", file);
  ASSERT_TRUE(waitFor([&] {
    return auth.authenticate(Headers{{"Authorization", "Bearer renamed-token"}}).ok();
  }));
  EXPECT_FALSE(auth.authenticate(Headers{{"Authorization", "Bearer new-token"}}).ok());
  auth.shutdown();
  auth.shutdown();  // idempotent
}

TEST(BearerTokenAuth, StartFailsForMissingOrEmptyFile) {
  TempDir dir;
  Config c;
  c.filename = (dir.path() / "absent").string();
  testlib::TestHost host;
  BearerTokenAuth missing("bearertokenauth", c);
  EXPECT_FALSE(missing.start(host).ok());
  writeFile(dir.path() / "empty", "\n  \n");
  c.filename = (dir.path() / "empty").string();
  BearerTokenAuth empty("bearertokenauth", c);
  EXPECT_FALSE(empty.start(host).ok());
}

TEST(BearerTokenAuthConfig, Validation) {
  Config c;
  ASSERT_TRUE(validate(c).has_value());
  c.token = "a";
  EXPECT_FALSE(validate(c).has_value());
  c.tokens = {"b"};
  ASSERT_TRUE(validate(c).has_value());
  EXPECT_NE(validate(c)->message.find("mutually exclusive"), std::string::npos);
  c.token.clear();
  EXPECT_FALSE(validate(c).has_value());
  Config f;
  f.filename = "/x";
  EXPECT_FALSE(validate(f).has_value());
}

config::ConfigNode parse(const std::string& yaml, config::Diagnostics& diags) {
  return config::parseYaml(
      yaml, "test.yaml", [](std::string_view) { return std::nullopt; }, diags);
}

TEST(BearerTokenAuthFactory, UnmarshalReadsKeysAndReportsProblems) {
  auto f = makeBearerTokenAuthFactory();
  EXPECT_EQ(f->type(), "bearertokenauth");
  {
    config::Diagnostics d;
    auto node = parse("header: X-Key\nscheme: ''\ntokens: [a, b]\n", d);
    auto cfg = f->createDefaultConfig();
    f->unmarshal(node, *cfg, d);
    EXPECT_FALSE(d.hasErrors()) << d.report();
    auto& c = static_cast<Config&>(*cfg);
    EXPECT_EQ(c.header, "X-Key");
    EXPECT_EQ(c.scheme, "");
    EXPECT_EQ(c.tokens.size(), 2u);
    CreateSettings settings;
    settings.id = {"bearertokenauth", ""};
    auto ext = f->create(settings, *cfg);
    ASSERT_TRUE(ext.ok());
    ASSERT_NE((*ext)->asServerAuthenticator(), nullptr);
    EXPECT_TRUE((*ext)->asServerAuthenticator()->authenticate(Headers{{"x-key", "b"}}).ok());
  }
  {
    config::Diagnostics d;
    auto node = parse("token: a\ntokens: [b]\n", d);
    auto cfg = f->createDefaultConfig();
    f->unmarshal(node, *cfg, d);
    EXPECT_TRUE(d.hasErrors());
  }
  {
    config::Diagnostics d;
    auto node = parse("header: Authorization\n", d);
    auto cfg = f->createDefaultConfig();
    f->unmarshal(node, *cfg, d);
    EXPECT_TRUE(d.hasErrors());
  }
  {
    config::Diagnostics d;
    auto node = parse("token: a\ntokenz: b\n", d);
    auto cfg = f->createDefaultConfig();
    f->unmarshal(node, *cfg, d);
    EXPECT_TRUE(d.hasErrors());
  }
}

}  // namespace
}  // namespace agentgate::components::bearertokenauth
