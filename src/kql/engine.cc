#include "kql/engine.h"

#include <algorithm>
#include <chrono>

#include "kql/json.h"
#include "kql/kql_time.h"

namespace agentgate::kql {

const TableSchema* Schema::find(std::string_view name) const {
  auto it = tables.find(std::string(name));
  return it == tables.end() ? nullptr : &it->second;
}

const Schema& builtinSchema() {
  static const Schema schema = [] {
    struct Row {
      const char* table;
      const char* column;
      const char* type;
    };
    static const Row kRows[] = {
#include "kql/schemas.inc"
    };
    Schema s;
    for (const auto& r : kRows) {
      auto& t = s.tables[r.table];
      t.name = r.table;
      t.columns.push_back({r.column, r.type});
    }
    return s;
  }();
  return schema;
}

Clock systemClock() {
  return [] {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() /
                                100);
  };
}

namespace {

// ISO-8601 duration: PnDTnHnMnS (weeks, days, hours, minutes, seconds; fractions allowed).
std::optional<int64_t> parseIsoDuration(std::string_view s) {
  if (s.empty() || (s[0] != 'P' && s[0] != 'p')) return std::nullopt;
  double total = 0;
  bool inTime = false;
  std::string num;
  for (size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == 'T' || c == 't') {
      inTime = true;
      continue;
    }
    if ((c >= '0' && c <= '9') || c == '.') {
      num.push_back(c);
      continue;
    }
    if (num.empty()) return std::nullopt;
    double v = std::stod(num);
    num.clear();
    switch (c) {
      case 'W':
        total += v * 7 * 86400;
        break;
      case 'D':
        total += v * 86400;
        break;
      case 'H':
        total += v * 3600;
        break;
      case 'M':
        total += inTime ? v * 60 : v * 30 * 86400;
        break;
      case 'S':
        total += v;
        break;
      case 'Y':
        total += v * 365 * 86400;
        break;
      default:
        return std::nullopt;
    }
  }
  if (!num.empty()) return std::nullopt;
  return static_cast<int64_t>(total * kTicksPerSecond);
}

}  // namespace

Result<TimeRange> parseTimespanParam(std::string_view s, int64_t now_ticks) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    auto d = parseIsoDuration(s);
    if (!d) return Error::invalid("invalid timespan '" + std::string(s) + "'");
    return TimeRange{now_ticks - *d, now_ticks};
  }
  std::string_view a = s.substr(0, slash), b = s.substr(slash + 1);
  auto start = parseDateTime(a);
  if (!start) {
    auto d = parseIsoDuration(a);
    auto end = parseDateTime(b);
    if (!d || !end) return Error::invalid("invalid timespan '" + std::string(s) + "'");
    return TimeRange{*end - *d, *end};
  }
  if (auto end = parseDateTime(b)) return TimeRange{*start, *end};
  if (auto d = parseIsoDuration(b)) return TimeRange{*start, *start + *d};
  return Error::invalid("invalid timespan '" + std::string(s) + "'");
}

Engine::Engine(sqlite3* db, Schema schema, Clock clock)
    : db_(db), schema_(std::move(schema)), clock_(std::move(clock)) {}

namespace {

Value columnValue(sqlite3_stmt* st, int i, const std::string& type) {
  int t = sqlite3_column_type(st, i);
  if (t == SQLITE_NULL) {
    if (type == "string") return std::string();
    return std::monostate{};
  }
  if (type == "long" || type == "int") {
    if (t == SQLITE_FLOAT) return static_cast<int64_t>(sqlite3_column_double(st, i));
    if (t == SQLITE_TEXT) {
      const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
      char* end = nullptr;
      long long v = std::strtoll(p, &end, 10);
      if (end && *end == 0 && end != p) return static_cast<int64_t>(v);
      return std::monostate{};
    }
    return static_cast<int64_t>(sqlite3_column_int64(st, i));
  }
  if (type == "real") {
    if (t == SQLITE_TEXT) return std::monostate{};
    return sqlite3_column_double(st, i);
  }
  if (type == "bool") return sqlite3_column_int64(st, i) != 0;
  if (type == "datetime") {
    if (t == SQLITE_TEXT) {
      auto d = parseDateTime(reinterpret_cast<const char*>(sqlite3_column_text(st, i)));
      if (!d) return std::monostate{};
      return formatDateTime(*d);
    }
    return formatDateTime(sqlite3_column_int64(st, i));
  }
  if (type == "timespan") return formatTimespan(sqlite3_column_int64(st, i));
  const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
  std::string s(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, i)));
  if (type == "dynamic" && t != SQLITE_TEXT) return s;
  return s;
}

}  // namespace

