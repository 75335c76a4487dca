#include "kql/json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace agentgate::kql {

const JVal* JVal::get(std::string_view key) const {
  for (const auto& [k, v] : o) {
    if (k == key) return &v;
  }
  return nullptr;
}

void JVal::set(const std::string& key, JVal v) {
  for (auto& [k, old] : o) {
    if (k == key) {
      old = std::move(v);
      return;
    }
  }
  o.emplace_back(key, std::move(v));
}

namespace {

class JParser {
 public:
  explicit JParser(std::string_view s) : s_(s) {}
  bool parse(JVal& out) {
    ws();
    if (!value(out, 0)) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  static void utf8(std::string& o, uint32_t cp) {
    if (cp < 0x80) {
      o.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      o.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      o.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      o.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      o.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      o.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      o.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      o.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      o.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      o.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  bool hex4(uint32_t& v) {
    if (i_ + 4 > s_.size()) return false;
    v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v |= c - 'A' + 10;
      else
        return false;
    }
    return true;
  }
  bool string(std::string& o) {
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        char e = s_[i_++];
        switch (e) {
          case '"':
            o.push_back('"');
            break;
          case '\\':
            o.push_back('\\');
            break;
          case '/':
            o.push_back('/');
            break;
          case 'b':
            o.push_back('\b');
            break;
          case 'f':
            o.push_back('\f');
            break;
          case 'n':
            o.push_back('\n');
            break;
          case 'r':
            o.push_back('\r');
            break;
          case 't':
            o.push_back('\t');
            break;
          case 'u': {
            uint32_t cp;
            if (!hex4(cp)) return false;
            if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
              i_ += 2;
              uint32_t lo;
              if (!hex4(lo)) return false;
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            utf8(o, cp);
            break;
          }
          default:
            return false;
        }
      } else {
        o.push_back(c);
      }
    }
    return false;
  }
  bool value(JVal& out, int depth) {
    if (depth > 100 || i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '{') {
      out.t = JVal::T::kObj;
      ++i_;
      ws();
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return true;
      }
      while (true) {
        ws();
        if (i_ >= s_.size() || s_[i_] != '"') return false;
        std::string k;
        if (!string(k)) return false;
        ws();
        if (i_ >= s_.size() || s_[i_] != ':') return false;
        ++i_;
        ws();
        JVal v;
        if (!value(v, depth + 1)) return false;
        out.set(k, std::move(v));
        ws();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == '}') {
          ++i_;
          return true;
        }
        return false;
      }
    }
    if (c == '[') {
      out.t = JVal::T::kArr;
      ++i_;
      ws();
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return true;
      }
      while (true) {
        ws();
        JVal v;
        if (!value(v, depth + 1)) return false;
        out.a.push_back(std::move(v));
        ws();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == ']') {
          ++i_;
          return true;
        }
        return false;
      }
    }
    if (c == '"') {
      out.t = JVal::T::kStr;
      return string(out.s);
    }
    if (lit("true")) {
      out.t = JVal::T::kBool;
      out.b = true;
      return true;
    }
    if (lit("false")) {
      out.t = JVal::T::kBool;
      return true;
    }
    if (lit("null")) {
      out.t = JVal::T::kNull;
      return true;
    }
    size_t st = i_;
    if (c == '-') ++i_;
    bool real = false;
    if (i_ >= s_.size() || !(s_[i_] >= '0' && s_[i_] <= '9')) return false;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    if (i_ < s_.size() && s_[i_] == '.') {
      real = true;
      ++i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      real = true;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    }
    std::string num(s_.substr(st, i_ - st));
    if (!real) {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(num.c_str(), &end, 10);
      if (errno == 0) {
        out.t = JVal::T::kInt;
        out.i = v;
        return true;
      }
    }
    out.t = JVal::T::kReal;
    out.d = std::strtod(num.c_str(), nullptr);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::optional<JVal> parseJson(std::string_view text) {
  JVal v;
  JParser p(text);
  if (!p.parse(v)) return std::nullopt;
  return v;
}

