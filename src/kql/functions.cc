// KQL semantics as SQLite functions. Every function is total: bad input gives NULL (or the KQL
// default), never a crash; regex compile errors become SQL errors naming the pattern problem.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "kql/engine.h"
#include "kql/functions_more.h"
#include "kql/json.h"
#include "kql/kql_time.h"

namespace agentgate::kql {
namespace {

std::string_view text(sqlite3_value* v) {
  const unsigned char* p = sqlite3_value_text(v);
  if (!p) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_value_bytes(v))};
}
bool isNull(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }
void resultText(sqlite3_context* c, const std::string& s) {
  sqlite3_result_text(c, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}
char lowerc(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& ch : o) ch = lowerc(ch);
  return o;
}
bool isTermChar(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

// ---- string predicates ----
// mode: 0 has, 2 hasprefix, 4 hassuffix; +1 = case-sensitive
bool hasImpl(std::string_view a, std::string_view b, int mode) {
  if (b.empty()) return true;
  std::string la, lb;
  if (!(mode & 1)) {
    la = lower(a);
    lb = lower(b);
    a = la;
    b = lb;
  }
  bool needPre = mode != 4 && mode != 5 ? true : false;
  bool needPost = mode != 2 && mode != 3 ? true : false;
  if (mode == 4 || mode == 5) needPre = false;
  bool bStartsTerm = isTermChar(static_cast<unsigned char>(b.front()));
  bool bEndsTerm = isTermChar(static_cast<unsigned char>(b.back()));
  size_t pos = 0;
  while ((pos = a.find(b, pos)) != std::string_view::npos) {
    bool preOk =
        !needPre || !bStartsTerm || pos == 0 || !isTermChar(static_cast<unsigned char>(a[pos - 1]));
    size_t e = pos + b.size();
    bool postOk =
        !needPost || !bEndsTerm || e == a.size() || !isTermChar(static_cast<unsigned char>(a[e]));
    if (mode == 4 || mode == 5) {
      // suffix of a term: must end at a term boundary (pre side free)
      postOk = !bEndsTerm || e == a.size() || !isTermChar(static_cast<unsigned char>(a[e]));
      preOk = true;
    }
    if (preOk && postOk) return true;
    ++pos;
  }
  return false;
}

void fnHas(sqlite3_context* c, int, sqlite3_value** v) {
  if (isNull(v[0]) && isNull(v[1])) {
    sqlite3_result_int(c, 0);
    return;
  }
  sqlite3_result_int(c, hasImpl(text(v[0]), text(v[1]), sqlite3_value_int(v[2])));
}

// mode: 0 contains, 2 startswith, 4 endswith; +1 case-sensitive
bool containsImpl(std::string_view a, std::string_view b, int mode) {
  std::string la, lb;
  if (!(mode & 1)) {
    la = lower(a);
    lb = lower(b);
    a = la;
    b = lb;
  }
  switch (mode & ~1) {
    case 0:
      return a.find(b) != std::string_view::npos;
    case 2:
      return a.substr(0, b.size()) == b;
    default:
      return a.size() >= b.size() && a.substr(a.size() - b.size()) == b;
  }
}

void fnContains(sqlite3_context* c, int, sqlite3_value** v) {
  sqlite3_result_int(c, containsImpl(text(v[0]), text(v[1]), sqlite3_value_int(v[2])));
}

std::string scalarText(const JVal& j) {
  switch (j.t) {
    case JVal::T::kStr:
      return j.s;
    case JVal::T::kNull:
      return "";
    default:
      return toJson(j);
  }
}

// has_any/has_all: mode 0 any, 1 all, 2 any_cs, 3 all_cs
void fnHasAny(sqlite3_context* c, int, sqlite3_value** v) {
  auto arr = parseJson(text(v[1]));
  int mode = sqlite3_value_int(v[2]);
  if (!arr || arr->t != JVal::T::kArr) {
    sqlite3_result_int(c, 0);
    return;
  }
  std::string_view a = text(v[0]);
  bool all = mode & 1;
  int hm = (mode & 2) ? 1 : 0;
  for (const auto& e : arr->a) {
    bool h = hasImpl(a, scalarText(e), hm);
    if (!all && h) {
      sqlite3_result_int(c, 1);
      return;
    }
    if (all && !h) {
      sqlite3_result_int(c, 0);
      return;
    }
  }
  sqlite3_result_int(c, all ? 1 : 0);
}

// ---- regex ----
struct CompiledRe {
  std::regex re;
};

void freeRe(void* p) { delete static_cast<CompiledRe*>(p); }

// `{` at `i` starts a counted repetition: {n}, {n,} or {n,m}.
bool isRepeatBrace(const std::string& p, size_t i) {
  size_t j = i + 1, digits = 0;
  while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) ++j, ++digits;
  if (digits == 0) return false;
  if (j < p.size() && p[j] == ',') {
    ++j;
    while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) ++j;
  }
  return j < p.size() && p[j] == '}';
}

// Translates the RE2 bits KQL users write ((?i), named groups, literal braces) into ECMAScript.
std::regex* getRegex(sqlite3_context* c, sqlite3_value** v, int idx) {
  auto* cached = static_cast<CompiledRe*>(sqlite3_get_auxdata(c, idx));
  if (cached) return &cached->re;
  std::string pat(text(v[idx]));
  auto flags = std::regex::ECMAScript;
  if (pat.rfind("(?i)", 0) == 0) {
    pat = pat.substr(4);
    flags |= std::regex::icase;
  }
  std::string fixed;
  bool inRepeat = false;
  for (size_t i = 0; i < pat.size(); ++i) {
    if (pat[i] == '\\' && i + 1 < pat.size()) {
      fixed.append(pat, i++, 2);
      continue;
    }
    // RE2 reads a brace that does not open {n}, {n,} or {n,m} as a literal character (workbooks
    // write extract(@'{"(.+)":.+}', ...)); ECMAScript rejects it, so escape it.
    if (pat[i] == '{') {
      inRepeat = isRepeatBrace(pat, i);
      if (!inRepeat) fixed += '\\';
    } else if (pat[i] == '}') {
      if (!inRepeat) fixed += '\\';
      inRepeat = false;
    }
    if (pat.compare(i, 4, "(?P<") == 0 || (pat.compare(i, 3, "(?<") == 0 && i + 3 < pat.size() &&
                                           pat[i + 3] != '=' && pat[i + 3] != '!')) {
      size_t close = pat.find('>', i);
      if (close != std::string::npos) {
        fixed += "(";
        i = close;
        continue;
      }
    }
    fixed.push_back(pat[i]);
  }
  try {
    auto* cr = new CompiledRe{std::regex(fixed, flags)};
    sqlite3_set_auxdata(c, idx, cr, freeRe);
    cached = static_cast<CompiledRe*>(sqlite3_get_auxdata(c, idx));
    if (cached) return &cached->re;
    // auxdata not retained (non-constant pattern): compile per call
    static thread_local std::unique_ptr<CompiledRe> last;
    last.reset(new CompiledRe{std::regex(fixed, flags)});
    return &last->re;
  } catch (const std::regex_error&) {
    sqlite3_result_error(c, "invalid regular expression", -1);
    return nullptr;
  }
}

