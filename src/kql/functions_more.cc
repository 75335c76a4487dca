// More KQL functions as SQLite functions: mv-expand/make-series helpers, IPv4, URL, base64,
// JSON path and XML. Like functions.cc, every function is total: bad input gives NULL.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kql/buildschema.h"
#include "kql/functions_more.h"
#include "kql/json.h"
#include "kql/kql_time.h"

namespace agentgate::kql {
namespace {

// Splits "name", "$.a.b" or "$['a'][\"b\"]" into member names; false for other paths.
bool jsonPathKeys(const std::string& p, std::vector<std::string>* out) {
  if (p.empty() || p[0] != '$') {
    out->push_back(p);
    return true;
  }
  size_t i = 1;
  while (i < p.size()) {
    if (p[i] == '.') {
      size_t e = i + 1;
      while (e < p.size() && p[e] != '.' && p[e] != '[') ++e;
      if (e == i + 1) return false;
      out->push_back(p.substr(i + 1, e - i - 1));
      i = e;
    } else if (p[i] == '[' && i + 1 < p.size() && (p[i + 1] == '\'' || p[i + 1] == '"')) {
      size_t e = p.find(p[i + 1], i + 2);
      if (e == std::string::npos || e + 1 >= p.size() || p[e + 1] != ']') return false;
      out->push_back(p.substr(i + 2, e - i - 2));
      i = e + 2;
    } else {
      return false;  // array indexes and wildcards are not member names
    }
  }
  return !out->empty();
}

void removeMember(JVal& obj, const std::vector<std::string>& path, size_t i) {
  if (obj.t != JVal::T::kObj) return;
  for (auto it = obj.o.begin(); it != obj.o.end(); ++it) {
    if (it->first != path[i]) continue;
    if (i + 1 == path.size())
      obj.o.erase(it);
    else
      removeMember(it->second, path, i + 1);
    return;
  }
}

std::string_view text(sqlite3_value* v) {
  const unsigned char* p = sqlite3_value_text(v);
  if (!p) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_value_bytes(v))};
}
bool isNull(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }
void resultText(sqlite3_context* c, const std::string& s) {
  sqlite3_result_text(c, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}
void resultJ(sqlite3_context* c, const JVal& j) {
  if (j.t == JVal::T::kNull) return sqlite3_result_null(c);
  resultText(c, toJson(j));
}

constexpr size_t kMaxElems = 1000000;

// Number of rows a dynamic value expands to (array/bag size; scalar 1; null 0).
size_t mvLen(sqlite3_value* v) {
  if (isNull(v)) return 0;
  auto j = parseJson(text(v));
  if (!j) return 1;
  if (j->t == JVal::T::kArr) return j->a.size();
  if (j->t == JVal::T::kObj) return j->o.size();
  if (j->t == JVal::T::kNull) return 0;
  return 1;
}

void fnMvRange(sqlite3_context* c, int argc, sqlite3_value** v) {
  size_t n = 0;
  for (int i = 0; i < argc; ++i) n = std::max(n, mvLen(v[i]));
  n = std::min(n, kMaxElems);
  std::string out = "[";
  for (size_t i = 0; i < n; ++i) out += (i ? "," : "") + std::to_string(i);
  resultText(c, out + "]");
}

// kql_mv_elem(dyn, i, arrayKind): the i-th element; bags give {key: value} (or [key, value]).
void fnMvElem(sqlite3_context* c, int, sqlite3_value** v) {
  if (isNull(v[0])) return sqlite3_result_null(c);
  int64_t i = sqlite3_value_int64(v[1]);
  bool arrayKind = sqlite3_value_int(v[2]) != 0;
  auto j = parseJson(text(v[0]));
  if (!j)
    return i == 0 ? resultText(c, toJson(JVal::str(std::string(text(v[0])))))
                  : sqlite3_result_null(c);
  if (j->t == JVal::T::kArr) {
    if (i < 0 || static_cast<size_t>(i) >= j->a.size()) return sqlite3_result_null(c);
    return resultJ(c, j->a[i]);
  }
  if (j->t == JVal::T::kObj) {
    if (i < 0 || static_cast<size_t>(i) >= j->o.size()) return sqlite3_result_null(c);
    const auto& [k, x] = j->o[i];
    if (arrayKind) {
      JVal a = JVal::array();
      a.a.push_back(JVal::str(k));
      a.a.push_back(x);
      return resultJ(c, a);
    }
    JVal o = JVal::object();
    o.set(k, x);
    return resultJ(c, o);
  }
  if (i == 0) return resultJ(c, *j);
  sqlite3_result_null(c);
}

// make-series: kql_series(bin, value, from, to, step, default) aggregate -> JSON array.
struct SeriesAgg {
  std::map<int64_t, std::string>* vals;
  int64_t from, to, step;
  std::string* def;
  bool init;
  bool real;
};
int64_t toInt(sqlite3_value* v) { return sqlite3_value_int64(v); }

void seriesStep(sqlite3_context* c, int, sqlite3_value** v) {
  auto* a = static_cast<SeriesAgg*>(sqlite3_aggregate_context(c, sizeof(SeriesAgg)));
  if (!a) return;
  if (!a->init) {
    a->vals = new std::map<int64_t, std::string>();
    a->def = new std::string(isNull(v[5]) ? "null" : std::string(text(v[5])));
    a->init = true;
  }
  a->from = toInt(v[2]);
  a->to = toInt(v[3]);
  a->step = toInt(v[4]);
  if (isNull(v[0]) || a->step <= 0) return;
  int64_t idx = (toInt(v[0]) - a->from) / a->step;
  if (a->vals->size() < kMaxElems)
    (*a->vals)[idx] = isNull(v[1]) ? a->def->c_str() : std::string(text(v[1]));
}

void seriesFinal(sqlite3_context* c) {
  auto* a = static_cast<SeriesAgg*>(sqlite3_aggregate_context(c, sizeof(SeriesAgg)));
  if (!a) return sqlite3_result_null(c);
  if (!a->init) return sqlite3_result_null(c);  // empty input: the binder fills defaults
  std::string out = "[";
  int64_t n = a->step > 0 && a->to > a->from ? (a->to - a->from + a->step - 1) / a->step : 0;
  n = std::min<int64_t>(n, kMaxElems);
  for (int64_t i = 0; i < n; ++i) {
    auto it = a->vals->find(i);
    out += (i ? "," : "") + (it == a->vals->end() ? *a->def : it->second);
  }
  delete a->vals;
  delete a->def;
  resultText(c, out + "]");
}

// Same series but for an empty input: defaults only (used by kind=nonempty via the axis bounds).
void fnSeriesAxis(sqlite3_context* c, int, sqlite3_value** v) {
  if (isNull(v[0]) || isNull(v[1]) || isNull(v[2])) return sqlite3_result_null(c);
  bool isDt = text(v[3]) == "datetime", isTs = text(v[3]) == "timespan";
  bool real = sqlite3_value_type(v[0]) == SQLITE_FLOAT || sqlite3_value_type(v[2]) == SQLITE_FLOAT;
  JVal out = JVal::array();
  if (real) {
    double f = sqlite3_value_double(v[0]), t = sqlite3_value_double(v[1]),
           s = sqlite3_value_double(v[2]);
    if (!(s > 0)) return sqlite3_result_null(c);
    for (double x = f; x < t && out.a.size() < kMaxElems; x += s) out.a.push_back(JVal::real(x));
    return resultJ(c, out);
  }
  int64_t f = toInt(v[0]), t = toInt(v[1]), s = toInt(v[2]);
  if (s <= 0) return sqlite3_result_null(c);
  for (int64_t x = f; x < t && out.a.size() < kMaxElems; x += s) {
    if (isDt)
      out.a.push_back(JVal::str(formatDateTime(x)));
    else if (isTs)
      out.a.push_back(JVal::str(formatTimespan(x)));
    else
      out.a.push_back(JVal::integer(x));
  }
  resultText(c, toJson(out));
}

// kql_series_fill(json_defaults_count...) is not needed: kind=nonempty fills in the binder.

std::optional<uint32_t> parseIpv4(std::string_view s, int* prefix = nullptr) {
  uint32_t ip = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    uint32_t part = 0;
    size_t st = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - st < 4)
      part = part * 10 + (s[i++] - '0');
    if (part > 255) return std::nullopt;
    ip = (ip << 8) | part;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (prefix) *prefix = 32;
  if (i < s.size() && s[i] == '/' && prefix) {
    ++i;
    int p = 0;
    size_t st = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - st < 3)
      p = p * 10 + (s[i++] - '0');
    if (i == st || p > 32) return std::nullopt;
    *prefix = p;
  }
  if (i != s.size()) return std::nullopt;
  return ip;
}
uint32_t maskOf(int prefix) {
  return prefix <= 0 ? 0 : (prefix >= 32 ? 0xFFFFFFFFu : ~((1u << (32 - prefix)) - 1));
}

