#include "store/schema.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>

#include "appinsights/envelope.h"

namespace agentgate::store {
namespace {

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

Status exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return Error::io("sqlite: " + msg);
  }
  return {};
}

std::string createTableSql(const TableSchema& t) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + quoted(t.name) + " (";
  bool first = true;
  for (const auto& c : t.columns) {
    if (!first) sql += ", ";
    first = false;
    sql += quoted(c.name);
    sql += ' ';
    sql += sqliteTypeName(c.type);
    if (c.type == KqlType::kString || c.type == KqlType::kGuid) sql += " NOT NULL DEFAULT ''";
  }
  sql += ")";
  return sql;
}

// Version 1: every table of tableSchemas(), a TimeGenerated index each, and the column catalog
// (_kql_columns) for readers that want KQL types without linking this library.
Status migrationV1(sqlite3* db) {
  if (auto st = exec(db,
                     "CREATE TABLE IF NOT EXISTS _kql_columns (table_name TEXT NOT NULL, "
                     "column_name TEXT NOT NULL, kql_type TEXT NOT NULL, ordinal INTEGER NOT NULL, "
                     "PRIMARY KEY (table_name, column_name))");
      !st) {
    return st;
  }
  for (const auto& t : tableSchemas()) {
    if (auto st = exec(db, createTableSql(t)); !st) return st;
    if (t.column("TimeGenerated")) {
      std::string ix = "CREATE INDEX IF NOT EXISTS " +
                       quoted("ix_" + std::string(t.name) + "_time") + " ON " + quoted(t.name) +
                       " (\"TimeGenerated\")";
      if (auto st = exec(db, ix); !st) return st;
    }
    int ordinal = 0;
    for (const auto& c : t.columns) {
      std::string sql = "INSERT OR REPLACE INTO _kql_columns VALUES ('" + std::string(t.name) +
                        "', '" + std::string(c.name) + "', '" + std::string(kqlTypeName(c.type)) +
                        "', " + std::to_string(ordinal++) + ")";
      if (auto st = exec(db, sql); !st) return st;
    }
  }
  return {};
}

