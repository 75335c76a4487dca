// The store's tables: the Log Analytics columns (KQL names and types) of every Application
// Insights / OTel table plus our own AgentSecretFindings, and the migrations that create them.
//
// Representation (the KQL engine reads the same; see README.md and src/kql/engine.h):
//   string/guid -> TEXT, never NULL ('' when unset)
//   datetime -> INTEGER 100 ns ticks since 1970-01-01T00:00:00Z   timespan -> INTEGER ticks
//   int/long/bool -> INTEGER (bool 0/1)   real -> REAL   dynamic -> TEXT holding JSON
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agentgate/result.h"

struct sqlite3;

namespace agentgate::store {

enum class KqlType { kBool, kDatetime, kDynamic, kGuid, kInt, kLong, kReal, kString, kTimespan };

std::string_view kqlTypeName(KqlType type);     // "datetime"
std::string_view sqliteTypeName(KqlType type);  // declared column type: TEXT / INTEGER / REAL

struct ColumnSchema {
  std::string_view name;
  KqlType type;
};

struct TableSchema {
  std::string_view name;
  std::vector<ColumnSchema> columns;
  const ColumnSchema* column(std::string_view name) const;
};

// Every table the store creates, sorted by name (generated from the shared CSV: schema.inc).
const std::vector<TableSchema>& tableSchemas();
const TableSchema* findTable(std::string_view name);

// Property columns: copies of the agent attributes dashboards group and filter by, taken out of
// a table's Properties (JSON) at insert time so a query reads a narrow column instead of parsing
// the document on every row. Each holds exactly what KQL's `Properties['key']` returns for the
// row (kql_dget computes it at insert), so the KQL binder may read the column instead; the
// table `_kql_property_columns` tells readers which exist. Hidden: not part of the Log
// Analytics schema and never in query results.
struct PropertyColumn {
  std::string_view table;
  std::string_view key;     // the Properties member, e.g. "event.name"
  std::string_view column;  // e.g. "_pc_event_name"
};
const std::vector<PropertyColumn>& propertyColumns();

// Newest schema version this build knows.
int latestSchemaVersion();

// Brings the database at `db` to latestSchemaVersion(): creates schema_version, runs each
// missing migration in its own transaction. Idempotent; safe on every open.
Status migrate(sqlite3* db);

// What a datetime column stores: 100 ns ticks since the Unix epoch (integers keep comparisons,
// bin() and the TimeGenerated index cheap). Nanoseconds beyond a tick are truncated.
inline int64_t datetimeTicks(uint64_t unix_nano) { return static_cast<int64_t>(unix_nano / 100); }

// "2026-11-25T03:34:12.0020000Z": how Log Analytics prints a datetime (for logs and tests).
// Nanoseconds beyond 100 ns ticks are truncated.
std::string formatDateTime(uint64_t unix_nano);

}  // namespace agentgate::store
