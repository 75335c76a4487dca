#include "kql/parser.h"

#include <cctype>
#include <cstdint>
#include <set>

namespace agentgate::kql {

std::string describePos(std::string_view text, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

namespace {

enum class Tok { kIdent, kNumber, kTimespan, kString, kRaw, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;      // identifier / punct / decoded string / number text / raw literal content
  std::string raw_kind;  // for kRaw: datetime, timespan, guid
  size_t pos = 0;
  size_t end = 0;
};

bool isIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}
bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

const std::set<std::string>& timespanUnits() {
  static const std::set<std::string> k = {"d",           "day",          "days",
                                          "h",           "hr",           "hrs",
                                          "hour",        "hours",        "m",
                                          "min",         "minute",       "minutes",
                                          "s",           "sec",          "second",
                                          "seconds",     "ms",           "milli",
                                          "millis",      "millisecond",  "milliseconds",
                                          "microsecond", "microseconds", "micro",
                                          "micros",      "tick",         "ticks",
                                          "nanosecond",  "nanoseconds"};
  return k;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    while (true) {
      skipSpace();
      if (i_ >= s_.size()) break;
      auto t = next();
      if (!t.ok()) return t.takeError();
      out.push_back(std::move(t.value()));
    }
    Token end;
    end.pos = end.end = s_.size();
    out.push_back(end);
    return out;
  }

 private:
  Error err(size_t pos, const std::string& what) {
    return Error::invalid("KQL syntax error at " + describePos(s_, pos) + ": " + what);
  }

  void skipSpace() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i_;
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '/') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  Result<std::string> quoted(char q, bool verbatim) {
    std::string v;
    size_t start = i_;
    ++i_;
    while (true) {
      if (i_ >= s_.size()) return err(start, "unterminated string literal");
      char c = s_[i_];
      if (c == '\n' && !verbatim) return err(start, "unterminated string literal");
      if (c == q) {
        if (verbatim && i_ + 1 < s_.size() && s_[i_ + 1] == q) {
          v.push_back(q);
          i_ += 2;
          continue;
        }
        ++i_;
        return v;
      }
      if (c == '\\' && !verbatim && i_ + 1 < s_.size()) {
        char e = s_[i_ + 1];
        i_ += 2;
        switch (e) {
          case 'n':
            v.push_back('\n');
            break;
          case 't':
            v.push_back('\t');
            break;
          case 'r':
            v.push_back('\r');
            break;
          case '0':
            v.push_back('\0');
            break;
          case 'u': {
            if (i_ + 4 > s_.size()) return err(start, "bad \\u escape");
            uint32_t cp = 0;
            for (int k = 0; k < 4; ++k) {
              char h = s_[i_ + k];
              if (!std::isxdigit(static_cast<unsigned char>(h)))
                return err(start, "bad \\u escape");
              cp = cp * 16 + (std::isdigit(static_cast<unsigned char>(h))
                                  ? h - '0'
                                  : (std::tolower(h) - 'a' + 10));
            }
            i_ += 4;
            if (cp < 0x80) {
              v.push_back(static_cast<char>(cp));
            } else if (cp < 0x800) {
              v.push_back(static_cast<char>(0xC0 | (cp >> 6)));
              v.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            } else {
              v.push_back(static_cast<char>(0xE0 | (cp >> 12)));
              v.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
              v.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            }
            break;
          }
          default:
            v.push_back(e);
        }
        continue;
      }
      v.push_back(c);
      ++i_;
    }
  }

