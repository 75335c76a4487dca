#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "appinsights/mapper.h"
#include "kql/engine.h"
#include "pdata/codec.h"
#include "store/row_mapping.h"
#include "store/schema.h"

namespace agentgate::store {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "agstore-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// All rows of a query as strings ("NULL" for NULL).
std::vector<std::vector<std::string>> query(sqlite3* db, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db);
  if (!stmt) return rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* t = sqlite3_column_text(stmt, i);
      row.push_back(t ? reinterpret_cast<const char*>(t) : "NULL");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  return rows;
}

std::string scalar(sqlite3* db, const std::string& sql) {
  auto rows = query(db, sql);
  return rows.empty() || rows[0].empty() ? "" : rows[0][0];
}

std::unique_ptr<Store> openStore(StoreOptions o) {
  auto s = Store::open(std::move(o));
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? std::move(s.value()) : nullptr;
}

TEST(DateTimeTest, SevenFractionalDigitsUtc) {
  EXPECT_EQ(formatDateTime(1'795'750'452'002'000'123ull), "2026-11-27T03:34:12.0020001Z");
  EXPECT_EQ(formatDateTime(0), "1970-01-01T00:00:00.0000000Z");
}

TEST(SchemaTest, TablesAndColumnsExactlyAsTheCsv) {
  TempDir dir;
  auto store = openStore({.path = dir.file("a.db")});
  ASSERT_TRUE(store);
  auto conn = openReadOnly(store->path());
  ASSERT_TRUE(conn.ok());
  std::map<std::string, std::map<std::string, std::string>> expected;
  std::istringstream csv(
      readFile(std::string(AGENTGATE_SHARED_DIR) + "/fixtures/kql/app-otel-table-schemas.csv"));
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) {
    auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
    expected[line.substr(0, c1)][line.substr(c1 + 1, c2 - c1 - 1)] =
        line.substr(c2 + 1, c3 - c2 - 1);
  }
  expected["OTelEvents"]["Name"] = "string";  // lost by the CSV scrape, see gen_schema.py
  // In spec section 3 and Microsoft's sample queries, missing from the reference page.
  expected["AppRequests"]["PerformanceBucket"] = "string";
  expected["AppDependencies"]["PerformanceBucket"] = "string";
  ASSERT_GE(expected.size(), 18u);
  const std::map<std::string, std::string> affinity = {
      {"string", "TEXT"}, {"dynamic", "TEXT"}, {"datetime", "INTEGER"}, {"bool", "INTEGER"},
      {"int", "INTEGER"}, {"long", "INTEGER"}, {"real", "REAL"}};
  for (const auto& [table, columns] : expected) {
    auto rows = query(conn->get(), "PRAGMA table_info(\"" + table + "\")");
    std::map<std::string, std::string> actual;
    std::set<std::string> property_columns, expected_property_columns;
    for (const auto& r : rows) {
      if (r[1].rfind("_pc_", 0) == 0) {
        property_columns.insert(r[1]);
      } else {
        actual[r[1]] = r[2];
      }
    }
    for (const auto& pc : propertyColumns()) {
      if (pc.table == table) expected_property_columns.insert(std::string(pc.column));
    }
    EXPECT_EQ(property_columns, expected_property_columns) << table;
    ASSERT_EQ(actual.size(), columns.size()) << table;
    for (const auto& [col, type] : columns) {
      ASSERT_TRUE(actual.count(col)) << table << "." << col;
      EXPECT_EQ(actual[col], affinity.at(type)) << table << "." << col;
      EXPECT_EQ(scalar(conn->get(), "SELECT kql_type FROM _kql_columns WHERE table_name='" + table +
                                        "' AND column_name='" + col + "'"),
                type);
    }
  }
  auto findings = query(conn->get(), "PRAGMA table_info(AgentSecretFindings)");
  EXPECT_EQ(findings.size(), 14u);
  EXPECT_EQ(scalar(conn->get(), "PRAGMA journal_mode"), "wal");
}