// Declared type of a column as the database has it ("" when absent).
std::string declaredType(sqlite3* db, std::string_view table, std::string_view column) {
  std::string sql = "SELECT type FROM pragma_table_info(" + quoted(table) + ") WHERE name = ?";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return {};
  sqlite3_bind_text(stmt, 1, column.data(), static_cast<int>(column.size()), SQLITE_STATIC);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(stmt, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(stmt);
  return out;
}

// Version 2: datetime columns hold INTEGER ticks (what the KQL engine reads) instead of ISO-8601
// TEXT. Databases created by version 1 get their tables rebuilt with the values converted; fresh
// databases already have INTEGER columns (migrationV1 uses the current types) and skip this.
Status migrationV2(sqlite3* db) {
  for (const auto& t : tableSchemas()) {
    bool text_datetime = false;
    for (const auto& c : t.columns) {
      if (c.type == KqlType::kDatetime && declaredType(db, t.name, c.name) == "TEXT") {
        text_datetime = true;
      }
    }
    if (!text_datetime) continue;
    std::string old_name = "_v1_" + std::string(t.name);
    if (auto st = exec(db, "DROP INDEX IF EXISTS " + quoted("ix_" + std::string(t.name) + "_time"));
        !st) {
      return st;
    }
    if (auto st = exec(db, "ALTER TABLE " + quoted(t.name) + " RENAME TO " + quoted(old_name));
        !st) {
      return st;
    }
    if (auto st = exec(db, createTableSql(t)); !st) return st;
    std::string cols, values;
    for (const auto& c : t.columns) {
      if (!cols.empty()) {
        cols += ", ";
        values += ", ";
      }
      cols += quoted(c.name);
      if (c.type == KqlType::kDatetime) {
        // "YYYY-MM-DDTHH:MM:SS.fffffffZ" -> whole seconds * 10^7 + the 7 fraction digits.
        std::string q = quoted(c.name);
        values += "CASE WHEN typeof(" + q + ") = 'text' THEN CAST(strftime('%s', substr(" + q +
                  ", 1, 19)) AS INTEGER) * 10000000 + CAST(substr(" + q +
                  " || '0000000', 21, 7) AS INTEGER) ELSE " + q + " END";
      } else {
        values += quoted(c.name);
      }
    }
    if (auto st = exec(db, "INSERT INTO " + quoted(t.name) + " (" + cols + ") SELECT " + values +
                               " FROM " + quoted(old_name));
        !st) {
      return st;
    }
    if (auto st = exec(db, "DROP TABLE " + quoted(old_name)); !st) return st;
    if (t.column("TimeGenerated")) {
      if (auto st = exec(db, "CREATE INDEX IF NOT EXISTS " +
                                 quoted("ix_" + std::string(t.name) + "_time") + " ON " +
                                 quoted(t.name) + " (\"TimeGenerated\")");
          !st) {
        return st;
      }
    }
  }
  return {};
}

// Version 3: columns added to existing tables since (PerformanceBucket on AppRequests and
// AppDependencies), so a store created by an older build keeps its data and gains them.
Status migrationV3(sqlite3* db) {
  for (const auto& t : tableSchemas()) {
    if (declaredType(db, t.name, "TimeGenerated").empty() && !t.columns.empty() &&
        declaredType(db, t.name, t.columns[0].name).empty()) {
      // A table this database never had: create it whole.
      if (auto st = exec(db, createTableSql(t)); !st) return st;
      continue;
    }
    for (const auto& c : t.columns) {
      if (!declaredType(db, t.name, c.name).empty()) continue;
      std::string sql = "ALTER TABLE " + quoted(t.name) + " ADD COLUMN " + quoted(c.name) + " " +
                        std::string(sqliteTypeName(c.type));
      if (auto st = exec(db, sql); !st) return st;
      sql = "INSERT OR REPLACE INTO _kql_columns VALUES ('" + std::string(t.name) + "', '" +
            std::string(c.name) + "', '" + std::string(kqlTypeName(c.type)) +
            "', (SELECT count(*) FROM _kql_columns WHERE table_name = '" + std::string(t.name) +
            "'))";
      if (auto st = exec(db, sql); !st) return st;
    }
  }
  return {};
}

// Version 4: property columns (see schema.h), their catalog, and their values for rows already
// stored. The writer connection has the KQL functions registered (Store::open), so kql_dget here
// is the very function queries call.
Status migrationV4(sqlite3* db) {
  if (auto st = exec(db,
                     "CREATE TABLE IF NOT EXISTS _kql_property_columns (table_name TEXT NOT NULL, "
                     "property TEXT NOT NULL, column_name TEXT NOT NULL, "
                     "PRIMARY KEY (table_name, property))");
      !st) {
    return st;
  }
  for (const auto& pc : propertyColumns()) {
    if (declaredType(db, pc.table, "Properties").empty()) continue;
    // No declared type: values keep the storage class kql_dget gave them.
    bool present = false;
    {
      std::string sql = "SELECT 1 FROM pragma_table_info(" + quoted(pc.table) + ") WHERE name = '" +
                        std::string(pc.column) + "'";
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
        present = sqlite3_step(stmt) == SQLITE_ROW;
      }
      sqlite3_finalize(stmt);
    }
    if (!present) {
      if (auto st =
              exec(db, "ALTER TABLE " + quoted(pc.table) + " ADD COLUMN " + quoted(pc.column));
          !st) {
        return st;
      }
    }
    if (auto st = exec(db, "UPDATE " + quoted(pc.table) + " SET " + quoted(pc.column) +
                               " = kql_dget(\"Properties\", '" + std::string(pc.key) + "')");
        !st) {
      return st;
    }
    if (auto st = exec(db, "INSERT OR REPLACE INTO _kql_property_columns VALUES ('" +
                               std::string(pc.table) + "', '" + std::string(pc.key) + "', '" +
                               std::string(pc.column) + "')");
        !st) {
      return st;
    }
  }
  // A covering index for the agent dashboards: filtering and grouping AppTraces by event, model
  // and tool, summing tokens and cost, reads this narrow index instead of the wide rows. Users
  // and sessions are left out: their ids are long and the index would grow by half the table
  // (the user id rides on the time index instead, version 5).
  return exec(db,
              "CREATE INDEX IF NOT EXISTS ix_AppTraces_agent ON AppTraces (_pc_event_name, "
              "_pc_model, _pc_tool_name, _pc_success, _pc_decision, TimeGenerated, "
              "_pc_input_tokens, _pc_output_tokens, _pc_cost_usd, _pc_duration_ms)");
}

// Version 5: AppTraces' time index also carries the user id. Per-user questions over a time
// range (distinct users per day, activity by user) then read the index alone, not the wide
// rows; being time-ordered it is still appended to, which keeps it cheap to write, unlike a
// user-leading index that would take a B-tree descent into the middle of the index per row.
Status migrationV5(sqlite3* db) {
  if (auto st = exec(db, "DROP INDEX IF EXISTS ix_AppTraces_time"); !st) return st;
  return exec(db, "CREATE INDEX ix_AppTraces_time ON AppTraces (TimeGenerated, _pc_user_id)");
}

using Migration = Status (*)(sqlite3*);
constexpr Migration kMigrations[] = {migrationV1, migrationV2, migrationV3, migrationV4,
                                     migrationV5};

}  // namespace

