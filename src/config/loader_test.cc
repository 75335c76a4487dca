#include "config/loader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include <unistd.h>

namespace agentgate::config {
namespace {

EnvLookup fakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ConfigNode parse(std::string_view text, Diagnostics& diags, const EnvLookup& env = fakeEnv({})) {
  return parseYaml(text, "test.yaml", env, diags);
}

// Resolves "a.b.c" through maps only (test helper).
const ConfigNode* at(const ConfigNode& root, std::initializer_list<std::string_view> keys) {
  const ConfigNode* n = &root;
  for (auto k : keys) {
    n = n->find(k);
    if (n == nullptr) return nullptr;
  }
  return n;
}

// Substitutes one scalar "v: <text>" and returns its value.
std::string substituted(std::string_view text, Diagnostics& diags, const EnvLookup& env) {
  ConfigNode root = parse("v: " + std::string(text) + "\n", diags, env);
  const ConfigNode* v = root.find("v");
  return v ? v->value() : "<missing>";
}

TEST(LoaderTest, MarksAndPaths) {
  Diagnostics diags;
  ConfigNode root = parse(
      "receivers:\n"
      "  otlp:\n"
      "    protocols:\n"
      "      http:\n"
      "        endpoint: 0.0.0.0:4318\n"
      "processors:\n"
      "  resource:\n"
      "    attributes:\n"
      "      - key: deployment.environment\n"
      "        action: upsert\n",
      diags);
  ASSERT_FALSE(diags.hasErrors()) << diags.report();
  const ConfigNode* ep = at(root, {"receivers", "otlp", "protocols", "http", "endpoint"});
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->value(), "0.0.0.0:4318");
  EXPECT_EQ(ep->path(), "receivers.otlp.protocols.http.endpoint");
  EXPECT_EQ(ep->mark().file, "test.yaml");
  EXPECT_EQ(ep->mark().line, 5);
  EXPECT_EQ(ep->mark().column, 19);

  // A nested map is marked where its key is.
  const ConfigNode* http = at(root, {"receivers", "otlp", "protocols", "http"});
  ASSERT_NE(http, nullptr);
  EXPECT_EQ(http->mark().line, 4);
  EXPECT_EQ(http->mark().column, 7);

  const ConfigNode* attrs = at(root, {"processors", "resource", "attributes"});
  ASSERT_NE(attrs, nullptr);
  ASSERT_TRUE(attrs->isSequence());
  ASSERT_EQ(attrs->items().size(), 1u);
  const ConfigNode* key = attrs->items()[0].find("key");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->path(), "processors.resource.attributes[0].key");
  EXPECT_EQ(key->mark().line, 9);
  EXPECT_EQ(attrs->items()[0].path(), "processors.resource.attributes[0]");
}

TEST(LoaderTest, KindsNullsAndQuoting) {
  Diagnostics diags;
  ConfigNode root = parse(
      "a:\n"
      "b: ~\n"
      "c: \"123\"\n"
      "d: 123\n"
      "e: 'x'\n"
      "f: [1, 2]\n"
      "g: {}\n",
      diags);
  ASSERT_FALSE(diags.hasErrors()) << diags.report();
  EXPECT_TRUE(root.find("a")->isNull());
  EXPECT_TRUE(root.find("b")->isNull());
  EXPECT_TRUE(root.find("c")->quoted());
  EXPECT_FALSE(root.find("d")->quoted());
  EXPECT_EQ(root.find("d")->value(), "123");
  EXPECT_TRUE(root.find("e")->quoted());
  EXPECT_EQ(root.find("f")->items().size(), 2u);
  EXPECT_EQ(root.find("f")->items()[1].path(), "f[1]");
  EXPECT_TRUE(root.find("g")->isMap());
  // Document order is kept.
  ASSERT_EQ(root.entries().size(), 7u);
  EXPECT_EQ(root.entries()[0].first, "a");
  EXPECT_EQ(root.entries()[6].first, "g");
}

