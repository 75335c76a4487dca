// The Sentinel analytic rules in deploy/sentinel: each YAML has the scheduled-rule fields, each
// query parses and binds with our KQL engine against the Log Analytics schema and parses with
// Microsoft's parser (tests/kql/oracle). Then each rule runs against a store filled by the real
// binary: it fires on findings from the real agent captures (plus one corpus key pasted by two
// users) and stays silent on the captures made with the clients' privacy defaults.
#include <simdjson.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/loader.h"
#include "kql/engine.h"
#include "testlib/curl_client.h"
#include "testlib/process.h"

namespace agentgate {
namespace {

namespace fs = std::filesystem;
using testlib::Process;
using testlib::readFile;
using testlib::TempDir;

const fs::path kRules = fs::path(AGENTGATE_SOURCE_DIR) / "deploy/sentinel";
const fs::path kAgents = fs::path(AGENTGATE_SHARED_DIR) / "fixtures/agents";

struct Rule {
  std::string file;
  std::string name;
  std::string query;
};

std::vector<Rule> loadRules() {
  std::vector<Rule> rules;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kRules))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    config::Diagnostics diags;
    auto root = config::parseYaml(
        readFile(f), f.string(), [](std::string_view) { return std::nullopt; }, diags);
    EXPECT_FALSE(diags.hasErrors()) << diags.report();
    Rule r;
    r.file = f.filename().string();
    auto scalar = [&](const char* key) {
      const config::ConfigNode* n = root.find(key);
      EXPECT_TRUE(n != nullptr && n->isScalar() && !n->value().empty()) << r.file << ": " << key;
      return n != nullptr && n->isScalar() ? n->value() : std::string();
    };
    std::string id = scalar("id");
    EXPECT_EQ(id.size(), 36u) << r.file << ": id must be a GUID";
    r.name = scalar("name");
    scalar("description");
    std::string severity = scalar("severity");
    EXPECT_TRUE(severity == "High" || severity == "Medium" || severity == "Low" ||
                severity == "Informational")
        << r.file;
    for (const char* k : {"queryFrequency", "queryPeriod", "version"}) scalar(k);
    EXPECT_EQ(scalar("kind"), "Scheduled") << r.file;
    std::string op = scalar("triggerOperator");
    EXPECT_TRUE(op == "gt" || op == "lt" || op == "eq" || op == "ne") << r.file;
    EXPECT_FALSE(scalar("triggerThreshold").empty());
    for (const char* k : {"requiredDataConnectors", "tactics", "relevantTechniques"}) {
      const config::ConfigNode* n = root.find(k);
      EXPECT_TRUE(n != nullptr && n->isSequence()) << r.file << ": " << k;
    }
    for (const char* k : {"tactics", "relevantTechniques"}) {
      const config::ConfigNode* n = root.find(k);
      EXPECT_TRUE(n != nullptr && !n->items().empty()) << r.file << ": " << k;
    }
    const config::ConfigNode* em = root.find("entityMappings");
    const config::ConfigNode* query = root.find("query");
    EXPECT_TRUE(em != nullptr && em->isSequence() && !em->items().empty()) << r.file;
    if (em != nullptr && em->isSequence() && query != nullptr && query->isScalar()) {
      auto bound = kql::bind(query->value(), kql::builtinSchema());
      EXPECT_TRUE(bound.ok()) << r.file << ": " << (bound.ok() ? "" : bound.error().message);
      for (const auto& m : em->items()) {
        const config::ConfigNode* type = m.find("entityType");
        const config::ConfigNode* fields = m.find("fieldMappings");
        EXPECT_TRUE(type != nullptr && type->isScalar()) << r.file;
        EXPECT_TRUE(fields != nullptr && fields->isSequence() && !fields->items().empty())
            << r.file;
        if (fields == nullptr || !fields->isSequence()) continue;
        for (const auto& fm : fields->items()) {
          EXPECT_NE(fm.find("identifier"), nullptr) << r.file;
          const config::ConfigNode* col = fm.find("columnName");
          // The mapped column must be one the query outputs.
          bool found = false;
          if (bound.ok() && col != nullptr)
            for (const auto& c : bound->columns) found = found || c.name == col->value();
          EXPECT_TRUE(found) << r.file << ": entity column not in the query's output";
        }
      }
    }
    r.query = scalar("query");
    rules.push_back(std::move(r));
  }
  return rules;
}

TEST(SentinelRules, YamlFieldsAndOurKqlEngine) {
  auto rules = loadRules();
  ASSERT_EQ(rules.size(), 3u) << "deploy/sentinel holds the three finding rules";
  for (const auto& r : rules) {
    Status parsed = kql::parseOnly(r.query);
    EXPECT_TRUE(parsed.ok()) << r.file << ": " << (parsed.ok() ? "" : parsed.error().message);
    auto bound = kql::bind(r.query, kql::builtinSchema());
    EXPECT_TRUE(bound.ok()) << r.file << ": " << (bound.ok() ? "" : bound.error().message);
  }
}