namespace {

// The store's catalog of property columns; empty for databases without one.
std::map<std::string, std::map<std::string, std::string>> readPropertyColumns(sqlite3* db) {
  std::map<std::string, std::map<std::string, std::string>> out;
  sqlite3_stmt* st = nullptr;
  const char* sql = "SELECT table_name, property, column_name FROM _kql_property_columns";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return out;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    auto text = [&](int i) {
      const unsigned char* p = sqlite3_column_text(st, i);
      return std::string(p ? reinterpret_cast<const char*>(p) : "");
    };
    out[text(0)][text(1)] = text(2);
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace

Result<QueryResult> Engine::run(std::string_view kql, std::optional<TimeRange> timespan) {
  if (!registered_) {
    auto st = registerFunctions(db_);
    if (!st.ok()) return st.takeError();
    registered_ = true;
    property_columns_ = readPropertyColumns(db_);
  }
  BindOptions opts;
  if (use_property_columns_) opts.property_columns = property_columns_;
  opts.now_ticks = clock_();
  opts.timespan = timespan;
  opts.probe = [this](const std::string& sql) -> Result<std::vector<std::string>> {
    sqlite3_stmt* ps = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &ps, nullptr) !=
        SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db_);
      sqlite3_finalize(ps);
      return Error::invalid("KQL execution error: " + msg);
    }
    std::vector<std::string> out;
    int prc;
    while ((prc = sqlite3_step(ps)) == SQLITE_ROW && out.size() < 100000) {
      const char* t = reinterpret_cast<const char*>(sqlite3_column_text(ps, 0));
      out.emplace_back(t ? t : "");
    }
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_finalize(ps);
    if (prc != SQLITE_DONE && prc != SQLITE_ROW)
      return Error::invalid("KQL execution error: " + msg);
    return out;
  };
  auto bound = kql::bind(kql, schema_, opts);
  if (!bound.ok()) return bound.takeError();
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db_, bound->sql.c_str(), static_cast<int>(bound->sql.size()), &st,
                              nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    return Error::invalid("KQL execution error: " + msg);
  }
  QueryResult r;
  r.columns = bound->columns;
  r.visualization = bound->visualization;
  int n = sqlite3_column_count(st);
  if (static_cast<size_t>(n) != r.columns.size()) {
    sqlite3_finalize(st);
    return Error::internal("KQL engine: column count mismatch");
  }
  constexpr size_t kMaxRows = 500000;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (r.rows.size() >= kMaxRows) break;
    std::vector<Value> row;
    row.reserve(n);
    for (int i = 0; i < n; ++i) row.push_back(columnValue(st, i, r.columns[i].type));
    r.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    return Error::invalid("KQL execution error: " + msg);
  }
  sqlite3_finalize(st);
  return r;
}

std::string toLogAnalyticsJson(const QueryResult& r) {
  std::string o = "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[";
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (i) o += ",";
    o += "{\"name\":" + jsonQuote(r.columns[i].name) + ",\"type\":" + jsonQuote(r.columns[i].type) +
         "}";
  }
  o += "],\"rows\":[";
  for (size_t k = 0; k < r.rows.size(); ++k) {
    if (k) o += ",";
    o += "[";
    for (size_t i = 0; i < r.rows[k].size(); ++i) {
      if (i) o += ",";
      const Value& v = r.rows[k][i];
      if (std::holds_alternative<std::monostate>(v))
        o += "null";
      else if (auto* b = std::get_if<bool>(&v))
        o += *b ? "true" : "false";
      else if (auto* n = std::get_if<int64_t>(&v))
        o += std::to_string(*n);
      else if (auto* d = std::get_if<double>(&v)) {
        JVal j = JVal::real(*d);
        o += toJson(j);
      } else {
        o += jsonQuote(std::get<std::string>(v));
      }
    }
    o += "]";
  }
  o += "]}]";
  if (r.visualization) {
    o += ",\"render\":{\"visualization\":" + jsonQuote(*r.visualization) + "}";
  }
  o += "}";
  return o;
}

Status createTables(sqlite3* db, const Schema& schema, const std::vector<std::string>& tables) {
  auto quote = [](const std::string& n) {
    std::string o = "\"";
    for (char c : n) {
      if (c == '"')
        o += "\"\"";
      else
        o.push_back(c);
    }
    return o + "\"";
  };
  for (const auto& [name, t] : schema.tables) {
    if (!tables.empty() && std::find(tables.begin(), tables.end(), name) == tables.end()) continue;
    std::string sql = "CREATE TABLE IF NOT EXISTS " + quote(name) + " (";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const auto& c = t.columns[i];
      std::string ty = "TEXT";
      if (c.type == "long" || c.type == "int" || c.type == "bool" || c.type == "datetime" ||
          c.type == "timespan")
        ty = "INTEGER";
      else if (c.type == "real")
        ty = "REAL";
      sql += (i ? ", " : "") + quote(c.name) + " " + ty;
    }
    sql += ")";
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : "unknown";
      sqlite3_free(err);
      return Error::io("create table " + name + ": " + m);
    }
    bool hasTime = false;
    for (const auto& c : t.columns) hasTime |= c.name == "TimeGenerated";
    if (hasTime) {
      std::string idx = "CREATE INDEX IF NOT EXISTS " + quote("ix_" + name + "_time") + " ON " +
                        quote(name) + " (\"TimeGenerated\")";
      sqlite3_exec(db, idx.c_str(), nullptr, nullptr, nullptr);
    }
  }
  return okStatus();
}

}  // namespace agentgate::kql