TEST(SchemaTest, ReopenRunsMigrationsIdempotently) {
  TempDir dir;
  for (int i = 0; i < 3; ++i) {
    auto store = openStore({.path = dir.file("sub/dir/a.db")});
    ASSERT_TRUE(store);
    RowBatch rows;
    TableRows t{"AppTraces", {"TimeGenerated", "Message"}, {}};
    size_t base = t.addRow();
    t.cells[base] = datetimeTicks(1'000'000'000'000'000'000ull);
    t.cells[base + 1] = std::string("m") + std::to_string(i);
    rows.tables.push_back(std::move(t));
    ASSERT_TRUE(store->write(std::move(rows)).ok());
  }
  auto conn = openReadOnly(dir.file("sub/dir/a.db"));
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(scalar(conn->get(), "SELECT group_concat(version) FROM schema_version"), "1,2,3,4,5");
  EXPECT_EQ(scalar(conn->get(), "SELECT count(*) FROM AppTraces"), "3");
  // Unset string columns are '' (KQL strings are never null), other types NULL.
  EXPECT_EQ(scalar(conn->get(), "SELECT count(*) FROM AppTraces WHERE OperationId = ''"), "3");
  EXPECT_EQ(scalar(conn->get(), "SELECT count(*) FROM AppTraces WHERE SeverityLevel IS NULL"), "3");
}

TEST(SchemaTest, ReadOnlyConnectionCannotWrite) {
  TempDir dir;
  auto store = openStore({.path = dir.file("a.db")});
  auto conn = openReadOnly(store->path());
  ASSERT_TRUE(conn.ok());
  char* err = nullptr;
  EXPECT_NE(sqlite3_exec(conn->get(), "DELETE FROM AppTraces", nullptr, nullptr, &err), SQLITE_OK);
  sqlite3_free(err);
  EXPECT_FALSE(openReadOnly(dir.file("missing.db")).ok());
}

RowBatch fixtureRows(const std::string& rel, Signal signal) {
  std::string bytes = readFile(std::string(AGENTGATE_SHARED_DIR) + "/fixtures/agents/" + rel);
  pdata::Batch batch(signal);
  Status st = pdata::decodeProtobuf(batch, batch.adoptBuffer(std::move(bytes)));
  EXPECT_TRUE(st.ok());
  appinsights::MapOptions o;
  o.span_events_enabled = true;
  RowBatch rows;
  appendAppInsightsRows(appinsights::mapBatch(batch, o).envelopes, rows);
  appendOtelRows(batch, 1'795'000'000'000'000'000ull, rows);
  return rows;
}

TEST(StoreTest, FixtureBatchRoundTrips) {
  TempDir dir;
  auto store = openStore({.path = dir.file("a.db"), .retention = std::chrono::nanoseconds(0)});
  ASSERT_TRUE(store);
  const std::string base =
      "claude-code-2.1.331/a-defaults-tool/claude-code-2.1.331_a-defaults-tool_";
  ASSERT_TRUE(store->write(fixtureRows(base + "logs_http-protobuf_0001.pb", Signal::kLogs)).ok());
  Status traces = store->write(fixtureRows(base + "traces_http-protobuf_0002.pb", Signal::kTraces));
  ASSERT_TRUE(traces.ok()) << traces.error().message;
  ASSERT_TRUE(
      store->write(fixtureRows(base + "metrics_http-protobuf_0004.pb", Signal::kMetrics)).ok());
  auto conn = openReadOnly(store->path());
  ASSERT_TRUE(conn.ok());
  sqlite3* db = conn->get();
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM AppTraces"), "16");  // 12 logs + 4 span events
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM OTelLogs"), "12");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM AppDependencies"), "14");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM OTelSpans"), "14");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM OTelResources"), "1");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM AppMetrics"), "10");
  auto r = query(db,
                 "SELECT Message, SeverityLevel, AppRoleName, AppVersion, Type, "
                 "json_extract(Properties, '$.\"session.id\"'), TimeGenerated FROM AppTraces "
                 "ORDER BY TimeGenerated LIMIT 1");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0], "claude_code.managed_settings_resolved");
  EXPECT_EQ(r[0][1], "1");
  EXPECT_EQ(r[0][2], "claude-code");
  EXPECT_EQ(r[0][3], "2.1.331");
  EXPECT_EQ(r[0][4], "AppTraces");
  EXPECT_EQ(r[0][5], "c59094bc-7069-4361-9c7e-ffaf67c37650");
  EXPECT_EQ(r[0][6], "17955776385450000");  // 2026-11-25T03:33:58.545Z in 100 ns ticks
  auto d = query(db,
                 "SELECT DependencyType, Success, DurationMs, OperationId "
                 "FROM AppDependencies WHERE Id = '9cd20d582e4ec1c3'");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0][0], "InProc");
  EXPECT_EQ(d[0][1], "1");
  EXPECT_EQ(d[0][2], "120.382");
  EXPECT_EQ(d[0][3], "76e15fa732d6959d4aeeb99a6a6784b8");
  auto s = query(db,
                 "SELECT Kind, StatusCode, ServiceName, SessionId, ResourceAttributesId = "
                 "(SELECT Id FROM OTelResources), json_extract(Attributes, '$.\"gen_ai.system\"') "
                 "FROM OTelSpans WHERE SpanId = '9cd20d582e4ec1c3'");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0][0], "Internal");
  EXPECT_EQ(s[0][1], "Unset");
  EXPECT_EQ(s[0][2], "claude-code");
  EXPECT_EQ(s[0][3], "c59094bc-7069-4361-9c7e-ffaf67c37650");
  EXPECT_EQ(s[0][4], "1");
  EXPECT_EQ(s[0][5], "anthropic");
  EXPECT_EQ(scalar(db,
                   "SELECT count(*) FROM AppMetrics WHERE Name = 'claude_code.token.usage' "
                   "AND ItemCount = 1 AND Min = Sum AND Max = Sum"),
            "4");
}