TEST(SentinelRules, MicrosoftParserAcceptsEveryQuery) {
  fs::path oracle = fs::path(AGENTGATE_SOURCE_DIR) / "tests/kql/oracle";
  if (!fs::exists(oracle / "node_modules/@kusto/language-service-next") ||
      std::system("node --version > /dev/null 2>&1") != 0)
    FAIL() << "oracle not installed: run scripts/bootstrap (npm install in " << oracle << ")";
  auto rules = loadRules();
  ASSERT_FALSE(rules.empty());
  TempDir dir;
  fs::path in = dir.path() / "in.jsonl", out = dir.path() / "out.jsonl";
  {
    std::ofstream f(in);
    for (const auto& r : rules) {
      std::string q;
      for (char c : r.query) {
        if (c == '"' || c == '\\') q += '\\';
        if (c == '\n') {
          q += "\\n";
          continue;
        }
        q += c;
      }
      f << "{\"id\":\"" << r.file << "\",\"query\":\"" << q << "\"}\n";
    }
  }
  std::string cmd = "node " + (oracle / "oracle.js").string() + " < " + in.string() + " > " +
                    out.string() + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << readFile(out);
  simdjson::dom::parser parser;
  std::string text = readFile(out);
  size_t checked = 0, start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    bool ok = false;
    ASSERT_EQ(e["syntax_ok"].get(ok), simdjson::SUCCESS) << line;
    EXPECT_TRUE(ok) << line;
    ++checked;
  }
  EXPECT_EQ(checked, rules.size());
}

// HTTP requests of the captures in the named scenario folders (gRPC ones are skipped).
std::vector<std::pair<fs::path, std::vector<std::string>>> captureRequests(
    const std::vector<std::string>& scenarios, std::vector<std::string>& paths) {
  std::vector<std::pair<fs::path, std::vector<std::string>>> out;
  for (const auto& agent : fs::directory_iterator(kAgents)) {
    if (!agent.is_directory()) continue;
    for (const auto& scenario : scenarios) {
      fs::path dir = agent.path() / scenario;
      if (!fs::exists(dir)) continue;
      std::vector<fs::path> metas;
      for (const auto& e : fs::directory_iterator(dir))
        if (e.path().string().ends_with(".meta.json")) metas.push_back(e.path());
      std::sort(metas.begin(), metas.end());
      for (const auto& meta : metas) {
        simdjson::dom::parser parser;
        simdjson::dom::element m;
        if (parser.load(meta.string()).get(m) != simdjson::SUCCESS) continue;
        std::string_view body_file, method, path;
        if (m["body_file"].get(body_file) != simdjson::SUCCESS ||
            m["method"].get(method) != simdjson::SUCCESS || method != "POST" ||
            m["path"].get(path) != simdjson::SUCCESS || !path.starts_with("/v1/"))
          continue;
        std::vector<std::string> headers;
        simdjson::dom::object hs;
        if (m["headers"].get(hs) == simdjson::SUCCESS)
          for (auto [k, v] : hs) {
            std::string_view val;
            if ((k == "content-type" || k == "content-encoding") && v.get(val) == simdjson::SUCCESS)
              headers.push_back(std::string(k) + ": " + std::string(val));
          }
        out.emplace_back(dir / std::string(body_file), std::move(headers));
        paths.emplace_back(path);
      }
    }
  }
  return out;
}

// The first corpus secret of `type` (a realistic, non-example key).
std::string corpusSecret(const std::string& type) {
  simdjson::dom::parser parser;
  std::string all = readFile(fs::path(AGENTGATE_SHARED_DIR) / "fixtures/secrets/corpus-dev.jsonl");
  size_t start = 0;
  while (start < all.size()) {
    size_t nl = all.find('\n', start);
    if (nl == std::string::npos) nl = all.size();
    std::string row = all.substr(start, nl - start);
    start = nl + 1;
    simdjson::dom::element e;
    if (parser.parse(row).get(e) != simdjson::SUCCESS) continue;
    simdjson::dom::array secrets;
    if (e["secrets"].get(secrets) != simdjson::SUCCESS) continue;
    for (auto s : secrets) {
      std::string_view t, v;
      if (s["type"].get(t) == simdjson::SUCCESS && t == type &&
          s["value"].get(v) == simdjson::SUCCESS)
        return std::string(v);
    }
  }
  return {};
}