std::string jsonQuote(std::string_view s) {
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

std::string formatReal(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  for (int prec = 15; prec <= 17; ++prec) {
    snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

void appendJson(std::string& out, const JVal& v) {
  switch (v.t) {
    case JVal::T::kNull:
      out += "null";
      break;
    case JVal::T::kBool:
      out += v.b ? "true" : "false";
      break;
    case JVal::T::kInt:
      out += std::to_string(v.i);
      break;
    case JVal::T::kReal: {
      if (std::isnan(v.d) || std::isinf(v.d)) {
        out += jsonQuote(formatReal(v.d));
      } else {
        std::string r = formatReal(v.d);
        out += r;
      }
      break;
    }
    case JVal::T::kStr:
      out += jsonQuote(v.s);
      break;
    case JVal::T::kArr: {
      out.push_back('[');
      for (size_t k = 0; k < v.a.size(); ++k) {
        if (k) out.push_back(',');
        appendJson(out, v.a[k]);
      }
      out.push_back(']');
      break;
    }
    case JVal::T::kObj: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, x] : v.o) {
        if (!first) out.push_back(',');
        first = false;
        out += jsonQuote(k);
        out.push_back(':');
        appendJson(out, x);
      }
      out.push_back('}');
      break;
    }
  }
}

std::string toJson(const JVal& v) {
  std::string o;
  appendJson(o, v);
  return o;
}

