// Binder + SQL generation: every tabular operator becomes one SELECT over the previous one,
// every scalar expression a typed SQL expression. Types follow KQL, not SQLite affinity.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "kql/classic_tables.h"
#include "kql/engine.h"
#include "kql/json.h"
#include "kql/kql_time.h"
#include "kql/parser.h"

namespace agentgate::kql {
namespace {

struct BindError {
  size_t pos;
  std::string what;
};

struct BExpr {
  std::string sql;
  std::string type;
  std::string name;  // derived column name ("" when none)
  bool has_agg = false;
};

struct Rel {
  std::string sql;
  std::vector<Column> cols;
  std::optional<std::string> viz;
  std::string as_name;
  // Same rows as `sql` plus the base table's property columns at the end (store-maintained
  // copies of Properties['key'], BindOptions::property_columns); empty when not available.
  // Only a table scan and `where` over one carry it: every other operator's output drops it.
  std::string hidden_sql;
  std::string hidden_table;
  bool open = false;  // lenient: unknown table, any column resolves as dynamic
  int find(const std::string& n) const {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i].name == n) return static_cast<int>(i);
    }
    return -1;
  }
};

struct Entry {
  enum Kind { kScalar, kTabular, kFunc } kind = kScalar;
  BExpr scalar;
  std::shared_ptr<Rel> rel;
  ExprPtr lambda;
};

std::string q(const std::string& name) {
  std::string o = "\"";
  for (char c : name) {
    if (c == '"')
      o += "\"\"";
    else
      o.push_back(c);
  }
  return o + "\"";
}

std::string sqlStr(std::string_view s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'')
      o += "''";
    else if (c == '\0')
      continue;
    else
      o.push_back(c);
  }
  return o + "'";
}

std::string normType(const std::string& t) {
  if (t == "double" || t == "decimal") return "real";
  if (t == "date" || t == "datetime") return "datetime";
  if (t == "time" || t == "timespan") return "timespan";
  if (t == "boolean") return "bool";
  if (t == "uuid" || t == "uniqueid") return "guid";
  return t;
}

bool isNum(const std::string& t) { return t == "long" || t == "int" || t == "real"; }
bool isIntLike(const std::string& t) { return t == "long" || t == "int"; }

bool globMatch(const std::string& pat, const std::string& s) {
  size_t star = pat.find('*');
  if (star == std::string::npos) return pat == s;
  // simple glob with any number of '*'
  std::function<bool(size_t, size_t)> m = [&](size_t pi, size_t si) -> bool {
    if (pi == pat.size()) return si == s.size();
    if (pat[pi] == '*') {
      for (size_t k = si; k <= s.size(); ++k) {
        if (m(pi + 1, k)) return true;
      }
      return false;
    }
    return si < s.size() && pat[pi] == s[si] && m(pi + 1, si + 1);
  };
  return m(0, 0);
}

const std::set<std::string>& aggNames() {
  static const std::set<std::string> k = {
      "count",       "countif",     "sum",         "sumif",      "avg",      "avgif",
      "min",         "max",         "minif",       "maxif",      "dcount",   "dcountif",
      "make_list",   "makelist",    "make_set",    "makeset",    "make_bag", "make_list_if",
      "make_set_if", "percentile",  "percentiles", "arg_max",    "arg_min",  "argmax",
      "argmin",      "any",         "take_any",    "stdev",      "stdevp",   "variance",
      "variancep",   "make_bag_if", "anyif",       "take_anyif", "hll",      "hll_if",
      "hll_merge",   "buildschema"};
  return k;
}

class Binder {
 public:
  Binder(std::string_view text, const Schema& schema, const BindOptions& opts)
      : text_(text), schema_(schema), opts_(opts) {
    scopes_.emplace_back();
  }

  BoundQuery bindQuery(const Query& qy) {
    std::shared_ptr<Rel> result;
    for (const auto& st : qy.stmts) {
      if (!st.value) continue;
      if (!st.let_name.empty()) {
        scopes_.back()[st.let_name] = bindLetValue(st.value);
        continue;
      }
      if (opts_.lenient_tables && !isTabularExpr(st.value) && st.value->kind == ExprKind::kCall) {
        // Lenient: a parser file ending in a call of its scalar function type-checks as such.
        BExpr v = bindExpr(st.value, nullptr);
        auto r = std::make_shared<Rel>();
        r->cols.push_back({"print_0", v.type == "null" ? "string" : v.type});
        r->sql = "SELECT " + v.sql + " AS \"print_0\"";
        if (!result) result = r;
        continue;
      }
      auto r = bindTabular(st.value);
      if (!result) result = r;
    }
    if (!result) throw BindError{0, "query has no tabular expression to return"};
    BoundQuery bq;
    bq.sql = result->sql;
    bq.columns = result->cols;
    bq.visualization = result->viz;
    bq.property_columns_read.assign(property_columns_read_.begin(), property_columns_read_.end());
    return bq;
  }

 private:
  [[noreturn]] void fail(size_t pos, const std::string& w) { throw BindError{pos, w}; }

  Entry bindLetValue(const ExprPtr& v) {
    Entry e;
    if (v->kind == ExprKind::kLambda) {
      e.kind = Entry::kFunc;
      e.lambda = v;
      return e;
    }
    if (isTabularExpr(v)) {
      e.kind = Entry::kTabular;
      e.rel = bindTabular(v);
      return e;
    }
    e.kind = Entry::kScalar;
    e.scalar = bindExpr(v, nullptr);
    return e;
  }

