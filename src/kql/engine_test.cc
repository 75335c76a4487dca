#include "kql/engine.h"

#include <gtest/gtest.h>

#include "kql/kql_time.h"

namespace agentgate::kql {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(createTables(db_, builtinSchema(), {"AppTraces", "OTelSpans"}).ok());
    now_ = *parseDateTime("2026-11-25T04:00:00Z");
    auto ins = [&](int64_t t, const char* msg, const char* props) {
      std::string sql =
          "INSERT INTO AppTraces (TimeGenerated, Message, Properties, SeverityLevel) VALUES (" +
          std::to_string(t) + ", '" + msg + "', '" + props + "', 1)";
      ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    };
    ins(now_ - 10 * 60 * kTicksPerSecond, "tool.call run_in_terminal",
        R"({"gen_ai.usage.input_tokens":12})");
    ins(now_ - 3 * 3600 * kTicksPerSecond, "user prompt", R"({"gen_ai.usage.input_tokens":30})");
  }
  void TearDown() override { sqlite3_close(db_); }
  sqlite3* db_ = nullptr;
  int64_t now_ = 0;
};

TEST_F(EngineTest, AgoUsesInjectedClockAndTableColumns) {
  Engine eng(db_, builtinSchema(), [this] { return now_; });
  auto r = eng.run(
      "AppTraces | where TimeGenerated > ago(1h) | project TimeGenerated, Message, "
      "tok = toint(Properties['gen_ai.usage.input_tokens'])");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(r->rows[0][1]), "tool.call run_in_terminal");
  EXPECT_EQ(std::get<int64_t>(r->rows[0][2]), 12);
  EXPECT_EQ(std::get<std::string>(r->rows[0][0]), "2026-11-25T03:50:00Z");
  EXPECT_EQ(r->columns[2].type, "int");
}

TEST_F(EngineTest, TimespanParameterRestrictsTables) {
  Engine eng(db_, builtinSchema(), [this] { return now_; });
  auto range = parseTimespanParam("PT1H", now_);
  ASSERT_TRUE(range.ok());
  auto r = eng.run("AppTraces | count", range.value());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(std::get<int64_t>(r->rows[0][0]), 1);
  auto all = eng.run("AppTraces | count");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(std::get<int64_t>(all->rows[0][0]), 2);
}

TEST_F(EngineTest, LogAnalyticsJsonShape) {
  Engine eng(db_, builtinSchema(), [this] { return now_; });
  auto r = eng.run(
      "AppTraces | where Message has 'tool.call' | summarize n = count() by SeverityLevel "
      "| render barchart");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::string j = toLogAnalyticsJson(r.value());
  EXPECT_EQ(j,
            "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"SeverityLevel\","
            "\"type\":\"int\"},"
            "{\"name\":\"n\",\"type\":\"long\"}],\"rows\":[[1,1]]}],\"render\":{\"visualization\":"
            "\"barchart\"}}");
}

TEST_F(EngineTest, UnknownTableAndColumnErrorsNamePosition) {
  Engine eng(db_, builtinSchema(), [this] { return now_; });
  auto r = eng.run("NoSuchTable | take 1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("line 1, column 1"), std::string::npos);
  auto c = eng.run("AppTraces\n| where Nope == 1");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("line 2"), std::string::npos);
  EXPECT_NE(c.error().message.find("Nope"), std::string::npos);
}

TEST(KqlTime, RoundTrips) {
  EXPECT_EQ(formatDateTime(*parseDateTime("2026-11-25T03:34:12.002Z")), "2026-11-25T03:34:12.002Z");
  EXPECT_EQ(formatTimespan(*parseTimespan("1.5h")), "01:30:00");
  EXPECT_EQ(formatTimespan(*parseTimespan("2")), "2.00:00:00");
  EXPECT_EQ(formatTimespan(-*parseTimespan("12h")), "-12:00:00");
  EXPECT_FALSE(parseDateTime("not a date").has_value());
}

}  // namespace
}  // namespace agentgate::kql