RowBatch tracesAt(uint64_t t, size_t n, size_t message_bytes) {
  RowBatch rows;
  TableRows tr{"AppTraces", {"TimeGenerated", "Message"}, {}};
  for (size_t i = 0; i < n; ++i) {
    size_t base = tr.addRow();
    tr.cells[base] = datetimeTicks(t + i);
    tr.cells[base + 1] = std::string(message_bytes, 'x');
  }
  rows.tables.push_back(std::move(tr));
  return rows;
}

TEST(StoreTest, RetentionDeletesRowsOlderThanTheWindow) {
  TempDir dir;
  const uint64_t kHour = 3600ull * 1'000'000'000ull;
  uint64_t now = 1'800'000'000ull * 1'000'000'000ull;
  auto store =
      openStore({.path = dir.file("a.db"), .retention = std::chrono::hours(720), .now = [&now] {
                   return now;
                 }});
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write(tracesAt(now - 800 * kHour, 5, 10)).ok());
  ASSERT_TRUE(store->write(tracesAt(now - 10 * kHour, 7, 10)).ok());
  ASSERT_TRUE(store->runMaintenance().ok());
  auto conn = openReadOnly(store->path());
  EXPECT_EQ(scalar(conn->get(), "SELECT count(*) FROM AppTraces"), "7");
  now += 711 * kHour;  // the newer rows are now 721h old
  ASSERT_TRUE(store->runMaintenance().ok());
  EXPECT_EQ(scalar(conn->get(), "SELECT count(*) FROM AppTraces"), "0");
}

TEST(StoreTest, SizeCapDropsOldestRows) {
  TempDir dir;
  // The cap leaves 512 KiB for rows above what the empty schema takes (one page per table and
  // index, so it depends on the page size).
  uint64_t empty_schema = 0;
  {
    auto empty = openStore({.path = dir.file("empty.db")});
    ASSERT_TRUE(empty);
    auto used = empty->usedBytes();
    ASSERT_TRUE(used.ok());
    empty_schema = *used;
  }
  const uint64_t cap = empty_schema + 512 * 1024;
  auto store = openStore(
      {.path = dir.file("a.db"), .retention = std::chrono::nanoseconds(0), .max_size_bytes = cap});
  ASSERT_TRUE(store);
  uint64_t t = 1'800'000'000ull * 1'000'000'000ull;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store->write(tracesAt(t + i * 1000, 100, 1000)).ok());
  }
  auto before = store->usedBytes();
  ASSERT_TRUE(before.ok());
  EXPECT_GT(*before, cap);
  ASSERT_TRUE(store->runMaintenance().ok());
  auto after = store->usedBytes();
  ASSERT_TRUE(after.ok());
  EXPECT_LE(*after, cap) << "before " << *before;
  auto conn = openReadOnly(store->path());
  int remaining = std::stoi(scalar(conn->get(), "SELECT count(*) FROM AppTraces"));
  EXPECT_GT(remaining, 0);
  EXPECT_LT(remaining, 1000);
  // The newest row survives, the oldest does not.
  EXPECT_EQ(scalar(conn->get(), "SELECT max(TimeGenerated) FROM AppTraces"),
            std::to_string(datetimeTicks(t + 9 * 1000 + 99)));
  EXPECT_NE(scalar(conn->get(), "SELECT min(TimeGenerated) FROM AppTraces"),
            std::to_string(datetimeTicks(t)));
}