// Runs agentgate (secrets -> privacy -> store), sends the requests, then counts each rule's rows.
std::map<std::string, size_t> fire(const std::vector<Rule>& rules,
                                   const std::vector<std::string>& scenarios,
                                   const std::string& pasted_secret) {
  std::map<std::string, size_t> rows;
  TempDir dir;
  fs::path db = dir.path() / "store.db";
  auto cfg = dir.write("s.yaml",
                       "receivers: {otlp: {protocols: {http: {endpoint: 127.0.0.1:0}}}}\n"
                       "processors:\n"
                       "  secrets: {fingerprint_key: sentinel-test}\n"
                       "  privacy: {pseudonym_key: sentinel-test}\n"
                       "exporters:\n"
                       "  store: {path: " +
                           db.string() +
                           ", retention: 0, sending_queue: {enabled: false}}\n"
                           "service:\n"
                           "  telemetry: {metrics: {address: ''}}\n"
                           "  pipelines:\n"
                           "    logs: {receivers: [otlp], processors: [secrets, privacy], "
                           "exporters: [store]}\n"
                           "    traces: {receivers: [otlp], processors: [secrets, privacy], "
                           "exporters: [store]}\n"
                           "    metrics: {receivers: [otlp], processors: [secrets, privacy], "
                           "exporters: [store]}\n");
  Process::Options opts;
  opts.args = {"run", "--config", cfg.string(), "--data-dir", (dir.path() / "data").string()};
  auto p = Process::start(opts);
  EXPECT_TRUE(p.ok()) << p.error().message;
  if (!p.ok()) return rows;
  std::string base = "http://" + (*p)->address("otlp/http");
  std::vector<std::string> paths;
  auto reqs = captureRequests(scenarios, paths);
  EXPECT_FALSE(reqs.empty());
  for (size_t i = 0; i < reqs.size(); ++i) {
    testlib::CurlOptions co;
    co.headers = reqs[i].second;
    auto resp = testlib::curlRequest("POST", base + paths[i], readFile(reqs[i].first), co);
    EXPECT_EQ(resp.status, 200) << reqs[i].first << resp.body;
  }
  if (!pasted_secret.empty()) {
    // Two users paste the same key into Claude Code.
    for (const char* user : {"alice@example.com", "bob@example.com"}) {
      std::string body =
          "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
          "\"value\":{\"stringValue\":\"claude-code\"}}]},\"scopeLogs\":[{\"logRecords\":[{"
          "\"timeUnixNano\":\"1764900000000000000\",\"body\":{\"stringValue\":"
          "\"claude_code.user_prompt\"},\"attributes\":[{\"key\":\"user.email\",\"value\":{"
          "\"stringValue\":\"" +
          std::string(user) + "\"}},{\"key\":\"session.id\",\"value\":{\"stringValue\":\"s-" +
          std::string(user) +
          "\"}},{\"key\":\"prompt\",\"value\":{\"stringValue\":\"deploy with key " + pasted_secret +
          " please\"}}]}]}]}]}";
      testlib::CurlOptions co;
      co.headers = {"Content-Type: application/json"};
      auto resp = testlib::curlRequest("POST", base + "/v1/logs", body, co);
      EXPECT_EQ(resp.status, 200) << resp.body;
    }
  }
  EXPECT_EQ((*p)->terminate(), 0) << (*p)->stderrText();
  for (const auto& r : rules) {
    auto res = testlib::runCommand({"query", "--db", db.string(), "--format", "json", r.query});
    EXPECT_EQ(res.exit_code, 0) << r.file << ": " << res.err;
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    size_t n = 0;
    simdjson::dom::array tables, arr;
    if (parser.parse(res.out).get(e) == simdjson::SUCCESS &&
        e["tables"].get(tables) == simdjson::SUCCESS && tables.size() > 0 &&
        tables.at(0)["rows"].get(arr) == simdjson::SUCCESS) {
      n = arr.size();
    } else {
      ADD_FAILURE() << r.file << ": unreadable query output: " << res.out.substr(0, 300);
    }
    rows[r.file] = n;
  }
  return rows;
}

TEST(SentinelRules, FireOnCapturedFindingsAndStaySilentOnCleanData) {
#ifdef AGENTGATE_BINARY_PATH
  setenv("AGENTGATE_BINARY", AGENTGATE_BINARY_PATH, 0);
#endif
  if (testlib::agentgateBinary().empty()) GTEST_SKIP() << "AGENTGATE_BINARY is not set";
  auto rules = loadRules();
  ASSERT_EQ(rules.size(), 3u);
  std::string key = corpusSecret("aws-access-key-id");
  ASSERT_FALSE(key.empty());

  // Captures with the clients' privacy defaults: no content, no secret, no finding.
  auto clean = fire(rules, {"a-defaults-tool", "a-defaults-text", "b-secrets-defaults-tool"}, "");
  for (const auto& r : rules) EXPECT_EQ(clean[r.file], 0u) << r.file << " fired on clean data";

  // Content captures: their fake keys are documented examples, so only the burst rule fires;
  // the real-format key pasted by two users fires the other two.
  auto only_captures = fire(rules, {"b-content-all-tool", "b-content-tool"}, "");
  EXPECT_EQ(only_captures["agentgate-high-severity-secret.yaml"], 0u);
  EXPECT_EQ(only_captures["agentgate-secret-shared-across-users.yaml"], 0u);
  EXPECT_GT(only_captures["agentgate-secret-burst-one-user.yaml"], 0u);

  auto pasted = fire(rules, {"b-content-all-tool", "b-content-tool"}, key);
  EXPECT_GE(pasted["agentgate-high-severity-secret.yaml"], 2u);        // one row per user
  EXPECT_EQ(pasted["agentgate-secret-shared-across-users.yaml"], 2u);  // expanded per user
  EXPECT_GT(pasted["agentgate-secret-burst-one-user.yaml"], 0u);
}

}  // namespace
}  // namespace agentgate
