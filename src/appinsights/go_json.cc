#include "appinsights/go_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace agentgate::appinsights {
namespace {

// Length of the valid UTF-8 sequence at s[i] (Go's utf8.DecodeRuneInString rules: no overlongs,
// no surrogates, nothing above U+10FFFF), or 0 when invalid.
size_t validSequenceLength(std::string_view s, size_t i, uint32_t* rune) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *rune = b0;
    return 1;
  }
  auto cont = [&](size_t k) -> int {
    if (i + k >= s.size()) return -1;
    auto b = static_cast<unsigned char>(s[i + k]);
    return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    int c1 = cont(1);
    if (c1 < 0) return 0;
    *rune = ((b0 & 0x1Fu) << 6) | static_cast<uint32_t>(c1);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    int c1 = cont(1), c2 = cont(2);
    if (c1 < 0 || c2 < 0) return 0;
    uint32_t r =
        ((b0 & 0x0Fu) << 12) | (static_cast<uint32_t>(c1) << 6) | static_cast<uint32_t>(c2);
    if (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF)) return 0;
    *rune = r;
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    int c1 = cont(1), c2 = cont(2), c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return 0;
    uint32_t r = ((b0 & 0x07u) << 18) | (static_cast<uint32_t>(c1) << 12) |
                 (static_cast<uint32_t>(c2) << 6) | static_cast<uint32_t>(c3);
    if (r < 0x10000 || r > 0x10FFFF) return 0;
    *rune = r;
    return 4;
  }
  return 0;
}

void appendShortest(std::string& out, double v, std::chars_format fmt) {
  char buf[400];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, fmt);
  out.append(buf, res.ptr);
}

// ASCII that Go's encoding/json writes as is (it escapes controls, quote, backslash and the
// HTML-sensitive <, >, &); bytes >= 0x80 go through UTF-8 validation.
constexpr bool needsEscape(unsigned char c) {
  return c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&';
}

}  // namespace

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!needsEscape(c)) {
      // Runs of plain ASCII are the common case: one append per run, not per byte.
      size_t run = i + 1;
      while (run < s.size() && !needsEscape(static_cast<unsigned char>(s[run]))) ++run;
      out.append(s.substr(i, run - i));
      i = run;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    uint32_t rune = 0;
    size_t n = validSequenceLength(s, i, &rune);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (rune == 0x2028 || rune == 0x2029) {
      out += rune == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  out.push_back('"');
}

std::string toValidUtf8(std::string_view s) {
  // Nearly every value is ASCII: copy runs of it in one append (this runs for every property).
  size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  if (i == s.size()) return std::string(s);
  std::string out;
  out.reserve(s.size());
  out.append(s.substr(0, i));
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      size_t run = i;
      while (run < s.size() && static_cast<unsigned char>(s[run]) < 0x80) ++run;
      out.append(s.substr(i, run - i));
      i = run;
      continue;
    }
    uint32_t rune = 0;
    size_t n = validSequenceLength(s, i, &rune);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

void appendJsonFloat(std::string& out, double v) {
  if (std::isnan(v) || std::isinf(v)) {
    out += "null";
    return;
  }
  double a = std::fabs(v);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    size_t start = out.size();
    appendShortest(out, v, std::chars_format::scientific);
    // to_chars writes e-07 like Go's 'e' format; encoding/json then trims to e-7.
    size_t n = out.size() - start;
    if (n >= 4 && out[out.size() - 4] == 'e' && out[out.size() - 3] == '-' &&
        out[out.size() - 2] == '0') {
      out.erase(out.size() - 2, 1);
    }
    return;
  }
  appendShortest(out, v, std::chars_format::fixed);
}

std::string formatFloatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::string out;
  appendShortest(out, v, std::chars_format::fixed);
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

void appendAnyValueJson(std::string& out, const pdata::AnyValue& v) {
  using pdata::ValueType;
  switch (v.type) {
    case ValueType::kEmpty:
      out += "null";
      return;
    case ValueType::kString:
      appendJsonString(out, v.string_value);
      return;
    case ValueType::kBool:
      out += v.bool_value ? "true" : "false";
      return;
    case ValueType::kInt:
      out += std::to_string(v.int_value);
      return;
    case ValueType::kDouble:
      appendJsonFloat(out, v.double_value);
      return;
    case ValueType::kBytes:
      appendJsonString(out, base64(v.string_value));
      return;
    case ValueType::kArray: {
      out.push_back('[');
      if (v.array_value) {
        bool first = true;
        for (const auto& e : *v.array_value) {
          if (!first) out.push_back(',');
          first = false;
          appendAnyValueJson(out, e);
        }
      }
      out.push_back(']');
      return;
    }
    case ValueType::kMap: {
      out.push_back('{');
      if (v.map_value) {
        // AsRaw() builds a Go map: the last duplicate key wins, keys are written sorted.
        std::vector<const pdata::KeyValue*> kvs;
        kvs.reserve(v.map_value->size());
        for (const auto& kv : *v.map_value) kvs.push_back(&kv);
        std::stable_sort(kvs.begin(), kvs.end(),
                         [](const auto* a, const auto* b) { return a->key < b->key; });
        bool first = true;
        for (size_t i = 0; i < kvs.size(); ++i) {
          if (i + 1 < kvs.size() && kvs[i + 1]->key == kvs[i]->key) continue;
          if (!first) out.push_back(',');
          first = false;
          appendJsonString(out, kvs[i]->key);
          out.push_back(':');
          appendAnyValueJson(out, kvs[i]->value);
        }
      }
      out.push_back('}');
      return;
    }
  }
}

std::string asString(const pdata::AnyValue& v) {
  using pdata::ValueType;
  switch (v.type) {
    case ValueType::kEmpty:
      return {};
    case ValueType::kString:
      return std::string(v.string_value);
    case ValueType::kBool:
      return v.bool_value ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(v.int_value);
    case ValueType::kDouble:
      return formatFloatF(v.double_value);
    case ValueType::kBytes:
      return base64(v.string_value);
    case ValueType::kArray:
    case ValueType::kMap: {
      std::string out;
      appendAnyValueJson(out, v);
      return out;
    }
  }
  return {};
}

}  // namespace agentgate::appinsights