TEST(StoreTest, ConcurrentWritersAllCommitted) {
  TempDir dir;
  auto store = openStore({.path = dir.file("a.db"), .retention = std::chrono::nanoseconds(0)});
  ASSERT_TRUE(store);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 25; ++i) {
        if (!store->write(tracesAt(1'000'000'000ull * (w * 100 + i + 1), 3, 5)).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto conn = openReadOnly(store->path());
  EXPECT_EQ(scalar(conn->get(), "SELECT count(*) FROM AppTraces"), "300");
  store->close();
  EXPECT_FALSE(store->write(tracesAt(1, 1, 1)).ok());  // closed: retryable refusal
}

TEST(StoreTest, UnknownColumnFailsTheWrite) {
  TempDir dir;
  auto store = openStore({.path = dir.file("a.db")});
  RowBatch rows;
  TableRows t{"AppTraces", {"NoSuchColumn"}, {}};
  t.addRow();
  rows.tables.push_back(std::move(t));
  EXPECT_FALSE(store->write(std::move(rows)).ok());
}

// The KQL engine reads what the store wrote: datetimes come back as ISO strings and ago() filters
// compare against the stored ticks.
TEST(StoreTest, KqlEngineReadsStoredDatetimes) {
  TempDir dir;
  const uint64_t now = 1'795'577'638'545'000'000ull;  // 2026-11-25T03:33:58.545Z
  const uint64_t kMinute = 60ull * 1'000'000'000ull;
  auto store = openStore({.path = dir.file("a.db"), .retention = std::chrono::nanoseconds(0)});
  ASSERT_TRUE(store);
  RowBatch rows;
  TableRows t{"AppTraces", {"TimeGenerated", "Message"}, {}};
  for (uint64_t age : {uint64_t{0}, 30 * kMinute, 90 * kMinute}) {
    size_t base = t.addRow();
    t.cells[base] = datetimeTicks(now - age);
    t.cells[base + 1] = "age " + std::to_string(age / kMinute);
  }
  rows.tables.push_back(std::move(t));
  ASSERT_TRUE(store->write(std::move(rows)).ok());
  auto conn = openReadOnly(store->path());
  ASSERT_TRUE(conn.ok());
  kql::Engine engine(conn->get(), kql::builtinSchema(),
                     [&] { return static_cast<int64_t>(now / 100) + 1; });
  auto r = engine.run(
      "AppTraces | where TimeGenerated > ago(1h) | order by TimeGenerated desc "
      "| project TimeGenerated, Message");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->columns[0].type, "datetime");
  EXPECT_EQ(std::get<std::string>(r->rows[0][0]), "2026-11-25T03:33:58.545Z");
  EXPECT_EQ(std::get<std::string>(r->rows[0][1]), "age 0");
  EXPECT_EQ(std::get<std::string>(r->rows[1][0]), "2026-11-25T03:03:58.545Z");
  auto b = engine.run(
      "AppTraces | summarize n = count() by bin(TimeGenerated, 1h) "
      "| order by TimeGenerated asc");
  ASSERT_TRUE(b.ok()) << b.error().message;
  ASSERT_EQ(b->rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(b->rows[0][0]), "2026-11-25T02:00:00Z");
  EXPECT_EQ(std::get<int64_t>(b->rows[0][1]), 1);
  EXPECT_EQ(std::get<int64_t>(b->rows[1][1]), 2);
}

// A database written by schema version 1 (datetimes as ISO text) is converted to ticks.
TEST(SchemaTest, MigratesVersion1TextDatetimesToTicks) {
  TempDir dir;
  std::string path = dir.file("old.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    std::string sql =
        "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version "
        "VALUES (1); CREATE TABLE \"AppTraces\" (";
    const TableSchema* t = findTable("AppTraces");
    for (size_t i = 0; i < t->columns.size(); ++i) {
      if (i) sql += ", ";
      auto type = t->columns[i].type == KqlType::kDatetime ? std::string_view("TEXT")
                                                           : sqliteTypeName(t->columns[i].type);
      sql += "\"" + std::string(t->columns[i].name) + "\" " + std::string(type);
      if (type == "TEXT" && t->columns[i].type != KqlType::kDatetime &&
          t->columns[i].type != KqlType::kDynamic) {
        sql += " NOT NULL DEFAULT ''";
      }
    }
    sql +=
        "); CREATE INDEX ix_AppTraces_time ON AppTraces (TimeGenerated); "
        "INSERT INTO AppTraces (TimeGenerated, Message) VALUES "
        "('2026-11-25T03:33:58.5450000Z', 'old');";
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_close(db);
  }
  auto store = openStore({.path = path, .retention = std::chrono::nanoseconds(0)});
  ASSERT_TRUE(store);
  auto conn = openReadOnly(path);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(scalar(conn->get(), "SELECT TimeGenerated FROM AppTraces WHERE Message = 'old'"),
            "17955776385450000");
  EXPECT_EQ(scalar(conn->get(),
                   "SELECT type FROM pragma_table_info('AppTraces') "
                   "WHERE name = 'TimeGenerated'"),
            "INTEGER");
  EXPECT_EQ(scalar(conn->get(),
                   "SELECT count(*) FROM sqlite_master WHERE name = "
                   "'ix_AppTraces_time'"),
            "1");
}

// A database of schema version 2 gains the columns added since, keeping its rows.
// A store created by this build, then taken back to what an older version left with `sql` (the
// undoing of the newer migrations), so reopening it must migrate it forward.
void storeAsOlderVersion(const std::string& path, const char* sql) {
  {
    auto store = openStore({.path = path});
    ASSERT_TRUE(store);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

TEST(SchemaTest, MigratesVersion2ByAddingNewColumns) {
  TempDir dir;
  std::string path = dir.file("v2.db");
  ASSERT_NO_FATAL_FAILURE(
      storeAsOlderVersion(path,
                          "ALTER TABLE AppRequests DROP COLUMN PerformanceBucket; "
                          "DELETE FROM _kql_columns WHERE column_name = 'PerformanceBucket'; "
                          "DELETE FROM schema_version WHERE version >= 3; "
                          "INSERT INTO AppRequests (Name, DurationMs) VALUES ('GET /old', 12.5);"));
  auto store = openStore({.path = path, .retention = std::chrono::nanoseconds(0)});
  ASSERT_TRUE(store);
  auto conn = openReadOnly(path);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(scalar(conn->get(), "SELECT Name FROM AppRequests"), "GET /old");
  EXPECT_EQ(scalar(conn->get(),
                   "SELECT count(*) FROM pragma_table_info('AppRequests') WHERE "
                   "name = 'PerformanceBucket'"),
            "1");
  EXPECT_EQ(scalar(conn->get(),
                   "SELECT kql_type FROM _kql_columns WHERE table_name = "
                   "'AppRequests' AND column_name = 'PerformanceBucket'"),
            "string");
  EXPECT_EQ(scalar(conn->get(),
                   "SELECT group_concat(version) FROM (SELECT version FROM "
                   "schema_version ORDER BY version)"),
            "1,2,3,4,5");
}

// Version 5 widens a version-4 store's AppTraces time index with the user id, and a per-user
// count over time then reads that index alone.
TEST(SchemaTest, MigratesVersion4TimeIndexToCarryTheUserId) {
  TempDir dir;
  std::string path = dir.file("v4.db");
  ASSERT_NO_FATAL_FAILURE(
      storeAsOlderVersion(path,
                          "DROP INDEX ix_AppTraces_time; "
                          "CREATE INDEX ix_AppTraces_time ON AppTraces (TimeGenerated); "
                          "DELETE FROM schema_version WHERE version >= 5;"));
  auto store = openStore({.path = path, .retention = std::chrono::nanoseconds(0)});
  ASSERT_TRUE(store);
  auto conn = openReadOnly(path);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(scalar(conn->get(),
                   "SELECT group_concat(name) FROM (SELECT name FROM "
                   "pragma_index_info('ix_AppTraces_time') ORDER BY seqno)"),
            "TimeGenerated,_pc_user_id");
  sqlite3_stmt* plan = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(conn->get(),
                               "EXPLAIN QUERY PLAN SELECT TimeGenerated / 864000000000, "
                               "count(DISTINCT _pc_user_id) FROM AppTraces GROUP BY 1",
                               -1, &plan, nullptr),
            SQLITE_OK);
  std::string details;
  while (sqlite3_step(plan) == SQLITE_ROW) {
    details += reinterpret_cast<const char*>(sqlite3_column_text(plan, 3));
    details += "; ";
  }
  sqlite3_finalize(plan);
  EXPECT_NE(details.find("COVERING INDEX ix_AppTraces_time"), std::string::npos) << details;
}

// The KQL binder and the store are generated from one table list: every table and column the
// binder accepts exists in the store with the same KQL type, and the other way round.
TEST(SchemaTest, KqlBinderSchemaMatchesStoreTables) {
  const auto& kql = kql::builtinSchema();
  size_t tables = 0;
  for (const auto& t : tableSchemas()) {
    auto it = kql.tables.find(std::string(t.name));
    ASSERT_NE(it, kql.tables.end()) << t.name;
    ++tables;
    ASSERT_EQ(it->second.columns.size(), t.columns.size()) << t.name;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      EXPECT_EQ(it->second.columns[i].name, t.columns[i].name) << t.name;
      EXPECT_EQ(it->second.columns[i].type, kqlTypeName(t.columns[i].type))
          << t.name << "." << t.columns[i].name;
    }
  }
  EXPECT_EQ(tables, kql.tables.size());
}

TEST(RowMappingTest, PerformanceBuckets) {
  const uint64_t ms = 1'000'000;
  EXPECT_EQ(performanceBucket(0), "<250ms");
  EXPECT_EQ(performanceBucket(250 * ms), "250ms-500ms");
  EXPECT_EQ(performanceBucket(999 * ms), "500ms-1sec");
  EXPECT_EQ(performanceBucket(3000 * ms), "3sec-7sec");
  EXPECT_EQ(performanceBucket(300000 * ms), ">=5min");
}

TEST(RowMappingTest, ExceptionAndRequestRows) {
  appinsights::Envelope x;
  x.kind = appinsights::EnvelopeKind::kException;
  x.severity_level = 3;
  x.problem_id = "ERROR";
  x.exceptions.push_back({"TypeError", "boom", true, "at f"});
  x.tags["ai.operation.id"] = "abc";
  appinsights::Envelope r;
  r.kind = appinsights::EnvelopeKind::kRequest;
  r.name = "GET /x";
  r.success = false;
  r.result_code = "500";
  r.duration_nanos = 1'500'000'000ull;
  r.tags["ai.operation.name"] = "GET /x";
  RowBatch rows;
  appendAppInsightsRows({x, r}, rows);
  ASSERT_EQ(rows.tables.size(), 2u);
  const auto& ex = rows.tables[0];
  EXPECT_EQ(ex.table, "AppExceptions");
  auto cell = [](const TableRows& t, const char* col) { return t.cells[t.columnIndex(col)]; };
  EXPECT_EQ(std::get<std::string>(cell(ex, "ExceptionType")), "TypeError");
  EXPECT_EQ(std::get<std::string>(cell(ex, "OperationId")), "abc");
  EXPECT_EQ(std::get<std::string>(cell(ex, "Details")),
            R"([{"id":0,"outerId":0,"type":"TypeError","message":"boom","hasFullStack":true,)"
            R"("rawStack":"at f"}])");
  const auto& rq = rows.tables[1];
  EXPECT_EQ(std::get<int64_t>(cell(rq, "Success")), 0);
  EXPECT_EQ(std::get<double>(cell(rq, "DurationMs")), 1500.0);
  for (const auto& t : rows.tables) {
    const TableSchema* schema = findTable(t.table);
    ASSERT_NE(schema, nullptr);
    for (const auto& c : t.columns) EXPECT_NE(schema->column(c), nullptr) << t.table << "." << c;
  }
  EXPECT_EQ(std::get<std::string>(cell(rq, "OperationName")), "GET /x");
}

}  // namespace
}  // namespace agentgate::store