constexpr size_t kRegexMaxInput = 1 << 16;

void fnRegex(sqlite3_context* c, int, sqlite3_value** v) {
  auto* re = getRegex(c, v, 1);
  if (!re) return;
  std::string s(text(v[0]).substr(0, kRegexMaxInput));
  try {
    sqlite3_result_int(c, std::regex_search(s, *re));
  } catch (...) {
    sqlite3_result_int(c, 0);
  }
}

void fnExtract(sqlite3_context* c, int, sqlite3_value** v) {
  auto* re = getRegex(c, v, 0);
  if (!re) return;
  int g = sqlite3_value_int(v[1]);
  std::string s(text(v[2]).substr(0, kRegexMaxInput));
  std::smatch m;
  try {
    if (std::regex_search(s, m, *re) && g >= 0 && static_cast<size_t>(g) < m.size() &&
        m[g].matched) {
      resultText(c, m[g].str());
      return;
    }
  } catch (...) {
  }
  sqlite3_result_null(c);
}

void fnExtractAll(sqlite3_context* c, int argc, sqlite3_value** v) {
  auto* re = getRegex(c, v, 0);
  if (!re) return;
  std::string s(text(v[1]).substr(0, kRegexMaxInput));
  std::vector<size_t> groups;  // extract_all(re, dynamic([1,3]), s): only these groups
  if (argc > 2) {
    auto g = parseJson(text(v[2]));
    if (!g || g->t != JVal::T::kArr) return sqlite3_result_null(c);
    for (auto& x : g->a) {
      if (x.t != JVal::T::kInt || x.i < 0) {
        sqlite3_result_error(c, "extract_all: capture groups must be non-negative numbers", -1);
        return;
      }
      groups.push_back(static_cast<size_t>(x.i));
    }
  }
  JVal out = JVal::array();
  try {
    for (auto it = std::sregex_iterator(s.begin(), s.end(), *re); it != std::sregex_iterator();
         ++it) {
      const auto& m = *it;
      if (!groups.empty()) {
        JVal g = JVal::array();
        for (size_t k : groups) g.a.push_back(k < m.size() ? JVal::str(m[k].str()) : JVal());
        if (groups.size() == 1)
          out.a.push_back(g.a[0]);
        else
          out.a.push_back(g);
      } else if (m.size() <= 1) {
        out.a.push_back(JVal::str(m[0].str()));
      } else if (m.size() == 2) {
        out.a.push_back(JVal::str(m[1].str()));
      } else {
        JVal g = JVal::array();
        for (size_t k = 1; k < m.size(); ++k) g.a.push_back(JVal::str(m[k].str()));
        out.a.push_back(g);
      }
      if (out.a.size() > 100000) break;
    }
  } catch (...) {
  }
  if (out.a.empty()) {
    sqlite3_result_null(c);
    return;
  }
  resultText(c, toJson(out));
}

void fnReplaceRegex(sqlite3_context* c, int, sqlite3_value** v) {
  auto* re = getRegex(c, v, 1);
  if (!re) return;
  std::string s(text(v[0]));
  std::string rw(text(v[2]));
  // \1 -> $1
  std::string fmt;
  for (size_t i = 0; i < rw.size(); ++i) {
    if (rw[i] == '\\' && i + 1 < rw.size() && std::isdigit(static_cast<unsigned char>(rw[i + 1]))) {
      fmt += '$';
      fmt += rw[++i];
    } else if (rw[i] == '$' &&
               !(i + 1 < rw.size() && std::isdigit(static_cast<unsigned char>(rw[i + 1])))) {
      fmt += "$$";
    } else {
      fmt += rw[i];
    }
  }
  try {
    resultText(c, std::regex_replace(s, *re, fmt));
  } catch (...) {
    resultText(c, s);
  }
}

void fnTrim(sqlite3_context* c, int, sqlite3_value** v) {
  // trim(regex, s): remove leading/trailing matches of the regex. mode 0 both, 1 start, 2 end
  std::string pat(text(v[0]));
  std::string s(text(v[1]));
  int mode = sqlite3_value_int(v[2]);
  try {
    if (mode == 0 || mode == 1) {
      std::regex re("^(?:" + pat + ")+");
      s = std::regex_replace(s, re, "", std::regex_constants::format_first_only);
    }
    if (mode == 0 || mode == 2) {
      std::regex re("(?:" + pat + ")+$");
      s = std::regex_replace(s, re, "", std::regex_constants::format_first_only);
    }
  } catch (...) {
    sqlite3_result_error(c, "invalid regular expression in trim", -1);
    return;
  }
  resultText(c, s);
}

void fnSplit(sqlite3_context* c, int argc, sqlite3_value** v) {
  std::string s(text(v[0]));
  std::string d(text(v[1]));
  JVal out = JVal::array();
  if (d.empty()) {
    out.a.push_back(JVal::str(s));
  } else {
    size_t st = 0;
    while (true) {
      size_t p = s.find(d, st);
      if (p == std::string::npos) {
        out.a.push_back(JVal::str(s.substr(st)));
        break;
      }
      out.a.push_back(JVal::str(s.substr(st, p - st)));
      st = p + d.size();
    }
  }
  if (argc > 2 && !isNull(v[2])) {
    int64_t i = sqlite3_value_int64(v[2]);
    JVal one = JVal::array();
    if (i >= 0 && static_cast<size_t>(i) < out.a.size()) one.a.push_back(out.a[i]);
    out = one;
  }
  resultText(c, toJson(out));
}

// ---- dynamic ----
void resultJson(sqlite3_context* c, const JVal* j) {
  if (!j || j->t == JVal::T::kNull) {
    sqlite3_result_null(c);
    return;
  }
  resultText(c, toJson(*j));
}

