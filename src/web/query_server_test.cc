// The query API over real HTTP (libcurl) against a real store file: response and error shapes,
// the read/ingest token rules, timespan, body limit and /api/status.
#include "web/query_server.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <simdjson.h>
#include <filesystem>

#include "store/schema.h"
#include "store/store.h"
#include "testlib/curl_client.h"

namespace agentgate::web {
namespace {

using testlib::CurlOptions;
using testlib::curlRequest;
using testlib::CurlResponse;

// 2026-11-25T03:33:58.545Z in ticks: the queries' "now".
constexpr int64_t kNowTicks = 17955776385450000;
constexpr int64_t kMinuteTicks = 60LL * 10000000;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "agweb-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class QueryServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.path = dir_.file("agentgate.db");
    o.retention = std::chrono::nanoseconds(0);
    auto s = store::Store::open(o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s.value());
    store::RowBatch rows;
    store::TableRows t{
        "AppTraces", {"TimeGenerated", "Message", "SeverityLevel", "Properties"}, {}};
    const int64_t ages[] = {0, 30, 90};
    for (int64_t age : ages) {
      size_t b = t.addRow();
      t.cells[b] = kNowTicks - age * kMinuteTicks;
      t.cells[b + 1] = "age " + std::to_string(age);
      t.cells[b + 2] = int64_t{1};
      t.cells[b + 3] = std::string(R"({"event.name":"tool_result","tool_name":"Bash"})");
    }
    rows.tables.push_back(std::move(t));
    ASSERT_TRUE(store_->write(std::move(rows)).ok());
  }

  std::unique_ptr<QueryServer> startServer(std::vector<std::string> read_tokens = {},
                                           size_t max_body = 1u << 20) {
    QueryServerOptions o;
    o.endpoint = "127.0.0.1:0";
    o.db_path = store_->path();
    o.read_tokens = std::move(read_tokens);
    o.is_ingest_token = [](std::string_view t) { return t == "ingest-1"; };
    o.max_body_bytes = max_body;
    o.clock = [] { return kNowTicks; };
    o.version = "9.9.9";
    o.endpoints = [] {
      return std::vector<std::pair<std::string, std::string>>{{"otlp/http", "127.0.0.1:1"}};
    };
    auto s = QueryServer::start(std::move(o));
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(s.value()) : nullptr;
  }

  static std::string url(const QueryServer& s, const std::string& path) {
    return "http://" + s.boundAddress() + path;
  }

  static CurlResponse post(const QueryServer& s, const std::string& path, const std::string& body,
                           std::vector<std::string> headers = {}) {
    CurlOptions o;
    o.headers = std::move(headers);
    o.headers.push_back("Content-Type: application/json");
    return curlRequest("POST", url(s, path), body, o);
  }

  static CurlResponse get(const QueryServer& s, const std::string& path,
                          std::vector<std::string> headers = {}) {
    CurlOptions o;
    o.headers = std::move(headers);
    return curlRequest("GET", url(s, path), "", o);
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  simdjson::dom::parser parser_;
};

std::string errorCode(simdjson::dom::parser& p, const std::string& body) {
  simdjson::dom::element doc;
  if (p.parse(body).get(doc) != simdjson::SUCCESS) return "<not json>";
  std::string_view code;
  if (doc["error"]["code"].get_string().get(code) != simdjson::SUCCESS) return "<no code>";
  return std::string(code);
}

std::string innerCode(simdjson::dom::parser& p, const std::string& body) {
  simdjson::dom::element doc;
  if (p.parse(body).get(doc) != simdjson::SUCCESS) return "<not json>";
  std::string_view code;
  if (doc["error"]["innererror"]["code"].get_string().get(code) != simdjson::SUCCESS) return "";
  return std::string(code);
}

TEST_F(QueryServerTest, PostAnswersInTheLogAnalyticsShape) {
  auto s = startServer();
  ASSERT_TRUE(s);
  auto r = post(*s, "/v1/workspaces/local/query",
                R"({"query":"AppTraces | order by TimeGenerated desc | project TimeGenerated, )"
                R"(Message, SeverityLevel, Tool = tostring(Properties.tool_name) | take 2"})");
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.body,
            R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":)"
            R"("datetime"},{"name":"Message","type":"string"},{"name":"SeverityLevel","type":)"
            R"("int"},{"name":"Tool","type":"string"}],"rows":[["2026-11-25T03:33:58.545Z",)"
            R"("age 0",1,"Bash"],["2026-11-25T03:03:58.545Z","age 30",1,"Bash"]]}]})");
}