  Result<Token> next() {
    Token t;
    t.pos = i_;
    char c = s_[i_];
    // Strings: '...', "...", @'...', h'...', ```...```
    if (c == '`' && s_.substr(i_, 3) == "```") {
      size_t e = s_.find("```", i_ + 3);
      if (e == std::string_view::npos) return err(i_, "unterminated ``` string");
      t.kind = Tok::kString;
      t.text = std::string(s_.substr(i_ + 3, e - i_ - 3));
      i_ = e + 3;
      t.end = i_;
      return t;
    }
    if (c == '\'' || c == '"') {
      auto v = quoted(c, false);
      if (!v.ok()) return v.takeError();
      t.kind = Tok::kString;
      t.text = std::move(v.value());
      t.end = i_;
      return t;
    }
    if ((c == '@' || c == 'h' || c == 'H') && i_ + 1 < s_.size() &&
        (s_[i_ + 1] == '\'' || s_[i_ + 1] == '"')) {
      bool verbatim = c == '@';
      ++i_;
      auto v = quoted(s_[i_], verbatim);
      if (!v.ok()) return v.takeError();
      t.kind = Tok::kString;
      t.text = std::move(v.value());
      t.end = i_;
      return t;
    }
    if ((c == 'h' || c == 'H') && i_ + 2 < s_.size() && s_[i_ + 1] == '@' &&
        (s_[i_ + 2] == '\'' || s_[i_ + 2] == '"')) {
      i_ += 2;
      auto v = quoted(s_[i_], true);
      if (!v.ok()) return v.takeError();
      t.kind = Tok::kString;
      t.text = std::move(v.value());
      t.end = i_;
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_ + 1])))) {
      size_t st = i_;
      if (c == '0' && i_ + 1 < s_.size() && (s_[i_ + 1] == 'x' || s_[i_ + 1] == 'X')) {
        i_ += 2;
        while (i_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        t.kind = Tok::kNumber;
        t.text = std::string(s_.substr(st, i_ - st));
        t.end = i_;
        return t;
      }
      bool real = false;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ < s_.size() && s_[i_] == '.' && !(i_ + 1 < s_.size() && s_[i_ + 1] == '.')) {
        real = true;
        ++i_;
        while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      }
      if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
        size_t k = i_ + 1;
        if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
        if (k < s_.size() && std::isdigit(static_cast<unsigned char>(s_[k]))) {
          real = true;
          i_ = k;
          while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        }
      }
      std::string num(s_.substr(st, i_ - st));
      if (i_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) {
        size_t us = i_;
        while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
        std::string unit(s_.substr(us, i_ - us));
        bool more = i_ < s_.size() && isIdentChar(s_[i_]);
        if (!real && (more || timespanUnits().count(unit) == 0)) {
          // Digits then letters that make no timespan: a name, as Kusto lexes it
          // (`bin(5Minutebin = Timestamp, 5m)` declares a column named 5Minutebin).
          while (i_ < s_.size() && isIdentChar(s_[i_])) ++i_;
          t.kind = Tok::kIdent;
          t.text = std::string(s_.substr(st, i_ - st));
          t.end = i_;
          return t;
        }
        if (timespanUnits().count(unit) == 0 || more)
          return err(st, "bad number literal '" + num + unit + "'");
        t.kind = Tok::kTimespan;
        t.text = num + unit;
        t.end = i_;
        return t;
      }
      t.kind = Tok::kNumber;
      t.text = num;
      t.raw_kind = real ? "real" : "long";
      t.end = i_;
      return t;
    }
    if (isIdentStart(c)) {
      size_t st = i_;
      ++i_;
      while (i_ < s_.size() && isIdentChar(s_[i_])) ++i_;
      t.kind = Tok::kIdent;
      t.text = std::string(s_.substr(st, i_ - st));
      // datetime(...), time(...), timespan(...), guid(...): raw content up to ')'.
      if (t.text == "datetime" || t.text == "time" || t.text == "timespan" || t.text == "guid" ||
          t.text == "uuid" || t.text == "uniqueid") {
        size_t k = i_;
        while (k < s_.size() && (s_[k] == ' ' || s_[k] == '\t')) ++k;
        if (k < s_.size() && s_[k] == '(') {
          size_t e = s_.find(')', k);
          if (e == std::string_view::npos)
            return err(st, "unterminated " + t.text + "(...) literal");
          t.kind = Tok::kRaw;
          t.raw_kind = t.text == "time"
                           ? "timespan"
                           : (t.text == "datetime" ? "datetime"
                                                   : (t.text == "timespan" ? "timespan" : "guid"));
          std::string_view inner = s_.substr(k + 1, e - k - 1);
          while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.front())))
            inner.remove_prefix(1);
          while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.back())))
            inner.remove_suffix(1);
          if (inner.size() >= 2 && (inner.front() == '"' || inner.front() == '\'') &&
              inner.back() == inner.front()) {
            inner = inner.substr(1, inner.size() - 2);
          }
          t.text = std::string(inner);
          i_ = e + 1;
        }
      }
      t.end = i_;
      return t;
    }
    static const char* kTwo[] = {"==", "!=", "<>", "<=", ">=", "=~", "!~", "..", "=>", "<|"};
    for (const char* p : kTwo) {
      if (s_.substr(i_, 2) == p) {
        t.kind = Tok::kPunct;
        t.text = p;
        i_ += 2;
        t.end = i_;
        return t;
      }
    }
    static const std::string kOne = "|()[]{},;.=<>+-*/%:!~?@#";
    if (kOne.find(c) != std::string::npos) {
      t.kind = Tok::kPunct;
      t.text = std::string(1, c);
      ++i_;
      t.end = i_;
      return t;
    }
    return err(i_, std::string("unexpected character '") + c + "'");
  }

  std::string_view s_;
  size_t i_ = 0;
};

ExprPtr mk(ExprKind k, size_t pos, std::string text = {}) {
  auto e = std::make_shared<Expr>();
  e->kind = k;
  e->pos = pos;
  e->text = std::move(text);
  return e;
}

// Thrown only inside the parser and caught in parseQuery: keeps the recursive descent short.
struct ParseError {
  size_t pos;
  std::string what;
};