TEST(LoaderTest, SyntaxErrorReportsLine) {
  Diagnostics diags;
  parse("receivers:\n  otlp:\n    protocols: [a, b\nexporters:\n", diags);
  ASSERT_TRUE(diags.hasErrors());
  std::string report = diags.report();
  EXPECT_EQ(report.rfind("test.yaml:", 0), 0u) << report;
  EXPECT_NE(report.find("invalid YAML"), std::string::npos) << report;
  EXPECT_GT(diags.errors()[0].mark.line, 0);
}

TEST(LoaderTest, DuplicateKeyIsAnError) {
  Diagnostics diags;
  parse("a: 1\nb: 2\na: 3\n", diags);
  ASSERT_EQ(diags.errors().size(), 1u);
  EXPECT_EQ(diags.errors()[0].message, "duplicate key \"a\"");
  EXPECT_EQ(diags.errors()[0].mark.line, 3);
}

TEST(LoaderTest, EmptyDocumentIsNull) {
  Diagnostics diags;
  ConfigNode root = parse("", diags);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_TRUE(root.isNull());
}

TEST(LoaderTest, EnvSubstitutionForms) {
  EnvLookup env = fakeEnv({{"TOKEN", "s3cr3t"}, {"EMPTY", ""}, {"_X1", "v"}});
  Diagnostics diags;
  EXPECT_EQ(substituted("${env:TOKEN}", diags, env), "s3cr3t");
  EXPECT_EQ(substituted("${TOKEN}", diags, env), "s3cr3t");
  EXPECT_EQ(substituted("\"Bearer ${env:TOKEN}!\"", diags, env), "Bearer s3cr3t!");
  EXPECT_EQ(substituted("${env:NOPE:-fallback}", diags, env), "fallback");
  EXPECT_EQ(substituted("${env:TOKEN:-fallback}", diags, env), "s3cr3t");
  // Default applies only when unset; set-but-empty stays empty.
  EXPECT_EQ(substituted("\"${env:EMPTY:-fallback}\"", diags, env), "");
  EXPECT_EQ(substituted("\"${env:NOPE:-}\"", diags, env), "");
  EXPECT_EQ(substituted("a$$b", diags, env), "a$b");
  EXPECT_EQ(substituted("$${env:TOKEN}", diags, env), "${env:TOKEN}");
  EXPECT_EQ(substituted("$TOKEN", diags, env), "$TOKEN");
  EXPECT_EQ(substituted("cost$", diags, env), "cost$");
  EXPECT_EQ(substituted("${_X1}${_X1}", diags, env), "vv");
  // Unset without default: empty (a warning is logged, not an error).
  EXPECT_EQ(substituted("\"x${env:NOPE}y\"", diags, env), "xy");
  EXPECT_FALSE(diags.hasErrors()) << diags.report();
}