// Member access by names only, on the JSON text itself; false when the full parse must decide.
bool dgetByNamesRaw(sqlite3_context* c, int argc, sqlite3_value** v) {
  std::string_view cur = text(v[0]);
  for (int k = 1; k < argc; ++k) {
    if (sqlite3_value_type(v[k]) != SQLITE_TEXT) return false;
    auto m = k == 1 ? topLevelMember(cur, text(v[k])) : findMemberRaw(cur, text(v[k]));
    if (!m) return false;
    if (m->status == RawLookup::kAbsent) {
      sqlite3_result_null(c);
      return true;
    }
    cur = m->value;
  }
  if (!isCanonicalScalar(cur)) return false;
  sqlite3_result_text(c, cur.data(), static_cast<int>(cur.size()), SQLITE_TRANSIENT);
  return true;
}

void fnDGet(sqlite3_context* c, int argc, sqlite3_value** v) {
  if (isNull(v[0])) {
    sqlite3_result_null(c);
    return;
  }
  if (argc == 2 && sqlite3_value_type(v[1]) == SQLITE_TEXT) {
    // One key: the function the store fills its property columns with (memberJson).
    std::string storage;
    auto member = memberJson(text(v[0]), text(v[1]), storage);
    if (member) {
      sqlite3_result_text(c, member->data(), static_cast<int>(member->size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_result_null(c);
    }
    return;
  }
  if (argc > 1 && dgetByNamesRaw(c, argc, v)) return;
  auto doc = parseJson(text(v[0]));
  if (!doc) {
    sqlite3_result_null(c);
    return;
  }
  const JVal* cur = &*doc;
  for (int k = 1; k < argc && cur; ++k) {
    int t = sqlite3_value_type(v[k]);
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
      if (cur->t != JVal::T::kArr) {
        cur = nullptr;
        break;
      }
      int64_t i = sqlite3_value_int64(v[k]);
      if (i < 0) i += static_cast<int64_t>(cur->a.size());
      cur = (i >= 0 && static_cast<size_t>(i) < cur->a.size()) ? &cur->a[i] : nullptr;
    } else if (t == SQLITE_TEXT) {
      cur = cur->t == JVal::T::kObj ? cur->get(text(v[k])) : nullptr;
    } else {
      cur = nullptr;
    }
  }
  resultJson(c, cur);
}

int64_t clampLL(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.2e18) return INT64_MAX;
  if (d <= -9.2e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}

// Converts a typed SQLite value between KQL types. Failure -> NULL (string -> "").
void convert(sqlite3_context* c, sqlite3_value* x, std::string_view from, std::string_view to) {
  int t = sqlite3_value_type(x);
  if (to == "string" || to == "guid") {
    if (t == SQLITE_NULL) {
      if (to == "string")
        sqlite3_result_text(c, "", 0, SQLITE_STATIC);
      else
        sqlite3_result_null(c);
      return;
    }
    if (from == "datetime") return resultText(c, formatDateTime(sqlite3_value_int64(x)));
    if (from == "timespan") return resultText(c, formatTimespan(sqlite3_value_int64(x)));
    if (from == "bool") return resultText(c, sqlite3_value_int64(x) ? "true" : "false");
    if (from == "dynamic") {
      if (auto plain = plainStringRaw(text(x))) {
        sqlite3_result_text(c, plain->data(), static_cast<int>(plain->size()), SQLITE_TRANSIENT);
        return;
      }
      auto j = parseJson(text(x));
      if (j && j->t == JVal::T::kStr) return resultText(c, j->s);
      if (j && j->t == JVal::T::kNull) return resultText(c, "");
      if (j) return resultText(c, toJson(*j));
      return resultText(c, std::string(text(x)));
    }
    if (t == SQLITE_FLOAT) return resultText(c, formatReal(sqlite3_value_double(x)));
    if (to == "guid") {
      // Kusto keeps guids in one canonical form: lowercase 8-4-4-4-12 hex; anything else is null.
      std::string g(text(x));
      bool ok = g.size() == 36;
      for (size_t i = 0; ok && i < g.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        ok = dash ? g[i] == '-' : std::isxdigit(static_cast<unsigned char>(g[i])) != 0;
        g[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(g[i])));
      }
      if (!ok) return sqlite3_result_null(c);
      return resultText(c, g);
    }
    return resultText(c, std::string(text(x)));
  }
  if (t == SQLITE_NULL) {
    sqlite3_result_null(c);
    return;
  }
  // Normalise dynamic input to a scalar first.
  std::optional<JVal> dj;
  if (from == "dynamic") {
    dj = parseJson(text(x));
    if (!dj || dj->t == JVal::T::kNull) {
      if (to == "dynamic" && !dj) return resultText(c, jsonQuote(text(x)));
      sqlite3_result_null(c);
      return;
    }
    if (to == "dynamic") return resultText(c, toJson(*dj));
  }
  if (to == "dynamic") {
    if (from == "datetime") return resultText(c, jsonQuote(formatDateTime(sqlite3_value_int64(x))));
    if (from == "timespan") return resultText(c, jsonQuote(formatTimespan(sqlite3_value_int64(x))));
    if (from == "bool") return resultText(c, sqlite3_value_int64(x) ? "true" : "false");
    if (t == SQLITE_INTEGER) return resultText(c, std::to_string(sqlite3_value_int64(x)));
    if (t == SQLITE_FLOAT) {
      double d = sqlite3_value_double(x);
      JVal j = JVal::real(d);
      return resultText(c, toJson(j));
    }
    return resultText(c, jsonQuote(text(x)));
  }
  // scalar source: string text, or number
  std::string s;
  bool isNum = false, isReal = false;
  int64_t iv = 0;
  double dv = 0;
  if (dj) {
    switch (dj->t) {
      case JVal::T::kStr:
        s = dj->s;
        break;
      case JVal::T::kInt:
        isNum = true;
        iv = dj->i;
        dv = static_cast<double>(iv);
        break;
      case JVal::T::kReal:
        isNum = isReal = true;
        dv = dj->d;
        iv = clampLL(dv);
        break;
      case JVal::T::kBool:
        isNum = true;
        iv = dj->b;
        dv = iv;
        break;
      default:
        sqlite3_result_null(c);
        return;
    }
  } else if (t == SQLITE_INTEGER) {
    isNum = true;
    iv = sqlite3_value_int64(x);
    dv = static_cast<double>(iv);
  } else if (t == SQLITE_FLOAT) {
    isNum = isReal = true;
    dv = sqlite3_value_double(x);
    iv = clampLL(dv);
  } else {
    s = std::string(text(x));
  }
  if (to == "long" || to == "int" || to == "real" || to == "double" || to == "decimal") {
    bool realOut = to == "real" || to == "double" || to == "decimal";
    if (!isNum) {
      std::string_view sv = s;
      while (!sv.empty() && std::isspace(static_cast<unsigned char>(sv.front())))
        sv.remove_prefix(1);
      while (!sv.empty() && std::isspace(static_cast<unsigned char>(sv.back())))
        sv.remove_suffix(1);
      if (sv.empty()) {
        sqlite3_result_null(c);
        return;
      }
      std::string str(sv);
      if (str == "true" || str == "false") {
        if (from == "string" && !realOut) {
          sqlite3_result_null(c);
          return;
        }
      }
      char* end = nullptr;
      errno = 0;
      if (!realOut) {
        long long l = std::strtoll(str.c_str(), &end, 10);
        if (end && *end == 0 && errno == 0) {
          iv = l;
          dv = static_cast<double>(l);
          isNum = true;
        }
      }
      if (!isNum) {
        double d = std::strtod(str.c_str(), &end);
        if (!end || *end != 0) {
          sqlite3_result_null(c);
          return;
        }
        dv = d;
        iv = clampLL(d);
        isReal = true;
      }
    }
    if (realOut) {
      sqlite3_result_double(c, dv);
    } else if (to == "int") {
      sqlite3_result_int64(c, static_cast<int32_t>(iv));
    } else {
      sqlite3_result_int64(c, iv);
    }
    return;
  }
  if (to == "bool") {
    if (isNum) {
      sqlite3_result_int(c, isReal ? dv != 0 : iv != 0);
      return;
    }
    std::string l = lower(s);
    if (l == "true" || l == "1")
      sqlite3_result_int(c, 1);
    else if (l == "false" || l == "0")
      sqlite3_result_int(c, 0);
    else
      sqlite3_result_null(c);
    return;
  }
  if (to == "datetime") {
    if (from == "datetime") {
      sqlite3_result_int64(c, iv);
      return;
    }
    if (isNum) {
      sqlite3_result_null(c);
      return;
    }
    auto d = parseDateTime(s);
    if (d)
      sqlite3_result_int64(c, *d);
    else
      sqlite3_result_null(c);
    return;
  }
  if (to == "timespan") {
    if (isNum) {
      sqlite3_result_int64(c, iv);
      return;
    }
    auto d = parseTimespan(s);
    if (d)
      sqlite3_result_int64(c, *d);
    else
      sqlite3_result_null(c);
    return;
  }
  sqlite3_result_null(c);
}

