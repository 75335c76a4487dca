// KQL over SQLite: the query engine behind `POST /v1/workspaces/{id}/query`.
//
// Storage conventions (createTables uses them; writers must follow them):
//   string/guid -> TEXT, long/int -> INTEGER, real -> REAL, bool -> INTEGER 0/1,
//   datetime -> INTEGER ticks (100 ns) since 1970-01-01T00:00:00Z, timespan -> INTEGER ticks,
//   dynamic -> TEXT holding JSON.
// Integer ticks keep comparisons, bin() and indexes cheap; results print as ISO-8601 strings.
// dcount is exact; percentile(s) use exact nearest-rank (Log Analytics estimates both).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agentgate/result.h"

namespace agentgate::kql {

struct Column {
  std::string name;
  std::string type;  // string long int real bool datetime timespan dynamic guid
};

using Value = std::variant<std::monostate, bool, int64_t, double, std::string>;

struct QueryResult {
  std::vector<Column> columns;
  std::vector<std::vector<Value>> rows;      // datetime/timespan as text, dynamic as JSON text
  std::optional<std::string> visualization;  // from `render`
};

struct TableSchema {
  std::string name;
  std::vector<Column> columns;
};

struct Schema {
  std::map<std::string, TableSchema> tables;
  const TableSchema* find(std::string_view name) const;
};

// The Log Analytics tables (App*, OTel*, AgentSecretFindings) compiled in from
// app-otel-table-schemas.csv (see tools/gen_schemas.py).
const Schema& builtinSchema();

// Returns "now" in ticks since the Unix epoch; injectable for tests.
using Clock = std::function<int64_t()>;
Clock systemClock();

struct TimeRange {
  int64_t start_ticks = 0;
  int64_t end_ticks = 0;
};
// ISO-8601 duration ("PT1H", "P1D") or "start/end" / "start/duration" as the LA API accepts.
Result<TimeRange> parseTimespanParam(std::string_view s, int64_t now_ticks);

// Bind-time result: the SQL and the typed output columns.
struct BoundQuery {
  std::string sql;
  std::vector<Column> columns;
  std::optional<std::string> visualization;
  std::vector<std::string> property_columns_read;  // sorted; see BindOptions::property_columns
};

struct BindOptions {
  // Unknown tables become open tables whose columns are all `dynamic` (parse conformance on
  // queries written for other workspaces); names listed here are accepted as such functions.
  bool lenient_tables = false;
  std::vector<std::string> external_functions;
  std::optional<TimeRange> timespan;
  int64_t now_ticks = 0;
  // Runs SQL and returns the first column of each row. Operators whose output columns depend on
  // the data (evaluate bag_unpack) use it at bind time; without it their output stays open.
  std::function<Result<std::vector<std::string>>(const std::string& sql)> probe;
  // table -> Properties key -> column holding exactly `Properties['key']` for each row (the
  // store's property columns). `Properties['key']` read straight from a table is bound to the
  // column instead of parsing the JSON.
  std::map<std::string, std::map<std::string, std::string>> property_columns;
};

Status parseOnly(std::string_view kql);
Result<BoundQuery> bind(std::string_view kql, const Schema& schema, const BindOptions& opts = {});

// Registers the KQL scalar and aggregate functions on a connection (idempotent per db).
Status registerFunctions(sqlite3* db);

class Engine {
 public:
  Engine(sqlite3* db, Schema schema, Clock clock = systemClock());
  Result<QueryResult> run(std::string_view kql, std::optional<TimeRange> timespan = std::nullopt);
  const Schema& schema() const { return schema_; }
  // Property columns are read from the database's `_kql_property_columns` catalog on the first
  // run; off, every Properties access parses the JSON (the differential tests compare both).
  void usePropertyColumns(bool on) { use_property_columns_ = on; }

 private:
  sqlite3* db_;
  Schema schema_;
  Clock clock_;
  bool registered_ = false;
  bool use_property_columns_ = true;
  std::map<std::string, std::map<std::string, std::string>> property_columns_;
};

// {"tables":[{"name":"PrimaryResult","columns":[{"name","type"}],"rows":[[...]]}]}
std::string toLogAnalyticsJson(const QueryResult& r);

// CREATE TABLE IF NOT EXISTS for the named tables (all tables of `schema` when empty).
Status createTables(sqlite3* db, const Schema& schema, const std::vector<std::string>& tables = {});

}  // namespace agentgate::kql