namespace agentgate::store {
namespace {

// What the secrets processor emits (a finding log record; on spans, a span event) lands in
// AgentSecretFindings with its attributes spread into columns.
TEST(SecretFindingRows, FindingLogsAndSpanEventsBecomeRows) {
  const char* logs = R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"claude-code"}}]},
    "scopeLogs":[{"logRecords":[
      {"timeUnixNano":"1795000000000000000","body":{"stringValue":"agentgate.secret_finding"},
       "attributes":[{"key":"secret.type","value":{"stringValue":"github-pat-classic"}},
         {"key":"secret.rule","value":{"stringValue":"github-pat"}},
         {"key":"secret.confidence","value":{"stringValue":"high"}},
         {"key":"secret.location","value":{"stringValue":"log.attributes.prompt"}},
         {"key":"secret.fingerprint","value":{"stringValue":"1a2b3c4d"}},
         {"key":"event.name","value":{"stringValue":"user_prompt"}},
         {"key":"session.id","value":{"stringValue":"s-1"}},
         {"key":"user.email","value":{"stringValue":"dev@example.com"}}]},
      {"timeUnixNano":"1795000000000000001","body":{"stringValue":"claude_code.user_prompt"}}
    ]}]}]})";
  pdata::Batch lb(Signal::kLogs);
  ASSERT_TRUE(pdata::decodeJson(lb, lb.adoptBuffer(logs)).ok());
  const char* traces = R"({"resourceSpans":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"copilot"}}]},
    "scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10",
      "spanId":"0102030405060708","name":"chat","startTimeUnixNano":"1795000000000000000",
      "endTimeUnixNano":"1795000001000000000","events":[
        {"timeUnixNano":"1795000000500000000","name":"agentgate.secret_finding","attributes":[
          {"key":"secret.type","value":{"stringValue":"aws-access-key-id"}},
          {"key":"secret.fingerprint","value":{"stringValue":"99aa00bb"}}]},
        {"timeUnixNano":"1795000000600000000","name":"other"}]}]}]}]})";
  pdata::Batch tb(Signal::kTraces);
  ASSERT_TRUE(pdata::decodeJson(tb, tb.adoptBuffer(traces)).ok());
  RowBatch rows;
  appendSecretFindingRows(lb, rows);
  appendSecretFindingRows(tb, rows);
  ASSERT_EQ(rows.tables.size(), 1u);
  const TableRows& t = rows.tables[0];
  ASSERT_EQ(t.table, "AgentSecretFindings");
  ASSERT_EQ(t.rowCount(), 2u);
  auto cell = [&](size_t row, std::string_view col) {
    const Cell& c = t.cells[row * t.columns.size() + t.columnIndex(col)];
    const auto* s = std::get_if<std::string>(&c);
    return s ? *s : std::string("<unset>");
  };
  EXPECT_EQ(cell(0, "FindingType"), "github-pat-classic");
  EXPECT_EQ(cell(0, "RuleId"), "github-pat");
  EXPECT_EQ(cell(0, "Confidence"), "high");
  EXPECT_EQ(cell(0, "Location"), "log.attributes.prompt");
  EXPECT_EQ(cell(0, "Fingerprint"), "1a2b3c4d");
  EXPECT_EQ(cell(0, "EventName"), "user_prompt");
  EXPECT_EQ(cell(0, "SessionId"), "s-1");
  EXPECT_EQ(cell(0, "UserEmail"), "dev@example.com");
  EXPECT_EQ(cell(0, "ServiceName"), "claude-code");
  EXPECT_EQ(cell(1, "FindingType"), "aws-access-key-id");
  EXPECT_EQ(cell(1, "ServiceName"), "copilot");

  // And they are queryable as such from a store.
  TempDir dir;
  auto store = openStore({.path = dir.file("f.db"), .retention = std::chrono::nanoseconds(0)});
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write(std::move(rows)).ok());
  auto conn = openReadOnly(dir.file("f.db"));
  ASSERT_TRUE(conn.ok());
  kql::Engine engine(conn->get(), kql::builtinSchema());
  auto r = engine.run(
      "AgentSecretFindings | summarize n = count() by FindingType | order by FindingType asc");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(r->rows[0][0]), "aws-access-key-id");
}

}  // namespace
}  // namespace agentgate::store