TEST(LoaderTest, EnvSubstitutionErrors) {
  EnvLookup env = fakeEnv({{"NAME", "v"}});
  struct Case {
    std::string text;
    std::string message;
  };
  std::vector<Case> cases = {
      {"${NAME:-x}",
       "scheme \"NAME\" is not supported in \"${NAME:-x}\" (a default value needs the env scheme: "
       "\"${env:NAME:-...}\")"},
      {"${file:/etc/passwd}",
       "scheme \"file\" is not supported in \"${file:/etc/passwd}\" (only "
       "\"env\" is)"},
      {"${env:1BAD}",
       "invalid environment variable name \"1BAD\" in \"${env:1BAD}\" (names match "
       "[a-zA-Z_][a-zA-Z0-9_]*)"},
      {"\"${env:A-B}\"",
       "invalid environment variable name \"A-B\" in \"${env:A-B}\" (names match "
       "[a-zA-Z_][a-zA-Z0-9_]*)"},
      {"\"${}\"",
       "invalid environment variable name \"\" in \"${}\" (names match "
       "[a-zA-Z_][a-zA-Z0-9_]*)"},
      {"${env:" + std::string(201, 'A') + "}",
       "invalid environment variable name \"" + std::string(201, 'A') +
           "\" in \"${env:" + std::string(201, 'A') + "}\" (names match [a-zA-Z_][a-zA-Z0-9_]*)"},
      {"\"${env:NAME\"", "unterminated \"${\" (write \"$$\" for a literal \"$\")"},
  };
  for (const auto& c : cases) {
    Diagnostics diags;
    substituted(c.text, diags, env);
    ASSERT_EQ(diags.errors().size(), 1u) << c.text;
    EXPECT_EQ(diags.errors()[0].message, c.message) << c.text;
    EXPECT_EQ(diags.errors()[0].path, "v");
    EXPECT_EQ(diags.errors()[0].mark.line, 1);
  }
  // 200 characters is the longest valid name.
  Diagnostics ok;
  substituted("${env:" + std::string(200, 'A') + "}", ok, env);
  EXPECT_FALSE(ok.hasErrors());
}

TEST(LoaderTest, KeysAreNotSubstituted) {
  Diagnostics diags;
  ConfigNode root = parse("${env:K}: 1\n", diags, fakeEnv({{"K", "x"}}));
  EXPECT_NE(root.find("${env:K}"), nullptr);
}

TEST(LoaderTest, ToYamlMasksSecretsIncludingSubstitutedOnes) {
  Diagnostics diags;
  EnvLookup env = fakeEnv({{"TOK", "tok-abc-123"}, {"CS", "InstrumentationKey=00000000-1111"}});
  ConfigNode root = parse(
      "extensions:\n"
      "  bearertokenauth:\n"
      "    token: ${env:TOK}\n"
      "  bearertokenauth/2:\n"
      "    tokens: [one-secret, two-secret]\n"
      "  azure_auth:\n"
      "    service_principal:\n"
      "      client_secret: cs-value\n"
      "      tenant_id: tenant-visible\n"
      "exporters:\n"
      "  azuremonitor:\n"
      "    connection_string: ${env:CS}\n"
      "    instrumentation_key: ik-value\n"
      "  otlp_http:\n"
      "    endpoint: https://example.com\n"
      "    headers:\n"
      "      Authorization: Bearer hdr-value\n"
      "      X-Api-Key: apikey-value\n"
      "      X-Tenant: tenant-header\n"
      "    password: pw-value\n"
      "    secret: sec-value\n"
      "    key: key-value\n"
      "    shared_key: sk-value\n"
      "    key_file: /etc/tls/key.pem\n"
      "processors:\n"
      "  resource:\n"
      "    attributes:\n"
      "      - key: deployment.environment\n"
      "        value: prod\n"
      "        action: upsert\n",
      diags, env);
  ASSERT_FALSE(diags.hasErrors()) << diags.report();
  std::string yaml = toYaml(root);
  for (const char* secret :
       {"tok-abc-123", "one-secret", "two-secret", "cs-value", "00000000-1111", "ik-value",
        "hdr-value", "apikey-value", "pw-value", "sec-value", "key-value", "sk-value"}) {
    EXPECT_EQ(yaml.find(secret), std::string::npos) << secret << " leaked:\n" << yaml;
  }
  for (const char* visible : {"tenant-visible", "https://example.com", "tenant-header",
                              "/etc/tls/key.pem", "deployment.environment", "prod", "upsert"}) {
    EXPECT_NE(yaml.find(visible), std::string::npos) << visible << " missing:\n" << yaml;
  }
  EXPECT_NE(yaml.find("token: \"[REDACTED]\""), std::string::npos) << yaml;

  // Unmasked rendering round-trips to the same tree.
  std::string plain = toYaml(root, /*mask_secrets=*/false);
  EXPECT_NE(plain.find("tok-abc-123"), std::string::npos);
  Diagnostics again;
  ConfigNode reparsed = parse(plain, again);
  ASSERT_FALSE(again.hasErrors()) << again.report();
  EXPECT_EQ(toYaml(reparsed, false), plain);
}