bool ipv4Private(uint32_t ip) {
  return (ip & 0xFF000000u) == 0x0A000000u || (ip & 0xFFF00000u) == 0xAC100000u ||
         (ip & 0xFFFF0000u) == 0xC0A80000u;
}

std::string urlEncode(std::string_view s, bool component) {
  static const char* hex = "0123456789abcdef";
  std::string o;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      o.push_back(static_cast<char>(ch));
    } else if (ch == ' ' && !component) {
      o.push_back('+');
    } else {
      o.push_back('%');
      o.push_back(hex[ch >> 4]);
      o.push_back(hex[ch & 15]);
    }
  }
  return o;
}
std::optional<std::string> urlDecode(std::string_view s) {
  auto hv = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  };
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int a = hv(s[i + 1]), b = hv(s[i + 2]);
      if (a < 0 || b < 0) return std::nullopt;
      o.push_back(static_cast<char>(a * 16 + b));
      i += 2;
    } else if (s[i] == '+') {
      o.push_back(' ');
    } else {
      o.push_back(s[i]);
    }
  }
  return o;
}

const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
std::string b64Encode(std::string_view s) {
  std::string o;
  size_t i = 0;
  while (i + 2 < s.size()) {
    uint32_t n = (static_cast<unsigned char>(s[i]) << 16) |
                 (static_cast<unsigned char>(s[i + 1]) << 8) | static_cast<unsigned char>(s[i + 2]);
    o += kB64[n >> 18];
    o += kB64[(n >> 12) & 63];
    o += kB64[(n >> 6) & 63];
    o += kB64[n & 63];
    i += 3;
  }
  if (i < s.size()) {
    uint32_t n = static_cast<unsigned char>(s[i]) << 16;
    if (i + 1 < s.size()) n |= static_cast<unsigned char>(s[i + 1]) << 8;
    o += kB64[n >> 18];
    o += kB64[(n >> 12) & 63];
    o += i + 1 < s.size() ? kB64[(n >> 6) & 63] : '=';
    o += '=';
  }
  return o;
}
std::optional<std::string> b64Decode(std::string_view s) {
  std::string o;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : s) {
    if (ch == '=' || ch == '\n' || ch == '\r') continue;
    const char* p = ch ? std::strchr(kB64, ch) : nullptr;
    int val;
    if (p)
      val = static_cast<int>(p - kB64);
    else if (ch == '-')
      val = 62;
    else if (ch == '_')
      val = 63;
    else
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(val);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return o;
}