TEST_F(QueryServerTest, GetWithUrlEncodedQueryAndTheV1QueryAlias) {
  auto s = startServer();
  ASSERT_TRUE(s);
  auto r = get(*s, "/v1/workspaces/abc/query?query=AppTraces%20%7C%20count");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("rows":[[3]])"), std::string::npos) << r.body;
  auto a = get(*s, "/v1/query?query=AppTraces+%7C+summarize+n%3Dcount()");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find(R"("rows":[[3]])"), std::string::npos) << a.body;
  auto p = post(*s, "/v1/query", R"({"query":"AppTraces | count"})");
  EXPECT_EQ(p.status, 200) << p.body;
}

TEST_F(QueryServerTest, TimespanLimitsRows) {
  auto s = startServer();
  ASSERT_TRUE(s);
  auto r = post(*s, "/v1/workspaces/x/query", R"({"query":"AppTraces | count","timespan":"PT1H"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("rows":[[2]])"), std::string::npos) << r.body;
  auto g = get(*s, "/v1/workspaces/x/query?query=AppTraces%7Ccount&timespan=PT10M");
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_NE(g.body.find(R"("rows":[[1]])"), std::string::npos) << g.body;
  auto ago =
      post(*s, "/v1/query", R"({"query":"AppTraces | where TimeGenerated > ago(1h) | count"})");
  ASSERT_EQ(ago.status, 200) << ago.body;
  EXPECT_NE(ago.body.find(R"("rows":[[2]])"), std::string::npos) << ago.body;
  auto bad = post(*s, "/v1/query", R"({"query":"AppTraces","timespan":"yesterday"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(errorCode(parser_, bad.body), "BadArgumentError");
  EXPECT_EQ(innerCode(parser_, bad.body), "InvalidTimespan");
}

TEST_F(QueryServerTest, ErrorsUseTheLogAnalyticsErrorShape) {
  auto s = startServer();
  ASSERT_TRUE(s);
  auto syntax = post(*s, "/v1/query", R"({"query":"AppTraces | where"})");
  EXPECT_EQ(syntax.status, 400);
  EXPECT_EQ(errorCode(parser_, syntax.body), "BadArgumentError") << syntax.body;
  EXPECT_EQ(innerCode(parser_, syntax.body), "SyntaxError") << syntax.body;
  auto semantic = post(*s, "/v1/query", R"({"query":"NoSuchTable | take 1"})");
  EXPECT_EQ(semantic.status, 400);
  EXPECT_EQ(innerCode(parser_, semantic.body), "SemanticError") << semantic.body;
  auto not_json = post(*s, "/v1/query", "query=AppTraces");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(errorCode(parser_, not_json.body), "BadArgumentError");
  auto missing = post(*s, "/v1/query", R"({"timespan":"PT1H"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(innerCode(parser_, missing.body), "MissingQuery");
  auto nopath = get(*s, "/v2/other");
  EXPECT_EQ(nopath.status, 404);
  EXPECT_EQ(errorCode(parser_, nopath.body), "PathNotFoundError");
  auto put = curlRequest("PUT", url(*s, "/v1/query"), "{}");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.header("allow"), "GET, POST");
}

TEST_F(QueryServerTest, HugeBodyIs413) {
  auto s = startServer({}, 1024);
  ASSERT_TRUE(s);
  std::string body =
      R"({"query":"AppTraces | where Message == ')" + std::string(4096, 'x') + "'\"}";
  auto r = post(*s, "/v1/query", body);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(errorCode(parser_, r.body), "PayloadTooLargeError");
}

