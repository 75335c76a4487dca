// Shared helpers for the KQL conformance and .kqltest runners (test-only).
#pragma once

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kql/engine.h"
#include "kql/json.h"
#include "kql/kql_time.h"

namespace agentgate::kql::testing {

inline std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<std::string> readLines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

inline std::string netTypeToKql(const std::string& t) {
  if (t == "Object") return "dynamic";
  if (t == "String") return "string";
  if (t == "Int64") return "long";
  if (t == "Int32") return "int";
  if (t == "Double") return "real";
  if (t == "SByte" || t == "Boolean") return "bool";
  if (t == "DateTime") return "datetime";
  if (t == "TimeSpan") return "timespan";
  if (t == "Guid") return "guid";
  if (t == "SqlDecimal") return "decimal";
  return t;
}

inline bool numEq(double a, double b) {
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)) + 1e-12;
}

inline bool jsonEq(const JVal& a, const JVal& b) {
  bool an = a.t == JVal::T::kInt || a.t == JVal::T::kReal;
  bool bn = b.t == JVal::T::kInt || b.t == JVal::T::kReal;
  if (an && bn) {
    if (a.t == JVal::T::kInt && b.t == JVal::T::kInt) return a.i == b.i;
    double x = a.t == JVal::T::kInt ? static_cast<double>(a.i) : a.d;
    double y = b.t == JVal::T::kInt ? static_cast<double>(b.i) : b.d;
    return numEq(x, y);
  }
  if (a.t != b.t) {
    // datetime strings may differ in fraction formatting
    return false;
  }
  switch (a.t) {
    case JVal::T::kNull:
      return true;
    case JVal::T::kBool:
      return a.b == b.b;
    case JVal::T::kStr: {
      if (a.s == b.s) return true;
      auto da = parseDateTime(a.s), db = parseDateTime(b.s);
      return da && db && *da == *db && a.s.size() > 9;
    }
    case JVal::T::kArr:
      if (a.a.size() != b.a.size()) return false;
      for (size_t i = 0; i < a.a.size(); ++i) {
        if (!jsonEq(a.a[i], b.a[i])) return false;
      }
      return true;
    case JVal::T::kObj:
      if (a.o.size() != b.o.size()) return false;
      for (const auto& [k, v] : a.o) {
        const JVal* o = b.get(k);
        if (!o || !jsonEq(v, *o)) return false;
      }
      return true;
    default:
      return false;
  }
}

// Our typed Value as the JSON value the expectation files use.
inline JVal valueToJson(const Value& v, const std::string& type) {
  if (std::holds_alternative<std::monostate>(v)) return JVal();
  if (auto* b = std::get_if<bool>(&v)) return JVal::boolean(*b);
  if (auto* n = std::get_if<int64_t>(&v)) return JVal::integer(*n);
  if (auto* d = std::get_if<double>(&v)) return JVal::real(*d);
  const std::string& s = std::get<std::string>(v);
  if (type == "dynamic") {
    auto j = parseJson(s);
    return j ? *j : JVal::str(s);
  }
  return JVal::str(s);
}

inline bool cellEq(const JVal& got, const JVal& exp, const std::string& type) {
  if (type == "timespan" && got.t == JVal::T::kStr && exp.t == JVal::T::kStr) {
    auto a = parseTimespan(got.s), b = parseTimespan(exp.s);
    return a && b && *a == *b;
  }
  if (type == "string" && exp.t == JVal::T::kNull && got.t == JVal::T::kStr && got.s.empty())
    return true;
  if ((type == "real" || type == "decimal") && exp.t == JVal::T::kStr && got.t == JVal::T::kNull)
    return exp.s == "NaN" || exp.s == "Infinity" || exp.s == "-Infinity";
  if (type == "decimal" && exp.t == JVal::T::kStr) {
    double d = std::strtod(exp.s.c_str(), nullptr);
    return got.t == JVal::T::kReal
               ? numEq(got.d, d)
               : (got.t == JVal::T::kInt && numEq(static_cast<double>(got.i), d));
  }
  return jsonEq(got, exp);
}

// Compares rows; unordered when `ordered` is false. Returns "" or a reason.
inline std::string compareRows(const QueryResult& r, const JVal& expRows, bool ordered) {
  std::vector<std::vector<JVal>> got;
  for (const auto& row : r.rows) {
    std::vector<JVal> g;
    for (size_t i = 0; i < row.size(); ++i) g.push_back(valueToJson(row[i], r.columns[i].type));
    got.push_back(std::move(g));
  }
  if (got.size() != expRows.a.size())
    return "row count " + std::to_string(got.size()) + " != expected " +
           std::to_string(expRows.a.size());
  auto rowEq = [&](const std::vector<JVal>& g, const JVal& e) {
    if (e.t != JVal::T::kArr || e.a.size() != g.size()) return false;
    for (size_t i = 0; i < g.size(); ++i) {
      if (!cellEq(g[i], e.a[i], r.columns[i].type)) return false;
    }
    return true;
  };
  bool allOk = true;
  size_t firstBad = 0;
  for (size_t k = 0; k < got.size(); ++k) {
    if (!rowEq(got[k], expRows.a[k])) {
      allOk = false;
      firstBad = k;
      break;
    }
  }
  if (allOk) return "";
  if (!ordered) {
    std::vector<bool> used(got.size(), false);
    bool ok = true;
    for (const auto& e : expRows.a) {
      bool found = false;
      for (size_t k = 0; k < got.size(); ++k) {
        if (!used[k] && rowEq(got[k], e)) {
          used[k] = found = true;
          break;
        }
      }
      if (!found) {
        ok = false;
        break;
      }
    }
    if (ok) return "";
  }
  std::string g = "[";
  for (size_t i = 0; i < got[firstBad].size(); ++i) g += (i ? "," : "") + toJson(got[firstBad][i]);
  g += "]";
  return "row " + std::to_string(firstBad) + " differs: got " + g + " expected " +
         toJson(expRows.a[firstBad]);
}

}  // namespace agentgate::kql::testing