bool validUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    int n = ch < 0x80 ? 0 : (ch >> 5) == 6 ? 1 : (ch >> 4) == 14 ? 2 : (ch >> 3) == 30 ? 3 : -1;
    if (n < 0) return false;
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n + 1;
  }
  return true;
}

JVal parseQueryString(std::string_view q) {
  JVal out = JVal::object();
  size_t st = 0;
  while (st <= q.size() && !q.empty()) {
    size_t amp = q.find('&', st);
    std::string_view kv =
        q.substr(st, amp == std::string_view::npos ? std::string_view::npos : amp - st);
    if (!kv.empty()) {
      size_t eq = kv.find('=');
      std::string k(kv.substr(0, eq));
      std::string val = eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
      auto dk = urlDecode(k);
      auto dv = urlDecode(val);
      out.set(dk ? *dk : k, JVal::str(dv ? *dv : val));
    }
    if (amp == std::string_view::npos) break;
    st = amp + 1;
  }
  return out;
}

JVal parseUrl(std::string_view u) {
  JVal o = JVal::object();
  size_t sch = u.find("://");
  if (sch == std::string_view::npos) return JVal();
  std::string scheme(u.substr(0, sch));
  std::string_view rest = u.substr(sch + 3);
  size_t pathStart = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, pathStart);
  std::string_view tail = pathStart == std::string_view::npos ? "" : rest.substr(pathStart);
  std::string user, pass;
  size_t at = auth.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view ui = auth.substr(0, at);
    size_t col = ui.find(':');
    user = std::string(ui.substr(0, col));
    if (col != std::string_view::npos) pass = std::string(ui.substr(col + 1));
    auth = auth.substr(at + 1);
  }
  std::string host(auth), port;
  size_t col = auth.rfind(':');
  if (col != std::string_view::npos && auth.find(']') == std::string_view::npos) {
    host = std::string(auth.substr(0, col));
    port = std::string(auth.substr(col + 1));
  }
  std::string_view path = tail, query, frag;
  size_t hash = tail.find('#');
  if (hash != std::string_view::npos) {
    frag = tail.substr(hash + 1);
    path = tail.substr(0, hash);
  }
  size_t qm = path.find('?');
  if (qm != std::string_view::npos) {
    query = path.substr(qm + 1);
    path = path.substr(0, qm);
  }
  o.set("Scheme", JVal::str(scheme));
  o.set("Host", JVal::str(host));
  o.set("Port", JVal::str(port));
  o.set("Path", JVal::str(std::string(path)));
  o.set("Username", JVal::str(user));
  o.set("Password", JVal::str(pass));
  o.set("Query Parameters", parseQueryString(query));
  o.set("Fragment", JVal::str(std::string(frag)));
  return o;
}