std::string_view kqlTypeName(KqlType type) {
  switch (type) {
    case KqlType::kBool:
      return "bool";
    case KqlType::kDatetime:
      return "datetime";
    case KqlType::kDynamic:
      return "dynamic";
    case KqlType::kGuid:
      return "guid";
    case KqlType::kInt:
      return "int";
    case KqlType::kLong:
      return "long";
    case KqlType::kReal:
      return "real";
    case KqlType::kString:
      return "string";
    case KqlType::kTimespan:
      return "timespan";
  }
  return "string";
}

std::string_view sqliteTypeName(KqlType type) {
  switch (type) {
    case KqlType::kBool:
    case KqlType::kDatetime:
    case KqlType::kInt:
    case KqlType::kLong:
    case KqlType::kTimespan:
      return "INTEGER";
    case KqlType::kReal:
      return "REAL";
    default:
      return "TEXT";
  }
}

const ColumnSchema* TableSchema::column(std::string_view n) const {
  for (const auto& c : columns) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

const std::vector<TableSchema>& tableSchemas() {
  static const std::vector<TableSchema> kTables = {
#include "store/schema.inc"
  };
  return kTables;
}

const std::vector<PropertyColumn>& propertyColumns() {
  // The keys of the agent dashboards (bench/store_bench.cc, the store issue's questions): Claude
  // Code event attributes on AppTraces, GenAI span attributes on AppDependencies.
  static const std::vector<PropertyColumn> kColumns = {
      {"AppTraces", "event.name", "_pc_event_name"},
      {"AppTraces", "session.id", "_pc_session_id"},
      {"AppTraces", "user.id", "_pc_user_id"},
      {"AppTraces", "user.email", "_pc_user_email"},
      {"AppTraces", "model", "_pc_model"},
      {"AppTraces", "tool_name", "_pc_tool_name"},
      {"AppTraces", "success", "_pc_success"},
      {"AppTraces", "decision", "_pc_decision"},
      {"AppTraces", "input_tokens", "_pc_input_tokens"},
      {"AppTraces", "output_tokens", "_pc_output_tokens"},
      {"AppTraces", "cache_read_tokens", "_pc_cache_read_tokens"},
      {"AppTraces", "cache_creation_tokens", "_pc_cache_creation_tokens"},
      {"AppTraces", "cost_usd", "_pc_cost_usd"},
      {"AppTraces", "duration_ms", "_pc_duration_ms"},
      {"AppDependencies", "gen_ai.operation.name", "_pc_gen_ai_operation_name"},
      {"AppDependencies", "gen_ai.request.model", "_pc_gen_ai_request_model"},
      {"AppDependencies", "gen_ai.tool.name", "_pc_gen_ai_tool_name"},
      {"AppDependencies", "gen_ai.usage.input_tokens", "_pc_gen_ai_usage_input_tokens"},
      {"AppDependencies", "gen_ai.usage.output_tokens", "_pc_gen_ai_usage_output_tokens"},
  };
  return kColumns;
}

const TableSchema* findTable(std::string_view name) {
  for (const auto& t : tableSchemas()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

int latestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status migrate(sqlite3* db) {
  if (auto st = exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      !st) {
    return st;
  }
  int current = 0;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &stmt,
                         nullptr) != SQLITE_OK) {
    return Error::io(std::string("sqlite: ") + sqlite3_errmsg(db));
  }
  if (sqlite3_step(stmt) == SQLITE_ROW) current = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  if (current > latestSchemaVersion()) {
    return Error::config("store: database schema version " + std::to_string(current) +
                         " is newer than this build supports (" +
                         std::to_string(latestSchemaVersion()) + ")");
  }
  for (int v = current + 1; v <= latestSchemaVersion(); ++v) {
    if (auto st = exec(db, "BEGIN IMMEDIATE"); !st) return st;
    Status st = kMigrations[v - 1](db);
    if (st)
      st = exec(db, "INSERT INTO schema_version (version) VALUES (" + std::to_string(v) + ")");
    if (!st) {
      (void)exec(db, "ROLLBACK");
      return st;
    }
    if (auto c = exec(db, "COMMIT"); !c) return c;
  }
  return {};
}

std::string formatDateTime(uint64_t unix_nano) {
  std::string s = appinsights::formatRfc3339Nano(unix_nano / 1000000000ull * 1000000000ull);
  s.pop_back();  // 'Z'
  char frac[16];
  std::snprintf(frac, sizeof(frac), ".%07uZ",
                static_cast<unsigned>((unix_nano % 1000000000ull) / 100));
  return s + frac;
}

}  // namespace agentgate::store