TEST(LoaderTest, ToYamlKeepsQuotedScalarsStrings) {
  Diagnostics diags;
  ConfigNode root = parse("a: \"123\"\nb: 123\nc:\n", diags);
  std::string yaml = toYaml(root, false);
  EXPECT_NE(yaml.find("a: \"123\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("b: 123"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("c: ~"), std::string::npos) << yaml;
}

TEST(LoaderTest, HostileDocumentsAreBounded) {
  // Alias expansion that would produce 10^9 nodes.
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    laughs += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) laughs += std::string(i ? ", *" : "*") + prev;
    laughs += "]\n";
    prev = c;
  }
  Diagnostics d1;
  parse(laughs, d1);
  ASSERT_TRUE(d1.hasErrors());
  EXPECT_NE(d1.report().find("document too large"), std::string::npos);

  Diagnostics d2;
  parse(std::string(500, '[') + std::string(500, ']'), d2);
  EXPECT_TRUE(d2.hasErrors());

  // Few nodes, but a 1 MiB scalar repeated 100 times.
  std::string wide = "a: &a " + std::string(1 << 20, 'x') + "\nb: &b [";
  for (int i = 0; i < 10; ++i) wide += i ? ", *a" : "*a";
  wide += "]\nc: [";
  for (int i = 0; i < 10; ++i) wide += i ? ", *b" : "*b";
  wide += "]\n";
  Diagnostics d3;
  parse(wide, d3);
  ASSERT_EQ(d3.errors().size(), 1u) << d3.report();
  EXPECT_NE(d3.errors()[0].message.find("64 MiB"), std::string::npos);
}

TEST(LoaderTest, LoadFileNamesTheFile) {
  char path[] = "/tmp/agentgate-loader-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "a:\n  b: 1\n";
  }
  Diagnostics diags;
  ConfigNode root = loadFile(path, fakeEnv({}), diags);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_EQ(at(root, {"a", "b"})->mark().file, path);
  EXPECT_EQ(at(root, {"a", "b"})->mark().line, 2);
  std::remove(path);

  Diagnostics missing;
  loadFile("/nonexistent/agentgate.yaml", fakeEnv({}), missing);
  ASSERT_EQ(missing.errors().size(), 1u);
  EXPECT_EQ(missing.report().rfind("/nonexistent/agentgate.yaml: cannot read config file", 0), 0u)
      << missing.report();
}

TEST(DiagnosticsTest, ReportFormatAndOrder) {
  Diagnostics diags;
  diags.error(Mark{"c.yaml", 12, 5}, "receivers.otlp.protocols.http.endpointt",
              "unknown key \"endpointt\"");
  diags.error(Mark{"c.yaml", 3, 1}, "exporters.azuremonitor", "unknown exporter type \"x\"");
  diags.error(Mark{"c.yaml", 0, 0}, "", "cannot read config file");
  ConfigNode node = ConfigNode::scalar("v", Mark{"c.yaml", 7, 9}, "a.b");
  diags.error(node, "expected a boolean");
  EXPECT_EQ(diags.report(),
            "c.yaml:3:1: exporters.azuremonitor: unknown exporter type \"x\"\n"
            "c.yaml:7:9: a.b: expected a boolean\n"
            "c.yaml:12:5: receivers.otlp.protocols.http.endpointt: unknown key \"endpointt\"\n"
            "c.yaml: cannot read config file\n");
  EXPECT_EQ(diags.errors().size(), 4u);
  EXPECT_EQ(Diagnostics().report(), "");
}

}  // namespace
}  // namespace agentgate::config