void fnConv(sqlite3_context* c, int, sqlite3_value** v) {
  convert(c, v[0], text(v[1]), text(v[2]));
}

void fnParseJson(sqlite3_context* c, int, sqlite3_value** v) {
  if (isNull(v[0])) {
    sqlite3_result_null(c);
    return;
  }
  std::string_view s = text(v[0]);
  auto j = parseJson(s);
  if (j) {
    if (j->t == JVal::T::kNull)
      sqlite3_result_null(c);
    else
      resultText(c, toJson(*j));
    return;
  }
  resultText(c, jsonQuote(s));
}

void fnArrayLength(sqlite3_context* c, int, sqlite3_value** v) {
  auto j = parseJson(text(v[0]));
  if (!j || j->t != JVal::T::kArr) {
    sqlite3_result_null(c);
    return;
  }
  sqlite3_result_int64(c, static_cast<int64_t>(j->a.size()));
}

JVal jsonArg(sqlite3_value* v) {
  if (isNull(v)) return JVal();
  auto j = parseJson(text(v));
  return j ? *j : JVal::str(std::string(text(v)));
}

void fnJArray(sqlite3_context* c, int argc, sqlite3_value** v) {
  JVal out = JVal::array();
  for (int k = 0; k < argc; ++k) out.a.push_back(jsonArg(v[k]));
  resultText(c, toJson(out));
}

void fnJObject(sqlite3_context* c, int argc, sqlite3_value** v) {
  JVal out = JVal::object();
  for (int k = 0; k + 1 < argc; k += 2) out.set(std::string(text(v[k])), jsonArg(v[k + 1]));
  resultText(c, toJson(out));
}

bool jsonScalarEquals(const JVal& e, sqlite3_value* x, bool ci) {
  int t = sqlite3_value_type(x);
  if (t == SQLITE_INTEGER) {
    if (e.t == JVal::T::kInt) return e.i == sqlite3_value_int64(x);
    if (e.t == JVal::T::kReal) return e.d == static_cast<double>(sqlite3_value_int64(x));
    if (e.t == JVal::T::kBool) return e.b == (sqlite3_value_int64(x) != 0);
    return false;
  }
  if (t == SQLITE_FLOAT) {
    if (e.t == JVal::T::kInt) return static_cast<double>(e.i) == sqlite3_value_double(x);
    if (e.t == JVal::T::kReal) return e.d == sqlite3_value_double(x);
    return false;
  }
  if (t == SQLITE_TEXT) {
    std::string es = e.t == JVal::T::kStr ? e.s : (e.t == JVal::T::kNull ? "" : toJson(e));
    if (ci) return lower(es) == lower(text(x));
    return es == text(x);
  }
  return false;
}

// kql_in_json(x, jsonarray, ci)
void fnInJson(sqlite3_context* c, int, sqlite3_value** v) {
  if (isNull(v[0])) {
    sqlite3_result_null(c);
    return;
  }
  auto j = parseJson(text(v[1]));
  bool ci = sqlite3_value_int(v[2]);
  if (!j) {
    sqlite3_result_int(c, 0);
    return;
  }
  if (j->t != JVal::T::kArr) {
    sqlite3_result_int(c, jsonScalarEquals(*j, v[0], ci));
    return;
  }
  for (const auto& e : j->a) {
    if (jsonScalarEquals(e, v[0], ci)) {
      sqlite3_result_int(c, 1);
      return;
    }
  }
  sqlite3_result_int(c, 0);
}