const std::set<std::string>& binaryWordOps() {
  static const std::set<std::string> k = {
      "has",      "has_cs",      "hasprefix",   "hasprefix_cs",  "hassuffix",  "hassuffix_cs",
      "contains", "contains_cs", "startswith",  "startswith_cs", "endswith",   "endswith_cs",
      "like",     "notlike",     "notcontains", "notcontainscs", "containscs", "nothas"};
  return k;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> toks) : text_(text), t_(std::move(toks)) {}

  Query parseAll() {
    Query q;
    while (!atEnd()) {
      if (isPunct(";")) {
        ++p_;
        continue;
      }
      q.stmts.push_back(parseStatement());
      if (!atEnd() && !isPunct(";"))
        fail(cur().pos, "expected ';' or end of query, found " + curDesc());
    }
    return q;
  }

 private:
  [[noreturn]] void fail(size_t pos, const std::string& what) { throw ParseError{pos, what}; }

  const Token& cur() const { return t_[p_]; }
  const Token& peek(size_t k = 1) const { return t_[std::min(p_ + k, t_.size() - 1)]; }
  bool atEnd() const { return cur().kind == Tok::kEnd; }
  bool isPunct(const char* s) const { return cur().kind == Tok::kPunct && cur().text == s; }
  bool isIdent(const char* s) const { return cur().kind == Tok::kIdent && cur().text == s; }
  bool peekPunct(size_t k, const char* s) const {
    return peek(k).kind == Tok::kPunct && peek(k).text == s;
  }
  std::string curDesc() const {
    if (atEnd()) return "end of query";
    return "'" + cur().text + "'";
  }
  void expectPunct(const char* s) {
    if (!isPunct(s)) fail(cur().pos, std::string("expected '") + s + "', found " + curDesc());
    ++p_;
  }
  std::string expectIdent() {
    if (cur().kind == Tok::kIdent) return t_[p_++].text;
    if (isPunct("[") && peek().kind == Tok::kString && peekPunct(2, "]")) {
      std::string n = peek().text;
      p_ += 3;
      return n;
    }
    fail(cur().pos, "expected a name, found " + curDesc());
  }
  bool adjacent() const { return p_ > 0 && t_[p_ - 1].end == cur().pos; }

  Stmt parseStatement() {
    Stmt st;
    st.pos = cur().pos;
    if (isIdent("let") && (peek().kind == Tok::kIdent || peekPunct(1, "["))) {
      ++p_;
      st.let_name = expectIdent();
      expectPunct("=");
      if (isLambdaStart()) {
        st.value = parseLambda();
      } else {
        st.value = parsePipe();
      }
      return st;
    }
    if (isIdent("set") && peek().kind == Tok::kIdent) {
      // Request options are accepted and ignored: skip to ';'.
      while (!atEnd() && !isPunct(";")) ++p_;
      st.value = nullptr;
      st.let_name = "";
      return st;
    }
    if (isIdent("declare") || isIdent("alias") || isIdent("pattern") || isIdent("restrict")) {
      fail(cur().pos, "unsupported statement '" + cur().text + "'");
    }
    st.value = parsePipe();
    return st;
  }

  bool isLambdaStart() {
    size_t k = 0;
    if (isIdent("view")) k = 1;
    if (!peekPunct(k, "(")) {
      return false;
    }
    if (peekPunct(k + 1, ")") && peekPunct(k + 2, "{")) return true;
    if (peek(k + 1).kind == Tok::kIdent && peekPunct(k + 2, ":")) return true;
    return false;
  }

  ExprPtr parseLambda() {
    auto e = mk(ExprKind::kLambda, cur().pos);
    if (isIdent("view")) ++p_;
    expectPunct("(");
    while (!isPunct(")")) {
      std::string name = expectIdent();
      expectPunct(":");
      std::string type;
      if (isPunct("(")) {
        // tabular parameter: (*) or (a:string, ...)
        int depth = 0;
        do {
          if (isPunct("(")) ++depth;
          if (isPunct(")")) --depth;
          ++p_;
        } while (depth > 0 && !atEnd());
        type = "(tabular)";
      } else {
        type = expectIdent();
      }
      ExprPtr def;
      if (isPunct("=")) {
        ++p_;
        def = parseExpr();
      }
      e->names.push_back(name);
      e->types.push_back(type);
      e->defaults.push_back(def);
      if (isPunct(","))
        ++p_;
      else if (!isPunct(")"))
        fail(cur().pos, "expected ',' or ')' in parameter list");
    }
    expectPunct(")");
    expectPunct("{");
    while (!isPunct("}")) {
      if (atEnd()) fail(cur().pos, "unterminated function body");
      if (isPunct(";")) {
        ++p_;
        continue;
      }
      e->stmts.push_back(parseStatement());
      if (!isPunct(";") && !isPunct("}"))
        fail(cur().pos, "expected ';' or '}' in function body, found " + curDesc());
    }
    expectPunct("}");
    return e;
  }

  // expr ( '|' operator )*
  ExprPtr parsePipe() {
    size_t pos = cur().pos;
    ExprPtr src;
    if (isPunct("|")) {
      src = nullptr;  // operator-only pipe (mv-apply subquery); rejected by binder
    } else {
      src = parseSource();
    }
    if (!isPunct("|")) return src;
    auto pipe = mk(ExprKind::kPipe, pos);
    pipe->args.push_back(src);
    while (isPunct("|")) {
      ++p_;
      pipe->ops.push_back(parseOp());
    }
    return pipe;
  }

  ExprPtr parseSource() {
    if (cur().kind == Tok::kIdent) {
      const std::string& w = cur().text;
      if (w == "print") return parsePrint();
      if (w == "datatable" && (peekPunct(1, "("))) return parseDatatable();
      if (w == "range" && peek().kind == Tok::kIdent && peek(2).kind == Tok::kIdent &&
          peek(2).text == "from")
        return parseRange();
      if (w == "union" && !peekPunct(1, "(")) return parseUnion(nullptr);
      if (w == "union" && peekPunct(1, "(")) return parseUnion(nullptr);
      if (w == "externaldata" && peekPunct(1, "(")) return parseExternalData();
      if (w == "find" || w == "search" || w == "externaldata" || w == "evaluate" ||
          w == "external_table" || w == "cluster" || w == "database" || w == "workspace" ||
          w == "app" || w == "macro-expand" || w == "graph") {
        if (w == "cluster" || w == "database" || w == "workspace" || w == "app") {
          if (peekPunct(1, "("))
            fail(cur().pos, "unsupported cross-resource reference '" + w + "()'");
        } else {
          fail(cur().pos, "unsupported operator '" + w + "'");
        }
      }
    }
    return parseExpr();
  }

  ExprPtr parsePrint() {
    auto e = mk(ExprKind::kPrint, cur().pos);
    ++p_;
    do {
      if (isPunct(",")) ++p_;
      std::string name;
      if ((cur().kind == Tok::kIdent || isPunct("[")) && isAssign()) {
        name = expectIdent();
        expectPunct("=");
      }
      e->names.push_back(name);
      e->args.push_back(parseExpr());
    } while (isPunct(","));
    return e;
  }

  bool isAssign() {
    if (cur().kind == Tok::kIdent) return peekPunct(1, "=");
    if (isPunct("[") && peek().kind == Tok::kString && peekPunct(2, "]")) return peekPunct(3, "=");
    return false;
  }

  std::string parseTypeName() {
    std::string t = expectIdent();
    return t;
  }

  ExprPtr parseDatatable() {
    auto e = mk(ExprKind::kDatatable, cur().pos);
    ++p_;
    expectPunct("(");
    while (!isPunct(")")) {
      e->names.push_back(expectIdent());
      expectPunct(":");
      e->types.push_back(parseTypeName());
      if (isPunct(","))
        ++p_;
      else if (!isPunct(")"))
        fail(cur().pos, "expected ',' or ')' in datatable schema");
    }
    expectPunct(")");
    expectPunct("[");
    if (isPunct(",")) ++p_;  // a leading comma is accepted
    while (!isPunct("]")) {
      e->args.push_back(parseExpr());
      if (isPunct(","))
        ++p_;
      else if (!isPunct("]"))
        fail(cur().pos, "expected ',' or ']' in datatable values");
    }
    expectPunct("]");
    return e;
  }

  // externaldata (a:string, ...) [ "url", ... ] [with (...)]: the schema is kept; the binder
  // makes execution fail (fetching URLs is not supported) while binding still type-checks.
  ExprPtr parseExternalData() {
    auto e = mk(ExprKind::kDatatable, cur().pos);
    e->options.emplace_back("externaldata", "1");
    ++p_;
    expectPunct("(");
    while (!isPunct(")")) {
      e->names.push_back(expectIdent());
      expectPunct(":");
      e->types.push_back(parseTypeName());
      if (isPunct(","))
        ++p_;
      else if (!isPunct(")"))
        fail(cur().pos, "expected ',' or ')' in externaldata schema");
    }
    expectPunct(")");
    expectPunct("[");
    while (!isPunct("]")) {
      parseExpr();
      if (isPunct(","))
        ++p_;
      else if (!isPunct("]"))
        fail(cur().pos, "expected ',' or ']' in externaldata URLs");
    }
    expectPunct("]");
    if (isIdent("with") && peekPunct(1, "(")) {
      ++p_;
      skipParens();
    }
    return e;
  }

  void skipParens() {
    int depth = 0;
    do {
      if (atEnd()) fail(cur().pos, "unbalanced parentheses");
      if (isPunct("(")) ++depth;
      if (isPunct(")")) --depth;
      ++p_;
    } while (depth > 0);
  }

  // The operators of a subquery: `( op | op ... )` where the first op has no leading '|'.
  ExprPtr parseSubqueryOps() {
    auto pipe = mk(ExprKind::kPipe, cur().pos);
    pipe->args.push_back(nullptr);
    if (isPunct("|")) ++p_;
    pipe->ops.push_back(parseOp());
    while (isPunct("|")) {
      ++p_;
      pipe->ops.push_back(parseOp());
    }
    return pipe;
  }

  ExprPtr parseRange() {
    auto e = mk(ExprKind::kRange, cur().pos);
    ++p_;
    e->text = expectIdent();
    if (!isIdent("from")) fail(cur().pos, "expected 'from' in range");
    ++p_;
    e->args.push_back(parseExpr());
    if (!isIdent("to")) fail(cur().pos, "expected 'to' in range");
    ++p_;
    e->args.push_back(parseExpr());
    if (!isIdent("step")) fail(cur().pos, "expected 'step' in range");
    ++p_;
    e->args.push_back(parseExpr());
    return e;
  }

  void parseOptions(std::vector<std::pair<std::string, std::string>>& opts,
                    const std::set<std::string>& names) {
    while (cur().kind == Tok::kIdent) {
      std::string n = cur().text;
      // hint.xxx = yyy
      if (n == "hint" && peekPunct(1, ".")) {
        p_ += 2;
        std::string h = "hint." + expectIdent();
        expectPunct("=");
        opts.emplace_back(h, cur().text);
        ++p_;
        continue;
      }
      if (names.count(n) == 0 || !peekPunct(1, "=")) break;
      p_ += 2;
      std::string v;
      if (cur().kind == Tok::kIdent || cur().kind == Tok::kString || cur().kind == Tok::kNumber) {
        v = cur().text;
        ++p_;
      } else {
        fail(cur().pos, "expected a value for option '" + n + "'");
      }
      opts.emplace_back(n, v);
    }
  }

  ExprPtr parseUnion(ExprPtr first, bool skipKeyword = true) {
    auto e = mk(ExprKind::kUnion, cur().pos);
    if (skipKeyword) ++p_;  // union
    parseOptions(e->options, {"kind", "withsource", "isfuzzy"});
    if (first) e->args.push_back(first);
    do {
      if (isPunct(",")) ++p_;
      e->args.push_back(parseTabularRef());
    } while (isPunct(","));
    return e;
  }

  // A table operand: (pipe), name, name* wildcard, or a function call.
  ExprPtr parseTabularRef() {
    if (isPunct("(")) {
      ++p_;
      auto inner = parsePipe();
      expectPunct(")");
      return inner;
    }
    if (cur().kind == Tok::kIdent && peekPunct(1, "*") && t_[p_ + 1].pos == cur().end) {
      auto n = mk(ExprKind::kName, cur().pos, cur().text + "*");
      p_ += 2;
      while (cur().kind == Tok::kIdent && adjacent()) {
        n->text += cur().text;
        ++p_;
      }
      return n;
    }
    return parsePostfix();
  }

  std::string opName() {
    if (cur().kind != Tok::kIdent)
      fail(cur().pos, "expected an operator after '|', found " + curDesc());
    std::string n = cur().text;
    ++p_;
    while (isPunct("-") && adjacent() && peek().kind == Tok::kIdent && peek().pos == cur().end) {
      n += "-" + peek().text;
      p_ += 2;
    }
    return n;
  }

  NamedExpr parseNamed(bool allow_tuple = false) {
    NamedExpr ne;
    ne.pos = cur().pos;
    if (allow_tuple && isPunct("(") && peek().kind == Tok::kIdent &&
        (peekPunct(2, ",") || peekPunct(2, ")"))) {
      // (a, b) = f(...)
      size_t save = p_;
      ++p_;
      std::vector<std::string> names;
      bool ok = true;
      while (!isPunct(")")) {
        if (cur().kind != Tok::kIdent) {
          ok = false;
          break;
        }
        names.push_back(cur().text);
        ++p_;
        if (isPunct(",")) ++p_;
      }
      if (ok && isPunct(")") && peekPunct(1, "=")) {
        p_ += 2;
        ne.tuple_names = names;
        ne.expr = parseExpr();
        return ne;
      }
      p_ = save;
    }
    if (isAssign()) {
      ne.name = expectIdent();
      expectPunct("=");
    }
    ne.expr = parseExpr();
    return ne;
  }

  std::vector<NamedExpr> parseNamedList(bool allow_tuple = false) {
    std::vector<NamedExpr> out;
    out.push_back(parseNamed(allow_tuple));
    while (isPunct(",")) {
      ++p_;
      out.push_back(parseNamed(allow_tuple));
    }
    return out;
  }

  // Column name patterns for project-away / project-keep / project-reorder: a, b*, *x
  NamedExpr parseColumnPattern() {
    NamedExpr ne;
    ne.pos = cur().pos;
    std::string pat;
    bool any = false;
    while (true) {
      if (cur().kind == Tok::kIdent && (!any || adjacent())) {
        pat += cur().text;
        ++p_;
        any = true;
      } else if (isPunct("*") && (!any || adjacent())) {
        pat += "*";
        ++p_;
        any = true;
      } else if (any && cur().kind == Tok::kNumber && adjacent()) {
        pat += cur().text;  // project-away *1
        ++p_;
      } else if (!any && isPunct("[")) {
        pat = expectIdent();
        any = true;
      } else {
        break;
      }
    }
    if (!any) fail(cur().pos, "expected a column name, found " + curDesc());
    ne.name = pat;
    return ne;
  }

  void parseSortKeys(std::vector<NamedExpr>& out) {
    do {
      if (isPunct(",")) ++p_;
      NamedExpr ne;
      ne.pos = cur().pos;
      ne.expr = parseExpr();
      if (isIdent("asc")) {
        ne.desc = false;
        ++p_;
      } else if (isIdent("desc")) {
        ++p_;
      }
      if (isIdent("nulls")) {
        ++p_;
        if (isIdent("first"))
          ne.nulls = 1;
        else if (isIdent("last"))
          ne.nulls = 2;
        else
          fail(cur().pos, "expected 'first' or 'last' after 'nulls'");
        ++p_;
      }
      out.push_back(ne);
    } while (isPunct(","));
  }

  std::shared_ptr<Op> parseOp() {
    auto op = std::make_shared<Op>();
    op->pos = cur().pos;
    std::string n = opName();
    if (n == "filter") n = "where";
    if (n == "mvexpand") n = "mv-expand";
    if (n == "mvapply") n = "mv-apply";
    if (n == "limit") n = "take";
    if (n == "order" || n == "sort") {
      if (!isIdent("by")) fail(cur().pos, "expected 'by' after '" + n + "'");
      ++p_;
      n = "sort";
    }
    op->kind = n;
    if (n == "where") {
      op->expr = parseExpr();
    } else if (n == "project" || n == "extend" || n == "serialize") {
      if (n == "serialize" && (atEnd() || isPunct("|") || isPunct(";") || isPunct(")"))) return op;
      op->items = parseNamedList();
    } else if (n == "project-away" || n == "project-keep") {
      do {
        if (isPunct(",")) ++p_;
        op->items.push_back(parseColumnPattern());
      } while (isPunct(","));
    } else if (n == "project-reorder") {
      do {
        if (isPunct(",")) ++p_;
        NamedExpr ne = parseColumnPattern();
        if (isIdent("asc") || isIdent("desc")) {
          ne.nulls = isIdent("asc") ? 3 : 4;  // project-reorder: sort matched names
          ++p_;
        } else if (isIdent("granny") && peekPunct(1, "-")) {
          p_ += 2;
          ne.nulls = isIdent("asc") ? 3 : 4;
          ++p_;
        }
        op->items.push_back(ne);
      } while (isPunct(","));
    } else if (n == "project-rename") {
      do {
        if (isPunct(",")) ++p_;
        NamedExpr ne;
        ne.pos = cur().pos;
        ne.name = expectIdent();
        expectPunct("=");
        ne.expr = mk(ExprKind::kName, cur().pos, expectIdent());
        op->items.push_back(ne);
      } while (isPunct(","));
    } else if (n == "summarize") {
      parseOptions(op->options, {});
      if (!isIdent("by")) op->items = parseNamedList(true);
      if (isIdent("by")) {
        ++p_;
        op->by = parseNamedList();
      }
    } else if (n == "sort") {
      parseSortKeys(op->items);
    } else if (n == "take" || n == "sample") {
      op->expr = parseExpr();
    } else if (n == "top") {
      op->expr = parseExpr();
      if (!isIdent("by")) fail(cur().pos, "expected 'by' in top");
      ++p_;
      parseSortKeys(op->items);
    } else if (n == "count" || n == "getschema") {
      // no arguments
    } else if (n == "distinct") {
      if (isPunct("*")) {
        ++p_;
        NamedExpr ne;
        ne.name = "*";
        op->items.push_back(ne);
      } else {
        op->items = parseNamedList();
      }
    } else if (n == "join" || n == "lookup") {
      parseOptions(op->options, {"kind", "withsource"});
      op->right = parseTabularRef();
      if (isIdent("on")) {
        ++p_;
        do {
          if (isPunct(",")) ++p_;
          op->on.push_back(parseExpr());
        } while (isPunct(","));
      } else if (n == "join" && isIdent("where")) {
        fail(cur().pos, "unsupported join 'where' clause");
      } else {
        fail(cur().pos, "expected 'on' in " + n);
      }
    } else if (n == "union") {
      op->right = parseUnion(nullptr, false);
    } else if (n == "mv-expand") {
      parseOptions(op->options, {"bagexpansion", "with_itemindex", "kind"});
      do {
        if (isPunct(",")) ++p_;
        NamedExpr ne = parseNamed();
        if (isIdent("to") && peek().kind == Tok::kIdent && peek().text == "typeof") {
          p_ += 2;
          expectPunct("(");
          ne.to_type = expectIdent();
          expectPunct(")");
        }
        op->items.push_back(ne);
      } while (isPunct(","));
      if (isIdent("limit")) {
        ++p_;
        op->expr = parseExpr();
      }
    } else if (n == "parse-kv") {
      fail(op->pos, "unsupported operator 'parse-kv'");
    } else if (n == "parse" || n == "parse-where") {
      parseOptions(op->options, {"kind", "flags"});
      op->expr = parseExpr();
      if (!isIdent("with")) fail(cur().pos, "expected 'with' in parse");
      ++p_;
      while (!atEnd() && !isPunct("|") && !isPunct(";") && !isPunct(")") && !isPunct("}")) {
        if (cur().kind == Tok::kString) {
          auto lit = mk(ExprKind::kLiteral, cur().pos, cur().text);
          lit->lit_type = "string";
          ++p_;
          while (cur().kind == Tok::kString) {
            lit->text += cur().text;
            ++p_;
          }
          op->pattern.push_back(lit);
          op->pattern_types.push_back("");
        } else if (isPunct("*")) {
          op->pattern.push_back(mk(ExprKind::kStar, cur().pos));
          op->pattern_types.push_back("");
          ++p_;
        } else if (cur().kind == Tok::kIdent || isPunct("[")) {
          auto nm = mk(ExprKind::kName, cur().pos, expectIdent());
          std::string ty = "string";
          if (isPunct(":")) {
            ++p_;
            ty = expectIdent();
          }
          op->pattern.push_back(nm);
          op->pattern_types.push_back(ty);
        } else if (isPunct(",")) {
          ++p_;
        } else {
          fail(cur().pos, "unexpected " + curDesc() + " in parse pattern");
        }
      }
    } else if (n == "render") {
      op->text = expectIdent();
      if (isIdent("with") && peekPunct(1, "(")) {
        ++p_;
        int depth = 0;
        do {
          if (isPunct("(")) ++depth;
          if (isPunct(")")) --depth;
          ++p_;
        } while (depth > 0 && !atEnd());
      }
    } else if (n == "as") {
      parseOptions(op->options, {});
      op->text = expectIdent();
    } else if (n == "evaluate" || n == "invoke") {
      parseOptions(op->options, {});
      op->expr = parsePostfix();
    } else if (n == "mv-apply") {
      parseOptions(op->options, {"with_itemindex"});
      do {
        if (isPunct(",")) ++p_;
        NamedExpr ne = parseNamed();
        if (isIdent("to") && peek().kind == Tok::kIdent && peek().text == "typeof") {
          p_ += 2;
          expectPunct("(");
          ne.to_type = expectIdent();
          expectPunct(")");
        }
        op->items.push_back(ne);
      } while (isPunct(","));
      if (isIdent("limit")) {
        ++p_;
        op->expr = parseExpr();
      }
      if (!isIdent("on")) fail(cur().pos, "expected 'on' in mv-apply");
      ++p_;
      expectPunct("(");
      op->right = parseSubqueryOps();
      expectPunct(")");
    } else if (n == "top-nested") {
      // clauses: top-nested [N] of [name =] expr [with others = v] by [name =] agg [asc|desc]
      while (true) {
        NamedExpr level;
        level.pos = cur().pos;
        ExprPtr count;
        if (!isIdent("of")) count = parseAdd();
        if (!isIdent("of")) fail(cur().pos, "expected 'of' in top-nested");
        ++p_;
        NamedExpr key = parseNamed();
        if (isIdent("with")) fail(cur().pos, "unsupported top-nested 'with others'");
        if (!isIdent("by")) fail(cur().pos, "expected 'by' in top-nested");
        ++p_;
        NamedExpr agg = parseNamed();
        agg.desc = true;
        if (isIdent("asc")) {
          agg.desc = false;
          ++p_;
        } else if (isIdent("desc")) {
          ++p_;
        }
        key.expr = key.expr;
        op->by.push_back(key);
        op->items.push_back(agg);
        op->defaults.push_back(count);
        if (!isPunct(",")) break;
        ++p_;
        if (cur().kind == Tok::kIdent && cur().text == "top" && peekPunct(1, "-") &&
            peek(2).kind == Tok::kIdent && peek(2).text == "nested") {
          p_ += 3;
        } else {
          fail(cur().pos, "expected 'top-nested' after ','");
        }
      }
    } else if (n == "make-series") {
      parseOptions(op->options, {"kind"});
      while (!isIdent("on")) {
        if (isPunct(",")) ++p_;
        NamedExpr ne = parseNamed();
        ExprPtr def;
        if (isIdent("default") && peekPunct(1, "=")) {
          p_ += 2;
          def = parseExpr();
        }
        op->items.push_back(ne);
        op->defaults.push_back(def);
        if (atEnd()) fail(cur().pos, "expected 'on' in make-series");
        if (!isPunct(",") && !isIdent("on")) fail(cur().pos, "expected ',' or 'on' in make-series");
      }
      ++p_;
      op->axis = parseAdd();
      if (isIdent("in") && peek().kind == Tok::kIdent && peek().text == "range") {
        p_ += 2;
        expectPunct("(");
        op->from = parseExpr();
        expectPunct(",");
        op->to = parseExpr();
        expectPunct(",");
        op->step = parseExpr();
        expectPunct(")");
      } else {
        if (isIdent("from")) {
          ++p_;
          op->from = parseExpr();
        }
        if (isIdent("to")) {
          ++p_;
          op->to = parseExpr();
        }
        if (!isIdent("step")) fail(cur().pos, "expected 'step' in make-series");
        ++p_;
        op->step = parseExpr();
      }
      if (isIdent("by")) {
        ++p_;
        op->by = parseNamedList();
      }
    } else {
      fail(op->pos, "unsupported operator '" + n + "'");
    }
    return op;
  }

  // ---- expressions ----
  ExprPtr parseExpr() { return parseOr(); }

  ExprPtr parseOr() {
    auto l = parseAnd();
    while (isIdent("or")) {
      auto e = mk(ExprKind::kBinary, cur().pos, "or");
      ++p_;
      e->args = {l, parseAnd()};
      l = e;
    }
    return l;
  }

  ExprPtr parseAnd() {
    auto l = parseCompare();
    while (isIdent("and")) {
      auto e = mk(ExprKind::kBinary, cur().pos, "and");
      ++p_;
      e->args = {l, parseCompare()};
      l = e;
    }
    return l;
  }

  std::vector<ExprPtr> parseParenList() {
    expectPunct("(");
    std::vector<ExprPtr> out;
    while (!isPunct(")")) {
      std::string argName;
      if (cur().kind == Tok::kIdent && peekPunct(1, "=")) {  // named argument
        argName = cur().text;
        p_ += 2;
      }
      out.push_back(parsePipe());
      if (!argName.empty() && out.back()) {
        auto named = std::make_shared<Expr>(*out.back());
        named->options.emplace_back("argname", argName);
        out.back() = named;
      }
      if (isPunct(","))
        ++p_;
      else if (!isPunct(")"))
        fail(cur().pos, "expected ',' or ')', found " + curDesc());
    }
    expectPunct(")");
    return out;
  }

  ExprPtr parseCompare() {
    auto l = parseAdd();
    while (true) {
      size_t pos = cur().pos;
      std::string op;
      size_t save = p_;
      if (cur().kind == Tok::kPunct) {
        const std::string& s = cur().text;
        if (s == "==" || s == "!=" || s == "<>" || s == "<" || s == "<=" || s == ">" || s == ">=" ||
            s == "=~" || s == "!~") {
          op = s == "<>" ? "!=" : s;
          ++p_;
        } else if (s == "!" && peek().kind == Tok::kIdent && peek().pos == cur().end) {
          op = "!" + peek().text;
          p_ += 2;
        }
      } else if (cur().kind == Tok::kIdent) {
        const std::string& s = cur().text;
        if (binaryWordOps().count(s) || s == "in" || s == "has_any" || s == "has_all" ||
            s == "between" || s == "matches" || s == "has_any_cs" || s == "has_all_cs") {
          op = s;
          ++p_;
        }
      }
      if (op.empty()) return l;
      if ((op == "in" || op == "!in") && isPunct("~") && adjacent()) {
        op += "~";
        ++p_;
      }
      if (op == "matches" || op == "!matches") {
        if (!isIdent("regex")) fail(cur().pos, "expected 'regex' after 'matches'");
        ++p_;
        op += " regex";
      }
      std::string base = op[0] == '!' ? op.substr(1) : op;
      if (base == "in" || base == "in~" || base == "has_any" || base == "has_all" ||
          base == "has_any_cs" || base == "has_all_cs") {
        auto e = mk(ExprKind::kIn, pos, op);
        e->args.push_back(l);
        if (!isPunct("(")) {
          // has_any dyn_var (without parens) is allowed for a single dynamic operand
          e->args.push_back(parseAdd());
        } else {
          for (auto& it : parseParenList()) e->args.push_back(it);
        }
        l = e;
        continue;
      }
      if (base == "between") {
        auto e = mk(ExprKind::kBetween, pos, op);
        expectPunct("(");
        auto lo = parseAdd();
        expectPunct("..");
        auto hi = parseAdd();
        expectPunct(")");
        e->args = {l, lo, hi};
        l = e;
        continue;
      }
      if (op[0] == '!' && op != "!=" && op != "!~" && binaryWordOps().count(base) == 0 &&
          base != "matches regex") {
        p_ = save;
        return l;
      }
      auto e = mk(ExprKind::kBinary, pos, op);
      e->args = {l, parseAdd()};
      l = e;
    }
  }

  ExprPtr parseAdd() {
    auto l = parseMul();
    while (isPunct("+") || isPunct("-")) {
      auto e = mk(ExprKind::kBinary, cur().pos, cur().text);
      ++p_;
      e->args = {l, parseMul()};
      l = e;
    }
    return l;
  }

  ExprPtr parseMul() {
    auto l = parseUnary();
    while (isPunct("*") || isPunct("/") || isPunct("%")) {
      auto e = mk(ExprKind::kBinary, cur().pos, cur().text);
      ++p_;
      e->args = {l, parseUnary()};
      l = e;
    }
    return l;
  }

  ExprPtr parseUnary() {
    if (isPunct("-") || isPunct("+")) {
      auto e = mk(ExprKind::kUnary, cur().pos, cur().text);
      ++p_;
      e->args = {parseUnary()};
      return e;
    }
    return parsePostfix();
  }

  ExprPtr parsePostfix() {
    auto e = parsePrimary();
    while (true) {
      if (isPunct(".") && (peek().kind == Tok::kIdent)) {
        auto m = mk(ExprKind::kMember, cur().pos, peek().text);
        p_ += 2;
        m->args = {e};
        e = m;
      } else if (isPunct(".") && peekPunct(1, "[")) {
        ++p_;
      } else if (isPunct("[")) {
        auto ix = mk(ExprKind::kIndex, cur().pos);
        ++p_;
        auto idx = parseExpr();
        expectPunct("]");
        ix->args = {e, idx};
        e = ix;
      } else {
        return e;
      }
    }
  }

  // dynamic(...) literal content -> JSON text
  std::string parseDynamicValue() {
    if (isPunct("[")) {
      ++p_;
      std::string out = "[";
      bool first = true;
      while (!isPunct("]")) {
        if (!first) out += ",";
        first = false;
        out += parseDynamicValue();
        if (isPunct(","))
          ++p_;
        else if (!isPunct("]"))
          fail(cur().pos, "expected ',' or ']' in dynamic array");
      }
      ++p_;
      return out + "]";
    }
    if (isPunct("{")) {
      ++p_;
      std::string out = "{";
      bool first = true;
      while (!isPunct("}")) {
        if (!first) out += ",";
        first = false;
        std::string key;
        if (cur().kind == Tok::kString || cur().kind == Tok::kIdent) {
          key = cur().text;
          ++p_;
        } else {
          fail(cur().pos, "expected a key in dynamic object");
        }
        expectPunct(":");
        out += jsonQuote(key) + ":" + parseDynamicValue();
        if (isPunct(","))
          ++p_;
        else if (!isPunct("}"))
          fail(cur().pos, "expected ',' or '}' in dynamic object");
      }
      ++p_;
      return out + "}";
    }
    bool neg = false;
    if (isPunct("-")) {
      neg = true;
      ++p_;
    }
    const Token& t = cur();
    if (t.kind == Tok::kNumber) {
      ++p_;
      std::string s = t.text;
      if (s.size() > 2 && (s[1] == 'x' || s[1] == 'X'))
        s = std::to_string(std::stoll(s, nullptr, 16));
      if (s[0] == '.') s = "0" + s;
      if (s.back() == '.') s += "0";
      return (neg ? "-" : "") + s;
    }
    if (t.kind == Tok::kString) {
      std::string v = t.text;
      ++p_;
      while (cur().kind == Tok::kString) {  // adjacent literals concatenate
        v += cur().text;
        ++p_;
      }
      return jsonQuote(v);
    }
    if (t.kind == Tok::kRaw) {
      ++p_;
      // kept as a tagged string; the binder normalises datetime/timespan text
      return jsonQuote("\x01" + t.raw_kind + ":" + t.text);
    }
    if (t.kind == Tok::kTimespan) {
      ++p_;
      return jsonQuote("\x01timespan:" + std::string(neg ? "-" : "") + t.text);
    }
    if (t.kind == Tok::kIdent) {
      if (t.text == "true" || t.text == "false" || t.text == "null") {
        ++p_;
        return t.text;
      }
      // long(5), int(5), real(1.0), bool(true): typed scalars inside dynamic
      if (peekPunct(1, "(")) {
        p_ += 2;
        std::string v = parseDynamicValue();
        expectPunct(")");
        return v;
      }
    }
    fail(t.pos, "unexpected " + curDesc() + " in dynamic literal");
  }

  static std::string jsonQuote(const std::string& s) {
    std::string o = "\"";
    for (unsigned char c : s) {
      switch (c) {
        case '"':
          o += "\\\"";
          break;
        case '\\':
          o += "\\\\";
          break;
        case '\n':
          o += "\\n";
          break;
        case '\r':
          o += "\\r";
          break;
        case '\t':
          o += "\\t";
          break;
        default:
          if (c < 0x20) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04x", c);
            o += buf;
          } else {
            o.push_back(static_cast<char>(c));
          }
      }
    }
    return o + "\"";
  }

  ExprPtr literal(size_t pos, std::string type, std::string text) {
    auto e = mk(ExprKind::kLiteral, pos, std::move(text));
    e->lit_type = std::move(type);
    return e;
  }

  ExprPtr parsePrimary() {
    const Token& t = cur();
    switch (t.kind) {
      case Tok::kNumber: {
        ++p_;
        return literal(t.pos, t.raw_kind.empty() ? "long" : t.raw_kind, t.text);
      }
      case Tok::kTimespan: {
        ++p_;
        return literal(t.pos, "timespan", t.text);
      }
      case Tok::kString: {
        std::string v = t.text;
        size_t pos = t.pos;
        ++p_;
        while (cur().kind == Tok::kString) {
          v += cur().text;
          ++p_;
        }
        return literal(pos, "string", v);
      }
      case Tok::kRaw: {
        ++p_;
        return literal(t.pos, t.raw_kind, t.text);
      }
      case Tok::kPunct: {
        if (t.text == "(") {
          ++p_;
          auto inner = parsePipe();
          if (isPunct(",")) fail(cur().pos, "unsupported tuple expression");
          expectPunct(")");
          return inner;
        }
        if (t.text == "[" && peek().kind == Tok::kString && peekPunct(2, "]")) {
          auto n = mk(ExprKind::kName, t.pos, peek().text);
          p_ += 3;
          return n;
        }
        if (t.text == "*") {
          ++p_;
          return mk(ExprKind::kStar, t.pos);
        }
        fail(t.pos, "unexpected " + curDesc() + " in expression");
      }
      case Tok::kIdent: {
        if (t.text == "true" || t.text == "false" || t.text == "True" || t.text == "False" ||
            t.text == "TRUE" || t.text == "FALSE") {
          ++p_;
          return literal(t.pos, "bool", t.text[0] == 't' || t.text[0] == 'T' ? "true" : "false");
        }
        if (t.text == "dynamic" && peekPunct(1, "(")) {
          size_t pos = t.pos;
          p_ += 2;
          std::string json = isPunct(")") ? "null" : parseDynamicValue();
          expectPunct(")");
          return literal(pos, "dynamic", json);
        }
        if (t.text == "typeof" && peekPunct(1, "(")) {
          size_t pos = t.pos;
          p_ += 2;
          std::string ty = expectIdent();
          while (isPunct(",")) {  // typeof(a:string, b:long): tabular schema, keep first type
            ++p_;
            expectIdent();
          }
          if (isPunct(":")) {
            ++p_;
            ty = expectIdent();
            while (isPunct(",")) {
              ++p_;
              expectIdent();
              if (isPunct(":")) {
                ++p_;
                expectIdent();
              }
            }
          }
          expectPunct(")");
          auto e = mk(ExprKind::kTypeOf, pos, ty);
          return e;
        }
        if (t.text == "union") {
          return parseUnion(nullptr);
        }
        if (t.text == "datatable" && peekPunct(1, "(")) return parseDatatable();
        if (t.text == "print") return parsePrint();
        if (t.text == "range" && peek().kind == Tok::kIdent && peek(2).kind == Tok::kIdent &&
            peek(2).text == "from")
          return parseRange();
        size_t pos = t.pos;
        std::string name = t.text;
        ++p_;
        if (isPunct("(")) {
          auto call = mk(ExprKind::kCall, pos, name);
          call->args = parseParenList();
          return call;
        }
        return mk(ExprKind::kName, pos, name);
      }
      case Tok::kEnd:
        fail(t.pos, "unexpected end of query");
    }
    fail(t.pos, "unexpected token");
  }

  std::string_view text_;
  std::vector<Token> t_;
  size_t p_ = 0;
};

}  // namespace

Result<Query> parseQuery(std::string_view text) {
  if (text.size() > (1u << 20)) return Error::invalid("KQL query too long");
  auto toks = Lexer(text).run();
  if (!toks.ok()) return toks.takeError();
  // Deep nesting guard: the parser recurses per bracket.
  int depth = 0;
  for (auto& t : toks.value()) {
    if (t.kind != Tok::kPunct) continue;
    if (t.text == "(" || t.text == "[" || t.text == "{") {
      if (++depth > 200) return Error::invalid("KQL query nested too deeply");
    } else if (t.text == ")" || t.text == "]" || t.text == "}") {
      --depth;
    }
  }
  Parser p(text, std::move(toks.value()));
  try {
    return p.parseAll();
  } catch (const ParseError& e) {
    return Error::invalid("KQL syntax error at " + describePos(text, e.pos) + ": " + e.what);
  }
}

}  // namespace agentgate::kql
