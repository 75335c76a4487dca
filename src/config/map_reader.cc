#include "config/map_reader.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "common/strings.h"

namespace agentgate::config {

namespace {

std::string kindName(const ConfigNode& n) {
  switch (n.kind()) {
    case ConfigNode::Kind::kMap:
      return "a map";
    case ConfigNode::Kind::kSequence:
      return "a list";
    case ConfigNode::Kind::kNull:
      return "nothing";
    case ConfigNode::Kind::kScalar:
      return "\"" + n.value() + "\"";
  }
  return "something else";
}

std::string expected(std::string_view what, const ConfigNode& got) {
  return "expected " + std::string(what) + ", got " + kindName(got);
}

// Integers as YAML writes them: optional sign, decimal, 0x hex or 0o octal.
template <typename T>
std::optional<T> parseInteger(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  }
  if (s.empty() || s[0] == '+' || s[0] == '-') return std::nullopt;
  uint64_t mag = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), mag, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  if constexpr (std::is_signed_v<T>) {
    const uint64_t max = static_cast<uint64_t>(std::numeric_limits<T>::max());
    if (neg) {
      if (mag > max + 1) return std::nullopt;
      return static_cast<T>(-static_cast<int64_t>(mag - 1) - 1);
    }
    if (mag > max) return std::nullopt;
    return static_cast<T>(mag);
  } else {
    if (neg && mag != 0) return std::nullopt;
    if (mag > static_cast<uint64_t>(std::numeric_limits<T>::max())) return std::nullopt;
    return static_cast<T>(mag);
  }
}

template <typename T>
std::string integerDescription() {
  if constexpr (std::is_signed_v<T>)
    return "an integer between " + std::to_string(std::numeric_limits<T>::min()) + " and " +
           std::to_string(std::numeric_limits<T>::max());
  else
    return "a non-negative integer up to " + std::to_string(std::numeric_limits<T>::max());
}

bool isDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

MapReader::MapReader(const ConfigNode& node, Diagnostics& diags) : node_(node), diags_(diags) {
  if (!node_.isMap() && !node_.isNull()) diags_.error(node_, expected("a map", node_));
}

const ConfigNode* MapReader::scalarAt(std::string_view key) {
  if (!node_.isMap()) return nullptr;
  used_.emplace(key);
  const ConfigNode* n = node_.find(key);
  if (n == nullptr || n->isNull()) return nullptr;
  return n;
}

bool MapReader::has(std::string_view key) const {
  if (!node_.isMap()) return false;
  const ConfigNode* n = node_.find(key);
  return n != nullptr && !n->isNull();
}

template <typename T>
static bool readInteger(MapReader& r, const ConfigNode* n, T& out) {
  if (n == nullptr) return false;
  std::optional<T> v;
  if (n->isScalar()) v = parseInteger<T>(n->value());
  if (!v) {
    r.diags().error(*n, expected(integerDescription<T>(), *n));
    return false;
  }
  out = *v;
  return true;
}

bool MapReader::read(std::string_view key, std::string& out) {
  const ConfigNode* n = scalarAt(key);
  if (n == nullptr) return false;
  if (!n->isScalar()) {
    diags_.error(*n, expected("a string", *n));
    return false;
  }
  out = n->value();
  return true;
}

bool MapReader::read(std::string_view key, bool& out) {
  const ConfigNode* n = scalarAt(key);
  if (n == nullptr) return false;
  if (n->isScalar()) {
    const std::string& v = n->value();
    if (v == "true" || v == "True" || v == "TRUE") {
      out = true;
      return true;
    }
    if (v == "false" || v == "False" || v == "FALSE") {
      out = false;
      return true;
    }
  }
  diags_.error(*n, expected("a boolean (true or false)", *n));
  return false;
}

bool MapReader::read(std::string_view key, int64_t& out) {
  return readInteger(*this, scalarAt(key), out);
}
bool MapReader::read(std::string_view key, int& out) {
  return readInteger(*this, scalarAt(key), out);
}
bool MapReader::read(std::string_view key, uint32_t& out) {
  return readInteger(*this, scalarAt(key), out);
}
bool MapReader::read(std::string_view key, uint64_t& out) {
  return readInteger(*this, scalarAt(key), out);
}

bool MapReader::read(std::string_view key, double& out) {
  const ConfigNode* n = scalarAt(key);
  if (n == nullptr) return false;
  if (n->isScalar()) {
    std::string_view s = n->value();
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!s.empty() && ec == std::errc() && p == s.data() + s.size() && std::isfinite(v)) {
      out = v;
      return true;
    }
  }
  diags_.error(*n, expected("a number", *n));
  return false;
}