TEST_F(QueryServerTest, ReadTokensRequiredWhenConfiguredAndIngestTokensForbidden) {
  auto s = startServer({"read-1", "read-2"});
  ASSERT_TRUE(s);
  const std::string q = R"({"query":"AppTraces | count"})";
  auto none = post(*s, "/v1/query", q);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer");
  EXPECT_EQ(errorCode(parser_, none.body), "AuthorizationRequiredError");
  EXPECT_EQ(post(*s, "/v1/query", q, {"Authorization: Bearer wrong"}).status, 401);
  auto ingest = post(*s, "/v1/query", q, {"Authorization: Bearer ingest-1"});
  EXPECT_EQ(ingest.status, 403);
  EXPECT_EQ(errorCode(parser_, ingest.body), "InsufficientAccessError");
  EXPECT_EQ(ingest.body.find("ingest-1"), std::string::npos);  // never echo a credential
  EXPECT_EQ(post(*s, "/v1/query", q, {"Authorization: Bearer read-2"}).status, 200);
  EXPECT_EQ(get(*s, "/api/status").status, 401);
  EXPECT_EQ(get(*s, "/api/status", {"Authorization: bearer read-1"}).status, 200);
}

TEST_F(QueryServerTest, LoopbackWithoutReadTokensNeedsNoneButStillRefusesIngestTokens) {
  auto s = startServer();
  ASSERT_TRUE(s);
  const std::string q = R"({"query":"AppTraces | count"})";
  EXPECT_EQ(post(*s, "/v1/query", q).status, 200);
  EXPECT_EQ(post(*s, "/v1/query", q, {"Authorization: Bearer ingest-1"}).status, 403);
}

TEST_F(QueryServerTest, StatusReportsVersionEndpointsAndRowCounts) {
  auto s = startServer();
  ASSERT_TRUE(s);
  auto r = get(*s, "/api/status");
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  EXPECT_EQ(std::string_view(doc["version"]), "9.9.9");
  EXPECT_EQ(int64_t(doc["tables"]["AppTraces"]), 3);
  EXPECT_EQ(int64_t(doc["tables"]["OTelLogs"]), 0);
  EXPECT_EQ(std::string_view(doc["endpoints"]["otlp/http"]), "127.0.0.1:1");
  EXPECT_GE(int64_t(doc["uptime_seconds"]), 0);
}

TEST_F(QueryServerTest, RenderHintIsPassedThrough) {
  auto s = startServer();
  ASSERT_TRUE(s);
  auto r = post(
      *s, "/v1/query",
      R"({"query":"AppTraces | summarize count() by bin(TimeGenerated, 1h) | render timechart"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("render":{"visualization":"timechart"})"), std::string::npos) << r.body;
}

TEST_F(QueryServerTest, QueriesDoNotBlockWrites) {
  auto s = startServer();
  ASSERT_TRUE(s);
  // A query reading while the writer commits: both succeed (WAL, read-only connections).
  store::RowBatch rows;
  store::TableRows t{"AppTraces", {"TimeGenerated", "Message"}, {}};
  size_t b = t.addRow();
  t.cells[b] = kNowTicks;
  t.cells[b + 1] = std::string("new");
  rows.tables.push_back(std::move(t));
  auto r = post(*s, "/v1/query", R"({"query":"AppTraces | count"})");
  ASSERT_TRUE(store_->write(std::move(rows)).ok());
  EXPECT_EQ(r.status, 200);
  auto after = post(*s, "/v1/query", R"({"query":"AppTraces | count"})");
  EXPECT_NE(after.body.find(R"("rows":[[4]])"), std::string::npos) << after.body;
}

TEST(LoopbackTest, Endpoints) {
  EXPECT_TRUE(isLoopbackEndpoint("127.0.0.1:8318"));
  EXPECT_TRUE(isLoopbackEndpoint("localhost:0"));
  EXPECT_TRUE(isLoopbackEndpoint("[::1]:8318"));
  EXPECT_FALSE(isLoopbackEndpoint("0.0.0.0:8318"));
  EXPECT_FALSE(isLoopbackEndpoint(":8318"));
  EXPECT_FALSE(isLoopbackEndpoint("[::]:8318"));
}

}  // namespace
}  // namespace agentgate::web