namespace {

void skipWs(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
}

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The escapes of a string body are the ones JParser accepts (\uXXXX, \uD8xx\uXXXX pairs and
// the single-letter set).
bool validEscapes(std::string_view body) {
  for (size_t k = 0; k < body.size(); ++k) {
    if (body[k] != '\\') continue;
    if (++k >= body.size()) return false;
    char e = body[k];
    if (e == 'u') {
      if (k + 5 > body.size()) return false;
      for (size_t h = 1; h <= 4; ++h) {
        if (!isHex(body[k + h])) return false;
      }
      uint32_t cp = static_cast<uint32_t>(
          std::strtoul(std::string(body.substr(k + 1, 4)).c_str(), nullptr, 16));
      k += 4;
      if (cp >= 0xD800 && cp < 0xDC00 && body.substr(k + 1, 2) == "\\u") {
        if (k + 7 > body.size()) return false;
        for (size_t h = 3; h <= 6; ++h) {
          if (!isHex(body[k + h])) return false;
        }
        k += 6;
      }
    } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// Moves i past the string literal starting at s[i] == '"'. memchr finds each candidate quote;
// a quote preceded by an odd run of backslashes is escaped and the search goes on.
bool skipString(std::string_view s, size_t& i) {
  size_t from = i + 1;
  while (from < s.size()) {
    const void* hit = std::memchr(s.data() + from, '"', s.size() - from);
    if (!hit) return false;
    size_t q = static_cast<size_t>(static_cast<const char*>(hit) - s.data());
    size_t backslashes = 0;
    while (q - backslashes > i + 1 && s[q - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) {
      std::string_view body = s.substr(i + 1, q - i - 1);
      if (std::memchr(body.data(), '\\', body.size()) && !validEscapes(body)) return false;
      i = q + 1;
      return true;
    }
    from = q + 1;
  }
  return false;
}

// A number as JParser reads it: -?digits+(.digits*)?([eE][+-]?digits*)?
bool skipNumber(std::string_view s, size_t& i) {
  auto digit = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digit(i)) return false;
  while (digit(i)) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (digit(i)) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    while (digit(i)) ++i;
  }
  return true;
}

// The literal s (quotes included) holds no escape and no raw control byte, so its text is what
// jsonQuote would write.
bool isPlainLiteral(std::string_view s) {
  for (size_t k = 1; k + 1 < s.size(); ++k) {
    auto c = static_cast<unsigned char>(s[k]);
    if (c == '\\' || c < 0x20) return false;
  }
  return true;
}

bool skipValue(std::string_view s, size_t& i, int depth) {
  if (depth > 64 || i >= s.size()) return false;
  char c = s[i];
  if (c == '"') return skipString(s, i);
  if (c == '{' || c == '[') {
    const char close = c == '{' ? '}' : ']';
    ++i;
    skipWs(s, i);
    if (i < s.size() && s[i] == close) {
      ++i;
      return true;
    }
    while (true) {
      if (c == '{') {
        if (i >= s.size() || s[i] != '"' || !skipString(s, i)) return false;
        skipWs(s, i);
        if (i >= s.size() || s[i] != ':') return false;
        ++i;
        skipWs(s, i);
      }
      if (!skipValue(s, i, depth + 1)) return false;
      skipWs(s, i);
      if (i >= s.size()) return false;
      if (s[i] == close) {
        ++i;
        return true;
      }
      if (s[i] != ',') return false;
      ++i;
      skipWs(s, i);
    }
  }
  for (std::string_view word : {"true", "false", "null"}) {
    if (s.substr(i, word.size()) == word) {
      i += word.size();
      return true;
    }
  }
  return skipNumber(s, i);
}

}  // namespace

bool indexMembersRaw(std::string_view json, std::vector<RawPair>& out) {
  out.clear();
  size_t i = 0;
  skipWs(json, i);
  if (i >= json.size() || json[i] != '{') return false;
  ++i;
  skipWs(json, i);
  if (i < json.size() && json[i] == '}') {
    ++i;
  } else {
    while (true) {
      if (i >= json.size() || json[i] != '"') return false;
      size_t key_start = i;
      if (!skipString(json, i)) return false;
      std::string_view literal = json.substr(key_start, i - key_start);
      if (!isPlainLiteral(literal)) return false;
      skipWs(json, i);
      if (i >= json.size() || json[i] != ':') return false;
      ++i;
      skipWs(json, i);
      size_t value_start = i;
      if (!skipValue(json, i, 0)) return false;
      out.emplace_back(literal.substr(1, literal.size() - 2),
                       json.substr(value_start, i - value_start));
      skipWs(json, i);
      if (i >= json.size()) return false;
      if (json[i] == '}') {
        ++i;
        break;
      }
      if (json[i] != ',') return false;
      ++i;
      skipWs(json, i);
    }
  }
  skipWs(json, i);
  return i == json.size();  // trailing bytes: parseJson decides
}

RawMember lookupMember(const std::vector<RawPair>& members, std::string_view key) {
  RawMember found;
  for (const auto& [k, v] : members) {
    if (k == key) {
      found.status = RawLookup::kFound;
      found.value = v;
    }
  }
  return found;
}

std::optional<RawMember> findMemberRaw(std::string_view json, std::string_view key) {
  thread_local std::vector<RawPair> members;
  if (!indexMembersRaw(json, members)) return std::nullopt;
  return lookupMember(members, key);
}

std::optional<std::string_view> plainStringRaw(std::string_view json) {
  if (json.size() < 2 || json.front() != '"') return std::nullopt;
  size_t i = 0;
  if (!skipString(json, i) || i != json.size() || !isPlainLiteral(json)) return std::nullopt;
  return json.substr(1, json.size() - 2);
}

bool isCanonicalScalar(std::string_view j) {
  if (plainStringRaw(j)) return true;
  if (j == "true" || j == "false") return true;
  size_t digits = j.size() - (!j.empty() && j[0] == '-' ? 1 : 0);
  if (digits == 0 || digits > 18) return false;
  std::string_view d = j.substr(j.size() - digits);
  if (d[0] == '0' && (d.size() > 1 || j[0] == '-')) return false;
  return std::all_of(d.begin(), d.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

std::optional<RawMember> topLevelMember(std::string_view doc, std::string_view key) {
  // The member index of the last top-level document seen on this thread. A dashboard query
  // reads several keys of the same row's Properties in a row; comparing the text (a memcmp) is
  // far cheaper than scanning it again.
  struct RowDocCache {
    std::string text;
    std::vector<RawPair> members;
    bool indexed = false;
  };
  thread_local RowDocCache cache;
  if (cache.text.size() != doc.size() || std::memcmp(cache.text.data(), doc.data(), doc.size())) {
    cache.text.assign(doc);
    cache.indexed = indexMembersRaw(cache.text, cache.members);
  }
  if (!cache.indexed) return std::nullopt;
  return lookupMember(cache.members, key);
}

namespace {

// memberJson's answer given the scanner's answer for the member (nullopt: it could not tell).
std::optional<std::string_view> memberJsonFrom(std::optional<RawMember> raw, std::string_view doc,
                                               std::string_view key, std::string& storage) {
  if (raw) {
    if (raw->status == RawLookup::kAbsent) return std::nullopt;
    if (isCanonicalScalar(raw->value)) return raw->value;
  }
  auto parsed = parseJson(doc);
  if (!parsed || parsed->t != JVal::T::kObj) return std::nullopt;
  const JVal* v = parsed->get(key);
  if (!v || v->t == JVal::T::kNull) return std::nullopt;
  storage = toJson(*v);
  return std::string_view(storage);
}

}  // namespace

std::optional<std::string_view> memberJson(std::string_view doc, std::string_view key,
                                           std::string& storage) {
  return memberJsonFrom(topLevelMember(doc, key), doc, key, storage);
}

ObjectMembers::ObjectMembers(std::string_view doc)
    : doc_(doc), indexed_(indexMembersRaw(doc, members_)) {}

std::optional<std::string_view> ObjectMembers::memberJson(std::string_view key,
                                                          std::string& storage) const {
  std::optional<RawMember> raw;
  if (indexed_) raw = lookupMember(members_, key);
  return memberJsonFrom(raw, doc_, key, storage);
}

}  // namespace agentgate::kql