bool MapReader::read(std::string_view key, std::vector<std::string>& out) {
  const ConfigNode* n = scalarAt(key);
  if (n == nullptr) return false;
  if (!n->isSequence()) {
    diags_.error(*n, expected("a list of strings", *n));
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (const auto& item : n->items()) {
    if (!item.isScalar()) {
      diags_.error(item, expected("a string", item));
      ok = false;
      continue;
    }
    values.push_back(item.value());
  }
  if (ok) out = std::move(values);
  return ok;
}

bool MapReader::read(std::string_view key, std::map<std::string, std::string>& out) {
  const ConfigNode* n = scalarAt(key);
  if (n == nullptr) return false;
  if (!n->isMap()) {
    diags_.error(*n, expected("a map of strings", *n));
    return false;
  }
  std::map<std::string, std::string> values;
  bool ok = true;
  for (const auto& [k, v] : n->entries()) {
    if (v.isNull()) {
      values[k] = "";
    } else if (v.isScalar()) {
      values[k] = v.value();
    } else {
      diags_.error(v, expected("a string", v));
      ok = false;
    }
  }
  if (ok) out = std::move(values);
  return ok;
}

bool MapReader::readDuration(std::string_view key, std::chrono::nanoseconds& out) {
  const ConfigNode* n = scalarAt(key);
  if (n == nullptr) return false;
  if (!n->isScalar()) {
    diags_.error(*n, expected("a duration", *n));
    return false;
  }
  const std::string& v = n->value();
  if (isDigits(v)) {
    // A YAML integer decodes into a Go time.Duration as nanoseconds.
    if (auto ns = parseInteger<int64_t>(v)) {
      out = std::chrono::nanoseconds(*ns);
      return true;
    }
  }
  std::optional<std::chrono::nanoseconds> d = parseDuration(v);
  if (!d) {
    diags_.error(*n, "invalid duration \"" + v +
                         "\" (expected a number with a unit: ns, us, ms, s, m or h, e.g. \"5s\", "
                         "\"200ms\", \"1m30s\")");
    return false;
  }
  if (d->count() < 0) {
    diags_.error(*n, "duration \"" + v + "\" must not be negative");
    return false;
  }
  out = *d;
  return true;
}

bool MapReader::readEnum(std::string_view key, std::string& out,
                         const std::vector<std::string>& allowed) {
  const ConfigNode* n = scalarAt(key);
  if (n == nullptr) return false;
  if (n->isScalar()) {
    for (const auto& a : allowed) {
      if (strings::iequals(a, n->value())) {
        out = strings::toLower(a);
        return true;
      }
    }
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  diags_.error(*n, "invalid value " + kindName(*n) + " (expected one of: " + list + ")");
  return false;
}

const ConfigNode* MapReader::child(std::string_view key) {
  if (!node_.isMap()) return nullptr;
  used_.emplace(key);
  return node_.find(key);
}

void MapReader::ignore(std::string_view key) { used_.emplace(key); }

void MapReader::error(std::string_view key, std::string message) {
  const ConfigNode* n = node_.isMap() ? node_.find(key) : nullptr;
  if (n != nullptr) {
    diags_.error(*n, std::move(message));
    return;
  }
  std::string path =
      node_.path().empty() ? std::string(key) : node_.path() + "." + std::string(key);
  diags_.error(node_.mark(), std::move(path), std::move(message));
}

void MapReader::finish() {
  if (!node_.isMap()) return;
  for (const auto& [k, v] : node_.entries())
    if (used_.find(k) == used_.end()) diags_.error(v, "unknown key \"" + k + "\"");
}

std::optional<std::chrono::nanoseconds> parseDuration(std::string_view s) {
  // Same grammar as Go's time.ParseDuration: [-+]? ( digits [. digits] unit )+ or "0".
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return std::nullopt;
  uint64_t total = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (!s.empty()) {
    if (!(s[0] == '.' || digit(s[0]))) return std::nullopt;
    uint64_t v = 0;
    size_t i = 0;
    bool pre = false;
    for (; i < s.size() && digit(s[i]); ++i) {
      pre = true;
      if (v > (kLimit - 1) / 10) return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kLimit) return std::nullopt;
    }
    uint64_t frac = 0;
    double scale = 1;
    bool post = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      bool overflow = false;
      for (; i < s.size() && digit(s[i]); ++i) {
        post = true;
        if (overflow) continue;  // extra precision is dropped, as Go does
        if (frac > (kLimit - 1) / 10) {
          overflow = true;
          continue;
        }
        frac = frac * 10 + static_cast<uint64_t>(s[i] - '0');
        scale *= 10;
      }
    }
    if (!pre && !post) return std::nullopt;
    size_t u = i;
    while (u < s.size() && s[u] != '.' && !digit(s[u])) ++u;
    std::string_view unit = s.substr(i, u - i);
    s.remove_prefix(u);
    uint64_t mult = 0;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = 1000;
    else if (unit == "ms")
      mult = 1000000;
    else if (unit == "s")
      mult = 1000000000;
    else if (unit == "m")
      mult = 60ull * 1000000000;
    else if (unit == "h")
      mult = 3600ull * 1000000000;
    else
      return std::nullopt;  // missing or unknown unit
    if (v > kLimit / mult) return std::nullopt;
    v *= mult;
    if (frac > 0) {
      v += static_cast<uint64_t>(static_cast<double>(frac) * (static_cast<double>(mult) / scale));
      if (v > kLimit) return std::nullopt;
    }
    total += v;
    if (total > kLimit) return std::nullopt;
  }
  if (neg) {
    if (total == kLimit) return std::chrono::nanoseconds(std::numeric_limits<int64_t>::min());
    return std::chrono::nanoseconds(-static_cast<int64_t>(total));
  }
  if (total > kLimit - 1) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

}  // namespace agentgate::config
