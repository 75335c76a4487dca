#include "kql/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

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

}  // namespace agentgate::kql
