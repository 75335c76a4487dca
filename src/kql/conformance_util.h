// Shared helpers for the KQL conformance and .kqltest runners (test-only).
#pragma once

#include <cctype>
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
  if (type == "real" && exp.t == JVal::T::kStr && got.t == JVal::T::kReal && std::isinf(got.d))
    return exp.s == (got.d > 0 ? "Infinity" : "-Infinity");
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

// ---- feature classification of a query (for "in the recommended subset" rates) ----
// A token scan, not a parse, so queries our parser rejects are still classified. Features use
// the names of kql-recommended-subset.json: op:<operator>, fn:/agg:<function>, plugin:<name>,
// expr:<scalar operator>. Calls to `let`-defined names or to the listed workspace functions
// count as the subset's "external-function".
struct QueryFeatures {
  std::set<std::string> ops, calls, plugins, exprs;
};

inline QueryFeatures scanFeatures(const std::string& q) {
  struct T {
    std::string s;
    bool ident;
    size_t pos, end;
  };
  std::vector<T> toks;
  size_t i = 0, n = q.size();
  auto identc = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < n) {
    char c = q[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && q[i + 1] == '/') {
      while (i < n && q[i] != '\n') ++i;
      continue;
    }
    if (q.compare(i, 3, "```") == 0) {
      size_t e = q.find("```", i + 3);
      i = e == std::string::npos ? n : e + 3;
      toks.push_back({"'", false, i, i});
      continue;
    }
    bool verb =
        (c == '@' || c == 'h' || c == 'H') && i + 1 < n && (q[i + 1] == '"' || q[i + 1] == '\'');
    if (c == '"' || c == '\'' || verb) {
      size_t st = i;
      if (verb) ++i;
      char qc = q[i++];
      while (i < n && q[i] != qc) {
        if (!verb && q[i] == '\\') ++i;
        ++i;
      }
      ++i;
      toks.push_back({"'", false, st, i});
      continue;
    }
    if (identc(c) || c == '$') {
      size_t st = i;
      while (i < n && (identc(q[i]) || q[i] == '$')) ++i;
      toks.push_back({q.substr(st, i - st), true, st, i});
      continue;
    }
    toks.push_back({std::string(1, c), false, i, i + 1});
    ++i;
  }
  QueryFeatures f;
  std::set<std::string> lets;
  static const std::set<std::string> kWordOps = {
      "has",         "has_cs",      "hasprefix",  "hasprefix_cs",  "hassuffix", "hassuffix_cs",
      "contains",    "contains_cs", "startswith", "startswith_cs", "endswith",  "endswith_cs",
      "has_any",     "has_all",     "in",         "between",       "matches",   "like",
      "notcontains", "containscs",  "notlike",    "has_any_cs",    "has_all_cs"};
  static const std::set<std::string> kNotCalls = {
      "dynamic", "datetime",  "typeof", "timespan", "time",    "guid",    "int",
      "long",    "real",      "bool",   "double",   "string",  "decimal", "date",
      "view",    "toscalar_", "and",    "or",       "not_",    "range",   "datatable",
      "in",      "print",     "union",  "has_any",  "has_all", "between", "on",
      "by",      "with",      "step",   "from",     "to"};
  for (size_t k = 0; k < toks.size(); ++k) {
    const T& t = toks[k];
    auto at = [&](size_t j) -> const T* { return j < toks.size() ? &toks[j] : nullptr; };
    if (t.ident && t.s == "let" && at(k + 1) && at(k + 1)->ident) lets.insert(at(k + 1)->s);
    if (t.ident && (t.s == "find" || t.s == "search") && (k == 0 || toks[k - 1].s == ";"))
      f.ops.insert(t.s);  // statement-level operators
    if (!t.ident && t.s == "|" && at(k + 1) && at(k + 1)->ident) {
      // operator name, hyphenated when adjacent
      std::string name = at(k + 1)->s;
      size_t j = k + 2;
      while (at(j + 1) && at(j)->s == "-" && at(j)->pos == at(j - 1)->end && at(j + 1)->ident &&
             at(j + 1)->pos == at(j)->end) {
        name += "-" + at(j + 1)->s;
        j += 2;
      }
      if (name == "order" || name == "sort") name = "order by/sort by";
      if (name == "take" || name == "limit") name = "take/limit";
      if (name == "filter") name = "where";
      if (name == "mvexpand") name = "mv-expand";
      if (name == "mvapply") name = "mv-apply";
      if (name == "join" || name == "lookup") {
        std::string kind;
        for (size_t m = j; m + 2 < toks.size() && m < j + 8; ++m) {
          if (toks[m].s == "kind" && toks[m + 1].s == "=") kind = toks[m + 2].s;
        }
        if (kind == "anti") kind = "leftanti";
        if (kind == "semi") kind = "leftsemi";
        f.ops.insert(name + "(kind=" + (kind.empty() ? "<default>" : kind) + ")");
      }
      if (name == "evaluate" || name == "invoke") {
        size_t m = j;
        while (m + 2 < toks.size() && toks[m + 1].s == "=") m += 3;  // hint.x = y
        if (m < toks.size() && name == "evaluate") f.plugins.insert(toks[m].s);
        if (name == "evaluate") k = m;  // the plugin name is not a call
      }
      f.ops.insert(name);
      if (name != "evaluate") k = j - 1;
      continue;
    }
    if (t.ident && kWordOps.count(t.s)) {
      bool neg = k > 0 && toks[k - 1].s == "!" && toks[k - 1].end == t.pos;
      std::string op = t.s;
      if (op == "matches") op = "matches regex";
      if (op == "in" && at(k + 1) && at(k + 1)->s == "~" && at(k + 1)->pos == t.end) op = "in~";
      if (op == "in" || op == "in~" || op == "between") {
        // `in` only counts as an operator when followed by a list
        if (!(at(k + 1) && (at(k + 1)->s == "(" || at(k + 1)->s == "~"))) continue;
      }
      if (op == "has_any" || op == "has_all") {
        if (k > 0 && toks[k - 1].s == ".") continue;
      }
      f.exprs.insert((neg ? "!" : "") + op);
      continue;
    }
    if (!t.ident && (t.s == "=" || t.s == "!") && at(k + 1) && at(k + 1)->s == "~" &&
        at(k + 1)->pos == t.end) {
      f.exprs.insert(t.s + "~");
      continue;
    }
    if (t.ident && at(k + 1) && at(k + 1)->s == "(" && !(k > 0 && toks[k - 1].s == ".") &&
        !kNotCalls.count(t.s)) {
      if (k >= 2 && toks[k - 1].s == "=" && toks[k - 2].ident &&
          (toks[k - 2].s == "kind" || toks[k - 2].s == "isfuzzy" || toks[k - 2].s == "withsource"))
        continue;  // `join kind=inner (T)`: an option value, not a call
      if (t.s == "externaldata") {
        f.ops.insert("externaldata");
        continue;
      }
      f.calls.insert(t.s);
    }
  }
  for (const auto& l : lets) f.calls.erase(l);
  return f;
}

