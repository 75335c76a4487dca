// Property columns (schema.h) must never change an answer: every query gives the same rows
// whether the binder reads Properties['key'] from the column or parses the JSON.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "appinsights/mapper.h"
#include "kql/engine.h"
#include "pdata/codec.h"
#include "store/row_mapping.h"
#include "store/schema.h"
#include "store/store.h"

namespace agentgate::store {
namespace {

namespace fs = std::filesystem;

std::string readAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Every protobuf capture (logs and traces) of every agent, mapped the way the store exporter does.
size_t loadCaptures(Store& store) {
  size_t batches = 0;
  fs::path root = fs::path(AGENTGATE_SHARED_DIR) / "fixtures/agents";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".pb") continue;
    Signal signal;
    if (name.find("_logs_") != std::string::npos) {
      signal = Signal::kLogs;
    } else if (name.find("_traces_") != std::string::npos) {
      signal = Signal::kTraces;
    } else {
      continue;
    }
    pdata::Batch batch(signal);
    if (!pdata::decodeProtobuf(batch, batch.adoptBuffer(readAll(entry.path()))).ok()) continue;
    appinsights::MapOptions o;
    o.span_events_enabled = true;
    RowBatch rows;
    appendAppInsightsRows(appinsights::mapBatch(batch, o).envelopes, rows);
    if (rows.empty()) continue;
    EXPECT_TRUE(store.write(std::move(rows)).ok());
    ++batches;
  }
  return batches;
}

std::string render(const kql::QueryResult& r) {
  std::string out;
  for (const auto& c : r.columns) out += c.name + ":" + c.type + " ";
  out += "\n";
  for (const auto& row : r.rows) {
    for (const auto& v : row) {
      if (std::holds_alternative<std::monostate>(v)) out += "null";
      if (const auto* b = std::get_if<bool>(&v)) out += *b ? "true" : "false";
      if (const auto* i = std::get_if<int64_t>(&v)) out += std::to_string(*i);
      if (const auto* d = std::get_if<double>(&v)) out += std::to_string(*d);
      if (const auto* s = std::get_if<std::string>(&v)) out += "'" + *s + "'";
      out += " | ";
    }
    out += "\n";
  }
  return out;
}

class PropertyColumnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("agentgate-pc-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    StoreOptions o;
    o.path = (dir_ / "s.db").string();
    o.retention = std::chrono::nanoseconds(0);
    auto s = Store::open(o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_GT(loadCaptures(**s), 20u);
    (*s)->close();
    path_ = o.path;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
};

TEST_F(PropertyColumnsTest, ColumnsHoldWhatPropertiesAccessReturns) {
  auto conn = openReadOnly(path_);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(kql::registerFunctions(conn->get()).ok());
  int checked = 0;
  for (const auto& pc : propertyColumns()) {
    std::string sql = "SELECT count(*), sum(\"" + std::string(pc.column) +
                      "\" IS NOT NULL) FROM \"" + std::string(pc.table) + "\" WHERE \"" +
                      std::string(pc.column) + "\" IS NOT kql_dget(Properties, '" +
                      std::string(pc.key) + "')";
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(conn->get(), sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(st, 0), 0) << pc.table << "." << pc.column;
    sqlite3_finalize(st);
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(propertyColumns().size()));
  // The captures do fill them: Claude Code's events name themselves.
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(conn->get(),
                               "SELECT count(*) FROM AppTraces WHERE _pc_event_name IS NOT NULL",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_GT(sqlite3_column_int64(st, 0), 50);
  sqlite3_finalize(st);
}

// Rows written without the columns (anything but row_mapping) get them from the store, with the
// same values; rows that bring them keep theirs.
TEST(PropertyColumnsWrite, StoreFillsThemWhenRowsDoNotBringThem) {
  fs::path dir = fs::temp_directory_path() / ("agentgate-pcw-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  StoreOptions o;
  o.path = (dir / "s.db").string();
  o.retention = std::chrono::nanoseconds(0);
  auto s = Store::open(o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  RowBatch rows;
  TableRows t;
  t.table = "AppTraces";
  t.columns = {"TimeGenerated", "Properties"};
  t.cells = {int64_t{1}, std::string(R"({"event.name":"tool_result","model":null,"n":{"a":1}})")};
  rows.tables.push_back(t);
  ASSERT_TRUE((*s)->write(std::move(rows)).ok());
  (*s)->close();
  auto conn = openReadOnly(o.path);
  ASSERT_TRUE(conn.ok());
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(conn->get(), "SELECT _pc_event_name, _pc_model FROM AppTraces", -1,
                               &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))),
            "\"tool_result\"");
  EXPECT_EQ(sqlite3_column_type(st, 1), SQLITE_NULL);  // a JSON null reads as null
  sqlite3_finalize(st);
  fs::remove_all(dir);
}

TEST_F(PropertyColumnsTest, QueriesAnswerTheSameWithAndWithoutThem) {
  const char* queries[] = {
      "AppTraces | extend EventName = tostring(Properties['event.name']) "
      "| summarize Events = count() by bin(TimeGenerated, 5m), EventName | order by EventName asc",
      "AppTraces | where Properties['event.name'] in ('tool_decision', 'tool_result') "
      "| extend EventName = tostring(Properties['event.name']), Tool = "
      "tostring(Properties.tool_name) "
      "| summarize Attempts = countif(EventName == 'tool_decision'), "
      "Failed = countif(EventName == 'tool_result' and tostring(Properties.success) != 'true') "
      "by Tool | order by Tool asc",
      "AppTraces | where Properties['event.name'] == 'api_request' "
      "| summarize In = sum(tolong(Properties.input_tokens)), Out = "
      "sum(tolong(Properties.output_tokens)), "
      "Cost = sum(todouble(Properties.cost_usd)) by Model = tostring(Properties.model) | order by "
      "Model asc",
      "AppTraces | where Properties['event.name'] == 'api_request' "
      "| summarize P95 = percentile(toreal(Properties.duration_ms), 95) by Model = "
      "tostring(Properties.model) | order by Model asc",
      "AppTraces | summarize Users = dcount(tostring(Properties['user.id'])) by Day = "
      "bin(TimeGenerated, 1d)",
      "AppTraces | where Properties.tool_name == 'Bash' | where "
      "isnotempty(Properties['session.id']) "
      "| project Message, s = Properties.success, d = Properties.decision | order by Message asc",
      "AppTraces | project p = Properties, m = Properties.model, e = Properties['event.name'] "
      "| order by tostring(e) asc, tostring(m) asc | take 50",
      "AppTraces | extend Properties = parse_json('{\"model\":\"shadowed\"}'), m = "
      "Properties.model "
      "| summarize count() by tostring(m)",
      "AppTraces | where tostring(Properties.model) startswith 'claude' | count",
      "AppTraces | extend n = 1 | extend Properties = parse_json('{\"model\":\"x\"}') "
      "| summarize count() by tostring(Properties.model)",
      "AppTraces | extend k = tostring(Properties.tool_name) | where isnotempty(k) "
      "| summarize count() by k, s = tostring(Properties.success) | order by k asc, s asc",
      "AppTraces | take 1000 | summarize count() by e = tostring(Properties['event.name']) "
      "| order by e asc",
      "AppDependencies | summarize n = count(), t = "
      "sum(tolong(Properties['gen_ai.usage.input_tokens'])) "
      "by op = tostring(Properties['gen_ai.operation.name']), m = "
      "tostring(Properties['gen_ai.request.model']) | order by op asc, m asc",
      "union AppTraces, AppDependencies | summarize count() by m = tostring(Properties.model) "
      "| order by m asc",
      // Comparisons the binder turns into a test of the column's JSON text (rows without the
      // key included).
      "AppTraces | where Properties['event.name'] != 'api_request' | count",
      "AppTraces | where Properties['event.name'] !in ('api_request', 'tool_result') | count",
      "AppTraces | where tostring(Properties.tool_name) == 'Bash' or Properties.model == 'none' "
      "| count",
      "AppTraces | where Properties.success == 'true' | count",
      "AppTraces | where Properties.tool_name != 'Bash' | summarize count() by "
      "t = tostring(Properties.tool_name) | order by t asc",
      "AppDependencies | where Properties['gen_ai.operation.name'] in ('chat', 'execute_tool') "
      "| count",
  };
  auto conn = openReadOnly(path_);
  ASSERT_TRUE(conn.ok());
  kql::Engine with(conn->get(), kql::builtinSchema());
  kql::Engine without(conn->get(), kql::builtinSchema());
  without.usePropertyColumns(false);
  int nonEmpty = 0;
  for (const char* q : queries) {
    auto a = with.run(q);
    auto b = without.run(q);
    ASSERT_TRUE(a.ok()) << q << "\n" << a.error().message;
    ASSERT_TRUE(b.ok()) << q << "\n" << b.error().message;
    EXPECT_EQ(render(*a), render(*b)) << q;
    nonEmpty += !a->rows.empty();
  }
  EXPECT_GE(nonEmpty, 10);
}

// The rewrite happens where it may and nowhere else.
TEST(PropertyColumnsBind, ReadsTheColumnOnlyFromAnUnchangedScan) {
  kql::BindOptions o;
  o.property_columns["AppTraces"]["model"] = "_pc_model";
  auto uses = [&](const std::string& q) {
    auto b = kql::bind(q, kql::builtinSchema(), o);
    EXPECT_TRUE(b.ok()) << q << ": " << (b.ok() ? "" : b.error().message);
    return b.ok() && b->property_columns_read == std::vector<std::string>{"_pc_model"};
  };
  EXPECT_TRUE(uses("AppTraces | summarize count() by tostring(Properties.model)"));
  EXPECT_TRUE(uses("AppTraces | where Properties['model'] == 'x' | project Message"));
  EXPECT_TRUE(uses("AppTraces | where SeverityLevel > 0 | extend m = Properties.model"));
  EXPECT_TRUE(
      uses("AppTraces | extend x = 1 | where x == 1 | summarize count() by "
           "tostring(Properties.model)"));
  EXPECT_FALSE(
      uses("AppTraces | extend Properties = parse_json('{}') | summarize count() by "
           "tostring(Properties.model)"));
  EXPECT_FALSE(uses("AppTraces | project Properties | extend m = Properties.model"));
  EXPECT_FALSE(
      uses("AppTraces | extend Properties = parse_json('{}') | extend m = Properties.model"));
  EXPECT_FALSE(uses("AppTraces | take 5 | extend m = Properties.model"));
  EXPECT_FALSE(uses("AppTraces | extend m = Properties.model.name"));
  EXPECT_FALSE(uses("AppTraces | extend m = Properties['model2']"));
  EXPECT_FALSE(uses("AppDependencies | extend m = Properties.model"));
  // The property columns never show in a result.
  auto b = kql::bind("AppTraces | where Properties.model == 'x'", kql::builtinSchema(), o);
  ASSERT_TRUE(b.ok());
  for (const auto& c : b->columns) EXPECT_EQ(c.name.rfind("_pc_", 0), std::string::npos);
}

// A string literal only a JSON string prints as is compared with the column's JSON text, so an
// index on the column can answer; other literals keep the per-row conversion.
TEST(PropertyColumnsBind, PlainStringLiteralsCompareTheJsonText) {
  kql::BindOptions o;
  o.property_columns["AppTraces"]["model"] = "_pc_model";
  auto sql = [&](const std::string& q) {
    auto b = kql::bind(q, kql::builtinSchema(), o);
    EXPECT_TRUE(b.ok()) << q;
    return b.ok() ? b->sql : std::string();
  };
  EXPECT_NE(sql("AppTraces | where Properties.model == 'claude-opus-4'")
                .find("(\"_pc_model\" = '\"claude-opus-4\"')"),
            std::string::npos);
  EXPECT_NE(sql("AppTraces | where Properties.model != 'a'").find("\"_pc_model\" IS NOT '\"a\"'"),
            std::string::npos);
  EXPECT_NE(sql("AppTraces | where Properties.model in ('a', 'b')")
                .find("\"_pc_model\" IN ('\"a\"', '\"b\"')"),
            std::string::npos);
  // A number, a bool, JSON text or an escaped character could be printed by other values.
  for (const char* lit : {"'5'", "'true'", "'{}'", "'a\\\"b'", "''"}) {
    EXPECT_EQ(
        sql(std::string("AppTraces | where Properties.model == ") + lit).find("\"_pc_model\" ="),
        std::string::npos)
        << lit;
  }
  EXPECT_EQ(sql("AppTraces | where Properties.model in ('a', '7')").find("\"_pc_model\" IN"),
            std::string::npos);
}

}  // namespace
}  // namespace agentgate::store
