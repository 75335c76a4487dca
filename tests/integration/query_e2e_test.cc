// End to end: `agentgate run` with the DEFAULT config (listeners moved to port 0 through the
// environment), the Claude Code 2.1.331 HTTP captures replayed as captured (protobuf or JSON,
// gzip where the agent compressed), then the typical agent queries through the query API and
// through `agentgate query` (--server and --db), compared with golden results.
// AGENTGATE_UPDATE_GOLDEN=1 rewrites tests/integration/testdata/*.golden.json for review.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <simdjson.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "testlib/curl_client.h"
#include "testlib/process.h"

namespace agentgate::testlib {
namespace {

namespace fs = std::filesystem;

struct GoldenQuery {
  const char* name;
  const char* kql;
};

// The questions people ask of agent telemetry, against the Application Insights tables the
// store fills (Claude Code events land in AppTraces with their attributes in Properties).
const GoldenQuery kQueries[] = {
    {"events_per_5m_by_name",
     "AppTraces | extend EventName = tostring(Properties['event.name']) "
     "| where isnotempty(EventName) "
     "| summarize Events = count() by bin(TimeGenerated, 5m), EventName "
     "| order by TimeGenerated asc, EventName asc"},
    // A rejected permission decision and a tool_result with success != true both count as a
    // failed attempt.
    {"tool_failure_rate_by_tool",
     "AppTraces | extend EventName = tostring(Properties['event.name']), "
     "Tool = tostring(Properties.tool_name) "
     "| where EventName in ('tool_decision', 'tool_result') "
     "| summarize Attempts = countif(EventName == 'tool_decision'), "
     "Rejected = countif(EventName == 'tool_decision' and tostring(Properties.decision) == "
     "'reject'), "
     "Failed = countif(EventName == 'tool_result' and tostring(Properties.success) != 'true') "
     "by Tool "
     "| extend FailureRate = round(todouble(Rejected + Failed) / Attempts, 4) "
     "| order by Tool asc"},
    {"tokens_and_cost_by_model",
     "AppMetrics | where Name in ('claude_code.token.usage', 'claude_code.cost.usage') "
     "| extend Model = tostring(Properties.model), TokenType = tostring(Properties.type) "
     "| summarize InputTokens = tolong(sumif(Sum, TokenType == 'input')), "
     "OutputTokens = tolong(sumif(Sum, TokenType == 'output')), "
     "CacheReadTokens = tolong(sumif(Sum, TokenType == 'cacheRead')), "
     "CacheCreationTokens = tolong(sumif(Sum, TokenType == 'cacheCreation')), "
     "CostUsd = round(sumif(Sum, Name == 'claude_code.cost.usage'), 6) by Model "
     "| order by Model asc"},
    {"p95_api_duration_by_model",
     "AppTraces | where Properties['event.name'] == 'api_request' "
     "| extend Model = tostring(Properties.model), DurationMs = toreal(Properties.duration_ms) "
     "| summarize Requests = count(), P95DurationMs = percentile(DurationMs, 95), "
     "AvgDurationMs = round(avg(DurationMs), 2) by Model "
     "| order by Model asc"},
    {"distinct_users_per_day",
     "AppTraces | extend User = tostring(Properties['user.id']) | where isnotempty(User) "
     "| summarize Users = dcount(User), Sessions = dcount(tostring(Properties['session.id'])) "
     "by Day = bin(TimeGenerated, 1d) "
     "| order by Day asc"},
};

const fs::path kCaptures = fs::path(AGENTGATE_SHARED_DIR) / "fixtures/agents/claude-code-2.1.331";
const fs::path kGoldenDir = fs::path(AGENTGATE_SOURCE_DIR) / "tests/integration/testdata";

bool updateGolden() {
  const char* v = std::getenv("AGENTGATE_UPDATE_GOLDEN");
  return v && std::string(v) == "1";
}

// The HTTP captures (protobuf and JSON, as the agent sent them) in a stable order.
std::vector<fs::path> httpCaptures() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(kCaptures)) {
    std::string name = e.path().filename().string();
    if (name.size() > 10 && name.ends_with(".meta.json") &&
        name.find("_http-") != std::string::npos)
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Sum of an api_request attribute over the replayed logs, straight from the decoded captures:
// the independent oracle for the token golden.
int64_t fixtureApiRequestSum(const std::string& attribute) {
  simdjson::dom::parser parser;
  int64_t sum = 0;
  for (const auto& meta : httpCaptures()) {
    if (meta.filename().string().find("_logs_") == std::string::npos) continue;
    std::string decoded = meta.string();
    decoded.replace(decoded.size() - std::string(".meta.json").size(), std::string::npos,
                    ".decoded.json");
    simdjson::dom::element doc;
    if (parser.load(decoded).get(doc) != simdjson::SUCCESS) {
      ADD_FAILURE() << "cannot parse " << decoded;
      continue;
    }
    for (auto rl : doc["resourceLogs"].get_array()) {
      for (auto sl : rl["scopeLogs"].get_array()) {
        for (auto rec : sl["logRecords"].get_array()) {
          bool api = false;
          int64_t value = 0;
          for (auto kv : rec["attributes"].get_array()) {
            std::string_view key = kv["key"];
            if (key == "event.name") {
              std::string_view v;
              api = kv["value"]["stringValue"].get(v) == simdjson::SUCCESS && v == "api_request";
            } else if (key == attribute) {
              // OTLP/JSON writes int64 as a string; some captures carry a plain number.
              std::string_view v;
              int64_t n = 0;
              auto iv = kv["value"]["intValue"];
              if (iv.get(v) == simdjson::SUCCESS) {
                value = std::stoll(std::string(v));
              } else if (iv.get(n) == simdjson::SUCCESS) {
                value = n;
              }
            }
          }
          if (api) sum += value;
        }
      }
    }
  }
  return sum;
}

class QueryE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = new TempDir();
    Process::Options o;
    o.args = {"run",
              "--data-dir",
              (data_dir_->path() / "data").string(),
              "--web-address",
              "127.0.0.1:0",
              "--workers",
              "2"};
    o.env = {"AGENTGATE_OTLP_HTTP_ENDPOINT=127.0.0.1:0", "AGENTGATE_OTLP_GRPC_ENDPOINT=127.0.0.1:0",
             "AGENTGATE_HEALTH_CHECK_ENDPOINT=127.0.0.1:0",
             "AGENTGATE_METRICS_ADDRESS=127.0.0.1:0"};
    auto p = Process::start(o);
    ASSERT_TRUE(p.ok()) << p.error().message;
    process_ = p.value().release();
    replayed_ = 0;
    simdjson::dom::parser parser;
    for (const auto& meta_path : httpCaptures()) {
      simdjson::dom::element meta;
      ASSERT_EQ(parser.load(meta_path.string()).get(meta), simdjson::SUCCESS) << meta_path;
      std::string body = readFile(meta_path.parent_path() / std::string_view(meta["body_file"]));
      CurlOptions co;
      co.headers.push_back("Content-Type: " +
                           std::string(std::string_view(meta["headers"]["content-type"])));
      std::string_view encoding;
      if (meta["headers"]["content-encoding"].get(encoding) == simdjson::SUCCESS)
        co.headers.push_back("Content-Encoding: " + std::string(encoding));
      std::string url =
          "http://" + process_->address("otlp/http") + std::string(std::string_view(meta["path"]));
      auto r = curlRequest("POST", url, body, co);
      ASSERT_EQ(r.status, 200) << meta_path << ": " << r.body << r.error;
      ++replayed_;
    }
    // 200 means durably queued: the store exporter's consumers write SQLite just after. Wait
    // (bounded) until its sending queue is empty before querying.
    const std::string metrics_url = "http://" + process_->address("metrics") + "/metrics";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    bool drained = false;
    while (!drained && std::chrono::steady_clock::now() < deadline) {
      auto m = curlRequest("GET", metrics_url, "");
      drained =
          m.body.find("otelcol_exporter_queue_size{exporter=\"store\"} 0\n") != std::string::npos;
      if (!drained) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // bounded poll
    }
    ASSERT_TRUE(drained) << "the store exporter's queue did not drain";
  }
  static void TearDownTestSuite() {
    delete process_;
    process_ = nullptr;
    delete data_dir_;
    data_dir_ = nullptr;
  }