// True when every feature of `q` is in `feats` (the A95 ∪ S80 set). `external` lists
// workspace/ASIM function names the corpus marks as not built in.
inline bool queryInSubset(const std::string& q, const std::set<std::string>& feats,
                          const std::set<std::string>& external, std::string* why = nullptr) {
  QueryFeatures f = scanFeatures(q);
  auto miss = [&](const std::string& w) {
    if (why) *why = w;
    return false;
  };
  for (const auto& o : f.ops) {
    std::string key = o;
    if (key.find("(kind=<default>)") != std::string::npos)
      key =
          key.substr(0, key.find('(')) + (key.rfind("join", 0) == 0 ? "(kind=<default innerunique>)"
                                                                    : "(kind=<default leftouter>)");
    if (!feats.count("op:" + key)) return miss("op:" + key);
  }
  for (const auto& p : f.plugins) {
    if (!feats.count("plugin:" + p)) return miss("plugin:" + p);
  }
  for (const auto& e : f.exprs) {
    if (!feats.count("expr:" + e)) return miss("expr:" + e);
  }
  for (const auto& c : f.calls) {
    if (external.count(c)) continue;
    if (feats.count("fn:" + c) || feats.count("agg:" + c)) continue;
    return miss("fn:" + c);
  }
  return true;
}

inline std::set<std::string> recommendedSubset() {
  auto j =
      parseJson(readFile(std::string(AGENTGATE_SHARED_DIR) + "/spec/kql-recommended-subset.json"));
  std::set<std::string> out;
  if (!j) return out;
  const JVal* subs = j->get("subsets");
  if (!subs) return out;
  for (const char* k : {"appinsights_95", "sentinel_80"}) {
    const JVal* a = subs->get(k);
    if (!a) continue;
    for (const auto& f : a->a) out.insert(f.s);
  }
  return out;
}

// One block of a tests/kql/*.kqltest file (format at the top of tests/kql/basics.kqltest).
struct KqlTestBlock {
  std::string query, header;
  std::vector<std::string> rows;
  int line = 0;
};

inline std::vector<KqlTestBlock> parseKqlTestBlocks(const std::string& text) {
  std::vector<KqlTestBlock> out;
  KqlTestBlock cur;
  bool inExpect = false;
  int ln = 0;
  std::istringstream in(text);
  std::string line;
  auto flush = [&] {
    if (!cur.query.empty()) out.push_back(cur);
    cur = KqlTestBlock();
    inExpect = false;
  };
  while (std::getline(in, line)) {
    ++ln;
    if (line == "----") {
      flush();
      continue;
    }
    if (!inExpect && line.rfind("#", 0) == 0) continue;
    if (!inExpect && line.rfind("=> ", 0) == 0) {
      cur.header = line.substr(3);
      inExpect = true;
      continue;
    }
    if (inExpect) {
      if (!line.empty()) cur.rows.push_back(line);
    } else {
      if (cur.query.empty()) cur.line = ln;
      cur.query += line + "\n";
    }
  }
  flush();
  return out;
}

}  // namespace agentgate::kql::testing