// JSONPath subset for extractjson: $.a.b, $['a'], $[0], $.a[1].b
std::optional<JVal> jsonPath(const JVal& root, std::string_view p) {
  if (p.empty() || p[0] != '$') return std::nullopt;
  const JVal* cur = &root;
  size_t i = 1;
  while (i < p.size()) {
    if (!cur) return std::nullopt;
    if (p[i] == '.') {
      ++i;
      size_t st = i;
      while (i < p.size() && p[i] != '.' && p[i] != '[') ++i;
      std::string key(p.substr(st, i - st));
      cur = cur->t == JVal::T::kObj ? cur->get(key) : nullptr;
    } else if (p[i] == '[') {
      ++i;
      if (i < p.size() && (p[i] == '\'' || p[i] == '"')) {
        char qc = p[i++];
        size_t st = i;
        while (i < p.size() && p[i] != qc) ++i;
        std::string key(p.substr(st, i - st));
        i += 2;  // quote and ]
        cur = cur->t == JVal::T::kObj ? cur->get(key) : nullptr;
      } else {
        size_t st = i;
        while (i < p.size() && p[i] != ']') ++i;
        std::string num(p.substr(st, i - st));
        ++i;
        char* end = nullptr;
        long idx = std::strtol(num.c_str(), &end, 10);
        if (num.empty() || *end) return std::nullopt;
        if (cur->t != JVal::T::kArr) return std::nullopt;
        if (idx < 0) idx += static_cast<long>(cur->a.size());
        cur = idx >= 0 && static_cast<size_t>(idx) < cur->a.size() ? &cur->a[idx] : nullptr;
      }
    } else {
      return std::nullopt;
    }
  }
  if (!cur) return std::nullopt;
  return *cur;
}

// A small XML -> dynamic converter (elements, attributes as "@name", text as "#text").
struct XmlParser {
  std::string_view s;
  size_t i = 0;
  int depth = 0;
  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  bool skipMisc() {
    while (true) {
      ws();
      if (s.compare(i, 4, "<!--") == 0) {
        size_t e = s.find("-->", i);
        if (e == std::string_view::npos) return false;
        i = e + 3;
      } else if (s.compare(i, 2, "<?") == 0) {
        size_t e = s.find("?>", i);
        if (e == std::string_view::npos) return false;
        i = e + 2;
      } else if (s.compare(i, 2, "<!") == 0) {
        size_t e = s.find('>', i);
        if (e == std::string_view::npos) return false;
        i = e + 1;
      } else {
        return true;
      }
    }
  }
  static std::string unescape(std::string_view t) {
    std::string o;
    for (size_t k = 0; k < t.size(); ++k) {
      if (t[k] == '&') {
        size_t e = t.find(';', k);
        if (e != std::string_view::npos) {
          std::string_view ent = t.substr(k + 1, e - k - 1);
          if (ent == "lt")
            o += '<';
          else if (ent == "gt")
            o += '>';
          else if (ent == "amp")
            o += '&';
          else if (ent == "quot")
            o += '"';
          else if (ent == "apos")
            o += '\'';
          else
            o += std::string(t.substr(k, e - k + 1));
          k = e;
          continue;
        }
      }
      o += t[k];
    }
    return o;
  }
  std::string name() {
    size_t st = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '>' &&
           s[i] != '/' && s[i] != '=')
      ++i;
    return std::string(s.substr(st, i - st));
  }
  // Parses one element at s[i] == '<'; returns its name and value.
  bool element(std::string& nm, JVal& val) {
    if (++depth > 100) return false;
    if (i >= s.size() || s[i] != '<') return false;
    ++i;
    nm = name();
    if (nm.empty()) return false;
    JVal obj = JVal::object();
    while (true) {
      ws();
      if (i >= s.size()) return false;
      if (s[i] == '/' || s[i] == '>') break;
      std::string an = name();
      ws();
      if (i >= s.size() || s[i] != '=') return false;
      ++i;
      ws();
      if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return false;
      char qc = s[i++];
      size_t e = s.find(qc, i);
      if (e == std::string_view::npos) return false;
      obj.set("@" + an, JVal::str(unescape(s.substr(i, e - i))));
      i = e + 1;
    }
    if (s[i] == '/') {
      if (i + 1 >= s.size() || s[i + 1] != '>') return false;
      i += 2;
      val = obj.o.empty() ? JVal() : obj;
      --depth;
      return true;
    }
    ++i;  // '>'
    std::string textAcc;
    while (true) {
      size_t lt = s.find('<', i);
      if (lt == std::string_view::npos) return false;
      textAcc += unescape(s.substr(i, lt - i));
      i = lt;
      if (s.compare(i, 9, "<![CDATA[") == 0) {
        size_t e = s.find("]]>", i);
        if (e == std::string_view::npos) return false;
        textAcc += std::string(s.substr(i + 9, e - i - 9));
        i = e + 3;
        continue;
      }
      if (s.compare(i, 4, "<!--") == 0) {
        size_t e = s.find("-->", i);
        if (e == std::string_view::npos) return false;
        i = e + 3;
        continue;
      }
      if (s.compare(i, 2, "</") == 0) {
        i += 2;
        std::string close = name();
        ws();
        if (close != nm || i >= s.size() || s[i] != '>') return false;
        ++i;
        break;
      }
      std::string cn;
      JVal cv;
      if (!element(cn, cv)) return false;
      const JVal* existing = obj.get(cn);
      if (existing) {
        JVal arr = existing->t == JVal::T::kArr ? *existing : JVal::array();
        if (existing->t != JVal::T::kArr) arr.a.push_back(*existing);
        arr.a.push_back(cv);
        obj.set(cn, arr);
      } else {
        obj.set(cn, cv);
      }
    }
    std::string trimmed = textAcc;
    trimmed.erase(0, trimmed.find_first_not_of(" \t\r\n"));
    trimmed.erase(trimmed.find_last_not_of(" \t\r\n") + 1);
    if (obj.o.empty()) {
      val = JVal::str(trimmed);
    } else {
      if (!trimmed.empty()) obj.set("#text", JVal::str(trimmed));
      val = obj;
    }
    --depth;
    return true;
  }
};