  static std::string webUrl() { return "http://" + process_->address("web"); }

  static CurlResponse query(const std::string& kql) {
    std::string body = "{\"query\":\"";
    for (char c : kql) {
      if (c == '"' || c == '\\') body += '\\';
      body += c;
    }
    body += "\"}";
    CurlOptions o;
    o.headers.push_back("Content-Type: application/json");
    return curlRequest("POST", webUrl() + "/v1/workspaces/local/query", body, o);
  }

  static void checkGolden(const std::string& name, const std::string& actual) {
    fs::path golden = kGoldenDir / (name + ".golden.json");
    if (updateGolden()) {
      fs::create_directories(kGoldenDir);
      std::ofstream(golden, std::ios::trunc) << actual << "\n";
    }
    std::string expected = readFile(golden);
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    EXPECT_EQ(actual, expected) << name << " differs from " << golden
                                << " (AGENTGATE_UPDATE_GOLDEN=1 rewrites it)";
  }

  static TempDir* data_dir_;
  static Process* process_;
  static int replayed_;
};

TempDir* QueryE2eTest::data_dir_ = nullptr;
Process* QueryE2eTest::process_ = nullptr;
int QueryE2eTest::replayed_ = 0;

TEST_F(QueryE2eTest, DefaultConfigServesTheQueryApi) {
  ASSERT_NE(process_, nullptr);
  EXPECT_GT(replayed_, 90);
  EXPECT_FALSE(process_->address("web").empty());
  auto status = curlRequest("GET", webUrl() + "/api/status", "");
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_NE(status.body.find("\"AppTraces\":337"), std::string::npos) << status.body;
}