void fnBin(sqlite3_context* c, int, sqlite3_value** v) {
  if (isNull(v[0]) || isNull(v[1])) {
    sqlite3_result_null(c);
    return;
  }
  if (sqlite3_value_type(v[0]) == SQLITE_INTEGER && sqlite3_value_type(v[1]) == SQLITE_INTEGER) {
    int64_t x = sqlite3_value_int64(v[0]), s = sqlite3_value_int64(v[1]);
    if (s <= 0) {
      sqlite3_result_null(c);
      return;
    }
    int64_t q = x / s;
    if ((x % s != 0) && (x < 0)) --q;
    sqlite3_result_int64(c, q * s);
    return;
  }
  double x = sqlite3_value_double(v[0]), s = sqlite3_value_double(v[1]);
  if (s <= 0) {
    sqlite3_result_null(c);
    return;
  }
  sqlite3_result_double(c, std::floor(x / s) * s);
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// kql_dt(part, ticks [, offset])
void fnDt(sqlite3_context* c, int argc, sqlite3_value** v) {
  if (isNull(v[1])) {
    sqlite3_result_null(c);
    return;
  }
  std::string_view part = text(v[0]);
  int64_t t = sqlite3_value_int64(v[1]);
  int64_t off = argc > 2 && !isNull(v[2]) ? sqlite3_value_int64(v[2]) : 0;
  int64_t days = floorDiv(t, kTicksPerDay);
  int64_t y;
  unsigned m, d;
  civilFromDays(days, y, m, d);
  auto civil = [](int64_t yy, int64_t mm) {
    yy += floorDiv(mm - 1, 12);
    mm = ((mm - 1) % 12 + 12) % 12 + 1;
    return daysFromCivil(yy, static_cast<unsigned>(mm), 1) * kTicksPerDay;
  };
  int64_t dow = ((days % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday
  if (part == "startofday") return sqlite3_result_int64(c, (days + off) * kTicksPerDay);
  if (part == "endofday") return sqlite3_result_int64(c, (days + off + 1) * kTicksPerDay - 1);
  if (part == "startofweek") return sqlite3_result_int64(c, (days - dow + 7 * off) * kTicksPerDay);
  if (part == "endofweek")
    return sqlite3_result_int64(c, (days - dow + 7 * (off + 1)) * kTicksPerDay - 1);
  if (part == "startofmonth") return sqlite3_result_int64(c, civil(y, m + off));
  if (part == "endofmonth") return sqlite3_result_int64(c, civil(y, m + off + 1) - 1);
  if (part == "startofyear") return sqlite3_result_int64(c, civil(y + off, 1));
  if (part == "endofyear") return sqlite3_result_int64(c, civil(y + off + 1, 1) - 1);
  if (part == "dayofweek") return sqlite3_result_int64(c, dow * kTicksPerDay);
  if (part == "dayofmonth") return sqlite3_result_int64(c, d);
  if (part == "dayofyear") return sqlite3_result_int64(c, days - daysFromCivil(y, 1, 1) + 1);
  if (part == "monthofyear" || part == "getmonth") return sqlite3_result_int64(c, m);
  if (part == "getyear") return sqlite3_result_int64(c, y);
  if (part == "hourofday")
    return sqlite3_result_int64(c, (t - days * kTicksPerDay) / (3600 * kTicksPerSecond));
  if (part == "weekofyear") {
    // ISO 8601 week number
    int64_t wd = dow == 0 ? 7 : dow;
    int64_t thursday = days - wd + 4;
    int64_t ty;
    unsigned tm, td;
    civilFromDays(thursday, ty, tm, td);
    return sqlite3_result_int64(c, (thursday - daysFromCivil(ty, 1, 1)) / 7 + 1);
  }
  sqlite3_result_null(c);
}

int64_t partTicks(std::string_view p) {
  std::string l = lower(p);
  if (l == "day" || l == "days") return kTicksPerDay;
  if (l == "hour" || l == "hours") return 3600 * kTicksPerSecond;
  if (l == "minute" || l == "minutes") return 60 * kTicksPerSecond;
  if (l == "second" || l == "seconds") return kTicksPerSecond;
  if (l == "millisecond" || l == "milliseconds") return 10000;
  if (l == "microsecond" || l == "microseconds") return 10;
  if (l == "nanosecond" || l == "nanoseconds") return 1;
  if (l == "week" || l == "weeks") return 7 * kTicksPerDay;
  return 0;
}

void fnDatetimeDiff(sqlite3_context* c, int, sqlite3_value** v) {
  if (isNull(v[1]) || isNull(v[2])) return sqlite3_result_null(c);
  std::string p = lower(text(v[0]));
  int64_t a = sqlite3_value_int64(v[1]), b = sqlite3_value_int64(v[2]);
  if (p == "year" || p == "quarter" || p == "month") {
    int64_t ya, yb;
    unsigned ma, mb, da, db;
    civilFromDays(floorDiv(a, kTicksPerDay), ya, ma, da);
    civilFromDays(floorDiv(b, kTicksPerDay), yb, mb, db);
    if (p == "year") return sqlite3_result_int64(c, ya - yb);
    int64_t months = (ya - yb) * 12 + (static_cast<int64_t>(ma) - mb);
    if (p == "month") return sqlite3_result_int64(c, months);
    return sqlite3_result_int64(c, (ya * 4 + (ma - 1) / 3) - (yb * 4 + (mb - 1) / 3));
  }
  int64_t unit = partTicks(p);
  if (!unit) return sqlite3_result_error(c, "datetime_diff: unknown period", -1);
  if (p == "week" || p == "weeks") {
    int64_t da = floorDiv(a, kTicksPerDay), db = floorDiv(b, kTicksPerDay);
    int64_t wa = floorDiv(da + 4, 7), wb = floorDiv(db + 4, 7);  // weeks start Sunday
    return sqlite3_result_int64(c, wa - wb);
  }
  if (unit == 1) return sqlite3_result_int64(c, (a - b) * 100);
  return sqlite3_result_int64(c, floorDiv(a, unit) - floorDiv(b, unit));
}

void fnDatetimeAdd(sqlite3_context* c, int, sqlite3_value** v) {
  if (isNull(v[1]) || isNull(v[2])) return sqlite3_result_null(c);
  std::string p = lower(text(v[0]));
  int64_t n = sqlite3_value_int64(v[1]), t = sqlite3_value_int64(v[2]);
  if (p == "year" || p == "quarter" || p == "month") {
    int64_t months = p == "year" ? n * 12 : (p == "quarter" ? n * 3 : n);
    int64_t days = floorDiv(t, kTicksPerDay);
    int64_t rem = t - days * kTicksPerDay;
    int64_t y;
    unsigned m, d;
    civilFromDays(days, y, m, d);
    int64_t mm = static_cast<int64_t>(m) - 1 + months;
    y += floorDiv(mm, 12);
    mm = ((mm % 12) + 12) % 12 + 1;
    static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned maxd =
        kDays[mm - 1] + ((mm == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) ? 1 : 0);
    if (d > maxd) d = maxd;
    return sqlite3_result_int64(
        c, daysFromCivil(y, static_cast<unsigned>(mm), d) * kTicksPerDay + rem);
  }
  int64_t unit = partTicks(p);
  if (!unit) return sqlite3_result_error(c, "datetime_add: unknown period", -1);
  if (unit == 1) return sqlite3_result_int64(c, t + n / 100);
  sqlite3_result_int64(c, t + n * unit);
}

void fnFormatDatetime(sqlite3_context* c, int, sqlite3_value** v) {
  if (isNull(v[0])) return resultText(c, "");
  resultText(c, formatDateTimePattern(sqlite3_value_int64(v[0]), text(v[1])));
}

void fnMath(sqlite3_context* c, int argc, sqlite3_value** v) {
  std::string_view f = text(v[0]);
  if (isNull(v[1]) || (argc > 2 && isNull(v[2]))) return sqlite3_result_null(c);
  double x = sqlite3_value_double(v[1]);
  double y = argc > 2 ? sqlite3_value_double(v[2]) : 0;
  double r;
  if (f == "exp")
    r = std::exp(x);
  else if (f == "exp2")
    r = std::exp2(x);
  else if (f == "exp10")
    r = std::pow(10.0, x);
  else if (f == "log")
    r = std::log(x);
  else if (f == "log2")
    r = std::log2(x);
  else if (f == "log10")
    r = std::log10(x);
  else if (f == "sqrt")
    r = std::sqrt(x);
  else if (f == "pow")
    r = std::pow(x, y);
  else if (f == "ceiling")
    r = std::ceil(x);
  else if (f == "sign")
    r = x > 0 ? 1 : (x < 0 ? -1 : 0);
  else if (f == "sin")
    r = std::sin(x);
  else if (f == "cos")
    r = std::cos(x);
  else if (f == "tan")
    r = std::tan(x);
  else if (f == "atan")
    r = std::atan(x);
  else if (f == "atan2")
    r = std::atan2(x, y);
  else if (f == "div")
    r = x / y;
  else if (f == "isnan")
    return sqlite3_result_int(c, std::isnan(x));
  else if (f == "isinf")
    return sqlite3_result_int(c, std::isinf(x));
  else if (f == "isfinite")
    return sqlite3_result_int(c, std::isfinite(x));
  else if (f == "round") {
    double p = std::pow(10.0, y);
    r = std::round(x * p) / p;
  } else
    return sqlite3_result_error(c, "unknown math function", -1);
  // SQLite has no NaN (it would store NULL anyway); infinities are REAL values like Kusto's.
  if (std::isnan(r)) return sqlite3_result_null(c);
  sqlite3_result_double(c, r);
}

// Less common dynamic functions: kql_jfn(name, args...)
void fnJfn(sqlite3_context* c, int argc, sqlite3_value** v) {
  std::string_view f = text(v[0]);
  if (f == "bag_drop_empty") {  // pack_all(true): members that are null or "" are left out
    auto j = parseJson(text(v[1]));
    if (!j || j->t != JVal::T::kObj) return sqlite3_result_null(c);
    JVal out = JVal::object();
    for (auto& [k, x] : j->o) {
      if (x.t == JVal::T::kNull || (x.t == JVal::T::kStr && x.s.empty())) continue;
      out.o.emplace_back(k, x);
    }
    return resultText(c, toJson(out));
  }
  if (f == "bag_keys") {
    auto j = parseJson(text(v[1]));
    if (!j || j->t != JVal::T::kObj) return sqlite3_result_null(c);
    JVal out = JVal::array();
    for (auto& [k, x] : j->o) out.a.push_back(JVal::str(k));
    return resultText(c, toJson(out));
  }
  if (f == "array_sum") {
    auto j = parseJson(text(v[1]));
    if (!j || j->t != JVal::T::kArr) return sqlite3_result_null(c);
    double s = 0;
    for (auto& e : j->a) {
      if (e.t == JVal::T::kInt)
        s += static_cast<double>(e.i);
      else if (e.t == JVal::T::kReal)
        s += e.d;
      else
        return sqlite3_result_null(c);
    }
    return sqlite3_result_double(c, s);
  }
  if (f == "array_concat") {
    JVal out = JVal::array();
    for (int k = 1; k < argc; ++k) {
      auto j = parseJson(text(v[k]));
      if (!j || j->t != JVal::T::kArr) return sqlite3_result_null(c);
      for (auto& e : j->a) out.a.push_back(e);
    }
    return resultText(c, toJson(out));
  }
  if (f == "array_slice") {
    auto j = parseJson(text(v[1]));
    if (!j || j->t != JVal::T::kArr) return sqlite3_result_null(c);
    int64_t n = static_cast<int64_t>(j->a.size());
    int64_t s = sqlite3_value_int64(v[2]), e = sqlite3_value_int64(v[3]);
    if (s < 0) s += n;
    if (e < 0) e += n;
    s = std::max<int64_t>(s, 0);
    e = std::min<int64_t>(e, n - 1);
    JVal out = JVal::array();
    for (int64_t i = s; i <= e; ++i) out.a.push_back(j->a[i]);
    return resultText(c, toJson(out));
  }
  if (f == "array_index_of") {
    auto j = parseJson(text(v[1]));
    if (!j || j->t != JVal::T::kArr) return sqlite3_result_null(c);
    for (size_t i = 0; i < j->a.size(); ++i) {
      if (jsonScalarEquals(j->a[i], v[2], false))
        return sqlite3_result_int64(c, static_cast<int64_t>(i));
    }
    return sqlite3_result_int64(c, -1);
  }
  if (f == "bag_merge") {
    JVal out = JVal::object();
    for (int k = 1; k < argc; ++k) {
      auto j = parseJson(text(v[k]));
      if (!j || j->t != JVal::T::kObj) continue;
      for (auto& [key, x] : j->o) {
        if (!out.get(key)) out.set(key, x);
      }
    }
    return resultText(c, toJson(out));
  }
  if (f == "bag_has_key") {
    auto j = parseJson(text(v[1]));
    return sqlite3_result_int(c, j && j->t == JVal::T::kObj && j->get(text(v[2])) != nullptr);
  }
  if (f == "set_has_element") {
    auto j = parseJson(text(v[1]));
    if (!j || j->t != JVal::T::kArr) return sqlite3_result_int(c, 0);
    for (auto& e : j->a) {
      if (jsonScalarEquals(e, v[2], false)) return sqlite3_result_int(c, 1);
    }
    return sqlite3_result_int(c, 0);
  }
  if (f == "set_union" || f == "set_intersect" || f == "set_difference") {
    std::vector<JVal> arrays;
    for (int k = 1; k < argc; ++k) {
      auto j = parseJson(text(v[k]));
      if (!j || j->t != JVal::T::kArr) return sqlite3_result_null(c);
      arrays.push_back(*j);
    }
    JVal out = JVal::array();
    std::set<std::string> seen;
    auto inArr = [](const JVal& a, const std::string& js) {
      for (auto& e : a.a) {
        if (toJson(e) == js) return true;
      }
      return false;
    };
    for (size_t ai = 0; ai < arrays.size(); ++ai) {
      if (f != "set_union" && ai > 0) break;
      for (auto& e : arrays[ai].a) {
        std::string js = toJson(e);
        if (seen.count(js)) continue;
        bool keep = true;
        for (size_t bi = 1; bi < arrays.size(); ++bi) {
          if (f == "set_intersect" && !inArr(arrays[bi], js)) keep = false;
          if (f == "set_difference" && inArr(arrays[bi], js)) keep = false;
        }
        if (keep) {
          seen.insert(js);
          out.a.push_back(e);
        }
      }
    }
    return resultText(c, toJson(out));
  }
  if (f == "strcat_array") {
    auto j = parseJson(text(v[1]));
    if (!j || j->t != JVal::T::kArr) return resultText(c, "");
    std::string out, d(text(v[2]));
    for (size_t i = 0; i < j->a.size(); ++i) {
      if (i) out += d;
      out += scalarText(j->a[i]);
    }
    return resultText(c, out);
  }
  if (f == "set_union_agg") {
    // [[a, b], [b, c]] -> [a, b, c]
    auto j = parseJson(text(v[1]));
    if (!j || j->t != JVal::T::kArr) return sqlite3_result_null(c);
    JVal out = JVal::array();
    std::set<std::string> seen;
    for (auto& arr : j->a) {
      if (arr.t != JVal::T::kArr) continue;
      for (auto& e : arr.a) {
        if (seen.insert(toJson(e)).second) out.a.push_back(e);
      }
    }
    return resultText(c, toJson(out));
  }
  if (f == "array_reverse") {
    auto j = parseJson(text(v[1]));
    if (!j || j->t != JVal::T::kArr) return sqlite3_result_null(c);
    std::reverse(j->a.begin(), j->a.end());
    return resultText(c, toJson(*j));
  }
  sqlite3_result_error(c, "unknown dynamic function", -1);
}

// ---- aggregates ----
struct ListAgg {
  std::vector<std::string>* items;
  std::set<std::string>* seen;
  int64_t max;
};

void listStep(sqlite3_context* c, int argc, sqlite3_value** v, bool set) {
  auto* a = static_cast<ListAgg*>(sqlite3_aggregate_context(c, sizeof(ListAgg)));
  if (!a) return;
  if (!a->items) {
    a->items = new std::vector<std::string>();
    a->seen = new std::set<std::string>();
    a->max = argc > 1 && !isNull(v[1]) ? sqlite3_value_int64(v[1]) : 1048576;
  }
  if (isNull(v[0])) return;
  if (static_cast<int64_t>(a->items->size()) >= a->max) return;
  std::string s(text(v[0]));
  if (set) {
    if (!a->seen->insert(s).second) return;
  }
  a->items->push_back(std::move(s));
}
void makeListStep(sqlite3_context* c, int argc, sqlite3_value** v) { listStep(c, argc, v, false); }
void makeSetStep(sqlite3_context* c, int argc, sqlite3_value** v) { listStep(c, argc, v, true); }
void listFinal(sqlite3_context* c) {
  auto* a = static_cast<ListAgg*>(sqlite3_aggregate_context(c, 0));
  std::string out = "[";
  if (a && a->items) {
    for (size_t i = 0; i < a->items->size(); ++i) {
      if (i) out += ",";
      out += (*a->items)[i];
    }
    delete a->items;
    delete a->seen;
  }
  out += "]";
  resultText(c, out);
}

struct BagAgg {
  JVal* bag;
};
void makeBagStep(sqlite3_context* c, int, sqlite3_value** v) {
  auto* a = static_cast<BagAgg*>(sqlite3_aggregate_context(c, sizeof(BagAgg)));
  if (!a) return;
  if (!a->bag) a->bag = new JVal(JVal::object());
  auto j = parseJson(text(v[0]));
  if (!j || j->t != JVal::T::kObj) return;
  for (auto& [k, x] : j->o) {
    if (!a->bag->get(k)) a->bag->set(k, x);
  }
}
void makeBagFinal(sqlite3_context* c) {
  auto* a = static_cast<BagAgg*>(sqlite3_aggregate_context(c, 0));
  if (!a || !a->bag) return resultText(c, "{}");
  resultText(c, toJson(*a->bag));
  delete a->bag;
}

struct PctAgg {
  std::vector<double>* vals;
  bool real;
  double p;
};
void pctStep(sqlite3_context* c, int, sqlite3_value** v) {
  auto* a = static_cast<PctAgg*>(sqlite3_aggregate_context(c, sizeof(PctAgg)));
  if (!a) return;
  if (!a->vals) a->vals = new std::vector<double>();
  a->p = sqlite3_value_double(v[1]);
  if (isNull(v[0])) return;
  if (sqlite3_value_type(v[0]) == SQLITE_FLOAT) a->real = true;
  a->vals->push_back(sqlite3_value_double(v[0]));
}
void pctFinal(sqlite3_context* c) {
  auto* a = static_cast<PctAgg*>(sqlite3_aggregate_context(c, 0));
  if (!a || !a->vals || a->vals->empty()) {
    if (a) delete a->vals;
    return sqlite3_result_null(c);
  }
  auto& vals = *a->vals;
  std::sort(vals.begin(), vals.end());
  double rank = std::ceil(a->p / 100.0 * static_cast<double>(vals.size()));
  size_t idx = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  if (idx >= vals.size()) idx = vals.size() - 1;
  double r = vals[idx];
  if (a->real)
    sqlite3_result_double(c, r);
  else
    sqlite3_result_int64(c, static_cast<int64_t>(r));
  delete a->vals;
}

struct ArgAgg {
  sqlite3_value* best;
  sqlite3_value* val;
  bool have;
};
// kql_arg(e, v, dir): v from the first row with the max (dir>0) or min e.
void argStep(sqlite3_context* c, int, sqlite3_value** v) {
  auto* a = static_cast<ArgAgg*>(sqlite3_aggregate_context(c, sizeof(ArgAgg)));
  if (!a) return;
  if (isNull(v[0])) {
    // Kusto returns a row of the group even when every key is null: keep the first one.
    if (!a->have && !a->val) a->val = sqlite3_value_dup(v[1]);
    return;
  }
  int dir = sqlite3_value_int(v[2]);
  bool better = !a->have;
  if (a->have) {
    int t1 = sqlite3_value_type(v[0]);
    int cmp;
    if (t1 == SQLITE_TEXT) {
      std::string_view x = text(v[0]), y = text(a->best);
      cmp = x < y ? -1 : (x > y ? 1 : 0);
    } else {
      double x = sqlite3_value_double(v[0]), y = sqlite3_value_double(a->best);
      if (t1 == SQLITE_INTEGER && sqlite3_value_type(a->best) == SQLITE_INTEGER) {
        int64_t xi = sqlite3_value_int64(v[0]), yi = sqlite3_value_int64(a->best);
        cmp = xi < yi ? -1 : (xi > yi ? 1 : 0);
      } else {
        cmp = x < y ? -1 : (x > y ? 1 : 0);
      }
    }
    better = dir > 0 ? cmp > 0 : cmp < 0;
  }
  if (!better) return;
  if (a->best) sqlite3_value_free(a->best);
  if (a->val && !a->have) {
    sqlite3_value_free(a->val);
    a->val = nullptr;
  }
  if (a->val) sqlite3_value_free(a->val);
  a->best = sqlite3_value_dup(v[0]);
  a->val = sqlite3_value_dup(v[1]);
  a->have = true;
}
void argFinal(sqlite3_context* c) {
  auto* a = static_cast<ArgAgg*>(sqlite3_aggregate_context(c, 0));
  if (!a || (!a->have && !a->val)) return sqlite3_result_null(c);
  sqlite3_result_value(c, a->val);
  if (a->best) sqlite3_value_free(a->best);
  sqlite3_value_free(a->val);
}

struct AnyAgg {
  sqlite3_value* val;
};
void anyStep(sqlite3_context* c, int, sqlite3_value** v) {
  auto* a = static_cast<AnyAgg*>(sqlite3_aggregate_context(c, sizeof(AnyAgg)));
  if (!a || a->val || isNull(v[0])) return;
  a->val = sqlite3_value_dup(v[0]);
}
void anyFinal(sqlite3_context* c) {
  auto* a = static_cast<AnyAgg*>(sqlite3_aggregate_context(c, 0));
  if (!a || !a->val) return sqlite3_result_null(c);
  sqlite3_result_value(c, a->val);
  sqlite3_value_free(a->val);
}

struct VarAgg {
  double n, mean, m2;
  int mode;
};
void varStep(sqlite3_context* c, int, sqlite3_value** v) {
  auto* a = static_cast<VarAgg*>(sqlite3_aggregate_context(c, sizeof(VarAgg)));
  if (!a) return;
  a->mode = sqlite3_value_int(v[1]);
  if (isNull(v[0])) return;
  double x = sqlite3_value_double(v[0]);
  a->n += 1;
  double d = x - a->mean;
  a->mean += d / a->n;
  a->m2 += d * (x - a->mean);
}
void varFinal(sqlite3_context* c) {
  auto* a = static_cast<VarAgg*>(sqlite3_aggregate_context(c, 0));
  if (!a || a->n == 0) return sqlite3_result_double(c, 0);
  bool sample = a->mode == 0 || a->mode == 2;
  double var = sample ? (a->n > 1 ? a->m2 / (a->n - 1) : 0) : a->m2 / a->n;
  sqlite3_result_double(c, a->mode < 2 ? std::sqrt(var) : var);
}

}  // namespace

Status registerFunctions(sqlite3* db) {
  struct Fn {
    const char* name;
    int argc;
    void (*f)(sqlite3_context*, int, sqlite3_value**);
  };
  const Fn scalars[] = {
      {"kql_has", 3, fnHas},
      {"kql_contains", 3, fnContains},
      {"kql_has_any", 3, fnHasAny},
      {"kql_regex", 2, fnRegex},
      {"kql_extract", 3, fnExtract},
      {"kql_extract_all", 2, fnExtractAll},
      {"kql_extract_all", 3, fnExtractAll},
      {"kql_replace_regex", 3, fnReplaceRegex},
      {"kql_trim", 3, fnTrim},
      {"kql_split", 2, fnSplit},
      {"kql_split", 3, fnSplit},
      {"kql_dget", -1, fnDGet},
      {"kql_conv", 3, fnConv},
      {"kql_parse_json", 1, fnParseJson},
      {"kql_array_length", 1, fnArrayLength},
      {"kql_jarray", -1, fnJArray},
      {"kql_jobject", -1, fnJObject},
      {"kql_in_json", 3, fnInJson},
      {"kql_bin", 2, fnBin},
      {"kql_dt", 2, fnDt},
      {"kql_dt", 3, fnDt},
      {"kql_datetime_diff", 3, fnDatetimeDiff},
      {"kql_datetime_add", 3, fnDatetimeAdd},
      {"kql_format_datetime", 2, fnFormatDatetime},
      {"kql_math", 2, fnMath},
      {"kql_math", 3, fnMath},
      {"kql_jfn", -1, fnJfn},
  };
  for (const auto& f : scalars) {
    int rc = sqlite3_create_function_v2(db, f.name, f.argc, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                        nullptr, f.f, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Error::internal(std::string("register ") + f.name);
  }
  struct Agg {
    const char* name;
    int argc;
    void (*step)(sqlite3_context*, int, sqlite3_value**);
    void (*fin)(sqlite3_context*);
  };
  const Agg aggs[] = {
      {"kql_make_list", 1, makeListStep, listFinal},
      {"kql_make_list", 2, makeListStep, listFinal},
      {"kql_make_set", 1, makeSetStep, listFinal},
      {"kql_make_set", 2, makeSetStep, listFinal},
      {"kql_make_bag", 1, makeBagStep, makeBagFinal},
      {"kql_percentile", 2, pctStep, pctFinal},
      {"kql_arg", 3, argStep, argFinal},
      {"kql_any", 1, anyStep, anyFinal},
      {"kql_var", 2, varStep, varFinal},
  };
  for (const auto& a : aggs) {
    int rc = sqlite3_create_function_v2(db, a.name, a.argc, SQLITE_UTF8, nullptr, nullptr, a.step,
                                        a.fin, nullptr);
    if (rc != SQLITE_OK) return Error::internal(std::string("register ") + a.name);
  }
  if (registerMoreFunctions(db) != SQLITE_OK) return Error::internal("register kql functions");
  return okStatus();
}

}  // namespace agentgate::kql