  const Entry* lookup(const std::string& n) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto f = it->find(n);
      if (f != it->end()) return &f->second;
    }
    return nullptr;
  }

  bool isTabularExpr(const ExprPtr& e) {
    switch (e->kind) {
      case ExprKind::kPipe:
      case ExprKind::kDatatable:
      case ExprKind::kPrint:
      case ExprKind::kRange:
      case ExprKind::kUnion:
        return true;
      case ExprKind::kName: {
        const Entry* en = lookup(e->text);
        if (en) return en->kind == Entry::kTabular;
        if (schema_.find(e->text)) return true;
        return false;
      }
      case ExprKind::kCall: {
        if (e->text == "materialize" || e->text == "table" || e->text == "view") return true;
        const Entry* en = lookup(e->text);
        if (en && en->kind == Entry::kFunc) {
          const auto& body = en->lambda->stmts;
          if (!body.empty() && body.back().value) {
            // a function is tabular when its result expression is
            scopes_.emplace_back();
            for (size_t i = 0; i < en->lambda->names.size(); ++i) {
              Entry pe;
              if (en->lambda->types[i] == "(tabular)") {
                pe.kind = Entry::kTabular;
                pe.rel = std::make_shared<Rel>();
              } else {
                pe.kind = Entry::kScalar;
                pe.scalar = BExpr{"NULL", normType(en->lambda->types[i]), ""};
              }
              scopes_.back()[en->lambda->names[i]] = pe;
            }
            bool t = false;
            for (const auto& st : body) {
              if (!st.let_name.empty()) {
                if (isTabularExpr(st.value)) {
                  Entry te;
                  te.kind = Entry::kTabular;
                  te.rel = std::make_shared<Rel>();
                  scopes_.back()[st.let_name] = te;
                }
              } else {
                t = isTabularExpr(st.value);
              }
            }
            scopes_.pop_back();
            return t;
          }
        }
        for (const auto& f : opts_.external_functions) {
          if (f == e->text) return true;
        }
        return false;
      }
      default:
        return false;
    }
  }

  // ------------------------------------------------------------------ tabular
  std::shared_ptr<Rel> tableScan(const TableSchema& t) {
    auto r = std::make_shared<Rel>();
    std::string sel;
    for (const auto& c : t.columns) {
      if (!sel.empty()) sel += ", ";
      if (c.type == "string")
        sel += "coalesce(" + q(c.name) + ", '') AS " + q(c.name);
      else
        sel += q(c.name);
    }
    if (sel.empty()) sel = "NULL AS x";
    std::string where;
    bool hasTime = false;
    for (const auto& c : t.columns) hasTime |= c.name == "TimeGenerated";
    if (opts_.timespan && hasTime) {
      where = " WHERE \"TimeGenerated\" >= " + std::to_string(opts_.timespan->start_ticks) +
              " AND \"TimeGenerated\" <= " + std::to_string(opts_.timespan->end_ticks);
    }
    r->sql = "SELECT " + sel + " FROM " + q(t.name) + where;
    auto pc = opts_.property_columns.find(t.name);
    if (pc != opts_.property_columns.end() && !pc->second.empty() &&
        std::any_of(t.columns.begin(), t.columns.end(),
                    [](const Column& c) { return c.name == "Properties"; })) {
      std::string hidden;
      for (const auto& [key, column] : pc->second) hidden += ", " + q(column);
      r->hidden_sql = "SELECT " + sel + hidden + " FROM " + q(t.name) + where;
      r->hidden_table = t.name;
    }
    r->cols = t.columns;
    r->as_name = t.name;
    return r;
  }

  // A classic Application Insights table: its definition over the workspace tables, bound in
  // place (the workspace table must be in the schema, or the name stays unknown).
  std::shared_ptr<Rel> bindClassicTable(std::string_view definition, const ExprPtr& at) {
    auto parsed = parseQuery(definition);
    if (!parsed.ok() || parsed->stmts.size() != 1 || !parsed->stmts[0].value) {
      fail(at->pos, "internal error in the definition of classic table '" + at->text + "'");
    }
    const ExprPtr& source = parsed->stmts[0].value;
    if (source->kind != ExprKind::kPipe || !source->args[0] ||
        !schema_.find(source->args[0]->text)) {
      if (opts_.lenient_tables) return openRel(at->text);
      fail(at->pos, "unknown table or tabular variable '" + at->text + "'");
    }
    classic_defs_.push_back(std::move(parsed.value()));
    try {
      auto r = bindTabular(classic_defs_.back().stmts[0].value);
      r->as_name = at->text;
      return r;
    } catch (const BindError& e) {
      fail(at->pos, "in classic table '" + at->text + "': " + e.what);
    }
  }

  // `Properties['key']` / `Properties.key` read straight from the wide scan bindOp set up, for
  // a key the store keeps a property column of: that column (it holds the same value).
  std::optional<std::string> propertyColumnFor(const ExprPtr& e, const ExprPtr& base_expr,
                                               const BExpr& base,
                                               const std::vector<std::string>& path,
                                               const std::vector<std::string>& names,
                                               const Rel* rel) const {
    if (!hidden_rel_ || rel != hidden_rel_ || path.size() != 1 || names.size() != 1) return {};
    if (base_expr->kind != ExprKind::kName || base.sql != q("Properties")) return {};
    if (e->kind == ExprKind::kIndex &&
        (e->args[1]->kind != ExprKind::kLiteral || e->args[1]->lit_type != "string")) {
      return {};
    }
    if (path[0] != sqlStr(names[0])) return {};
    auto table = opts_.property_columns.find(hidden_table_);
    if (table == opts_.property_columns.end()) return {};
    auto column = table->second.find(names[0]);
    if (column == table->second.end()) return {};
    property_columns_read_.insert(column->second);
    return column->second;
  }

  std::shared_ptr<Rel> openRel(const std::string& name) {
    auto r = std::make_shared<Rel>();
    r->sql = "SELECT * FROM " + q(name);
    r->open = true;
    r->as_name = name;
    return r;
  }

  std::shared_ptr<Rel> bindTabular(const ExprPtr& e) {
    switch (e->kind) {
      case ExprKind::kPipe: {
        std::shared_ptr<Rel> r;
        if (!e->args[0]) fail(e->pos, "a pipe needs a source table");
        r = bindTabular(e->args[0]);
        for (const auto& op : e->ops) r = bindOp(*op, r);
        return r;
      }
      case ExprKind::kName: {
        const Entry* en = lookup(e->text);
        if (en && en->kind == Entry::kTabular) return en->rel;
        if (en && en->kind == Entry::kFunc) return callFunctionTabular(e, {});
        if (const TableSchema* t = schema_.find(e->text)) return tableScan(*t);
        if (auto classic = classicTableDefinition(e->text)) return bindClassicTable(*classic, e);
        if (opts_.lenient_tables) return openRel(e->text);
        fail(e->pos, "unknown table or tabular variable '" + e->text + "'");
      }
      case ExprKind::kCall: {
        if (e->text == "materialize" && e->args.size() == 1) return bindTabular(e->args[0]);
        if (e->text == "table" && e->args.size() >= 1 && e->args[0]->kind == ExprKind::kLiteral) {
          auto n = std::make_shared<Expr>(*e->args[0]);
          n->kind = ExprKind::kName;
          return bindTabular(n);
        }
        if (e->text == "table" && e->args.size() >= 1 && opts_.lenient_tables) {
          bindExpr(e->args[0], nullptr);  // a table named at run time: open relation
          return openRel("table");
        }
        const Entry* en = lookup(e->text);
        if (en && en->kind == Entry::kFunc) return callFunctionTabular(e, e->args);
        for (const auto& f : opts_.external_functions) {
          if (f == e->text) return openRel(f);
        }
        fail(e->pos, "unknown function '" + e->text + "' used as a table");
      }
      case ExprKind::kDatatable:
        return bindDatatable(e);
      case ExprKind::kPrint:
        return bindPrint(e);
      case ExprKind::kRange:
        return bindRange(e);
      case ExprKind::kUnion:
        return bindUnion(e, nullptr);
      default:
        fail(e->pos, "expected a tabular expression");
    }
  }

  std::shared_ptr<Rel> callFunctionTabular(const ExprPtr& call, const std::vector<ExprPtr>& args) {
    const Entry* en = lookup(call->text);
    ExprPtr lam = en->lambda;
    if (++depth_ > 20) fail(call->pos, "function recursion too deep");
    std::map<std::string, Entry> frame;
    bindParams(lam, args, call->pos, frame, nullptr);
    scopes_.push_back(std::move(frame));
    std::shared_ptr<Rel> result;
    for (const auto& st : lam->stmts) {
      if (!st.let_name.empty()) {
        scopes_.back()[st.let_name] = bindLetValue(st.value);
      } else {
        result = bindTabular(st.value);
      }
    }
    scopes_.pop_back();
    --depth_;
    if (!result) fail(call->pos, "function '" + call->text + "' has no result");
    return result;
  }

  void bindParams(const ExprPtr& lam, const std::vector<ExprPtr>& args, size_t pos,
                  std::map<std::string, Entry>& frame, const Rel* rel) {
    if (args.size() > lam->names.size()) fail(pos, "too many arguments");
    for (size_t i = 0; i < lam->names.size(); ++i) {
      ExprPtr a = i < args.size() ? args[i] : lam->defaults[i];
      if (!a) fail(pos, "missing argument '" + lam->names[i] + "'");
      Entry pe;
      if (opts_.lenient_tables && a->kind == ExprKind::kName && lam->types[i] != "(tabular)" &&
          !lookup(a->text) && !(rel && (rel->find(a->text) >= 0 || rel->open))) {
        // Lenient binding (queries from other workspaces): ASIM parsers pass parameters that
        // their deployment declares outside the query text.
        pe.kind = Entry::kScalar;
        pe.scalar = BExpr{"NULL", normType(lam->types[i]), ""};
        frame[lam->names[i]] = pe;
        continue;
      }
      if (lam->types[i] == "(tabular)") {
        pe.kind = Entry::kTabular;
        pe.rel = bindTabular(a);
      } else {
        pe.kind = Entry::kScalar;
        pe.scalar = bindExpr(a, rel);
        std::string want = normType(lam->types[i]);
        if (want != pe.scalar.type && want != "dynamic") pe.scalar = conv(pe.scalar, want);
      }
      frame[lam->names[i]] = pe;
    }
  }

  std::shared_ptr<Rel> bindDatatable(const ExprPtr& e) {
    auto r = std::make_shared<Rel>();
    size_t n = e->names.size();
    for (size_t i = 0; i < n; ++i) r->cols.push_back({e->names[i], normType(e->types[i])});
    if (!e->options.empty() && e->options[0].first == "externaldata") {
      // Fetching external URLs is not supported: the query type-checks but running it fails.
      std::string sel =
          "kql_unsupported('externaldata') AS " + q(r->cols.empty() ? "x" : r->cols[0].name);
      for (size_t i = 1; i < n; ++i) sel += ", NULL AS " + q(r->cols[i].name);
      r->sql = "SELECT " + sel;
      return r;
    }
    if (n == 0) fail(e->pos, "datatable needs columns");
    if (e->args.size() % n != 0)
      fail(e->pos, "datatable value count is not a multiple of the column count");
    std::string vals;
    for (size_t k = 0; k < e->args.size(); k += n) {
      vals += vals.empty() ? "(" : ", (";
      for (size_t i = 0; i < n; ++i) {
        BExpr v = bindExpr(e->args[k + i], nullptr);
        if (v.type != r->cols[i].type) v = conv(v, r->cols[i].type);
        vals += (i ? ", " : "") + v.sql;
      }
      vals += ")";
    }
    std::string sel;
    for (size_t i = 0; i < n; ++i) {
      sel += (i ? ", " : "") + std::string("column") + std::to_string(i + 1) + " AS " +
             q(r->cols[i].name);
    }
    if (vals.empty()) {
      sel.clear();
      for (size_t i = 0; i < n; ++i)
        sel += (i ? ", " : "") + std::string("NULL AS ") + q(r->cols[i].name);
      r->sql = "SELECT " + sel + " WHERE 0";
    } else {
      r->sql = "SELECT " + sel + " FROM (VALUES " + vals + ")";
    }
    return r;
  }

  std::shared_ptr<Rel> bindPrint(const ExprPtr& e) {
    auto r = std::make_shared<Rel>();
    std::string sel;
    for (size_t i = 0; i < e->args.size(); ++i) {
      BExpr v = bindExpr(e->args[i], nullptr);
      std::string name = e->names[i];
      if (name.empty()) name = "print_" + std::to_string(i);
      if (v.type == "null") v.type = "string";
      sel += (i ? ", " : "") + v.sql + " AS " + q(name);
      r->cols.push_back({name, v.type});
    }
    r->sql = "SELECT " + sel;
    return r;
  }

  std::shared_ptr<Rel> bindRange(const ExprPtr& e) {
    BExpr a = bindExpr(e->args[0], nullptr), b = bindExpr(e->args[1], nullptr),
          s = bindExpr(e->args[2], nullptr);
    std::string type = a.type;
    if (type == "int") type = "long";
    if (isNum(a.type) && (b.type == "real" || s.type == "real")) type = "real";
    auto r = std::make_shared<Rel>();
    r->cols.push_back({e->text, type});
    std::string n = q(e->text);
    r->sql = "WITH RECURSIVE __r(v) AS (SELECT " + a.sql + " WHERE (" + s.sql + ") > 0 AND " +
             a.sql + " <= " + b.sql + " OR (" + s.sql + ") < 0 AND " + a.sql + " >= " + b.sql +
             " UNION ALL SELECT v + (" + s.sql + ") FROM __r WHERE ((" + s.sql + ") > 0 AND v + (" +
             s.sql + ") <= " + b.sql + ") OR ((" + s.sql + ") < 0 AND v + (" + s.sql +
             ") >= " + b.sql + ") LIMIT 10000000) SELECT v AS " + n + " FROM __r";
    r->sql = "SELECT * FROM (" + r->sql + ")";
    return r;
  }

  std::shared_ptr<Rel> bindUnion(const ExprPtr& e, std::shared_ptr<Rel> first) {
    std::vector<std::shared_ptr<Rel>> parts;
    std::vector<std::string> names;
    std::string withsource;
    bool fuzzy = false;
    std::string kind = "outer";
    for (const auto& [k, v] : e->options) {
      if (k == "withsource") withsource = v;
      if (k == "isfuzzy") fuzzy = v == "true";
      if (k == "kind") kind = v;
    }
    if (kind != "outer" && kind != "inner") fail(e->pos, "unsupported union kind '" + kind + "'");
    if (first) {
      parts.push_back(first);
      names.push_back(first->as_name.empty() ? "union_arg0" : first->as_name);
    }
    for (const auto& a : e->args) {
      if (a->kind == ExprKind::kName && a->text.find('*') != std::string::npos) {
        // tabular lets and views (parameterless functions) first, then workspace tables
        std::set<std::string> seen;
        std::vector<std::string> matched;  // collected first: binding a view pushes scopes
        for (auto sc = scopes_.rbegin(); sc != scopes_.rend(); ++sc) {
          for (const auto& [n, en] : *sc) {
            if (seen.count(n) || !globMatch(a->text, n)) continue;
            bool view = en.kind == Entry::kFunc && en.lambda->names.empty();
            if (en.kind != Entry::kTabular && !view) continue;
            seen.insert(n);
            matched.push_back(n);
          }
        }
        for (const auto& n : matched) {
          auto ref = std::make_shared<Expr>();
          ref->kind = ExprKind::kName;
          ref->pos = a->pos;
          ref->text = n;
          parts.push_back(bindTabular(ref));
          names.push_back(n);
        }
        for (const auto& [tn, ts] : schema_.tables) {
          if (!seen.count(tn) && globMatch(a->text, tn)) {
            parts.push_back(tableScan(ts));
            names.push_back(tn);
            seen.insert(tn);
          }
        }
        if (seen.empty() && opts_.lenient_tables) {
          // tables of another workspace: an open relation stands in for them
          parts.push_back(openRel(a->text));
          names.push_back(a->text);
        }
        continue;
      }
      if (fuzzy && a->kind == ExprKind::kName && !lookup(a->text) && !schema_.find(a->text) &&
          !opts_.lenient_tables)
        continue;  // isfuzzy=true tolerates missing tables
      auto r = bindTabular(a);
      parts.push_back(r);
      std::string nm = r->as_name;
      if (a->kind == ExprKind::kName) nm = a->text;
      if (nm.empty()) nm = "union_arg" + std::to_string(parts.size() - 1);
      names.push_back(nm);
    }
    if (parts.empty()) fail(e->pos, "union has no tables");
    // Columns merge by name; one name with several types splits into name_type columns.
    std::map<std::string, std::vector<std::string>> typesOf;
    for (const auto& p : parts) {
      for (const auto& c : p->cols) {
        auto& ts = typesOf[c.name];
        if (std::find(ts.begin(), ts.end(), c.type) == ts.end()) ts.push_back(c.type);
      }
    }
    if (opts_.lenient_tables) {
      // Columns of open relations are typed dynamic only because their type is unknown.
      for (auto& [n, ts] : typesOf) {
        if (ts.size() > 1 && std::find(ts.begin(), ts.end(), "dynamic") != ts.end()) {
          ts.erase(std::remove(ts.begin(), ts.end(), "dynamic"), ts.end());
          if (ts.size() > 1) ts.resize(1);
        }
      }
    }
    std::set<std::string> realNames;
    for (const auto& [n, ts] : typesOf) {
      if (ts.size() == 1) realNames.insert(n);
    }
    struct OutCol {
      std::string name, type, src;
    };
    std::vector<OutCol> outCols;
    std::map<std::pair<std::string, std::string>, std::string> splitName;  // (name,type)->out
    auto outName = [&](const Column& c) {
      if (typesOf[c.name].size() == 1) return c.name;
      auto key = std::make_pair(c.name, c.type);
      auto it = splitName.find(key);
      if (it != splitName.end()) return it->second;
      std::string base = c.name + "_" + c.type, n = base;
      auto taken = [&](const std::string& x) {
        if (realNames.count(x)) return true;
        for (const auto& [k, v] : splitName) {
          if (v == x) return true;
        }
        return false;
      };
      for (int i = 1; taken(n); ++i) n = base + std::to_string(i);
      splitName[key] = n;
      return n;
    };
    auto r = std::make_shared<Rel>();
    if (!withsource.empty()) r->cols.push_back({withsource, "string"});
    for (const auto& p : parts) {
      r->open |= p->open;
      for (const auto& c : p->cols) {
        std::string n = outName(c);
        if (r->find(n) < 0) r->cols.push_back({n, c.type});
      }
    }
    if (kind == "inner") {
      // kind=inner keeps only the columns every input has.
      std::vector<Column> common;
      for (const auto& c : r->cols) {
        bool all = true;
        for (const auto& p : parts) {
          bool has = c.name == withsource;
          for (const auto& pc : p->cols) has |= outName(pc) == c.name;
          all &= has;
        }
        if (all) common.push_back(c);
      }
      r->cols = common;
    }
    std::string sql;
    for (size_t i = 0; i < parts.size(); ++i) {
      std::map<std::string, std::string> srcOf;  // out name -> column of this part
      for (const auto& c : parts[i]->cols) srcOf[outName(c)] = c.name;
      std::string sel;
      for (const auto& c : r->cols) {
        if (!sel.empty()) sel += ", ";
        if (c.name == withsource && !srcOf.count(c.name)) {
          sel += sqlStr(names[i]) + " AS " + q(c.name);
          continue;
        }
        auto it = srcOf.find(c.name);
        if (it == srcOf.end())
          sel += "NULL AS " + q(c.name);
        else
          sel += q(it->second) + " AS " + q(c.name);
      }
      if (sel.empty()) sel = "*";
      sql +=
          (i ? " UNION ALL " : "") + std::string("SELECT ") + sel + " FROM (" + parts[i]->sql + ")";
    }
    r->sql = "SELECT * FROM (" + sql + ")";
    return r;
  }

  std::string colList(const Rel& r, const std::string& prefix = "") {
    std::string s;
    for (const auto& c : r.cols) s += (s.empty() ? "" : ", ") + prefix + q(c.name);
    return s.empty() ? "*" : s;
  }

  std::string uniqueName(const Rel& r, const std::string& base) {
    if (r.find(base) < 0) return base;
    for (int i = 1;; ++i) {
      std::string n = base + std::to_string(i);
      if (r.find(n) < 0) return n;
    }
  }

  std::string columnN(const Rel& r) {
    for (int i = 1;; ++i) {
      std::string n = "Column" + std::to_string(i);
      if (r.find(n) < 0) return n;
    }
  }

  // Binds one operator. Over a table scan (or `where` over one) whose property columns are
  // known, where/extend/project/summarize see the scan with those columns, so their expressions
  // may read Properties['key'] from the column (see the kMember case).
  std::shared_ptr<Rel> bindOp(const Op& op, std::shared_ptr<Rel> in) {
    static const std::set<std::string> kReadsPropertyColumns = {"where", "extend", "project",
                                                                "summarize"};
    if (in->hidden_sql.empty() || !part_.empty() || !kReadsPropertyColumns.count(op.kind)) {
      auto out = bindOpColumns(op, in);
      out->hidden_sql.clear();
      out->hidden_table.clear();
      return out;
    }
    auto wide = std::make_shared<Rel>(*in);
    wide->sql = in->hidden_sql;
    wide->hidden_sql.clear();
    const Rel* saved_rel = hidden_rel_;
    std::string saved_table = hidden_table_;
    hidden_rel_ = wide.get();
    hidden_table_ = in->hidden_table;
    std::shared_ptr<Rel> out;
    try {
      out = bindOpColumns(op, wide);
    } catch (...) {
      hidden_rel_ = saved_rel;
      hidden_table_ = saved_table;
      throw;
    }
    hidden_rel_ = saved_rel;
    hidden_table_ = saved_table;
    if (op.kind == "where") {
      // `SELECT * ... WHERE` over the wide scan: the rows keep the property columns.
      out->hidden_sql = out->sql;
      out->hidden_table = in->hidden_table;
      out->sql = "SELECT " + colList(*out) + " FROM (" + out->hidden_sql + ")";
    } else if (op.kind == "extend" && !out->hidden_sql.empty()) {
      // bindExtend kept them (Properties unchanged).
    } else {
      out->hidden_sql.clear();
      out->hidden_table.clear();
    }
    return out;
  }

  std::shared_ptr<Rel> bindOpColumns(const Op& op, std::shared_ptr<Rel> in) {
    const std::string& k = op.kind;
    auto out = std::make_shared<Rel>();
    out->viz = in->viz;
    out->open = in->open;
    out->as_name = in->as_name;
    std::string from = " FROM (" + in->sql + ")";
    if (!part_.empty()) {
      // Inside mv-apply every operator must keep rows of different source rows apart.
      static const std::set<std::string> kPartitionAware = {
          "where",     "extend", "project",     "project-away", "project-keep",   "project-rename",
          "summarize", "take",   "top",         "sort",         "count",          "distinct",
          "mv-expand", "parse",  "parse-where", "serialize",    "project-reorder"};
      if (!kPartitionAware.count(k))
        fail(op.pos, "unsupported operator '" + k + "' inside mv-apply");
    }
    if (k == "where") {
      BExpr p = bindExpr(op.expr, in.get());
      out->cols = in->cols;
      out->sql = "SELECT *" + from + " WHERE " + toBool(p).sql;
      return out;
    }
    if (k == "take") {
      BExpr n = bindExpr(op.expr, in.get());
      out->cols = in->cols;
      if (!part_.empty()) {
        out->sql = "SELECT " + colList(*in) + " FROM (SELECT *, row_number() OVER (PARTITION BY " +
                   q(part_) + ") AS __pn" + from + ") WHERE __pn <= " + n.sql;
        return out;
      }
      out->sql = "SELECT *" + from + " LIMIT " + n.sql;
      return out;
    }
    if (k == "sample") {
      BExpr n = bindExpr(op.expr, in.get());
      out->cols = in->cols;
      out->sql = "SELECT *" + from + " ORDER BY random() LIMIT " + n.sql;
      return out;
    }
    if (k == "count" && !part_.empty()) {
      out->cols = {{part_, "long"}, {"Count", "long"}};
      out->sql = "SELECT " + q(part_) + ", count(*) AS \"Count\"" + from + " GROUP BY 1";
      return out;
    }
    if (k == "count") {
      out->cols = {{"Count", "long"}};
      out->sql = "SELECT count(*) AS \"Count\"" + from;
      out->open = false;
      return out;
    }
    if (k == "render") {
      *out = *in;
      out->viz = op.text;
      return out;
    }
    if (k == "as") {
      *out = *in;
      out->as_name = op.text;
      return out;
    }
    if (k == "serialize" && op.items.empty()) {
      *out = *in;
      return out;
    }
    if (k == "extend" || k == "serialize") return bindExtend(op, in);
    if (k == "project") return bindProject(op, in);
    if (k == "project-away" || k == "project-keep") {
      std::vector<Column> keep;
      for (const auto& c : in->cols) {
        bool m = false;
        for (const auto& it : op.items) m |= globMatch(it.name, c.name);
        if (m == (k == "project-keep") || (!part_.empty() && c.name == part_)) keep.push_back(c);
      }
      if (k == "project-away" && !in->open) {
        for (const auto& it : op.items) {
          if (it.name.find('*') == std::string::npos && in->find(it.name) < 0)
            fail(it.pos, "unknown column '" + it.name + "' in project-away");
        }
      }
      out->cols = keep;
      out->sql = "SELECT " + colList(*out) + from;
      if (keep.empty()) out->sql = "SELECT NULL AS __none" + from;
      return out;
    }
    if (k == "project-rename") {
      out->cols = in->cols;
      for (const auto& it : op.items) {
        int i = in->find(it.expr->text);
        if (i < 0) {
          if (in->open) {
            out->cols.push_back({it.name, "dynamic"});
            continue;
          }
          fail(it.pos, "unknown column '" + it.expr->text + "' in project-rename");
        }
        out->cols[i].name = it.name;
      }
      std::string sel;
      for (size_t i = 0; i < in->cols.size(); ++i)
        sel += (i ? ", " : "") + q(in->cols[i].name) + " AS " + q(out->cols[i].name);
      out->sql = "SELECT " + (sel.empty() ? std::string("*") : sel) + from;
      return out;
    }
    if (k == "project-reorder") {
      std::vector<Column> cols;
      std::set<std::string> used;
      for (const auto& it : op.items) {
        std::vector<Column> matched;
        for (const auto& c : in->cols) {
          if (!used.count(c.name) && globMatch(it.name, c.name)) {
            matched.push_back(c);
            used.insert(c.name);
          }
        }
        if (it.nulls == 3 || it.nulls == 4) {
          std::stable_sort(matched.begin(), matched.end(), [&](const Column& a, const Column& b) {
            return it.nulls == 3 ? a.name < b.name : a.name > b.name;
          });
        }
        cols.insert(cols.end(), matched.begin(), matched.end());
      }
      for (const auto& c : in->cols) {
        if (!used.count(c.name)) cols.push_back(c);
      }
      out->cols = cols;
      out->sql = "SELECT " + colList(*out) + from;
      return out;
    }
    if (k == "sort" || k == "top") {
      std::string ord;
      for (const auto& it : op.items) {
        BExpr e = bindExpr(it.expr, in.get());
        bool nullsFirst = it.nulls == 1 || (it.nulls == 0 && !it.desc);
        ord += (ord.empty() ? "" : ", ") + e.sql + (it.desc ? " DESC" : " ASC") +
               (nullsFirst ? " NULLS FIRST" : " NULLS LAST");
      }
      out->cols = in->cols;
      if (!part_.empty()) {
        if (k == "top") {
          out->sql = "SELECT " + colList(*in) +
                     " FROM (SELECT *, row_number() OVER (PARTITION BY " + q(part_) + " ORDER BY " +
                     ord + ") AS __pn" + from +
                     ") WHERE __pn <= " + bindExpr(op.expr, in.get()).sql + " ORDER BY " +
                     q(part_) + ", __pn";
        } else {
          out->sql = "SELECT *" + from + " ORDER BY " + q(part_) + ", " + ord;
        }
        return out;
      }
      out->sql = "SELECT *" + from + " ORDER BY " + ord;
      if (k == "top") out->sql += " LIMIT " + bindExpr(op.expr, in.get()).sql;
      return out;
    }
    if (k == "distinct") {
      if (op.items.size() == 1 && op.items[0].name == "*") {
        out->cols = in->cols;
        out->sql = "SELECT DISTINCT *" + from;
        return out;
      }
      std::string sel;
      if (!part_.empty()) {
        out->cols.push_back({part_, "long"});
        sel = q(part_);
      }
      for (const auto& it : op.items) {
        BExpr e = bindExpr(it.expr, in.get());
        std::string n = !it.name.empty() ? it.name : e.name;
        if (n.empty()) n = columnN(*out);
        out->cols.push_back({n, e.type});
        sel += (sel.empty() ? "" : ", ") + e.sql + " AS " + q(n);
      }
      out->open = false;
      out->sql = "SELECT DISTINCT " + sel + from;
      return out;
    }
    if (k == "summarize") return bindSummarize(op, in);
    if (k == "join" || k == "lookup") return bindJoin(op, in);
    if (k == "union") return bindUnion(op.right, in);
    if (k == "mv-expand") return bindMvExpand(op, in);

    if (k == "mv-apply") return bindMvApply(op, in);
    if (k == "make-series") return bindMakeSeries(op, in);
    if (k == "top-nested") return bindTopNested(op, in);
    if (k == "evaluate") return bindEvaluate(op, in);
    if (k == "parse" || k == "parse-where") return bindParse(op, in);
    if (k == "getschema") {
      auto r = std::make_shared<Rel>();
      r->cols = {{"ColumnName", "string"},
                 {"ColumnOrdinal", "long"},
                 {"DataType", "string"},
                 {"ColumnType", "string"}};
      std::string vals;
      static const std::map<std::string, std::string> kNet = {
          {"string", "System.String"},     {"long", "System.Int64"},
          {"int", "System.Int32"},         {"real", "System.Double"},
          {"bool", "System.SByte"},        {"datetime", "System.DateTime"},
          {"timespan", "System.TimeSpan"}, {"dynamic", "System.Object"},
          {"guid", "System.Guid"}};
      for (size_t i = 0; i < in->cols.size(); ++i) {
        auto it = kNet.find(in->cols[i].type);
        vals += std::string(i ? ", " : "") + "(" + sqlStr(in->cols[i].name) + ", " +
                std::to_string(i) + ", " + sqlStr(it == kNet.end() ? "System.Object" : it->second) +
                ", " + sqlStr(in->cols[i].type) + ")";
      }
      if (vals.empty()) {
        r->sql =
            "SELECT '' AS \"ColumnName\", 0 AS \"ColumnOrdinal\", '' AS \"DataType\", '' AS "
            "\"ColumnType\" WHERE 0";
      } else {
        r->sql =
            "SELECT column1 AS \"ColumnName\", column2 AS \"ColumnOrdinal\", column3 AS "
            "\"DataType\", column4 AS \"ColumnType\" FROM (VALUES " +
            vals + ")";
      }
      return r;
    }
    fail(op.pos, "unsupported operator '" + k + "'");
  }

  std::shared_ptr<Rel> bindExtend(const Op& op, std::shared_ptr<Rel> in) {
    // Later items may use earlier ones: substitute their SQL (local_).
    auto out = std::make_shared<Rel>(*in);
    out->viz = in->viz;
    std::vector<std::string> exprs;
    for (const auto& c : in->cols) exprs.push_back(q(c.name));
    local_.clear();
    for (const auto& it : op.items) {
      if (!it.tuple_names.empty()) fail(it.pos, "unsupported tuple assignment in extend");
      BExpr e = bindExpr(it.expr, in.get());
      std::string n = !it.name.empty() ? it.name : e.name;
      if (n.empty()) n = columnN(*out);
      int i = out->find(n);
      if (i >= 0) {
        out->cols.erase(out->cols.begin() + i);
        exprs.erase(exprs.begin() + i);
      }
      out->cols.push_back({n, e.type == "null" ? "string" : e.type});
      exprs.push_back(e.sql);
      local_[n] = e;
    }
    local_.clear();
    std::string sel;
    for (size_t i = 0; i < exprs.size(); ++i)
      sel += (i ? ", " : "") + exprs[i] + " AS " + q(out->cols[i].name);
    out->sql = "SELECT " + sel + " FROM (" + in->sql + ")";
    // Properties passed through unchanged: the property columns stay valid for what follows.
    int props = out->find("Properties");
    if (hidden_rel_ == in.get() && props >= 0 &&
        exprs[static_cast<size_t>(props)] == q("Properties")) {
      std::string hidden;
      for (const auto& [key, column] : opts_.property_columns.at(hidden_table_))
        hidden += ", " + q(column);
      out->hidden_sql = "SELECT " + sel + hidden + " FROM (" + in->sql + ")";
      out->hidden_table = hidden_table_;
    }
    return out;
  }

  std::shared_ptr<Rel> bindProject(const Op& op, std::shared_ptr<Rel> in) {
    auto out = std::make_shared<Rel>();
    out->viz = in->viz;
    out->as_name = in->as_name;
    std::string sel;
    for (const auto& it : op.items) {
      if (it.name.empty() && it.expr->kind == ExprKind::kName &&
          it.expr->text.find('*') == std::string::npos && in->find(it.expr->text) < 0 &&
          !in->open && !lookup(it.expr->text)) {
        fail(it.pos, "unknown column '" + it.expr->text + "'");
      }
      if (it.expr->kind == ExprKind::kStar) {
        for (const auto& c : in->cols) {
          out->cols.push_back(c);
          sel += (sel.empty() ? "" : ", ") + q(c.name);
        }
        continue;
      }
      BExpr e = bindExpr(it.expr, in.get());
      std::string n = !it.name.empty() ? it.name : e.name;
      if (n.empty()) n = columnN(*out);
      if (out->find(n) >= 0) fail(it.pos, "duplicate column '" + n + "' in project");
      out->cols.push_back({n, e.type == "null" ? "string" : e.type});
      sel += (sel.empty() ? "" : ", ") + e.sql + " AS " + q(n);
    }
    if (!part_.empty() && out->find(part_) < 0) {
      out->cols.push_back({part_, "long"});
      sel += (sel.empty() ? "" : ", ") + q(part_);
    }
    out->sql = "SELECT " + sel + " FROM (" + in->sql + ")";
    return out;
  }

  std::string aggName(const std::string& fn, const BExpr& arg) {
    static const std::map<std::string, std::string> kPrefix = {
        {"make_list", "list_"},    {"makelist", "list_"},   {"make_set", "set_"},
        {"makeset", "set_"},       {"make_bag", "bag_"},    {"take_any", "any_"},
        {"make_list_if", "list_"}, {"make_set_if", "set_"}, {"buildschema", "schema_"}};
    auto it = kPrefix.find(fn);
    std::string p = it != kPrefix.end() ? it->second : fn + "_";
    return p + arg.name;
  }

  std::shared_ptr<Rel> bindSummarize(const Op& op, std::shared_ptr<Rel> in) {
    auto out = std::make_shared<Rel>();
    out->viz = in->viz;
    std::vector<std::string> sel;
    std::string group;
    int gi = 0;
    if (!part_.empty()) {
      out->cols.push_back({part_, "long"});
      sel.push_back(q(part_));
      group = std::to_string(++gi);
    }
    for (const auto& b : op.by) {
      BExpr e = bindExpr(b.expr, in.get());
      std::string n = !b.name.empty() ? b.name : e.name;
      if (n.empty()) n = columnN(*out);
      if (out->find(n) >= 0) n = uniqueName(*out, n);
      out->cols.push_back({n, e.type});
      sel.push_back(e.sql + " AS " + q(n));
      group += (group.empty() ? "" : ", ") + std::to_string(++gi);
    }
    std::vector<Column> aggCols;
    std::vector<std::string> aggSel;
    auto addAgg = [&](std::string n, const BExpr& e) {
      Rel tmp;
      tmp.cols = out->cols;
      tmp.cols.insert(tmp.cols.end(), aggCols.begin(), aggCols.end());
      if (tmp.find(n) >= 0) n = uniqueName(tmp, n);
      aggCols.push_back({n, e.type});
      aggSel.push_back(e.sql + " AS " + q(n));
    };
    for (const auto& it : op.items) {
      const ExprPtr& x = it.expr;
      if (x->kind == ExprKind::kCall && (x->text == "arg_max" || x->text == "arg_min" ||
                                         x->text == "argmax" || x->text == "argmin")) {
        if (x->args.empty()) fail(x->pos, x->text + " needs arguments");
        bool isMax = x->text == "arg_max" || x->text == "argmax";
        BExpr key = bindExpr(x->args[0], in.get());
        std::string kn = key.name.empty() ? (isMax ? "max_" : "min_") : key.name;
        // The deprecated argmax/argmin prefix every output column: max_t, max_t_x.
        bool legacy = x->text == "argmax" || x->text == "argmin";
        std::string legacyPrefix = std::string(isMax ? "max_" : "min_") + key.name;
        if (legacy) kn = legacyPrefix;
        if (!it.name.empty()) kn = it.name;
        size_t ti = 0;
        if (!it.tuple_names.empty()) kn = it.tuple_names[ti++];
        std::string dir = isMax ? "1" : "-1";
        addAgg(kn, BExpr{"kql_arg(" + key.sql + ", " + key.sql + ", " + dir + ")", key.type, kn});
        for (size_t a = 1; a < x->args.size(); ++a) {
          if (x->args[a]->kind == ExprKind::kStar) {
            out->open |= in->open;
            for (const auto& c : in->cols) {
              if (c.name == key.name) continue;
              bool isBy = false;
              for (const auto& oc : out->cols) isBy |= oc.name == c.name;
              if (isBy) continue;
              std::string cn = legacy ? legacyPrefix + "_" + c.name : c.name;
              addAgg(cn,
                     BExpr{"kql_arg(" + key.sql + ", " + q(c.name) + ", " + dir + ")", c.type, cn});
            }
            continue;
          }
          BExpr v = bindExpr(x->args[a], in.get());
          std::string vn = v.name.empty() ? columnN(*out) : v.name;
          if (legacy && !v.name.empty()) vn = legacyPrefix + "_" + v.name;
          if (ti < it.tuple_names.size()) vn = it.tuple_names[ti++];
          addAgg(vn, BExpr{"kql_arg(" + key.sql + ", " + v.sql + ", " + dir + ")", v.type, vn});
        }
        continue;
      }
      if (x->kind == ExprKind::kCall && x->text == "percentiles" && it.name.empty()) {
        if (x->args.size() < 2) fail(x->pos, "percentiles needs a value and percentages");
        BExpr v = bindExpr(x->args[0], in.get());
        for (size_t a = 1; a < x->args.size(); ++a) {
          BExpr p = bindExpr(x->args[a], in.get());
          std::string ptxt = x->args[a]->text;
          std::replace(ptxt.begin(), ptxt.end(), '.', '_');
          std::string n = !it.tuple_names.empty() && a - 1 < it.tuple_names.size()
                              ? it.tuple_names[a - 1]
                              : "percentile_" + v.name + "_" + ptxt;
          addAgg(n, BExpr{"kql_percentile(" + v.sql + ", " + p.sql + ")", v.type, n});
        }
        continue;
      }
      inAgg_ = true;
      aggSeen_ = false;
      ExprPtr xe = x;
      if (x->kind == ExprKind::kName && x->text == "count" && in->find("count") < 0) {
        // `summarize count by k`: the parameterless aggregate without parentheses
        auto call = std::make_shared<Expr>(*x);
        call->kind = ExprKind::kCall;
        xe = call;
      }
      int reads = rowReads_;
      BExpr e = bindExpr(xe, in.get());
      inAgg_ = false;
      if (!aggSeen_) {
        if (rowReads_ != reads)
          fail(x->pos, "summarize expression must contain an aggregation function");
        e = constantAggregate(e);
      }
      std::string n = it.name;
      if (n.empty()) n = e.name;
      if (n.empty()) {
        Rel named;  // ColumnN counts the aggregates named so far too: `summarize 'a', 1.5`
        named.cols = out->cols;
        named.cols.insert(named.cols.end(), aggCols.begin(), aggCols.end());
        n = columnN(named);
      }
      addAgg(n, e);
    }
    for (const auto& c : aggCols) out->cols.push_back(c);
    for (const auto& s : aggSel) sel.push_back(s);
    std::string s;
    for (size_t i = 0; i < sel.size(); ++i) s += (i ? ", " : "") + sel[i];
    if (s.empty()) fail(op.pos, "summarize needs an aggregate or a by clause");
    out->sql = "SELECT " + s + " FROM (" + in->sql + ")";
    if (!group.empty()) out->sql += " GROUP BY " + group;
    return out;
  }

  std::shared_ptr<Rel> bindJoin(const Op& op, std::shared_ptr<Rel> left) {
    bool lookupOp = op.kind == "lookup";
    std::string kind = lookupOp ? "leftouter" : "innerunique";
    for (const auto& [k, v] : op.options) {
      if (k == "kind") kind = v;
    }
    // Kusto's other spellings of the anti-joins.
    if (kind == "anti" || kind == "leftantisemi") kind = "leftanti";
    if (kind == "rightantisemi") kind = "rightanti";
    auto right = bindTabular(op.right);
    std::vector<std::pair<std::string, std::string>> keys;
    std::function<void(const ExprPtr&)> addKey = [&](const ExprPtr& c) {
      if (c->kind == ExprKind::kName) {
        keys.emplace_back(c->text, c->text);
        return;
      }
      if (c->kind == ExprKind::kBinary && c->text == "and") {
        addKey(c->args[0]);
        addKey(c->args[1]);
        return;
      }
      if (c->kind == ExprKind::kBinary && c->text == "==" &&
          c->args[0]->kind == ExprKind::kMember && c->args[1]->kind == ExprKind::kMember) {
        auto side = [](const ExprPtr& m) {
          return m->args[0]->kind == ExprKind::kName ? m->args[0]->text : "";
        };
        std::string s0 = side(c->args[0]), s1 = side(c->args[1]);
        if (s0 == "$left" && s1 == "$right") {
          keys.emplace_back(c->args[0]->text, c->args[1]->text);
          return;
        }
        if (s0 == "$right" && s1 == "$left") {
          keys.emplace_back(c->args[1]->text, c->args[0]->text);
          return;
        }
      }
      fail(c->pos, "unsupported join condition (use column names or $left.a == $right.b)");
    };
    for (const auto& c : op.on) addKey(c);
    for (const auto& [l, r] : keys) {
      if (left->find(l) < 0 && !left->open)
        fail(op.pos, "join key '" + l + "' not found on the left side");
      if (right->find(r) < 0 && !right->open)
        fail(op.pos, "join key '" + r + "' not found on the right side");
    }
    std::string cond;
    for (const auto& [l, r] : keys)
      cond += (cond.empty() ? "" : " AND ") + std::string("__l.") + q(l) + " = __r." + q(r);
    if (cond.empty()) fail(op.pos, "join needs at least one key");
    auto out = std::make_shared<Rel>();
    out->viz = left->viz;
    out->open = left->open || right->open;
    std::string lsql = left->sql;
    if (kind == "innerunique") {
      std::string part;
      for (const auto& [l, r] : keys) part += (part.empty() ? "" : ", ") + q(l);
      lsql = "SELECT " + colList(*left) + " FROM (SELECT *, row_number() OVER (PARTITION BY " +
             part + ") AS __rn FROM (" + left->sql + ")) WHERE __rn = 1";
      if (left->cols.empty()) lsql = left->sql;
      kind = "inner";
    }
    if (kind == "leftsemi" || kind == "leftanti" || kind == "rightsemi" || kind == "rightanti") {
      bool isLeft = kind[0] == 'l';
      bool anti = kind.find("anti") != std::string::npos;
      const Rel& keep = isLeft ? *left : *right;
      out->cols = keep.cols;
      std::string mine = isLeft ? "__l" : "__r", other = isLeft ? "__r" : "__l";
      out->sql = "SELECT " + colList(keep, mine + ".") + " FROM (" + (isLeft ? lsql : right->sql) +
                 ") AS " + mine + " WHERE " + (anti ? "NOT " : "") + "EXISTS (SELECT 1 FROM (" +
                 (isLeft ? right->sql : lsql) + ") AS " + other + " WHERE " + cond + ")";
      return out;
    }
    std::string jt;
    if (kind == "inner")
      jt = " JOIN ";
    else if (kind == "leftouter")
      jt = " LEFT JOIN ";
    else if (kind == "rightouter")
      jt = " RIGHT JOIN ";
    else if (kind == "fullouter")
      jt = " FULL JOIN ";
    else
      fail(op.pos, "unsupported join kind '" + kind + "'");
    std::string sel;
    for (const auto& c : left->cols) {
      out->cols.push_back(c);
      sel += (sel.empty() ? "" : ", ") + std::string("__l.") + q(c.name) + " AS " + q(c.name);
    }
    for (const auto& c : right->cols) {
      if (lookupOp) {
        bool isKey = false;
        for (const auto& [l, r] : keys) isKey |= r == c.name && l == c.name;
        if (isKey) continue;
      }
      std::string n = uniqueName(*out, c.name);
      out->cols.push_back({n, c.type});
      sel += (sel.empty() ? "" : ", ") + std::string("__r.") + q(c.name) + " AS " + q(n);
    }
    if (sel.empty()) sel = "*";
    out->sql = "SELECT " + sel + " FROM (" + lsql + ") AS __l" + jt + "(" + right->sql +
               ") AS __r ON " + cond;
    return out;
  }

  std::shared_ptr<Rel> bindMvExpand(const Op& op, std::shared_ptr<Rel> in) {
    auto out = std::make_shared<Rel>(*in);
    std::string idxCol;
    for (const auto& [k, v] : op.options) {
      if (k == "with_itemindex") idxCol = v;
    }
    bool arrayKind = false;
    for (const auto& [k, v] : op.options) {
      if ((k == "kind" || k == "bagexpansion") && v == "array") arrayKind = true;
    }
    std::vector<std::string> exprs;
    for (const auto& c : in->cols) exprs.push_back("__t." + q(c.name));
    std::string fromExtra;
    std::vector<std::string> dyns;
    for (size_t i = 0; i < op.items.size(); ++i) {
      qualify_ = "__t.";
      BExpr src = bindExpr(op.items[i].expr, in.get());
      qualify_.clear();
      dyns.push_back(src.type == "dynamic" ? src.sql : conv(src, "dynamic").sql);
    }
    // Several columns expand in parallel, to the longest one (shorter ones give null).
    fromExtra = ", json_each(kql_mv_range(";
    for (size_t i = 0; i < dyns.size(); ++i) fromExtra += (i ? ", " : "") + dyns[i];
    fromExtra += ")) AS __je";
    for (size_t i = 0; i < op.items.size(); ++i) {
      const auto& it = op.items[i];
      qualify_ = "__t.";
      BExpr src = bindExpr(it.expr, in.get());
      qualify_.clear();
      std::string n = !it.name.empty() ? it.name : src.name;
      if (n.empty()) n = columnN(*out);
      std::string elem =
          "kql_mv_elem(" + dyns[i] + ", __je.value, " + (arrayKind ? "1" : "0") + ")";
      std::string type = "dynamic";
      if (!it.to_type.empty()) {
        type = normType(it.to_type);
        elem = conv(BExpr{elem, "dynamic", ""}, type).sql;
      }
      int k = out->find(n);
      if (k >= 0) {
        out->cols[k].type = type;
        exprs[k] = elem;
      } else {
        out->cols.push_back({n, type});
        exprs.push_back(elem);
      }
    }
    if (!idxCol.empty()) {
      out->cols.push_back({idxCol, "long"});
      exprs.push_back("CAST(__je.value AS INTEGER)");
    }
    std::string sel;
    for (size_t i = 0; i < exprs.size(); ++i)
      sel += (i ? ", " : "") + exprs[i] + " AS " + q(out->cols[i].name);
    // source expressions reference columns unqualified; wrap so names resolve against __t
    out->sql = "SELECT " + sel + " FROM (" + in->sql + ") AS __t" + fromExtra;
    if (op.expr) out->sql += " WHERE __je.value < " + bindExpr(op.expr, in.get()).sql;
    return out;
  }

  // mv-apply: expand per input row (tagged with a row id), run the subquery partitioned by that
  // id, and join each result back to its source row.
  std::shared_ptr<Rel> bindMvApply(const Op& op, std::shared_ptr<Rel> in) {
    auto base = std::make_shared<Rel>(*in);
    base->cols.push_back({"__rid", "long"});
    base->sql = "SELECT *, row_number() OVER () AS __rid FROM (" + in->sql + ")";
    Op ex = op;
    ex.kind = "mv-expand";
    ex.right = nullptr;
    auto expanded = bindMvExpand(ex, base);
    std::string savedPart = part_;
    part_ = "__rid";
    std::shared_ptr<Rel> sub = expanded;
    for (const auto& sop : op.right->ops) sub = bindOp(*sop, sub);
    part_ = savedPart;
    if (sub->find("__rid") < 0) fail(op.pos, "mv-apply subquery lost its row context");
    auto out = std::make_shared<Rel>();
    out->viz = in->viz;
    out->open = in->open || sub->open;
    std::string sel;
    for (const auto& c : in->cols) {
      int k = sub->find(c.name);
      out->cols.push_back(k >= 0 ? sub->cols[k] : c);
      sel += (sel.empty() ? "" : ", ") + std::string(k >= 0 ? "__s." : "__o.") + q(c.name);
    }
    for (const auto& c : sub->cols) {
      if (c.name == "__rid" || in->find(c.name) >= 0) continue;
      out->cols.push_back(c);
      sel += (sel.empty() ? "" : ", ") + std::string("__s.") + q(c.name);
    }
    out->sql = "SELECT " + sel + " FROM (" + base->sql + ") AS __o JOIN (" + sub->sql +
               ") AS __s ON __o.__rid = __s.__rid ORDER BY __o.__rid";
    return out;
  }

  // make-series aggs on axis [from F] [to T] step S [by keys]: per group one array per
  // aggregate over the bins [F, T) plus the axis array.
  std::shared_ptr<Rel> bindMakeSeries(const Op& op, std::shared_ptr<Rel> in) {
    bool nonempty = false;
    for (const auto& [k, v] : op.options) {
      if (k == "kind") nonempty = v == "nonempty";
    }
    BExpr axis = bindExpr(op.axis, in.get());
    if (axis.type == "dynamic") axis = conv(axis, "real");
    if (!isNum(axis.type) && axis.type != "datetime" && axis.type != "timespan")
      fail(op.axis->pos, "make-series axis must be numeric, datetime or timespan");
    if (!op.step) fail(op.pos, "make-series needs 'step'");
    BExpr step = bindExpr(op.step, in.get());
    std::string from = op.from ? conv(bindExpr(op.from, in.get()), axis.type).sql
                               : "(SELECT kql_bin(min(" + axis.sql + "), " + step.sql + ") FROM (" +
                                     in->sql + "))";
    std::string to = op.to ? conv(bindExpr(op.to, in.get()), axis.type).sql
                           : "(SELECT kql_bin(max(" + axis.sql + "), " + step.sql + ") + " +
                                 step.sql + " FROM (" + in->sql + "))";
    auto out = std::make_shared<Rel>();
    out->viz = in->viz;
    std::string inner, keys, outer;
    int gi = 0;
    for (const auto& b : op.by) {
      BExpr e = bindExpr(b.expr, in.get());
      std::string n = !b.name.empty() ? b.name : e.name;
      if (n.empty()) n = columnN(*out);
      out->cols.push_back({n, e.type});
      inner += (inner.empty() ? "" : ", ") + e.sql + " AS " + q(n);
      keys += std::to_string(++gi) + ", ";
      outer += (outer.empty() ? "" : ", ") + q(n);
    }
    std::string bin =
        "(kql_bin((" + axis.sql + ") - (" + from + "), " + step.sql + ") + (" + from + "))";
    inner += (inner.empty() ? "" : ", ") + bin + " AS __b";
    keys += std::to_string(++gi);
    for (size_t i = 0; i < op.items.size(); ++i) {
      const auto& it = op.items[i];
      inAgg_ = true;
      aggSeen_ = false;
      int reads = rowReads_;
      BExpr e = bindExpr(it.expr, in.get());
      inAgg_ = false;
      if (!aggSeen_) {
        if (rowReads_ != reads) fail(it.pos, "make-series expression must be an aggregation");
        e = constantAggregate(e);
      }
      std::string n = !it.name.empty() ? it.name : e.name;
      if (n.empty()) n = columnN(*out);
      std::string def = "0";
      if (i < op.defaults.size() && op.defaults[i])
        def = conv(bindExpr(op.defaults[i], nullptr), "dynamic").sql;
      else
        def = "'0'";
      inner += ", " + conv(e, "dynamic").sql + " AS " + q("__a" + std::to_string(i));
      outer += (outer.empty() ? "" : ", ") + std::string("coalesce(kql_series(__b, ") +
               q("__a" + std::to_string(i)) + ", " + from + ", " + to + ", " + step.sql + ", " +
               def + "), kql_fn2('series_fill', " + from + ", " + to + ", " + step.sql + ", " +
               def + ")) AS " + q(n);
      out->cols.push_back({n, "dynamic"});
    }
    std::string an =
        !op.axis->text.empty() && op.axis->kind == ExprKind::kName ? op.axis->text : "Column1";
    outer += ", kql_series_axis(" + from + ", " + to + ", " + step.sql + ", " + sqlStr(axis.type) +
             ") AS " + q(an);
    out->cols.push_back({an, "dynamic"});
    std::string innerSql = "SELECT " + inner + " FROM (" + in->sql + ") WHERE (" + axis.sql +
                           ") >= (" + from + ") AND (" + axis.sql + ") < (" + to + ") GROUP BY " +
                           keys;
    out->sql = "SELECT " + outer + " FROM (" + innerSql + ")";
    if (!op.by.empty()) {
      std::string g;
      for (int i = 1; i < gi; ++i) g += (i > 1 ? ", " : "") + q(out->cols[i - 1].name);
      out->sql += " GROUP BY " + g;
    } else if (!nonempty) {
      out->sql += " HAVING count(*) > 0";
    }
    return out;
  }

  // top-nested: level i keeps the top N_i values of key_i (by agg_i) within each level i-1 group.
  std::shared_ptr<Rel> bindTopNested(const Op& op, std::shared_ptr<Rel> in) {
    auto out = std::make_shared<Rel>();
    out->viz = in->viz;
    std::vector<std::string> keyNames, keySql;
    std::string sql, where;
    std::string sel;
    for (size_t i = 0; i < op.by.size(); ++i) {
      BExpr k = bindExpr(op.by[i].expr, in.get());
      std::string kn = !op.by[i].name.empty() ? op.by[i].name : k.name;
      if (kn.empty()) kn = columnN(*out);
      inAgg_ = true;
      aggSeen_ = false;
      BExpr a = bindExpr(op.items[i].expr, in.get());
      inAgg_ = false;
      if (!aggSeen_) fail(op.items[i].pos, "top-nested needs an aggregation after 'by'");
      std::string an = !op.items[i].name.empty() ? op.items[i].name : "aggregated_" + kn;
      keyNames.push_back(kn);
      keySql.push_back(k.sql);
      std::string part, grp, ksel;
      for (size_t j = 0; j < keySql.size(); ++j) {
        ksel += keySql[j] + " AS " + q(keyNames[j]) + ", ";
        grp += (j ? ", " : "") + std::to_string(j + 1);
        if (j + 1 < keySql.size()) part += (part.empty() ? "" : ", ") + q(keyNames[j]);
      }
      std::string li = "__l" + std::to_string(i);
      std::string level = "SELECT *, row_number() OVER (" +
                          (part.empty() ? std::string() : "PARTITION BY " + part + " ") +
                          "ORDER BY __v " + (op.items[i].desc ? "DESC" : "ASC") +
                          ") AS __rk FROM (SELECT " + ksel + a.sql + " AS __v FROM (" + in->sql +
                          ") GROUP BY " + grp + ")";
      if (i == 0) {
        sql = "(" + level + ") AS " + li;
      } else {
        std::string on;
        for (size_t j = 0; j < i; ++j)
          on += (on.empty() ? "" : " AND ") + li + "." + q(keyNames[j]) + " IS __l" +
                std::to_string(i - 1) + "." + q(keyNames[j]);
        sql += " JOIN (" + level + ") AS " + li + " ON " + on;
      }
      if (i < op.defaults.size() && op.defaults[i])
        where += (where.empty() ? "" : " AND ") + li +
                 ".__rk <= " + bindExpr(op.defaults[i], nullptr).sql;
      if (out->find(kn) >= 0 || kn == an) fail(op.by[i].pos, "duplicate column '" + kn + "'");
      out->cols.push_back({kn, k.type});
      out->cols.push_back({an, a.type});
      sel += (sel.empty() ? "" : ", ") + li + "." + q(kn) + ", " + li + ".__v AS " + q(an);
    }
    out->sql = "SELECT " + sel + " FROM " + sql + (where.empty() ? "" : " WHERE " + where);
    return out;
  }

  std::shared_ptr<Rel> bindEvaluate(const Op& op, std::shared_ptr<Rel> in) {
    if (!op.expr || op.expr->kind != ExprKind::kCall) fail(op.pos, "evaluate needs a plugin call");
    const std::string& plugin = op.expr->text;
    if (plugin != "bag_unpack") fail(op.expr->pos, "unsupported evaluate plugin '" + plugin + "'");
    const auto& args = op.expr->args;
    if (args.empty()) fail(op.expr->pos, "bag_unpack needs a column");
    std::string prefix, conflict = "error";
    std::set<std::string> ignored;
    size_t positional = 0;
    for (size_t i = 1; i < args.size(); ++i) {
      std::string an;
      for (const auto& [k, v] : args[i]->options) {
        if (k == "argname") an = v;
      }
      if (an.empty()) an = positional++ == 0 ? "OutputColumnPrefix" : "columnsConflict";
      if (an == "ignoredProperties") {
        BExpr v = bindExpr(args[i], nullptr);
        if (args[i]->kind != ExprKind::kLiteral || args[i]->lit_type != "dynamic")
          fail(args[i]->pos, "bag_unpack: ignoredProperties must be a dynamic literal");
        auto j = parseJson(args[i]->text);
        if (j) {
          for (const auto& x : j->a) ignored.insert(x.s);
        }
        continue;
      }
      if (args[i]->kind != ExprKind::kLiteral || args[i]->lit_type != "string")
        fail(args[i]->pos, "bag_unpack: '" + an + "' must be a string literal");
      if (an == "OutputColumnPrefix")
        prefix = args[i]->text;
      else if (an == "columnsConflict")
        conflict = args[i]->text;
      else
        fail(args[i]->pos, "bag_unpack: unknown argument '" + an + "'");
    }
    BExpr col = bindExpr(args[0], in.get());
    if (col.type != "dynamic") fail(args[0]->pos, "bag_unpack needs a dynamic column");
    auto out = std::make_shared<Rel>();
    out->viz = in->viz;
    std::string srcName = args[0]->kind == ExprKind::kName ? args[0]->text : "";
    if (!opts_.probe) {
      // No data to look at (parse/bind only): keep the other columns, the rest is open.
      for (const auto& c : in->cols) {
        if (c.name != srcName) out->cols.push_back(c);
      }
      out->open = true;
      out->sql = "SELECT * FROM (" + in->sql + ")";
      return out;
    }
    std::string dyn = col.sql;
    auto keys = opts_.probe("SELECT DISTINCT __je.key || char(1) || __je.type FROM (" + in->sql +
                            ") AS __t, json_each(CASE WHEN json_valid(" + dyn + ") AND json_type(" +
                            dyn + ") = 'object' THEN " + dyn + " ELSE '{}' END) AS __je");
    if (!keys.ok()) fail(op.pos, keys.error().message);
    std::map<std::string, std::string> types;  // key -> KQL type
    for (const auto& kt : keys.value()) {
      size_t sep = kt.find('\x01');
      if (sep == std::string::npos) continue;
      std::string k = kt.substr(0, sep), jt = kt.substr(sep + 1);
      if (ignored.count(k)) continue;
      std::string t = jt == "integer"                   ? "long"
                      : jt == "real"                    ? "real"
                      : jt == "text"                    ? "string"
                      : (jt == "true" || jt == "false") ? "bool"
                      : jt == "null"                    ? "null"
                                                        : "dynamic";
      auto it = types.find(k);
      if (it == types.end() || it->second == "null") {
        types[k] = t;
      } else if (t != "null" && it->second != t) {
        it->second = (isNum(t) && isNum(it->second)) ? "real" : "dynamic";
      }
    }
    std::vector<std::string> exprs;
    std::set<std::string> taken;
    for (const auto& c : in->cols) {
      if (c.name == srcName) continue;
      out->cols.push_back(c);
      exprs.push_back(q(c.name));
    }
    for (auto& [k, t0] : types) {
      std::string t = t0 == "null" ? "dynamic" : t0;
      std::string n = prefix + k;
      BExpr v{"kql_dget(" + dyn + ", " + sqlStr(k) + ")", "dynamic", ""};
      std::string vs = t == "dynamic" ? v.sql : conv(v, t).sql;
      int at = out->find(n);
      if (at >= 0) {
        if (conflict == "keep_source") continue;
        if (conflict != "replace_source")
          fail(op.pos, "bag_unpack: column '" + n + "' already exists (use columnsConflict)");
        out->cols[at].type = t;
        exprs[at] = vs;
        continue;
      }
      out->cols.push_back({n, t});
      exprs.push_back(vs);
    }
    std::string sel;
    for (size_t i = 0; i < exprs.size(); ++i)
      sel += (i ? ", " : "") + exprs[i] + " AS " + q(out->cols[i].name);
    if (sel.empty()) sel = "NULL AS __none";
    out->sql = "SELECT " + sel + " FROM (" + in->sql + ")";
    return out;
  }

  static std::string reEscape(const std::string& s) {
    std::string o;
    for (char c : s) {
      if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) o.push_back('\\');
      o.push_back(c);
    }
    return o;
  }

  // Regex text with '.' made to match newlines too (parse flags=s), outside character classes.
  static std::string dotAll(const std::string& r) {
    std::string o;
    bool inClass = false;
    for (size_t i = 0; i < r.size(); ++i) {
      char c = r[i];
      if (c == '\\' && i + 1 < r.size()) {
        o += c;
        o += r[++i];
        continue;
      }
      if (c == '[') inClass = true;
      if (c == ']') inClass = false;
      if (c == '.' && !inClass) {
        o += "[\\s\\S]";
        continue;
      }
      o += c;
    }
    return o;
  }

  std::shared_ptr<Rel> bindParse(const Op& op, std::shared_ptr<Rel> in) {
    std::string kind = "simple", flags;
    for (const auto& [k, v] : op.options) {
      if (k == "kind") kind = v;
      if (k == "flags") flags = v;
    }
    if (kind != "simple" && kind != "regex" && kind != "relaxed")
      fail(op.pos, "unsupported parse kind '" + kind + "'");
    for (char f : flags) {
      if (f != 'U' && f != 'i' && f != 's' && f != 'm')
        fail(op.pos, std::string("unsupported parse flag '") + f + "'");
    }
    bool ungreedy = flags.find('U') != std::string::npos;
    bool dotall = flags.find('s') != std::string::npos;
    BExpr src = toStr(bindExpr(op.expr, in.get()));
    std::string re = flags.find('i') != std::string::npos ? "(?i)^" : "^";
    std::string any = dotall ? "[\\s\\S]" : ".";
    std::vector<std::pair<std::string, std::string>> cols;
    std::vector<size_t> groupIdx;
    size_t userGroups = 0;
    for (size_t i = 0; i < op.pattern.size(); ++i) {
      const auto& p = op.pattern[i];
      bool last = i + 1 == op.pattern.size();
      if (p->kind == ExprKind::kLiteral) {
        re += kind == "regex" ? (dotall ? dotAll(p->text) : p->text) : reEscape(p->text);
        if (kind == "regex") {
          for (size_t k = 0; k < p->text.size(); ++k) {
            if (p->text[k] == '\\') {
              ++k;
            } else if (p->text[k] == '(' && (k + 1 >= p->text.size() || p->text[k + 1] != '?')) {
              ++userGroups;
            }
          }
        }
      } else if (p->kind == ExprKind::kStar) {
        if (kind == "regex")
          re += any + (ungreedy ? "*?" : "*");
        else
          re += last ? ".*" : ".*?";
      } else {
        std::string t = normType(op.pattern_types[i]);
        std::string g;
        std::string num = isIntLike(t)  ? "-?\\d+"
                          : t == "real" ? "-?\\d+(?:\\.\\d*)?(?:[eE][-+]?\\d+)?"
                                        : "";
        if (!num.empty() && kind == "relaxed")
          g = "(" + num + "|.*?)";  // relaxed: a bad value becomes null, parsing goes on
        else if (!num.empty())
          g = "(" + num + ")";
        else if (kind == "regex")
          g = "(" + any + (ungreedy ? "*?" : "*") + ")";
        else
          g = last ? "(.*)" : "(.*?)";
        re += g;
        cols.emplace_back(p->text, t);
        groupIdx.push_back(cols.size() + userGroups);
      }
    }
    if (kind != "regex" && !op.pattern.empty() && op.pattern.back()->kind != ExprKind::kLiteral)
      re += "$";
    auto out = std::make_shared<Rel>(*in);
    std::vector<std::string> exprs;
    for (const auto& c : in->cols) exprs.push_back(q(c.name));
    for (size_t i = 0; i < cols.size(); ++i) {
      std::string ex =
          "kql_extract(" + sqlStr(re) + ", " + std::to_string(groupIdx[i]) + ", " + src.sql + ")";
      BExpr e{cols[i].second == "string" ? ex : "trim(" + ex + ")", "string", ""};
      std::string sqlv =
          cols[i].second == "string" ? "coalesce(" + ex + ", '')" : conv(e, cols[i].second).sql;
      int k = out->find(cols[i].first);
      if (k >= 0) {
        out->cols[k].type = cols[i].second;
        exprs[k] = sqlv;
      } else {
        out->cols.push_back({cols[i].first, cols[i].second});
        exprs.push_back(sqlv);
      }
    }
    std::string sel;
    for (size_t i = 0; i < exprs.size(); ++i)
      sel += (i ? ", " : "") + exprs[i] + " AS " + q(out->cols[i].name);
    out->sql = "SELECT " + sel + " FROM (" + in->sql + ")";
    if (op.kind == "parse-where")
      out->sql += " WHERE kql_regex(" + src.sql + ", " + sqlStr(re) + ")";
    return out;
  }

  // ------------------------------------------------------------------ scalar
  BExpr conv(const BExpr& e, const std::string& to) {
    if (e.type == to) return e;
    BExpr r = e;
    r.type = to;
    if (e.type == "null") {
      r.sql = to == "string" ? "''" : "NULL";
      return r;
    }
    if (isIntLike(e.type) && isIntLike(to)) return r;
    if (isIntLike(e.type) && to == "real") {
      r.sql = "CAST(" + e.sql + " AS REAL)";
      return r;
    }
    if (e.type == "real" && isIntLike(to)) {
      r.sql = "CAST(" + e.sql + " AS INTEGER)";
      return r;
    }
    if (e.type == "guid" && to == "string") {
      r.sql = "coalesce(" + e.sql + ", '')";
      return r;
    }
    r.sql = "kql_conv(" + e.sql + ", '" + e.type + "', '" + to + "')";
    return r;
  }
  BExpr toStr(const BExpr& e) { return e.type == "string" ? e : conv(e, "string"); }
  BExpr toBool(const BExpr& e) {
    if (e.type == "bool") return e;
    if (e.type == "dynamic" || e.type == "string") return conv(e, "bool");
    return e;
  }

  std::string nowSql() { return std::to_string(opts_.now_ticks); }

  BExpr literal(const ExprPtr& e) {
    const std::string& t = e->lit_type;
    if (t == "long") {
      std::string s = e->text;
      if (s.size() > 2 && (s[1] == 'x' || s[1] == 'X'))
        s = std::to_string(std::strtoull(s.c_str(), nullptr, 16));
      return {s, "long", ""};
    }
    if (t == "real") {
      std::string s = e->text;
      if (s[0] == '.') s = "0" + s;
      if (s.back() == '.') s += "0";
      return {s, "real", ""};
    }
    if (t == "string") return {sqlStr(e->text), "string", ""};
    if (t == "bool") return {e->text == "true" ? "1" : "0", "bool", ""};
    if (t == "datetime") {
      if (e->text == "null") return {"NULL", "datetime", ""};
      if (e->text.empty()) return {nowSql(), "datetime", ""};  // datetime() is the current time
      auto v = parseDateTime(e->text);
      if (!v) {
        std::string squeezed;  // datetime(2017 - 08 - 01)
        for (size_t i = 0; i < e->text.size(); ++i) {
          char c = e->text[i];
          bool sp = c == ' ' && ((i > 0 && e->text[i - 1] == '-') ||
                                 (i + 1 < e->text.size() && e->text[i + 1] == '-'));
          if (!sp) squeezed.push_back(c);
        }
        v = parseDateTime(squeezed);
      }
      if (!v) {
        if (auto tod = parseTimeOfDay(e->text)) {  // datetime("8:00 AM"): that time today (UTC)
          int64_t now = opts_.now_ticks;
          int64_t midnight = now - ((now % kTicksPerDay) + kTicksPerDay) % kTicksPerDay;
          v = midnight + *tod;
        }
      }
      if (!v) fail(e->pos, "invalid datetime literal '" + e->text + "'");
      return {std::to_string(*v), "datetime", ""};
    }
    if (t == "timespan") {
      if (e->text == "null") return {"NULL", "timespan", ""};
      auto v = parseTimespan(e->text);
      if (!v) fail(e->pos, "invalid timespan literal '" + e->text + "'");
      return {std::to_string(*v), "timespan", ""};
    }
    if (t == "guid") return {e->text == "null" ? "NULL" : sqlStr(e->text), "guid", ""};
    if (t == "dynamic") {
      auto j = parseJson(e->text);
      if (!j) fail(e->pos, "invalid dynamic literal");
      fixTagged(*j);
      if (j->t == JVal::T::kNull) return {"NULL", "dynamic", ""};
      return {sqlStr(toJson(*j)), "dynamic", ""};
    }
    fail(e->pos, "unsupported literal");
  }

  void fixTagged(JVal& j) {
    if (j.t == JVal::T::kStr && !j.s.empty() && j.s[0] == '\x01') {
      size_t colon = j.s.find(':');
      std::string kind = j.s.substr(1, colon - 1), val = j.s.substr(colon + 1);
      if (kind == "datetime") {
        auto v = parseDateTime(val);
        j = v ? JVal::str(formatDateTime(*v)) : JVal();
      } else if (kind == "timespan") {
        auto v = parseTimespan(val);
        j = v ? JVal::str(formatTimespan(*v)) : JVal();
      } else {
        j = JVal::str(val);
      }
    }
    for (auto& x : j.a) fixTagged(x);
    for (auto& [k, x] : j.o) fixTagged(x);
  }

  BExpr bindName(const ExprPtr& e, const Rel* rel) {
    auto lit = local_.find(e->text);
    if (lit != local_.end()) {
      BExpr r = lit->second;
      r.sql = "(" + r.sql + ")";
      r.name = e->text;
      return r;
    }
    if (rel) {
      int i = rel->find(e->text);
      if (i >= 0) {
        ++rowReads_;
        return {qualify_ + q(e->text), rel->cols[i].type, e->text};
      }
    }
    if (const Entry* en = lookup(e->text)) {
      if (en->kind == Entry::kScalar) {
        BExpr r = en->scalar;
        r.sql = "(" + r.sql + ")";
        r.name = e->text;
        return r;
      }
      if (en->kind == Entry::kFunc) return bindCall(e, rel, {});
      fail(e->pos, "'" + e->text + "' is a table, not a scalar");
    }
    if (rel && rel->open) {
      ++rowReads_;
      return {qualify_ + q(e->text), "dynamic", e->text};
    }
    if (e->text == "null") return {"NULL", "null", ""};
    fail(e->pos, "unknown column or variable '" + e->text + "'");
  }

  BExpr bindExpr(const ExprPtr& e, const Rel* rel) {
    if (++exprDepth_ > 400) fail(e->pos, "expression nested too deeply");
    BExpr r = bindExprInner(e, rel);
    --exprDepth_;
    // A named argument names what derives its name from it: `by bin(b = ts, 5m)` makes column b.
    for (const auto& [k, v] : e->options) {
      if (k == "argname") r.name = v;
    }
    return r;
  }

  std::string arithType(const std::string& op, const BExpr& a, const BExpr& b, size_t pos) {
    const std::string &x = a.type, &y = b.type;
    if (x == "null" || y == "null") return x == "null" ? y : x;
    if (op == "-" && x == "datetime" && y == "datetime") return "timespan";
    if ((op == "+" || op == "-") && x == "datetime" && y == "timespan") return "datetime";
    if (op == "+" && x == "timespan" && y == "datetime") return "datetime";
    if ((op == "+" || op == "-") && x == "timespan" && y == "timespan") return "timespan";
    if (op == "/" && x == "timespan" && y == "timespan") return "real";
    if (op == "%" && x == "timespan" && y == "timespan") return "timespan";
    if ((op == "*" || op == "/") && x == "timespan" && isNum(y)) return "timespan";
    if (op == "*" && isNum(x) && y == "timespan") return "timespan";
    if (x == "dynamic" || y == "dynamic") return "real";
    if (isNum(x) && isNum(y)) {
      if (x == "real" || y == "real") return "real";
      if (x == "int" && y == "int") return "int";
      return "long";
    }
    fail(pos, "operator '" + op + "' is not defined for " + x + " and " + y);
  }

  BExpr bindExprInner(const ExprPtr& e, const Rel* rel) {
    switch (e->kind) {
      case ExprKind::kLiteral:
        return literal(e);
      case ExprKind::kName:
        return bindName(e, rel);
      case ExprKind::kStar:
        fail(e->pos, "'*' is only valid as a function argument");
      case ExprKind::kTypeOf:
        fail(e->pos, "typeof() is only valid as a function argument");
      case ExprKind::kMember:
      case ExprKind::kIndex: {
        // Flatten a.b["c"][0] into one kql_dget(a, 'b', 'c', 0)
        std::vector<std::string> path;
        std::string name;
        ExprPtr cur = e;
        std::vector<std::string> names;
        while (cur->kind == ExprKind::kMember || cur->kind == ExprKind::kIndex) {
          if (cur->kind == ExprKind::kMember) {
            path.push_back(sqlStr(cur->text));
            names.push_back(cur->text);
          } else {
            BExpr ix = bindExpr(cur->args[1], rel);
            if (ix.type == "string")
              names.push_back(cur->args[1]->kind == ExprKind::kLiteral ? cur->args[1]->text : "");
            else
              names.push_back(cur->args[1]->kind == ExprKind::kLiteral ? cur->args[1]->text : "");
            if (ix.type == "dynamic") ix = toStr(ix);
            path.push_back(ix.sql);
          }
          cur = cur->args[0];
        }
        BExpr base = bindExpr(cur, rel);
        if (auto column = propertyColumnFor(e, cur, base, path, names, rel)) {
          return {q(*column), "dynamic", base.name.empty() ? "" : base.name + "_" + names[0]};
        }
        if (base.type != "dynamic") {
          if (base.type == "string")
            base = BExpr{"kql_parse_json(" + base.sql + ")", "dynamic", base.name};
          else
            fail(e->pos, "member access needs a dynamic value, found " + base.type);
        }
        std::string sql = "kql_dget(" + base.sql;
        for (auto it = path.rbegin(); it != path.rend(); ++it) sql += ", " + *it;
        sql += ")";
        std::string nm = base.name;
        for (auto it = names.rbegin(); it != names.rend(); ++it) nm += "_" + *it;
        return {sql, "dynamic", base.name.empty() ? "" : nm};
      }
      case ExprKind::kUnary: {
        BExpr a = bindExpr(e->args[0], rel);
        if (a.type == "dynamic") a = conv(a, "real");
        return {"(" + e->text + a.sql + ")", a.type, ""};
      }
      case ExprKind::kBinary:
        return bindBinary(e, rel);
      case ExprKind::kIn:
        return bindIn(e, rel);
      case ExprKind::kBetween: {
        BExpr a = bindExpr(e->args[0], rel), lo = bindExpr(e->args[1], rel),
              hi = bindExpr(e->args[2], rel);
        if (a.type == "dynamic")
          a = conv(a, lo.type == "datetime" || lo.type == "timespan" ? lo.type : "real");
        if ((a.type == "datetime") && hi.type == "timespan")
          hi = {"(" + lo.sql + " + " + hi.sql + ")", "datetime", ""};
        std::string s = "(" + a.sql + " BETWEEN " + lo.sql + " AND " + hi.sql + ")";
        if (e->text[0] == '!') s = "(NOT " + s + ")";
        return {s, "bool", ""};
      }
      case ExprKind::kCall:
        return bindCall(e, rel, e->args);
      case ExprKind::kPipe:
      case ExprKind::kDatatable:
      case ExprKind::kPrint:
      case ExprKind::kRange:
      case ExprKind::kUnion:
        fail(e->pos, "a tabular expression is not valid here (use toscalar())");
      default:
        fail(e->pos, "unsupported expression");
    }
  }

  // `where * has "x"`: true when any column of the row satisfies the string operator. Each
  // column is converted to string as `tostring(col) has "x"` would.
  BExpr bindStarSearch(const ExprPtr& e, const Rel* rel) {
    static const std::set<std::string> kPositive = {
        "has",       "has_cs",       "contains",   "contains_cs",   "hasprefix", "hasprefix_cs",
        "hassuffix", "hassuffix_cs", "startswith", "startswith_cs", "endswith",  "endswith_cs"};
    if (!kPositive.count(e->text))
      fail(e->pos,
           "'*' supports only has, contains, startswith, endswith, hasprefix and "
           "hassuffix (a positive search over every column)");
    if (!rel) fail(e->pos, "'*' needs a row context");
    std::string any;
    for (const auto& c : rel->cols) {
      auto one = std::make_shared<Expr>(*e);
      auto name = std::make_shared<Expr>();
      name->kind = ExprKind::kName;
      name->pos = e->args[0]->pos;
      name->text = c.name;
      auto str = std::make_shared<Expr>();
      str->kind = ExprKind::kCall;
      str->pos = name->pos;
      str->text = "tostring";
      str->args = {name};
      one->args = {str, e->args[1]};
      any += (any.empty() ? "" : " OR ") + toBool(bindBinary(one, rel)).sql;
    }
    return {any.empty() ? "0" : "(" + any + ")", "bool", ""};
  }

  // The store's property columns hold each value's canonical JSON text (kql::memberJson). For a
  // literal that only a JSON string prints as (not a number, bool or JSON document, and nothing
  // JSON escapes), `tostring(column) == 'lit'` is exactly `column = '"lit"'`: SQLite answers
  // that from an index on the column instead of converting every row. nullopt: not that shape.
  std::optional<std::pair<std::string, std::string>> propertyColumnStringTest(
      const BExpr& x, const BExpr& lit) const {
    static const std::string kPrefix = "kql_conv(\"", kSuffix = "\", 'dynamic', 'string')";
    if (x.sql.size() <= kPrefix.size() + kSuffix.size() || x.sql.rfind(kPrefix, 0) != 0 ||
        x.sql.compare(x.sql.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
      return std::nullopt;
    }
    std::string column =
        x.sql.substr(kPrefix.size(), x.sql.size() - kPrefix.size() - kSuffix.size());
    if (!property_columns_read_.count(column)) return std::nullopt;
    if (lit.type != "string" || lit.sql.size() < 3 || lit.sql.front() != '\'' ||
        lit.sql.back() != '\'') {
      return std::nullopt;
    }
    std::string text = lit.sql.substr(1, lit.sql.size() - 2);
    bool plain = std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_';
    for (char c : text) {
      plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                        c == '-' || c == ':' || c == '/' || c == '@' || c == ' ');
    }
    if (!plain || text == "true" || text == "false") return std::nullopt;
    return std::make_pair(q(column), "'\"" + text + "\"'");
  }

  // Equality between a typed column and a literal of another type that names one of its values
  // (`success == "False"`, `ResultCode != 200`): Application Insights queries are full of these
  // and Microsoft's analyzer accepts them. The literal is converted once, here; anything else
  // stays an error rather than a guess.
  static bool coerceComparedLiteral(const std::string& op, const ExprPtr& e, BExpr& a, BExpr& b) {
    if (op != "==" && op != "!=") return false;
    for (int side = 0; side < 2; ++side) {
      const Expr& lit = *e->args[side];
      BExpr& lit_b = side == 0 ? a : b;
      const BExpr& other = side == 0 ? b : a;
      if (lit.kind != ExprKind::kLiteral) continue;
      if (other.type == "bool" && lit.lit_type == "string") {
        std::string v = lit.text;
        for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (v != "true" && v != "false") return false;
        lit_b = {v == "true" ? "1" : "0", "bool", ""};
        return true;
      }
      if (other.type == "string" && (lit.lit_type == "long" || lit.lit_type == "int")) {
        lit_b = {"'" + lit.text + "'", "string", ""};
        return true;
      }
    }
    return false;
  }

  BExpr bindBinary(const ExprPtr& e, const Rel* rel) {
    const std::string& op = e->text;
    if (e->args[0]->kind == ExprKind::kStar) return bindStarSearch(e, rel);
    BExpr a = bindExpr(e->args[0], rel), b = bindExpr(e->args[1], rel);
    bool agg = a.has_agg || b.has_agg;
    auto mk = [&](std::string sql, std::string type) {
      BExpr r{std::move(sql), std::move(type), ""};
      r.has_agg = agg;
      return r;
    };
    if (op == "and" || op == "or") {
      return mk("(" + toBool(a).sql + (op == "and" ? " AND " : " OR ") + toBool(b).sql + ")",
                "bool");
    }
    if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
      std::string t = arithType(op, a, b, e->pos);
      if (a.type == "dynamic") a = conv(a, "real");
      if (b.type == "dynamic") b = conv(b, "real");
      if (op == "/" && a.type == "timespan" && b.type == "timespan")
        return mk("(CAST(" + a.sql + " AS REAL) / " + b.sql + ")", "real");
      std::string s = "(" + a.sql + " " + op + " " + b.sql + ")";
      // Real division by zero is +-inf (NaN for 0/0), not SQLite's NULL.
      if (op == "/" && t == "real") s = "kql_math('div', " + a.sql + ", " + b.sql + ")";
      if (t == "timespan" && (a.type == "real" || b.type == "real"))
        s = "CAST(" + s + " AS INTEGER)";
      return mk(s, t);
    }
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      if (a.type == "dynamic" && b.type != "dynamic" && b.type != "null")
        a = conv(a, b.type);
      else if (b.type == "dynamic" && a.type != "dynamic" && a.type != "null")
        b = conv(b, a.type);
      else if (a.type == "guid" || b.type == "guid") {
        a = toStr(a);
        b = toStr(b);
      } else if ((a.type == "string") != (b.type == "string") && a.type != "null" &&
                 b.type != "null") {
        if (a.type == "datetime" || b.type == "datetime") {
          a = conv(a, "datetime");
          b = conv(b, "datetime");
        } else if (a.type == "timespan" || b.type == "timespan") {
          a = conv(a, "timespan");
          b = conv(b, "timespan");
        } else if (!coerceComparedLiteral(op, e, a, b)) {
          fail(e->pos, "cannot compare " + a.type + " with " + b.type);
        }
      }
      std::string sop = op == "==" ? "=" : op;
      if (a.type == "null" || b.type == "null") {
        const BExpr& o = a.type == "null" ? b : a;
        return mk(op == "==" ? "(" + o.sql + " IS NULL)" : "(" + o.sql + " IS NOT NULL)", "bool");
      }
      if (op == "==" || op == "!=") {
        auto test = propertyColumnStringTest(a, b);
        if (!test) test = propertyColumnStringTest(b, a);
        // `!=` keeps rows without the key: tostring(null) is '', which differs from 'lit'.
        if (test) {
          return mk("(" + test->first + (op == "==" ? " = " : " IS NOT ") + test->second + ")",
                    "bool");
        }
      }
      return mk("(" + a.sql + " " + sop + " " + b.sql + ")", "bool");
    }
    if (op == "=~" || op == "!~") {
      a = toStr(a);
      b = toStr(b);
      return mk("(lower(" + a.sql + ") " + (op == "=~" ? "=" : "!=") + " lower(" + b.sql + "))",
                "bool");
    }
    bool neg = op[0] == '!';
    std::string base = neg ? op.substr(1) : op;
    if (base == "notcontains") {
      neg = true;
      base = "contains";
    } else if (base == "notcontainscs") {
      neg = true;
      base = "contains_cs";
    } else if (base == "containscs") {
      base = "contains_cs";
    } else if (base == "nothas") {
      neg = true;
      base = "has";
    }
    a = toStr(a);
    b = toStr(b);
    std::string s;
    bool cs = base.size() > 3 && base.substr(base.size() - 3) == "_cs";
    std::string stem = cs ? base.substr(0, base.size() - 3) : base;
    int csb = cs ? 1 : 0;
    if (stem == "has")
      s = "kql_has(" + a.sql + ", " + b.sql + ", " + std::to_string(0 + csb) + ")";
    else if (stem == "hasprefix")
      s = "kql_has(" + a.sql + ", " + b.sql + ", " + std::to_string(2 + csb) + ")";
    else if (stem == "hassuffix")
      s = "kql_has(" + a.sql + ", " + b.sql + ", " + std::to_string(4 + csb) + ")";
    else if (stem == "contains")
      s = "kql_contains(" + a.sql + ", " + b.sql + ", " + std::to_string(0 + csb) + ")";
    else if (stem == "startswith")
      s = "kql_contains(" + a.sql + ", " + b.sql + ", " + std::to_string(2 + csb) + ")";
    else if (stem == "endswith")
      s = "kql_contains(" + a.sql + ", " + b.sql + ", " + std::to_string(4 + csb) + ")";
    else if (stem == "matches regex")
      s = "kql_regex(" + a.sql + ", " + b.sql + ")";
    else if (stem == "like")
      s = "(" + a.sql + " LIKE " + b.sql + ")";
    else
      fail(e->pos, "unsupported operator '" + op + "'");
    if (neg) s = "(NOT " + s + ")";
    return mk(s, "bool");
  }

  BExpr bindIn(const ExprPtr& e, const Rel* rel) {
    std::string op = e->text;
    bool neg = op[0] == '!';
    std::string base = neg ? op.substr(1) : op;
    BExpr lhs = bindExpr(e->args[0], rel);
    if (base.rfind("has_", 0) == 0) {
      std::string arr;
      std::vector<std::string> scal;
      std::vector<std::string> parts;
      for (size_t i = 1; i < e->args.size(); ++i) {
        const ExprPtr& it = e->args[i];
        if (isTabularExpr(it)) {
          auto t = bindTabular(it);
          if (t->cols.empty()) fail(it->pos, "subquery has no columns");
          parts.push_back("(SELECT json_group_array(" +
                          toStr(BExpr{q(t->cols[0].name), t->cols[0].type, ""}).sql + ") FROM (" +
                          t->sql + "))");
          continue;
        }
        BExpr v = bindExpr(it, rel);
        if (v.type == "dynamic")
          parts.push_back(v.sql);
        else
          scal.push_back(conv(v, "dynamic").sql);
      }
      if (!scal.empty()) {
        std::string s = "kql_jarray(";
        for (size_t i = 0; i < scal.size(); ++i) s += (i ? ", " : "") + scal[i];
        parts.push_back(s + ")");
      }
      if (parts.empty()) return {"0", "bool", ""};
      if (parts.size() == 1)
        arr = parts[0];
      else {
        arr = "kql_jfn('array_concat'";
        for (auto& p : parts) arr += ", " + p;
        arr += ")";
      }
      int mode = (base.find("all") != std::string::npos ? 1 : 0) +
                 (base.find("_cs") != std::string::npos ? 2 : 0);
      std::string s =
          "kql_has_any(" + toStr(lhs).sql + ", " + arr + ", " + std::to_string(mode) + ")";
      if (neg) s = "(NOT " + s + ")";
      return {s, "bool", ""};
    }
    bool ci = base == "in~";
    std::vector<std::string> ors;
    std::vector<BExpr> scalars;
    for (size_t i = 1; i < e->args.size(); ++i) {
      const ExprPtr& it = e->args[i];
      if (isTabularExpr(it)) {
        auto t = bindTabular(it);
        if (t->cols.empty()) fail(it->pos, "subquery has no columns");
        BExpr c{q(t->cols[0].name), t->cols[0].type, ""};
        BExpr l = lhs;
        if (l.type == "dynamic") l = conv(l, c.type);
        if (ci)
          ors.push_back("(lower(" + toStr(l).sql + ") IN (SELECT lower(" + toStr(c).sql +
                        ") FROM (" + t->sql + ")))");
        else
          ors.push_back("(" + l.sql + " IN (SELECT " + c.sql + " FROM (" + t->sql + ")))");
        continue;
      }
      BExpr v = bindExpr(it, rel);
      if (v.type == "dynamic") {
        BExpr l = lhs.type == "dynamic" ? toStr(lhs) : lhs;
        ors.push_back("kql_in_json(" + l.sql + ", " + v.sql + ", " + (ci ? "1" : "0") + ")");
      } else {
        scalars.push_back(v);
      }
    }
    if (!scalars.empty()) {
      BExpr l = lhs;
      if (l.type == "dynamic") l = conv(l, scalars[0].type);
      std::string list;
      for (auto& s : scalars) {
        BExpr v = s;
        if (ci)
          v = toStr(v);
        else if (l.type == "string" && v.type != "string")
          v = toStr(v);
        else if (l.type != "string" && v.type == "string")
          l = toStr(l);
        list += (list.empty() ? "" : ", ") + (ci ? "lower(" + v.sql + ")" : v.sql);
      }
      std::string column, json_list;
      for (const auto& v : scalars) {
        auto test = ci ? std::nullopt : propertyColumnStringTest(l, v);
        if (!test) {
          json_list.clear();
          break;
        }
        column = test->first;
        json_list += (json_list.empty() ? "" : ", ") + test->second;
      }
      if (ci)
        ors.push_back("(lower(" + toStr(l).sql + ") IN (" + list + "))");
      else if (!json_list.empty())
        ors.push_back("(" + column + " IN (" + json_list + "))");
      else
        ors.push_back("(" + l.sql + " IN (" + list + "))");
    }
    std::string s;
    for (auto& o : ors) s += (s.empty() ? "" : " OR ") + o;
    if (s.empty()) s = "0";
    s = "(" + s + ")";
    if (neg) s = "(NOT coalesce(" + s + ", 0))";
    return {s, "bool", ""};
  }

  std::string unifyType(const std::vector<BExpr>& vs) {
    std::string t = "null";
    for (const auto& v : vs) {
      if (v.type == "null") continue;
      if (t == "null")
        t = v.type;
      else if (t != v.type) {
        if (isNum(t) && isNum(v.type))
          t = (t == "real" || v.type == "real") ? "real" : "long";
        else if (v.type == "dynamic" || t == "dynamic")
          t = "dynamic";
      }
    }
    return t;
  }

  BExpr bindCall(const ExprPtr& e, const Rel* rel, const std::vector<ExprPtr>& argsIn) {
    std::string fn = e->text;
    const std::vector<ExprPtr>& args = argsIn;
    auto arg = [&](size_t i) -> BExpr {
      if (i >= args.size()) fail(e->pos, "function '" + fn + "' needs more arguments");
      return bindExpr(args[i], rel);
    };
    auto need = [&](size_t lo, size_t hi) {
      if (args.size() < lo || args.size() > hi)
        fail(e->pos, "function '" + fn + "' takes " + std::to_string(lo) +
                         (hi != lo ? "-" + std::to_string(hi) : "") + " arguments");
    };
    // user-defined function
    if (const Entry* en = lookup(fn)) {
      if (en->kind == Entry::kFunc) {
        if (++depth_ > 20) fail(e->pos, "function recursion too deep");
        std::map<std::string, Entry> frame;
        bindParams(en->lambda, args, e->pos, frame, rel);
        scopes_.push_back(std::move(frame));
        BExpr result;
        bool have = false;
        for (const auto& st : en->lambda->stmts) {
          if (!st.let_name.empty()) {
            scopes_.back()[st.let_name] = bindLetValue(st.value);
          } else {
            if (isTabularExpr(st.value))
              fail(e->pos, "function '" + fn + "' returns a table; use it as a table");
            result = bindExpr(st.value, rel);
            have = true;
          }
        }
        scopes_.pop_back();
        --depth_;
        if (!have) fail(e->pos, "function '" + fn + "' has no result");
        result.sql = "(" + result.sql + ")";
        return result;
      }
    }
    if (fn == "hll_merge" && args.size() >= 2 && !inAgg_) {
      // scalar form: merge several hll values (exact sets here)
      std::string sm = "kql_jfn('set_union'";
      for (size_t i = 0; i < args.size(); ++i) sm += ", " + conv(arg(i), "dynamic").sql;
      return {sm + ")", "dynamic", ""};
    }
    if (aggNames().count(fn) && fn != "count" ? true : (fn == "count")) {
      if (aggNames().count(fn)) {
        if (!inAgg_) fail(e->pos, "aggregation function '" + fn + "' is only valid in summarize");
        return bindAgg(e, rel, fn, args);
      }
    }
    // conversions
    static const std::map<std::string, std::string> kConv = {
        {"tostring", "string"}, {"toint", "int"},           {"tolong", "long"},
        {"todouble", "real"},   {"toreal", "real"},         {"tobool", "bool"},
        {"toboolean", "bool"},  {"todatetime", "datetime"}, {"totimespan", "timespan"},
        {"totime", "timespan"}, {"toguid", "guid"},         {"todecimal", "real"},
        {"int", "int"},         {"long", "long"},           {"real", "real"},
        {"double", "real"},     {"bool", "bool"},           {"decimal", "real"},
        {"string", "string"}};
    auto ci = kConv.find(fn);
    if (ci != kConv.end()) {
      need(1, 1);
      if (args[0]->kind == ExprKind::kName && args[0]->text == "null" &&
          (!rel || rel->find("null") < 0))
        return {"NULL", ci->second, ""};
      if (fn == "real" || fn == "double") {
        const ExprPtr& x = args[0];
        bool neg = x->kind == ExprKind::kUnary && x->text == "-";
        const ExprPtr& nm = x->kind == ExprKind::kUnary ? x->args[0] : x;
        bool col = rel && nm->kind == ExprKind::kName && rel->find(nm->text) >= 0;
        if (!col && nm->kind == ExprKind::kName && nm->text == "inf")
          return {neg ? "-9e999" : "9e999", "real", ""};
        if (!col && nm->kind == ExprKind::kName && nm->text == "nan") return {"NULL", "real", ""};
      }
      BExpr a = arg(0);
      BExpr r = conv(a, ci->second);
      r.name = a.name;
      return r;
    }
    if (fn == "parse_json" || fn == "todynamic" || fn == "parsejson" || fn == "toobject" ||
        fn == "dynamic") {
      need(1, 1);
      BExpr a = arg(0);
      if (a.type == "dynamic") return a;
      if (a.type == "string") return {"kql_parse_json(" + a.sql + ")", "dynamic", a.name};
      return conv(a, "dynamic");
    }
    if (fn == "ago") {
      need(1, 1);
      BExpr a = arg(0);
      return {"(" + nowSql() + " - " + conv(a, "timespan").sql + ")", "datetime", ""};
    }
    if (fn == "now") {
      need(0, 1);
      if (args.empty()) return {nowSql(), "datetime", ""};
      return {"(" + nowSql() + " + " + arg(0).sql + ")", "datetime", ""};
    }
    if (fn == "bin" || fn == "floor") {
      need(2, 2);
      BExpr a = arg(0), s = arg(1);
      if (a.type == "dynamic") a = conv(a, "real");
      std::string t = a.type;
      if (isIntLike(t) && s.type == "real") t = "real";
      return {"kql_bin(" + a.sql + ", " + s.sql + ")", t, a.name};
    }
    if (fn == "bin_at") {
      need(3, 3);
      BExpr a = arg(0), s = arg(1), at = arg(2);
      return {"(kql_bin(" + a.sql + " - " + at.sql + ", " + s.sql + ") + " + at.sql + ")", a.type,
              a.name};
    }
    if (fn == "strcat") {
      if (args.empty()) fail(e->pos, "strcat needs arguments");
      std::string s;
      for (size_t i = 0; i < args.size(); ++i)
        s += (i ? " || " : "") + std::string("coalesce(") + toStr(arg(i)).sql + ", '')";
      return {"(" + s + ")", "string", ""};
    }
    if (fn == "strcat_delim") {
      need(2, 64);
      BExpr d = toStr(arg(0));
      std::string s;
      for (size_t i = 1; i < args.size(); ++i)
        s += (i > 1 ? " || " + d.sql + " || " : "") + std::string("coalesce(") + toStr(arg(i)).sql +
             ", '')";
      return {"(" + s + ")", "string", ""};
    }
    if (fn == "strlen") {
      need(1, 1);
      return {"length(" + toStr(arg(0)).sql + ")", "long", ""};
    }
    if (fn == "substring") {
      need(2, 3);
      std::string s = toStr(arg(0)).sql, st = arg(1).sql;
      // A negative start counts from the end (substring("123456", -2, 2) is "56").
      std::string start = "(CASE WHEN " + st + " < 0 THEN max(length(" + s + ") + " + st +
                          ", 0) ELSE " + st + " END + 1)";
      if (args.size() == 3)
        return {"coalesce(substr(" + s + ", " + start + ", max(" + arg(2).sql + ", 0)), '')",
                "string", ""};
      return {"coalesce(substr(" + s + ", " + start + "), '')", "string", ""};
    }
    if (fn == "tolower" || fn == "toupper") {
      need(1, 1);
      return {std::string(fn == "tolower" ? "lower(" : "upper(") + toStr(arg(0)).sql + ")",
              "string", ""};
    }
    if (fn == "split") {
      need(2, 3);
      std::string s = "kql_split(" + toStr(arg(0)).sql + ", " + toStr(arg(1)).sql;
      if (args.size() == 3) s += ", " + arg(2).sql;
      return {s + ")", "dynamic", ""};
    }
    if (fn == "extract") {
      need(3, 4);
      BExpr v{
          "kql_extract(" + toStr(arg(0)).sql + ", " + arg(1).sql + ", " + toStr(arg(2)).sql + ")",
          "string", ""};
      if (args.size() == 4) {
        if (args[3]->kind != ExprKind::kTypeOf)
          fail(args[3]->pos, "extract: 4th argument must be typeof(T)");
        return conv(v, normType(args[3]->text));
      }
      v.sql = "coalesce(" + v.sql + ", '')";
      return v;
    }
    if (fn == "extract_all") {
      need(2, 3);
      if (args.size() == 3)
        return {"kql_extract_all(" + toStr(arg(0)).sql + ", " + toStr(arg(2)).sql + ", " +
                    conv(arg(1), "dynamic").sql + ")",
                "dynamic", ""};
      return {"kql_extract_all(" + toStr(arg(0)).sql + ", " + toStr(arg(1)).sql + ")", "dynamic",
              ""};
    }
    if (fn == "replace" || fn == "replace_regex") {
      need(3, 3);
      if (fn == "replace")
        return {"kql_replace_regex(" + toStr(arg(2)).sql + ", " + toStr(arg(0)).sql + ", " +
                    toStr(arg(1)).sql + ")",
                "string", ""};
      return {"kql_replace_regex(" + toStr(arg(0)).sql + ", " + toStr(arg(1)).sql + ", " +
                  toStr(arg(2)).sql + ")",
              "string", ""};
    }
    if (fn == "replace_string") {
      need(3, 3);
      std::string s = toStr(arg(0)).sql, a = toStr(arg(1)).sql, b = toStr(arg(2)).sql;
      return {"CASE WHEN " + a + " = '' THEN " + s + " ELSE replace(" + s + ", " + a + ", " + b +
                  ") END",
              "string", ""};
    }
    if (fn == "trim" || fn == "trim_start" || fn == "trim_end") {
      need(2, 2);
      int mode = fn == "trim" ? 0 : (fn == "trim_start" ? 1 : 2);
      return {"kql_trim(" + toStr(arg(0)).sql + ", " + toStr(arg(1)).sql + ", " +
                  std::to_string(mode) + ")",
              "string", ""};
    }
    if (fn == "indexof") {
      need(2, 2);
      return {"(instr(" + toStr(arg(0)).sql + ", " + toStr(arg(1)).sql + ") - 1)", "long", ""};
    }
    if (fn == "countof") {
      need(2, 3);
      std::string s = toStr(arg(0)).sql, sub = toStr(arg(1)).sql;
      if (args.size() == 3) {
        if (args[2]->kind != ExprKind::kLiteral ||
            (args[2]->text != "regex" && args[2]->text != "normal"))
          fail(args[2]->pos, "countof: 3rd argument must be \"normal\" or \"regex\"");
        if (args[2]->text == "regex")  // one extract_all element per match
          return {"coalesce(kql_array_length(kql_extract_all('(' || " + sub + " || ')', " + s +
                      ")), 0)",
                  "long", ""};
      }
      return {"((length(" + s + ") - length(replace(" + s + ", " + sub + ", ''))) / max(length(" +
                  sub + "), 1))",
              "long", ""};
    }
    if (fn == "reverse") {
      need(1, 1);
      fail(e->pos, "unsupported function 'reverse'");
    }
    if (fn == "strrep") {
      need(2, 3);
      std::string s = toStr(arg(0)).sql, n = arg(1).sql;
      // With a delimiter: n copies of value+delimiter, minus the trailing delimiter.
      if (args.size() == 3) {
        std::string d = toStr(arg(2)).sql;
        return {"substr(replace(substr(hex(zeroblob(" + n + ")), 1, " + n + "), '0', " + s +
                    " || " + d + "), 1, max(" + n + " * (length(" + s + ") + length(" + d +
                    ")) - length(" + d + "), 0))",
                "string", ""};
      }
      return {"replace(substr(hex(zeroblob(" + n + ")), 1, " + n + "), '0', " + s + ")", "string",
              ""};
    }
    if (fn == "array_length" || fn == "arraylength") {
      need(1, 1);
      return {"kql_array_length(" + conv(arg(0), "dynamic").sql + ")", "long", ""};
    }
    static const std::set<std::string> kJfn = {
        "bag_keys",       "array_sum",    "array_concat",    "array_slice", "array_index_of",
        "bag_merge",      "bag_has_key",  "set_has_element", "set_union",   "set_intersect",
        "set_difference", "strcat_array", "array_reverse"};
    if (kJfn.count(fn)) {
      if (fn == "array_index_of" && args.size() > 2)
        fail(e->pos, "unsupported function 'array_index_of' with start/length/occurrence");
      std::string s = "kql_jfn('" + fn + "'";
      std::string t = "dynamic";
      if (fn == "array_sum") t = "real";
      if (fn == "array_index_of") t = "long";
      if (fn == "bag_has_key" || fn == "set_has_element") t = "bool";
      if (fn == "strcat_array") t = "string";
      for (size_t i = 0; i < args.size(); ++i) {
        BExpr a = arg(i);
        bool scalarArg =
            (i >= 1 && (fn == "array_slice" || fn == "array_index_of" || fn == "bag_has_key" ||
                        fn == "set_has_element" || fn == "strcat_array"));
        s += ", " + (scalarArg ? a.sql : conv(a, "dynamic").sql);
      }
      return {s + ")", t, ""};
    }
    if (fn == "pack_array") {
      std::string s = "kql_jarray(";
      bool first = true;
      for (size_t i = 0; i < args.size(); ++i) {
        if (args[i]->kind == ExprKind::kStar) {
          // pack_array(*): every column of the row, in column order
          if (!rel) fail(args[i]->pos, "'*' needs a row context");
          ++rowReads_;
          for (const auto& c : rel->cols) {
            s += (first ? "" : ", ") + conv(BExpr{q(c.name), c.type, c.name}, "dynamic").sql;
            first = false;
          }
          continue;
        }
        s += (first ? "" : ", ") + conv(arg(i), "dynamic").sql;
        first = false;
      }
      return {s + ")", "dynamic", ""};
    }
    if (fn == "pack" || fn == "bag_pack" || fn == "pack_dictionary") {
      if (args.size() % 2) fail(e->pos, fn + " needs key/value pairs");
      std::string s = "kql_jobject(";
      for (size_t i = 0; i < args.size(); i += 2)
        s += (i ? ", " : "") + toStr(arg(i)).sql + ", " + conv(arg(i + 1), "dynamic").sql;
      return {s + ")", "dynamic", ""};
    }
    if (fn == "bag_pack_columns") {
      std::string s = "kql_jobject(";
      for (size_t i = 0; i < args.size(); ++i) {
        BExpr a = arg(i);
        if (a.name.empty()) fail(args[i]->pos, "bag_pack_columns needs column names");
        s += (i ? ", " : "") + sqlStr(a.name) + ", " + conv(a, "dynamic").sql;
      }
      return {s + ")", "dynamic", ""};
    }
    if (fn == "pack_all") {
      need(0, 1);
      if (!rel) fail(e->pos, fn + " needs a row context");
      ++rowReads_;
      std::string s = "kql_jobject(";
      bool first = true;
      for (const auto& c : rel->cols) {
        s += (first ? "" : ", ") + sqlStr(c.name) + ", " +
             conv(BExpr{qualify_ + q(c.name), c.type, ""}, "dynamic").sql;
        first = false;
      }
      s += ")";
      if (!args.empty()) {
        BExpr ignore = toBool(arg(0));
        s = "(CASE WHEN " + ignore.sql + " THEN kql_jfn('bag_drop_empty', " + s + ") ELSE " + s +
            " END)";
      }
      return {s, "dynamic", ""};
    }
    if (fn == "iff" || fn == "iif") {
      need(3, 3);
      BExpr c = toBool(arg(0)), a = arg(1), b = arg(2);
      std::string t = unifyType({a, b});
      if (t == "null") t = "string";
      if (a.type != t && a.type != "null") a = conv(a, t);
      if (b.type != t && b.type != "null") b = conv(b, t);
      BExpr r{"(CASE WHEN " + c.sql + " THEN " + a.sql + " ELSE " + b.sql + " END)", t, ""};
      r.has_agg = c.has_agg || a.has_agg || b.has_agg;
      return r;
    }
    if (fn == "case") {
      if (args.size() < 3 || args.size() % 2 == 0)
        fail(e->pos, "case needs predicate/value pairs and an else value");
      std::vector<BExpr> vals;
      std::vector<BExpr> preds;
      for (size_t i = 0; i + 1 < args.size(); i += 2) {
        preds.push_back(toBool(arg(i)));
        vals.push_back(arg(i + 1));
      }
      vals.push_back(arg(args.size() - 1));
      std::string t = unifyType(vals);
      if (t == "null") t = "string";
      std::string s = "(CASE";
      bool agg = false;
      for (size_t i = 0; i < preds.size(); ++i) {
        BExpr v = vals[i].type == t || vals[i].type == "null" ? vals[i] : conv(vals[i], t);
        s += " WHEN " + preds[i].sql + " THEN " + v.sql;
        agg |= preds[i].has_agg || vals[i].has_agg;
      }
      BExpr el =
          vals.back().type == t || vals.back().type == "null" ? vals.back() : conv(vals.back(), t);
      s += " ELSE " + el.sql + " END)";
      BExpr r{s, t, ""};
      r.has_agg = agg || vals.back().has_agg;
      return r;
    }
    if (fn == "isempty" || fn == "isnotempty" || fn == "notempty") {
      need(1, 1);
      BExpr a = arg(0);
      std::string s;
      if (a.type == "string")
        s = "(coalesce(" + a.sql + ", '') = '')";
      else if (a.type == "dynamic")
        s = "(coalesce(" + a.sql + ", '\"\"') IN ('\"\"', 'null'))";
      else
        s = "(" + a.sql + " IS NULL)";
      if (fn != "isempty") s = "(NOT " + s + ")";
      return {s, "bool", ""};
    }
    if (fn == "isnull" || fn == "isnotnull") {
      need(1, 1);
      BExpr a = arg(0);
      std::string s = a.type == "string" ? "0" : "(" + a.sql + " IS NULL)";
      if (fn == "isnotnull") s = "(NOT " + s + ")";
      return {s, "bool", ""};
    }
    if (fn == "coalesce") {
      if (args.empty()) fail(e->pos, "coalesce needs arguments");
      std::vector<BExpr> vs;
      for (size_t i = 0; i < args.size(); ++i) vs.push_back(arg(i));
      std::string t = unifyType(vs);
      std::string s = "coalesce(";
      for (size_t i = 0; i < vs.size(); ++i) {
        BExpr v = vs[i].type == t || vs[i].type == "null" ? vs[i] : conv(vs[i], t);
        s += (i ? ", " : "") +
             (t == "string" && i + 1 < vs.size() ? "nullif(" + v.sql + ", '')" : v.sql);
      }
      if (vs.size() == 1) s += ", NULL";
      return {s + ")", t, ""};
    }
    if (fn == "not") {
      need(1, 1);
      return {"(NOT " + toBool(arg(0)).sql + ")", "bool", ""};
    }
    if (fn == "round") {
      need(1, 2);
      BExpr a = arg(0);
      std::string d = args.size() == 2 ? arg(1).sql : "0";
      if (isIntLike(a.type) && args.size() == 1) return a;
      return {"kql_math('round', " + conv(a, "real").sql + ", " + d + ")", "real", ""};
    }
    if (fn == "abs") {
      need(1, 1);
      BExpr a = arg(0);
      return {"abs(" + a.sql + ")", a.type, ""};
    }
    static const std::set<std::string> kMath = {
        "exp",  "exp2", "exp10", "log", "log2", "log10", "sqrt",  "pow",   "ceiling",
        "sign", "sin",  "cos",   "tan", "atan", "atan2", "isnan", "isinf", "isfinite"};
    if (kMath.count(fn)) {
      std::string s = "kql_math('" + fn + "'";
      for (size_t i = 0; i < args.size(); ++i) s += ", " + conv(arg(i), "real").sql;
      bool isBool = fn == "isnan" || fn == "isinf" || fn == "isfinite";
      return {s + ")", isBool ? "bool" : "real", ""};
    }
    if (fn == "pi") return {"3.141592653589793", "real", ""};
    if (fn == "rand") {
      if (args.empty()) return {"((random() & 9007199254740991) / 9007199254740992.0)", "real", ""};
      // rand(N) is typed real, as the Kusto emulator returns it (an integer value below N)
      return {"CAST(abs(random()) % " + arg(0).sql + " AS REAL)", "real", ""};
    }
    if (fn == "max_of" || fn == "min_of") {
      std::vector<BExpr> vs;
      for (size_t i = 0; i < args.size(); ++i) vs.push_back(arg(i));
      std::string t = unifyType(vs);
      // nulls are ignored: an aggregate over the arguments as rows
      std::string s = std::string("(SELECT ") + (fn == "max_of" ? "max" : "min") + "(__v) FROM (";
      for (size_t i = 0; i < vs.size(); ++i)
        s += (i ? " UNION ALL SELECT " : "SELECT ") +
             (vs[i].type == t || vs[i].type == "null" ? vs[i].sql : conv(vs[i], t).sql) + " AS __v";
      return {s + "))", t, ""};
    }
    static const std::set<std::string> kDtTrunc = {"startofday",  "startofweek", "startofmonth",
                                                   "startofyear", "endofday",    "endofweek",
                                                   "endofmonth",  "endofyear"};
    if (kDtTrunc.count(fn)) {
      need(1, 2);
      std::string s = "kql_dt('" + fn + "', " + conv(arg(0), "datetime").sql;
      if (args.size() == 2) s += ", " + arg(1).sql;
      return {s + ")", "datetime", ""};
    }
    static const std::map<std::string, std::string> kDtPart = {
        {"dayofweek", "timespan"}, {"dayofmonth", "int"}, {"dayofyear", "int"},
        {"monthofyear", "long"},   {"getmonth", "int"},   {"getyear", "long"},
        {"hourofday", "int"},      {"weekofyear", "int"}};
    auto dp = kDtPart.find(fn);
    if (dp != kDtPart.end()) {
      need(1, 1);
      return {"kql_dt('" + fn + "', " + conv(arg(0), "datetime").sql + ")", dp->second, ""};
    }
    if (fn == "datetime_diff") {
      need(3, 3);
      bool week = args[0]->kind == ExprKind::kLiteral && args[0]->text == "week";
      return {std::string(week ? "CAST(" : "") + "kql_datetime_diff(" + toStr(arg(0)).sql + ", " +
                  arg(1).sql + ", " + arg(2).sql + ")" + (week ? " AS REAL)" : ""),
              week ? "real" : "long", ""};
    }
    if (fn == "datetime_add") {
      need(3, 3);
      return {"kql_datetime_add(" + toStr(arg(0)).sql + ", " + arg(1).sql + ", " + arg(2).sql + ")",
              "datetime", ""};
    }
    if (fn == "format_datetime") {
      need(2, 2);
      return {"kql_format_datetime(" + arg(0).sql + ", " + toStr(arg(1)).sql + ")", "string", ""};
    }
    if (fn == "make_datetime") {
      need(3, 6);
      std::string y = arg(0).sql, mo = arg(1).sql, d = arg(2).sql;
      std::string h = args.size() > 3 ? arg(3).sql : "0", mi = args.size() > 4 ? arg(4).sql : "0";
      std::string s = args.size() > 5 ? arg(5).sql : "0";
      return {"kql_conv(printf('%04d-%02d-%02dT%02d:%02d:00', " + y + ", " + mo + ", " + d + ", " +
                  h + ", " + mi + "), 'string', 'datetime') + CAST(" + s +
                  " * 10000000 AS INTEGER)",
              "datetime", ""};
    }
    if (fn == "unixtime_seconds_todatetime")
      return {"CAST(" + arg(0).sql + " * 10000000 AS INTEGER)", "datetime", ""};
    if (fn == "unixtime_milliseconds_todatetime")
      return {"CAST(" + arg(0).sql + " * 10000 AS INTEGER)", "datetime", ""};
    if (fn == "unixtime_microseconds_todatetime")
      return {"CAST(" + arg(0).sql + " * 10 AS INTEGER)", "datetime", ""};
    if (fn == "unixtime_nanoseconds_todatetime")
      return {"CAST(" + arg(0).sql + " / 100 AS INTEGER)", "datetime", ""};
    if (fn == "toscalar") {
      need(1, 1);
      if (!isTabularExpr(args[0])) {
        BExpr v = arg(0);
        v.name.clear();
        return v;
      }
      auto t = bindTabular(args[0]);
      if (t->cols.empty()) fail(e->pos, "toscalar needs a column");
      return {"(SELECT " + q(t->cols[0].name) + " FROM (" + t->sql + ") LIMIT 1)", t->cols[0].type,
              ""};
    }
    if (fn == "column_ifexists" || fn == "columnifexists") {
      need(2, 2);
      if (args[0]->kind != ExprKind::kLiteral)
        fail(e->pos, "column_ifexists needs a column name literal");
      if (rel && rel->find(args[0]->text) >= 0) {
        ++rowReads_;
        int i = rel->find(args[0]->text);
        return {qualify_ + q(args[0]->text), rel->cols[i].type, args[0]->text};
      }
      return arg(1);
    }
    if (fn == "strcmp") {
      need(2, 2);
      std::string a = toStr(arg(0)).sql, b = toStr(arg(1)).sql;
      return {
          "(CASE WHEN " + a + " < " + b + " THEN -1 WHEN " + a + " > " + b + " THEN 1 ELSE 0 END)",
          "long", ""};
    }
    if (fn == "gettype") {
      need(1, 1);
      BExpr a = arg(0);
      if (a.type != "dynamic") return {sqlStr(a.type == "real" ? "real" : a.type), "string", ""};
      return {"CASE json_type(" + a.sql +
                  ") WHEN 'object' THEN 'dictionary' WHEN 'array' THEN 'array' WHEN 'integer' THEN "
                  "'long' WHEN 'real' THEN 'real' WHEN 'text' THEN 'string' WHEN 'true' THEN "
                  "'bool' WHEN 'false' THEN 'bool' ELSE 'null' END",
              "string", ""};
    }
    if (fn == "ingestion_time") return {"NULL", "datetime", ""};
    if (fn == "new_guid")
      return {
          "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
          "substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || "
          "hex(randomblob(6)))",
          "guid", ""};
    // Less common functions implemented in functions_more.cc: name -> (result type, arity).
    struct More {
      const char* type;
      size_t lo, hi;
    };
    static const std::map<std::string, More> kMore = {
        {"ipv4_is_private", {"bool", 1, 1}},
        {"ipv4_is_match", {"bool", 2, 3}},
        {"ipv4_compare", {"long", 2, 3}},
        {"ipv4_is_in_range", {"bool", 2, 2}},
        {"parse_ipv4", {"long", 1, 1}},
        {"url_encode", {"string", 1, 1}},
        {"url_encode_component", {"string", 1, 1}},
        {"url_decode", {"string", 1, 1}},
        {"base64_encode_tostring", {"string", 1, 1}},
        {"base64_encodestring", {"string", 1, 1}},
        {"base64_decode_tostring", {"string", 1, 1}},
        {"base64_decodestring", {"string", 1, 1}},
        {"base64_decode_toarray", {"dynamic", 1, 1}},
        {"parse_url", {"dynamic", 1, 1}},
        {"parseurl", {"dynamic", 1, 1}},
        {"parse_urlquery", {"dynamic", 1, 1}},
        {"parse_xml", {"dynamic", 1, 1}},
        {"array_sort_asc", {"dynamic", 1, 2}},
        {"array_sort_desc", {"dynamic", 1, 2}},
        {"tohex", {"string", 1, 2}},
        {"bag_remove_keys", {"dynamic", 2, 2}},
        {"replace_strings", {"string", 3, 3}},
        {"bag_zip", {"dynamic", 2, 2}},
        {"array_iff", {"dynamic", 3, 3}},
        {"array_iif", {"dynamic", 3, 3}},
        {"zip", {"dynamic", 2, 16}},
        {"has_ipv4", {"bool", 2, 2}},
        {"has_ipv4_prefix", {"bool", 2, 2}},
        {"has_any_ipv4", {"bool", 2, 64}},
        {"has_any_ipv4_prefix", {"bool", 2, 64}},
    };
    auto mo = kMore.find(fn);
    if (mo != kMore.end()) {
      need(mo->second.lo, mo->second.hi);
      if ((fn == "array_sort_asc" || fn == "array_sort_desc") && args.size() > 1 &&
          arg(1).type == "dynamic")
        fail(e->pos, "unsupported function '" + fn + "' with several arrays");
      std::string name = fn;
      if (name == "array_iif") name = "array_iff";
      if (name == "base64_encodestring") name = "base64_encode_tostring";
      if (name == "base64_decodestring") name = "base64_decode_tostring";
      if (name == "parseurl") name = "parse_url";
      std::string s = "kql_fn2('" + name + "'";
      for (size_t i = 0; i < args.size(); ++i) {
        BExpr a = arg(i);
        bool dynArg = ((name == "array_sort_asc" || name == "array_sort_desc") && i == 0) ||
                      name == "zip" || name == "bag_remove_keys" || name == "bag_zip" ||
                      name == "array_iff" || (name == "replace_strings" && i > 0);
        bool numArg = (name == "ipv4_is_match" || name == "ipv4_compare" || name == "tohex") &&
                      (i == 2 || (name == "tohex"));
        if ((name == "array_sort_asc" || name == "array_sort_desc") && i == 1) numArg = true;
        if (name.rfind("has_", 0) == 0 && i >= 1 && a.type == "dynamic") dynArg = true;
        if (name == "tohex" && i == 0 && a.type == "int") a.sql = "(" + a.sql + " & 4294967295)";
        s += ", " + (dynArg ? conv(a, "dynamic").sql : numArg ? a.sql : toStr(a).sql);
      }
      return {s + ")", mo->second.type, ""};
    }
    if (fn == "repeat") {
      need(2, 2);
      return {"kql_fn2('repeat', " + conv(arg(0), "dynamic").sql + ", " + arg(1).sql + ")",
              "dynamic", ""};
    }
    if (fn == "extractjson" || fn == "extract_json") {
      need(2, 3);
      BExpr v{"kql_fn2('extractjson', " + toStr(arg(0)).sql + ", " + toStr(arg(1)).sql + ")",
              "string", ""};
      if (args.size() == 3) {
        if (args[2]->kind != ExprKind::kTypeOf)
          fail(args[2]->pos, fn + ": 3rd argument must be typeof(T)");
        std::string t = normType(args[2]->text);
        if (t == "dynamic") return {"kql_parse_json(" + v.sql + ")", "dynamic", ""};
        return conv(v, t);
      }
      v.sql = "coalesce(" + v.sql + ", '')";
      return v;
    }
    if (fn == "range") {
      need(2, 3);
      BExpr a = arg(0), b = arg(1);
      std::string t = a.type == "int" ? "long" : a.type;
      std::string step;
      if (args.size() == 3) {
        BExpr st = arg(2);
        if (isNum(t) && st.type == "real") t = "real";
        step = st.sql;
      } else {
        if (t == "datetime" || t == "timespan")
          step = "36000000000";  // the documented default step for time values is 1h
        else
          step = "1";
      }
      if (isNum(t) && b.type == "real") t = "real";
      if (!isNum(t) && t != "datetime" && t != "timespan")
        fail(e->pos, "range() needs numeric, datetime or timespan bounds");
      return {"kql_fn2('range', " + a.sql + ", " + b.sql + ", " + step + ", " + sqlStr(t) + ")",
              "dynamic", ""};
    }
    if (fn == "row_number" || fn == "prev" || fn == "next" || fn == "row_cumsum") {
      ++rowReads_;  // depends on the row's position even without naming a column
    }
    if (fn == "row_number") {
      need(0, 2);
      if (args.size() == 2) fail(e->pos, "unsupported row_number restart argument");
      std::string start = args.empty() ? "1" : arg(0).sql;
      return {"(row_number() OVER () - 1 + " + start + ")", "long", ""};
    }
    if (fn == "prev" || fn == "next") {
      need(1, 3);
      BExpr a = arg(0);
      std::string off = args.size() > 1 ? arg(1).sql : "1";
      std::string s = std::string(fn == "prev" ? "lag(" : "lead(") + a.sql + ", " + off;
      if (args.size() > 2) s += ", " + conv(arg(2), a.type).sql;
      return {s + ") OVER ()", a.type, ""};
    }
    if (fn == "row_cumsum") {
      need(1, 1);  // the restart form is not supported
      BExpr a = arg(0);
      if (!isNum(a.type) && a.type != "timespan") fail(e->pos, "row_cumsum needs a number");
      return {"sum(" + a.sql + ") OVER (ROWS UNBOUNDED PRECEDING)",
              a.type == "int" ? "long" : a.type, ""};
    }
    if (fn == "string_size") {
      need(1, 1);
      return {"length(CAST(" + toStr(arg(0)).sql + " AS BLOB))", "long", ""};
    }
    if (fn == "dcount_hll") {
      need(1, 1);
      BExpr h = arg(0);
      return {"kql_array_length(" + conv(h, "dynamic").sql + ")", "long",
              h.name.empty() ? "" : "dcount_hll_" + h.name};
    }
    if (fn == "materialize" || fn == "table" || fn == "view")
      fail(e->pos, "'" + fn + "' returns a table and cannot be used as a scalar");
    fail(e->pos, "unsupported function '" + fn + "'");
  }

  // A summarize/make-series item that reads no column (`Metric = 'p_Metric'`, a workbook
  // placeholder): Microsoft's analyzer accepts it and types it as the expression. Every row of a
  // group holds the same value, so any of them is the answer; an empty input gives null, as
  // take_any does.
  BExpr constantAggregate(const BExpr& e) {
    return {"kql_any(" + e.sql + ")", e.type, e.name, true};
  }

  BExpr bindAgg(const ExprPtr& e, const Rel* rel, const std::string& fn,
                const std::vector<ExprPtr>& args) {
    aggSeen_ = true;
    bool saved = inAgg_;
    inAgg_ = false;  // arguments are row-level
    auto arg = [&](size_t i) -> BExpr {
      if (i >= args.size()) fail(e->pos, "aggregation '" + fn + "' needs more arguments");
      return bindExpr(args[i], rel);
    };
    BExpr r;
    if (fn == "count") {
      if (args.empty() || args[0]->kind == ExprKind::kStar)
        r = {"count(*)", "long", "count_"};
      else {
        BExpr a = arg(0);
        // count(predicate) is the deprecated spelling of countif
        if (a.type == "bool")
          r = {"coalesce(sum(CASE WHEN " + a.sql + " THEN 1 ELSE 0 END), 0)", "long",
               "count_" + a.name};
        else
          r = {"count(" + a.sql + ")", "long", "count_" + a.name};
      }
    } else if (fn == "countif") {
      BExpr p = toBool(arg(0));
      r = {"coalesce(sum(CASE WHEN " + p.sql + " THEN 1 ELSE 0 END), 0)", "long", "countif_"};
    } else if (fn == "sum" || fn == "sumif") {
      BExpr a = arg(0);
      if (a.type == "dynamic") a = conv(a, "real");
      std::string x = a.sql;
      if (fn == "sumif") x = "CASE WHEN " + toBool(arg(1)).sql + " THEN " + a.sql + " END";
      std::string t = a.type == "int" || a.type == "bool" ? "long" : a.type;
      r = {"coalesce(sum(" + x + "), 0)", t, aggName(fn, a)};
    } else if (fn == "avg" || fn == "avgif") {
      BExpr a = arg(0);
      if (a.type == "dynamic") a = conv(a, "real");
      std::string x = a.sql;
      if (fn == "avgif") x = "CASE WHEN " + toBool(arg(1)).sql + " THEN " + a.sql + " END";
      if (a.type == "timespan" || a.type == "datetime")
        r = {"CAST(avg(" + x + ") AS INTEGER)", a.type, aggName(fn, a)};
      else
        r = {"avg(" + x + ")", "real", aggName(fn, a)};
    } else if (fn == "min" || fn == "max" || fn == "minif" || fn == "maxif") {
      BExpr a = arg(0);
      if (a.type == "dynamic") a = conv(a, "real");
      std::string x = a.sql;
      if (fn.size() > 3) x = "CASE WHEN " + toBool(arg(1)).sql + " THEN " + a.sql + " END";
      r = {fn.substr(0, 3) + "(" + x + ")", a.type, aggName(fn, a)};
    } else if (fn == "dcount" || fn == "dcountif") {
      BExpr a = arg(0);
      std::string x = a.sql;
      if (fn == "dcountif") x = "CASE WHEN " + toBool(arg(1)).sql + " THEN " + a.sql + " END";
      r = {"count(DISTINCT " + x + ")", "long", aggName(fn, a)};
    } else if (fn == "make_list" || fn == "makelist" || fn == "make_set" || fn == "makeset" ||
               fn == "make_list_if" || fn == "make_set_if") {
      BExpr a = arg(0);
      bool isIf = fn.size() > 3 && fn.substr(fn.size() - 3) == "_if";
      std::string x = conv(a, "dynamic").sql;
      if (isIf) x = "CASE WHEN " + toBool(arg(1)).sql + " THEN " + x + " END";
      size_t maxArg = isIf ? 2 : 1;
      bool isSet = fn.find("set") != std::string::npos;
      std::string s = std::string(isSet ? "kql_make_set(" : "kql_make_list(") + x;
      if (args.size() > maxArg) s += ", " + arg(maxArg).sql;
      r = {s + ")", "dynamic", aggName(fn, a)};
    } else if (fn == "hll" || fn == "hll_if") {
      BExpr a = arg(0);
      std::string x = conv(a, "dynamic").sql;
      if (fn == "hll_if") x = "CASE WHEN " + toBool(arg(1)).sql + " THEN " + x + " END";
      r = {"kql_make_set(" + x + ")", "dynamic", "hll_" + a.name};
    } else if (fn == "hll_merge") {
      BExpr a = arg(0);
      r = {"kql_jfn('set_union_agg', kql_make_list(" + conv(a, "dynamic").sql + "))", "dynamic",
           "hll_merge_" + a.name};
    } else if (fn == "make_bag" || fn == "make_bag_if") {
      BExpr a = arg(0);
      std::string x = conv(a, "dynamic").sql;
      if (fn == "make_bag_if") x = "CASE WHEN " + toBool(arg(1)).sql + " THEN " + x + " END";
      r = {"kql_make_bag(" + x + ")", "dynamic", aggName(fn, a)};
    } else if (fn == "buildschema") {
      BExpr a = arg(0);
      // As Microsoft's analyzer: a string holding JSON must go through parse_json first.
      if (a.type != "dynamic")
        fail(args[0]->pos, "buildschema needs a dynamic value, found " + a.type);
      r = {"kql_buildschema(" + a.sql + ")", "dynamic", aggName(fn, a)};
    } else if (fn == "percentile" || fn == "percentiles") {
      if (args.size() != 2) fail(e->pos, fn + " here needs exactly a value and one percentage");
      BExpr a = arg(0), p = arg(1);
      std::string ptxt = args[1]->text;
      std::replace(ptxt.begin(), ptxt.end(), '.', '_');
      r = {"kql_percentile(" + a.sql + ", " + p.sql + ")", a.type,
           "percentile_" + a.name + "_" + ptxt};
    } else if (fn == "any" || fn == "take_any" || fn == "anyif" || fn == "take_anyif") {
      BExpr a = arg(0);
      std::string x = a.sql;
      if (fn.find("if") != std::string::npos)
        x = "CASE WHEN " + toBool(arg(1)).sql + " THEN " + a.sql + " END";
      if (args.size() > 1 && fn.find("if") == std::string::npos)
        fail(e->pos, fn + " with several arguments is not supported");
      r = {"kql_any(" + x + ")", a.type, fn == "any" ? "any_" + a.name : a.name};
    } else if (fn == "stdev" || fn == "stdevp" || fn == "variance" || fn == "variancep") {
      BExpr a = conv(arg(0), "real");
      int mode = fn == "stdev" ? 0 : fn == "stdevp" ? 1 : fn == "variance" ? 2 : 3;
      r = {"kql_var(" + a.sql + ", " + std::to_string(mode) + ")", "real", aggName(fn, arg(0))};
    } else if (fn == "arg_max" || fn == "arg_min" || fn == "argmax" || fn == "argmin") {
      if (args.size() != 2 || args[1]->kind == ExprKind::kStar)
        fail(e->pos, fn + " must be a top-level summarize aggregate");
      BExpr k = arg(0), v = arg(1);
      bool isMax = fn == "arg_max" || fn == "argmax";
      r = {"kql_arg(" + k.sql + ", " + v.sql + ", " + (isMax ? "1" : "-1") + ")", v.type, v.name};
    } else {
      fail(e->pos, "unsupported aggregation function '" + fn + "'");
    }
    inAgg_ = saved;
    r.has_agg = true;
    return r;
  }

  std::string_view text_;
  const Schema& schema_;
  const Rel* hidden_rel_ = nullptr;  // the wide scan the current operator binds against
  std::string hidden_table_;
  mutable std::set<std::string> property_columns_read_;
  std::vector<Query> classic_defs_;  // parsed classic-table definitions, alive while bound
  BindOptions opts_;
  std::vector<std::map<std::string, Entry>> scopes_;
  std::map<std::string, BExpr> local_;
  std::string qualify_;
  std::string part_;  // mv-apply subquery: the row-id column every operator must carry
  bool inAgg_ = false;
  bool aggSeen_ = false;
  int rowReads_ = 0;  // column (or row-position) reads bound so far; see constantAggregate
  int depth_ = 0;
  int exprDepth_ = 0;
};

}  // namespace

Result<BoundQuery> bind(std::string_view kql, const Schema& schema, const BindOptions& opts) {
  auto parsed = parseQuery(kql);
  if (!parsed.ok()) return parsed.takeError();
  Binder b(kql, schema, opts);
  try {
    return b.bindQuery(parsed.value());
  } catch (const BindError& e) {
    return Error::invalid("KQL error at " + describePos(kql, e.pos) + ": " + e.what);
  }
}

Status parseOnly(std::string_view kql) {
  auto p = parseQuery(kql);
  if (!p.ok()) return p.takeError();
  return okStatus();
}

}  // namespace agentgate::kql