TEST_F(QueryE2eTest, TypicalAgentQueriesMatchGoldenThroughHttp) {
  ASSERT_NE(process_, nullptr);
  for (const auto& q : kQueries) {
    auto r = query(q.kql);
    ASSERT_EQ(r.status, 200) << q.name << ": " << r.body;
    checkGolden(q.name, r.body);
  }
}

TEST_F(QueryE2eTest, TypicalAgentQueriesMatchGoldenThroughTheCli) {
  ASSERT_NE(process_, nullptr);
  for (const auto& q : kQueries) {
    auto r = runCommand({"query", "--server", webUrl(), "--format", "json", q.kql});
    ASSERT_EQ(r.exit_code, 0) << q.name << ": " << r.err;
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    checkGolden(q.name, out);
  }
  auto csv = runCommand({"query", "--server", webUrl(), "--format", "csv", kQueries[3].kql});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find("\r\n")), "Model,Requests,P95DurationMs,AvgDurationMs");
  auto table = runCommand({"query", "--server", webUrl(), "AppTraces | count"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("337"), std::string::npos) << table.out;
  auto bad = runCommand({"query", "--server", webUrl(), "AppTraces | where"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("BadArgumentError"), std::string::npos) << bad.err;
}

// The token golden is right: it equals the sums over the decoded captures, and the metric path
// (AppMetrics) agrees with the event path (api_request in AppTraces).
TEST_F(QueryE2eTest, TokenTotalsEqualTheFixtureSums) {
  ASSERT_NE(process_, nullptr);
  int64_t input = fixtureApiRequestSum("input_tokens");
  int64_t output = fixtureApiRequestSum("output_tokens");
  EXPECT_EQ(input, 239794);
  EXPECT_EQ(output, 2327);
  auto metrics = query(kQueries[2].kql);
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  std::string expected_row = "[\"claude-opus-5-5\"," + std::to_string(input) + "," +
                             std::to_string(output) + ",0,0,1.005716]";
  EXPECT_NE(metrics.body.find(expected_row), std::string::npos) << metrics.body;
  auto events = query(
      "AppTraces | where Properties['event.name'] == 'api_request' "
      "| summarize In = sum(tolong(Properties.input_tokens)), "
      "Out = sum(tolong(Properties.output_tokens))");
  ASSERT_EQ(events.status, 200) << events.body;
  EXPECT_NE(events.body.find("[[" + std::to_string(input) + "," + std::to_string(output) + "]]"),
            std::string::npos)
      << events.body;
}

// Last: stops the server, then reads the same store file directly.
TEST_F(QueryE2eTest, ZCliReadsTheStoreFileDirectlyAfterShutdown) {
  ASSERT_NE(process_, nullptr);
  auto code = process_->terminate();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << process_->stderrText();
  std::string db = (data_dir_->path() / "data" / "agentgate.db").string();
  for (const auto& q : kQueries) {
    auto r = runCommand({"query", "--db", db, "--format", "json", q.kql});
    ASSERT_EQ(r.exit_code, 0) << q.name << ": " << r.err;
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    checkGolden(q.name, out);
  }
}

// With an ingest authenticator configured, ingest tokens cannot read and read tokens can.
TEST(QueryAuthE2eTest, IngestTokenGets403ReadTokenGets200) {
  TempDir dir;
  auto cfg = dir.write("auth.yaml", R"(extensions:
  bearertokenauth:
    token: ingest-secret
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
        auth:
          authenticator: bearertokenauth
exporters:
  store:
    path: )" + (dir.path() / "q.db").string() +
                                        R"(
service:
  extensions: [bearertokenauth]
  telemetry:
    metrics:
      address: ""
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [store]
)");
  Process::Options o;
  o.args = {"run",           "--config",    cfg.string(),   "--data-dir",   dir.path().string(),
            "--web-address", "127.0.0.1:0", "--read-token", "reader-secret"};
  auto p = Process::start(o);
  ASSERT_TRUE(p.ok()) << p.error().message;
  std::string url = "http://" + (*p)->address("web") + "/v1/query";
  const std::string body = R"({"query":"AppTraces | count"})";
  auto with = [&](const std::string& token) {
    CurlOptions co;
    co.headers = {"Content-Type: application/json"};
    if (!token.empty()) co.headers.push_back("Authorization: Bearer " + token);
    return curlRequest("POST", url, body, co);
  };
  EXPECT_EQ(with("").status, 401);
  EXPECT_EQ(with("ingest-secret").status, 403);
  EXPECT_EQ(with("wrong").status, 401);
  EXPECT_EQ(with("reader-secret").status, 200);
  auto cli = runCommand({"query", "--server", "http://" + (*p)->address("web"), "--token",
                         "ingest-secret", "AppTraces | count"});
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_NE(cli.err.find("403"), std::string::npos) << cli.err;
  EXPECT_EQ(cli.err.find("ingest-secret"), std::string::npos);
  EXPECT_EQ((*p)->stderrText().find("ingest-secret"), std::string::npos);
}

}  // namespace
}  // namespace agentgate::testlib