std::optional<JVal> parseXml(std::string_view s) {
  XmlParser p{s};
  if (!p.skipMisc()) return std::nullopt;
  std::string nm;
  JVal v;
  if (!p.element(nm, v)) return std::nullopt;
  JVal root = JVal::object();
  root.set(nm, v);
  return root;
}

bool jless(const JVal& a, const JVal& b) {
  auto rank = [](const JVal& x) {
    switch (x.t) {
      case JVal::T::kBool:
        return 0;
      case JVal::T::kInt:
      case JVal::T::kReal:
        return 1;
      case JVal::T::kStr:
        return 2;
      default:
        return 3;
    }
  };
  int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb;
  if (ra == 0) return a.b < b.b;
  if (ra == 1) {
    double x = a.t == JVal::T::kInt ? static_cast<double>(a.i) : a.d;
    double y = b.t == JVal::T::kInt ? static_cast<double>(b.i) : b.d;
    return x < y;
  }
  if (ra == 2) return a.s < b.s;
  return toJson(a) < toJson(b);
}

// kql_fn2(name, args...): the less common functions.
void fnMore(sqlite3_context* c, int argc, sqlite3_value** v) {
  std::string_view f = text(v[0]);
  auto arg = [&](int i) -> sqlite3_value* { return i + 1 < argc ? v[i + 1] : nullptr; };
  int n = argc - 1;
  if (f == "ipv4_is_private") {
    if (isNull(arg(0))) return sqlite3_result_null(c);
    int pre = 32;
    auto ip = parseIpv4(text(arg(0)), &pre);
    if (!ip) return sqlite3_result_null(c);
    return sqlite3_result_int(c, ipv4Private(*ip));
  }
  if (f == "parse_ipv4") {
    int pre = 32;
    auto ip = parseIpv4(text(arg(0)), &pre);
    if (!ip) return sqlite3_result_null(c);
    return sqlite3_result_int64(c, static_cast<int64_t>(*ip & maskOf(pre)));
  }
  if (f == "ipv4_is_match" || f == "ipv4_compare" || f == "ipv4_is_in_range") {
    int pa = 32, pb = 32;
    auto a = parseIpv4(text(arg(0)), &pa);
    auto b = parseIpv4(text(arg(1)), &pb);
    if (!a || !b) return sqlite3_result_null(c);
    int pre = f == "ipv4_is_in_range" ? pb : std::min(pa, pb);
    if (n >= 3 && !isNull(arg(2))) pre = std::min<int>(pre, sqlite3_value_int(arg(2)));
    uint32_t m = maskOf(pre);
    uint32_t x = *a & m, y = *b & m;
    if (f == "ipv4_compare") return sqlite3_result_int(c, x < y ? -1 : (x > y ? 1 : 0));
    return sqlite3_result_int(c, x == y);
  }
  if (f == "url_encode" || f == "url_encode_component")
    return resultText(c, urlEncode(text(arg(0)), f == "url_encode_component"));
  if (f == "url_decode") {
    auto d = urlDecode(text(arg(0)));
    if (!d) return sqlite3_result_null(c);
    return resultText(c, *d);
  }
  if (f == "base64_encode_tostring") return resultText(c, b64Encode(text(arg(0))));
  if (f == "base64_decode_tostring") {
    auto d = b64Decode(text(arg(0)));
    if (!d || !validUtf8(*d)) return resultText(c, "");
    return resultText(c, *d);
  }
  if (f == "base64_decode_toarray") {
    auto d = b64Decode(text(arg(0)));
    if (!d) return sqlite3_result_null(c);
    JVal a = JVal::array();
    for (unsigned char ch : *d) a.a.push_back(JVal::integer(ch));
    return resultJ(c, a);
  }
  if (f == "parse_url") {
    JVal u = parseUrl(text(arg(0)));
    if (u.t == JVal::T::kNull) return resultText(c, "{}");
    return resultJ(c, u);
  }
  if (f == "parse_urlquery") {
    std::string_view q = text(arg(0));
    if (!q.empty() && q[0] == '?') q.remove_prefix(1);
    JVal o = JVal::object();
    o.set("Query Parameters", parseQueryString(q));
    return resultJ(c, o);
  }
  if (f == "extractjson") {
    auto j = parseJson(text(arg(1)));
    if (!j) return sqlite3_result_null(c);
    auto r = jsonPath(*j, text(arg(0)));
    if (!r || r->t == JVal::T::kNull) return sqlite3_result_null(c);
    if (r->t == JVal::T::kStr) return resultText(c, r->s);
    return resultText(c, toJson(*r));
  }
  if (f == "parse_xml") {
    auto x = parseXml(text(arg(0)));
    if (!x) return sqlite3_result_null(c);
    return resultJ(c, *x);
  }
  if (f == "array_sort_asc" || f == "array_sort_desc") {
    auto j = parseJson(text(arg(0)));
    if (!j || j->t != JVal::T::kArr) return sqlite3_result_null(c);
    bool nullsLast = true;
    if (n >= 2 && !isNull(arg(1))) nullsLast = sqlite3_value_int(arg(1)) == 0 ? false : true;
    std::vector<JVal> nulls, vals;
    for (auto& e : j->a) (e.t == JVal::T::kNull ? nulls : vals).push_back(e);
    std::stable_sort(vals.begin(), vals.end(), jless);
    if (f == "array_sort_desc") std::reverse(vals.begin(), vals.end());
    JVal out = JVal::array();
    if (!nullsLast) out.a = nulls;
    for (auto& e : vals) out.a.push_back(e);
    if (nullsLast)
      for (auto& e : nulls) out.a.push_back(e);
    return resultJ(c, out);
  }
  if (f == "tohex") {
    if (isNull(arg(0))) return sqlite3_result_null(c);
    int64_t x = sqlite3_value_int64(arg(0));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(x));
    std::string s = buf;
    if (n >= 2 && !isNull(arg(1))) {
      int64_t w = sqlite3_value_int64(arg(1));
      if (w > 0 && w < 64 && static_cast<int64_t>(s.size()) < w) s.insert(0, w - s.size(), '0');
    }
    return resultText(c, s);
  }
  if (f == "range") {
    // range(start, stop, step, type)
    if (isNull(arg(0)) || isNull(arg(1))) return sqlite3_result_null(c);
    std::string_view ty = text(arg(3));
    JVal out = JVal::array();
    if (ty == "real") {
      double a = sqlite3_value_double(arg(0)), b = sqlite3_value_double(arg(1)),
             s = isNull(arg(2)) ? 1.0 : sqlite3_value_double(arg(2));
      if (s == 0 || std::isnan(s)) return sqlite3_result_null(c);
      for (double x = a; (s > 0 ? x <= b : x >= b) && out.a.size() < kMaxElems; x += s)
        out.a.push_back(JVal::real(x));
    } else {
      int64_t a = sqlite3_value_int64(arg(0)), b = sqlite3_value_int64(arg(1));
      int64_t s = isNull(arg(2)) ? 1 : sqlite3_value_int64(arg(2));
      if (s == 0) return sqlite3_result_null(c);
      for (int64_t x = a; (s > 0 ? x <= b : x >= b) && out.a.size() < kMaxElems; x += s) {
        if (ty == "datetime")
          out.a.push_back(JVal::str(formatDateTime(x)));
        else if (ty == "timespan")
          out.a.push_back(JVal::str(formatTimespan(x)));
        else
          out.a.push_back(JVal::integer(x));
        if ((s > 0 && x > INT64_MAX - s) || (s < 0 && x < INT64_MIN - s)) break;
      }
    }
    return resultJ(c, out);
  }
  if (f == "series_fill") {
    // series_fill(from, to, step, default): the make-series array of an empty group
    int64_t fr = sqlite3_value_int64(arg(0)), to = sqlite3_value_int64(arg(1)),
            st = sqlite3_value_int64(arg(2));
    if (st <= 0 || isNull(arg(0)) || isNull(arg(1))) return sqlite3_result_null(c);
    int64_t cnt = to > fr ? std::min<int64_t>((to - fr + st - 1) / st, kMaxElems) : 0;
    std::string d = isNull(arg(3)) ? "null" : std::string(text(arg(3)));
    std::string out = "[";
    for (int64_t i = 0; i < cnt; ++i) out += (i ? "," : "") + d;
    return resultText(c, out + "]");
  }
  if (f == "replace_strings") {
    // Lookups apply in list order; text produced by an earlier replacement is not searched again.
    // A lookup whose replacement is not a string keeps (and protects) the matched text.
    auto lk = parseJson(text(arg(1)));
    auto rw = parseJson(text(arg(2)));
    if (!lk || !rw || lk->t != JVal::T::kArr || rw->t != JVal::T::kArr)
      return sqlite3_result_null(c);
    std::vector<std::pair<std::string, bool>> segs = {{std::string(text(arg(0))), false}};
    for (size_t k = 0; k < lk->a.size() && k < rw->a.size(); ++k) {
      const JVal& l = lk->a[k];
      if (l.t != JVal::T::kStr || l.s.empty()) continue;
      const std::string& rep = rw->a[k].t == JVal::T::kStr ? rw->a[k].s : l.s;
      std::vector<std::pair<std::string, bool>> next;
      for (auto& [seg, done] : segs) {
        if (done) {
          next.emplace_back(seg, true);
          continue;
        }
        size_t st = 0, p;
        while ((p = seg.find(l.s, st)) != std::string::npos) {
          if (p > st) next.emplace_back(seg.substr(st, p - st), false);
          next.emplace_back(rep, true);
          st = p + l.s.size();
        }
        if (st < seg.size()) next.emplace_back(seg.substr(st), false);
      }
      segs = std::move(next);
      if (segs.size() > kMaxElems) return sqlite3_result_null(c);
    }
    std::string out;
    for (auto& sg : segs) out += sg.first;
    return resultText(c, out);
  }
  if (f == "bag_zip") {
    auto k = parseJson(text(arg(0)));
    auto vals = parseJson(text(arg(1)));
    if (!k || !vals || k->t != JVal::T::kArr || vals->t != JVal::T::kArr)
      return sqlite3_result_null(c);
    JVal out = JVal::object();
    for (size_t i = 0; i < k->a.size(); ++i) {
      if (k->a[i].t != JVal::T::kStr) continue;
      out.set(k->a[i].s, i < vals->a.size() ? vals->a[i] : JVal());
    }
    return resultJ(c, out);
  }
  if (f == "array_iff") {
    auto cnd = parseJson(text(arg(0)));
    if (!cnd || cnd->t != JVal::T::kArr) return sqlite3_result_null(c);
    auto side = [&](int i) {
      auto j = parseJson(text(arg(i)));
      return j ? *j : JVal();
    };
    JVal a = side(1), b = side(2);
    auto pick = [](const JVal& x, size_t i) {
      if (x.t == JVal::T::kArr) return i < x.a.size() ? x.a[i] : JVal();
      return x;  // a scalar applies to every element
    };
    JVal out = JVal::array();
    for (size_t i = 0; i < cnd->a.size(); ++i) {
      const JVal& e = cnd->a[i];
      bool t = (e.t == JVal::T::kBool && e.b) || (e.t == JVal::T::kInt && e.i != 0);
      bool isBool = e.t == JVal::T::kBool || e.t == JVal::T::kInt;
      out.a.push_back(isBool ? (t ? pick(a, i) : pick(b, i)) : JVal());
    }
    return resultJ(c, out);
  }
  if (f == "bag_remove_keys") {
    auto j = parseJson(text(arg(0)));
    auto k = parseJson(text(arg(1)));
    if (!j || j->t != JVal::T::kObj) return sqlite3_result_null(c);
    if (k && k->t == JVal::T::kArr) {
      for (const auto& e : k->a) {
        if (e.t != JVal::T::kStr) continue;
        // A key is a top-level name or a JSONPath ($.a.b, $['a']) naming a nested member.
        std::vector<std::string> path;
        if (!jsonPathKeys(e.s, &path)) continue;
        removeMember(*j, path, 0);
      }
    }
    return resultJ(c, *j);
  }
  if (f == "repeat") {
    int64_t cnt = sqlite3_value_int64(arg(1));
    if (cnt < 0 || isNull(arg(1))) return sqlite3_result_null(c);
    std::string one = isNull(arg(0)) ? "null" : std::string(text(arg(0)));
    std::string out = "[";
    for (int64_t i = 0; i < std::min<int64_t>(cnt, kMaxElems); ++i) out += (i ? "," : "") + one;
    return resultText(c, out + "]");
  }
  if (f == "zip") {
    std::vector<JVal> arrs;
    size_t len = 0;
    for (int i = 0; i < n; ++i) {
      auto j = parseJson(text(arg(i)));
      if (!j || j->t != JVal::T::kArr) return sqlite3_result_null(c);
      len = std::max(len, j->a.size());
      arrs.push_back(*j);
    }
    JVal out = JVal::array();
    for (size_t k = 0; k < len; ++k) {
      JVal t = JVal::array();
      for (auto& a : arrs) t.a.push_back(k < a.a.size() ? a.a[k] : JVal());
      out.a.push_back(t);
    }
    return resultJ(c, out);
  }
  if (f == "has_ipv4" || f == "has_ipv4_prefix" || f == "has_any_ipv4" ||
      f == "has_any_ipv4_prefix") {
    // Text contains an IPv4 address (or prefix) delimited by non-alphanumeric characters.
    std::string_view s = text(arg(0));
    std::vector<std::string> needles;
    auto addNeedle = [&](sqlite3_value* x) {
      auto j = parseJson(text(x));
      if (j && j->t == JVal::T::kArr) {
        for (auto& e : j->a)
          if (e.t == JVal::T::kStr) needles.push_back(e.s);
      } else if (j && j->t == JVal::T::kStr) {
        needles.push_back(j->s);
      } else {
        needles.emplace_back(text(x));
      }
    };
    for (int i = 1; i < n; ++i) addNeedle(arg(i));
    bool prefix = f.find("prefix") != std::string_view::npos;
    // collect IPv4 tokens
    size_t i = 0;
    while (i < s.size()) {
      if (!std::isdigit(static_cast<unsigned char>(s[i])) ||
          (i > 0 && (std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '.'))) {
        ++i;
        continue;
      }
      size_t st = i;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      if (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) continue;
      std::string tok(s.substr(st, i - st));
      if (!parseIpv4(tok)) continue;
      for (const auto& nd : needles) {
        if (prefix ? tok.rfind(nd, 0) == 0 && !nd.empty() &&
                         (nd.back() == '.' || tok.size() == nd.size())
                   : tok == nd)
          return sqlite3_result_int(c, 1);
      }
    }
    return sqlite3_result_int(c, 0);
  }
  sqlite3_result_error(c, "unknown KQL function", -1);
}

void fnUnsupported(sqlite3_context* c, int, sqlite3_value** v) {
  std::string m = "unsupported operator '" + std::string(text(v[0])) + "'";
  sqlite3_result_error(c, m.c_str(), -1);
}

}  // namespace

int registerMoreFunctions(sqlite3* db) {
  int rc = sqlite3_create_function_v2(db, "kql_mv_range", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                      nullptr, fnMvRange, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "kql_mv_elem", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                    nullptr, fnMvElem, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "kql_series_axis", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                    nullptr, fnSeriesAxis, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "kql_fn2", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                    fnMore, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "kql_unsupported", 1, SQLITE_UTF8, nullptr, fnUnsupported,
                                    nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "kql_series", 6, SQLITE_UTF8, nullptr, nullptr, seriesStep,
                                    seriesFinal, nullptr);
  if (rc == SQLITE_OK) rc = registerBuildSchema(db);
  return rc;
}

}  // namespace agentgate::kql
