// KQL syntax tree. One generic node shape for expressions and one for tabular operators keeps
// the parser and binder small; the binder gives the fields their meaning per kind.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace agentgate::kql {

struct Expr;
struct Op;
using ExprPtr = std::shared_ptr<Expr>;

enum class ExprKind {
  kLiteral,    // lit_type + text (already decoded; datetime/timespan/guid raw text; dynamic JSON)
  kName,       // text = identifier (also bracketed ['x'])
  kCall,       // text = function name, args
  kMember,     // args[0].text  (text = key)
  kIndex,      // args[0][args[1]]
  kUnary,      // text = "-", "+", "not"
  kBinary,     // text = operator (==, has, !contains, and, ...), args = {lhs, rhs}
  kIn,         // text = in / !in / in~ / !in~ / has_any / has_all, args[0] = lhs, rest = list
  kBetween,    // text = between / !between, args = {lhs, lo, hi}
  kStar,       // `*` as an argument
  kTypeOf,     // typeof(T): text = T
  kPipe,       // tabular: args[0] = source (or null for an operator-only pipe), ops
  kDatatable,  // schema in names/types, args = flat values
  kPrint,      // names + args
  kRange,      // text = column name, args = {from, to, step}
  kUnion,      // args = tables; options
  kLambda,     // let f = (a:long, ...) { body }: names/types params, body statements in stmts
  kTabularOp,  // a bare operator used as a pipe source inside mv-apply etc. (unused)
};

// Statements inside a query or a lambda body: `let name = value;` or an expression.
struct Stmt {
  std::string let_name;  // empty for a plain expression statement
  ExprPtr value;
  size_t pos = 0;
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  size_t pos = 0;
  std::string text;
  std::string lit_type;  // for literals: string long real bool datetime timespan dynamic guid null
  std::vector<ExprPtr> args;
  std::vector<std::string> names;        // datatable columns / print names / lambda params
  std::vector<std::string> types;        // datatable column types / lambda param types
  std::vector<ExprPtr> defaults;         // lambda param defaults (may be null)
  std::vector<std::shared_ptr<Op>> ops;  // kPipe
  std::vector<Stmt> stmts;               // kLambda body
  std::vector<std::pair<std::string, std::string>> options;  // kind=..., withsource=...
};

// name = expr (name empty when none given); order keys carry direction and nulls placement.
struct NamedExpr {
  std::string name;
  std::vector<std::string> tuple_names;  // (a, b) = arg_max(...)
  ExprPtr expr;
  bool desc = true;
  int nulls = 0;        // 0 default, 1 first, 2 last
  std::string to_type;  // mv-expand `to typeof(T)`
  size_t pos = 0;
};

struct Op {
  std::string kind;  // where, project, extend, summarize, sort, take, top, count, distinct, ...
  size_t pos = 0;
  std::vector<NamedExpr> items;
  std::vector<NamedExpr> by;
  ExprPtr expr;   // where predicate, take/top count, parse source, render chart (text)
  ExprPtr right;  // join/lookup/union right side
  std::vector<ExprPtr> on;
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<ExprPtr> pattern;  // parse: literals (kLiteral string), kStar, kName (with type)
  std::vector<std::string> pattern_types;
  std::string text;              // render chart type, `as` name, make-series step...
  ExprPtr from, to, step, axis;  // make-series / range
  std::vector<ExprPtr> defaults;
};

struct Query {
  std::vector<Stmt> stmts;
};

}  // namespace agentgate::kql
