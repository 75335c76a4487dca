#include "kql/classic_tables.h"

#include <gtest/gtest.h>

#include "kql/engine.h"
#include "kql/kql_time.h"

namespace agentgate::kql {
namespace {

class ClassicTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(createTables(db_, builtinSchema()).ok());
    now_ = *parseDateTime("2026-11-25T04:00:00Z");
    std::string t = std::to_string(now_ - 60 * kTicksPerSecond);
    std::string sql =
        "INSERT INTO AppRequests (TimeGenerated, Id, Name, ResultCode, Success, DurationMs, "
        "PerformanceBucket, Properties, AppRoleName, OperationId, ItemCount, _ResourceId) VALUES "
        "(" +
        t +
        ", 'r1', 'POST /v1/messages', '500', 0, 812.5, '500ms-1sec', '{\"model\":\"opus\"}', "
        "'claude-code', 'op1', 1, '/subscriptions/s/resourceGroups/g/providers/"
        "microsoft.insights/components/agents-ai'),"
        "(" +
        t +
        ", 'r2', 'POST /v1/messages', '200', 1, 90, '<250ms', '{\"model\":\"haiku\"}', "
        "'claude-code', 'op2', 1, '');"
        "INSERT INTO AppTraces (TimeGenerated, Message, SeverityLevel, Properties) VALUES (" +
        t + ", 'claude_code.tool_result', 1, '{\"tool_name\":\"Bash\"}');";
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
  }
  void TearDown() override { sqlite3_close(db_); }
  Result<QueryResult> run(const std::string& q) {
    Engine eng(db_, builtinSchema(), [this] { return now_; });
    return eng.run(q);
  }
  sqlite3* db_ = nullptr;
  int64_t now_ = 0;
};

TEST_F(ClassicTablesTest, ClassicQueryRunsOverWorkspaceTables) {
  auto r =
      run("requests | where timestamp > ago(1h) and success == false "
          "| project name, resultCode, duration, performanceBucket, itemType, cloud_RoleName, "
          "operation_Id, model = tostring(customDimensions.model), appName");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(r->rows[0][0]), "POST /v1/messages");
  EXPECT_EQ(std::get<std::string>(r->rows[0][1]), "500");
  EXPECT_DOUBLE_EQ(std::get<double>(r->rows[0][2]), 812.5);
  EXPECT_EQ(std::get<std::string>(r->rows[0][3]), "500ms-1sec");
  EXPECT_EQ(std::get<std::string>(r->rows[0][4]), "request");
  EXPECT_EQ(std::get<std::string>(r->rows[0][5]), "claude-code");
  EXPECT_EQ(std::get<std::string>(r->rows[0][6]), "op1");
  EXPECT_EQ(std::get<std::string>(r->rows[0][7]), "opus");
  EXPECT_EQ(std::get<std::string>(r->rows[0][8]), "agents-ai");
  EXPECT_EQ(r->columns[0].type, "string");
  EXPECT_EQ(r->columns[2].type, "real");
}

TEST_F(ClassicTablesTest, JoinsAndUnionsAcrossClassicTables) {
  auto r =
      run("union requests, traces | summarize n = count() by itemType | order by itemType asc");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(r->rows[0][0]), "request");
  EXPECT_EQ(std::get<int64_t>(r->rows[0][1]), 2);
  EXPECT_EQ(std::get<std::string>(r->rows[1][0]), "trace");
  auto t =
      run("traces | where message has 'tool_result' | project severityLevel, "
          "tool = tostring(customDimensions['tool_name'])");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(t->rows[0][1]), "Bash");
}

TEST_F(ClassicTablesTest, WorkspaceColumnNamesAreNotVisibleThroughClassicNames) {
  auto r = run("requests | project DurationMs");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("DurationMs"), std::string::npos);
  // A let binding of the same name wins over the classic table.
  auto l = run("let requests = datatable(x:long) [7]; requests | project x");
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(std::get<int64_t>(l->rows[0][0]), 7);
}

TEST(ClassicTables, EveryDefinitionBinds) {
  for (const char* name :
       {"requests", "dependencies", "traces", "exceptions", "customEvents", "customMetrics",
        "pageViews", "availabilityResults", "browserTimings", "performanceCounters"}) {
    ASSERT_TRUE(classicTableDefinition(name).has_value()) << name;
    auto b = kql::bind(std::string(name) + " | take 1", builtinSchema());
    ASSERT_TRUE(b.ok()) << name << ": " << b.error().message;
    bool has_timestamp = false;
    for (const auto& c : b->columns) has_timestamp |= c.name == "timestamp" && c.type == "datetime";
    EXPECT_TRUE(has_timestamp) << name;
  }
  EXPECT_FALSE(classicTableDefinition("AppRequests").has_value());
}

}  // namespace
}  // namespace agentgate::kql
