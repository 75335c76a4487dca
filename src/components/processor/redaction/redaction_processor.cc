#include "components/processor/redaction/redaction_processor.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>

#include "common/strings.h"

namespace agentgate::components::redaction {

using pdata::AnyValue;
using pdata::Attributes;
using pdata::KeyValue;
using pdata::ValueType;

namespace {

constexpr std::string_view kMask = "****";
constexpr int kMaxDepth = 64;

constexpr std::string_view kRedactedKeys = "redaction.redacted.keys";
constexpr std::string_view kRedactedCount = "redaction.redacted.count";
constexpr std::string_view kMaskedKeys = "redaction.masked.keys";
constexpr std::string_view kMaskedCount = "redaction.masked.count";
constexpr std::string_view kAllowedKeys = "redaction.allowed.keys";
constexpr std::string_view kAllowedCount = "redaction.allowed.count";
constexpr std::string_view kIgnoredCount = "redaction.ignored.count";
constexpr std::string_view kBodyRedactedKeys = "redaction.body.redacted.keys";
constexpr std::string_view kBodyRedactedCount = "redaction.body.redacted.count";
constexpr std::string_view kBodyMaskedKeys = "redaction.body.masked.keys";
constexpr std::string_view kBodyMaskedCount = "redaction.body.masked.count";
constexpr std::string_view kBodyAllowedKeys = "redaction.body.allowed.keys";
constexpr std::string_view kBodyAllowedCount = "redaction.body.allowed.count";
constexpr std::string_view kBodyIgnoredCount = "redaction.body.ignored.count";

std::string hex(const unsigned char* md, unsigned len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string digestHex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) return std::string(kMask);
  return hex(out, len);
}

std::string hmacHex(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(md, key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) == nullptr)
    return std::string(kMask);
  return hex(out, len);
}

// pcommon.Value.AsString for the scalar types; containers as compact JSON-like text.
void appendAsString(std::string& out, const AnyValue& v, int depth) {
  if (depth > kMaxDepth) return;
  switch (v.type) {
    case ValueType::kString:
      out += v.string_value;
      return;
    case ValueType::kBool:
      out += v.bool_value ? "true" : "false";
      return;
    case ValueType::kInt:
      out += std::to_string(v.int_value);
      return;
    case ValueType::kDouble: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.double_value);
      out += buf;
      return;
    }
    case ValueType::kBytes:
      out += strings::hexEncode(v.string_value);
      return;
    case ValueType::kArray:
      out += '[';
      if (v.array_value != nullptr)
        for (size_t i = 0; i < v.array_value->size(); ++i) {
          if (i) out += ',';
          appendAsString(out, (*v.array_value)[i], depth + 1);
        }
      out += ']';
      return;
    case ValueType::kMap:
      out += '{';
      if (v.map_value != nullptr)
        for (size_t i = 0; i < v.map_value->size(); ++i) {
          if (i) out += ',';
          out += (*v.map_value)[i].key;
          out += ':';
          appendAsString(out, (*v.map_value)[i].value, depth + 1);
        }
      out += '}';
      return;
    case ValueType::kEmpty:
      return;
  }
}

std::string asString(const AnyValue& v) {
  std::string s;
  appendAsString(s, v, 0);
  return s;
}

bool anyMatch(const std::vector<std::unique_ptr<RE2>>& res, std::string_view s) {
  re2::StringPiece text(s.data(), s.size());
  for (const auto& re : res)
    if (RE2::PartialMatch(text, *re)) return true;
  return false;
}

void setString(pdata::Batch& b, AnyValue& v, std::string_view s) {
  AnyValue out;
  out.type = ValueType::kString;
  out.string_value = b.copyString(s);
  v = out;
}

KeyValue* findKey(Attributes& attrs, std::string_view key) {
  for (auto& kv : attrs)
    if (kv.key == key) return &kv;
  return nullptr;
}

size_t utf8Len(std::string_view s, size_t at) {
  unsigned char c = static_cast<unsigned char>(s[at]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  return std::min(n, s.size() - at);
}

}  // namespace

Result<std::shared_ptr<RedactionProcessor>> RedactionProcessor::create(const Config& cfg,
                                                                       ConsumerPtr next) {
  std::shared_ptr<RedactionProcessor> p(new RedactionProcessor(cfg, std::move(next)));
  auto compile = [](const std::vector<std::string>& in, std::vector<std::unique_ptr<RE2>>& out,
                    std::string_view what) -> Status {
    for (const auto& pattern : in) {
      auto re = std::make_unique<RE2>(pattern, RE2::Quiet);
      if (!re->ok())
        return Error::config("invalid regular expression in " + std::string(what) + " '" + pattern +
                             "': " + re->error());
      out.push_back(std::move(re));
    }
    return {};
  };
  if (auto s = compile(cfg.ignored_key_patterns, p->ignored_key_patterns_, "ignored_key_patterns");
      !s.ok())
    return s.error();
  if (auto s = compile(cfg.blocked_key_patterns, p->blocked_key_patterns_, "blocked_key_patterns");
      !s.ok())
    return s.error();
  if (auto s = compile(cfg.blocked_values, p->blocked_values_, "blocked_values"); !s.ok())
    return s.error();
  if (auto s = compile(cfg.allowed_values, p->allowed_values_, "allowed_values"); !s.ok())
    return s.error();
  return p;
}

RedactionProcessor::RedactionProcessor(const Config& cfg, ConsumerPtr next)
    : cfg_(cfg),
      allowed_keys_(cfg.allowed_keys.begin(), cfg.allowed_keys.end()),
      ignored_keys_(cfg.ignored_keys.begin(), cfg.ignored_keys.end()),
      whole_(std::make_unique<RE2>(".*")),
      next_(std::move(next)) {
  // The summary attributes survive a chain of redaction processors with allow lists.
  for (auto k :
       {kRedactedKeys, kRedactedCount, kMaskedKeys, kMaskedCount, kAllowedKeys, kAllowedCount,
        kIgnoredCount, kBodyRedactedKeys, kBodyRedactedCount, kBodyMaskedKeys, kBodyMaskedCount,
        kBodyAllowedKeys, kBodyAllowedCount, kBodyIgnoredCount})
    allowed_keys_.insert(std::string(k));
}

bool RedactionProcessor::ignoredKey(std::string_view key) const {
  return ignored_keys_.count(key) != 0 || anyMatch(ignored_key_patterns_, key);
}
bool RedactionProcessor::redactedKey(std::string_view key) const {
  return !cfg_.allow_all_keys && allowed_keys_.count(key) == 0;
}
bool RedactionProcessor::maskedKey(std::string_view key) const {
  return anyMatch(blocked_key_patterns_, key);
}
bool RedactionProcessor::allowedValue(std::string_view value) const {
  return anyMatch(allowed_values_, value);
}

std::string RedactionProcessor::hashOf(std::string_view match) const {
  switch (cfg_.hash_function) {
    case HashFunction::kNone:
      return std::string(kMask);
    case HashFunction::kMd5:
      return digestHex(EVP_md5(), match);
    case HashFunction::kSha1:
      return digestHex(EVP_sha1(), match);
    case HashFunction::kSha3:
      return digestHex(EVP_sha3_256(), match);
    case HashFunction::kHmacSha256:
      return hmacHex(EVP_sha256(), cfg_.hmac_key, match);
    case HashFunction::kHmacSha512:
      return hmacHex(EVP_sha512(), cfg_.hmac_key, match);
  }
  return std::string(kMask);
}

std::string RedactionProcessor::maskMatches(std::string_view value, const RE2& re) const {
  std::string out;
  size_t pos = 0;
  size_t copied = 0;
  bool had_match = false;
  size_t last_end = 0;
  re2::StringPiece text(value.data(), value.size());
  re2::StringPiece m;
  while (pos <= value.size()) {
    if (!re.Match(text, pos, value.size(), RE2::UNANCHORED, &m, 1)) break;
    size_t start = static_cast<size_t>(m.data() - value.data());
    size_t end = start + m.size();
    if (m.empty() && had_match && start == last_end) {
      // An empty match right after a match is not a new match (Go's ReplaceAll rule).
      if (start >= value.size()) break;
      pos = start + utf8Len(value, start);
      continue;
    }
    out.append(value.substr(copied, start - copied));
    out += hashOf(value.substr(start, end - start));
    copied = end;
    had_match = true;
    last_end = end;
    if (m.empty()) {
      if (end >= value.size()) break;
      pos = end + utf8Len(value, end);
    } else {
      pos = end;
    }
  }
  out.append(value.substr(std::min(copied, value.size())));
  return out;
}

std::string RedactionProcessor::maskBlocked(std::string_view value) const {
  std::string s(value);
  for (const auto& re : blocked_values_)
    if (RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re)) s = maskMatches(s, *re);
  return s;
}

void RedactionProcessor::addSummary(pdata::Batch& b, Attributes& attrs,
                                    std::vector<std::string>& keys, std::string_view keys_attr,
                                    std::string_view count_attr) const {
  if (keys.empty() || cfg_.summary == Summary::kSilent) return;
  int64_t count = static_cast<int64_t>(keys.size());
  if (cfg_.summary == Summary::kDebug && !keys_attr.empty()) {
    // Merged with what an earlier redaction processor recorded, sorted, comma-separated.
    if (KeyValue* kv = findKey(attrs, keys_attr);
        kv != nullptr && kv->value.type == ValueType::kString && !kv->value.string_value.empty())
      for (auto part : strings::split(kv->value.string_value, ',')) keys.emplace_back(part);
    std::sort(keys.begin(), keys.end());
    std::string joined;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i) joined += ',';
      joined += keys[i];
    }
    if (KeyValue* kv = findKey(attrs, keys_attr)) {
      setString(b, kv->value, joined);
    } else {
      AnyValue v;
      setString(b, v, joined);
      attrs.push_back({keys_attr, v});
    }
  }
  AnyValue n;
  n.type = ValueType::kInt;
  if (KeyValue* kv = findKey(attrs, count_attr)) {
    n.int_value = count + (kv->value.type == ValueType::kInt ? kv->value.int_value : 0);
    kv->value = n;
  } else {
    n.int_value = count;
    attrs.push_back({count_attr, n});
  }
}

void RedactionProcessor::processAttributes(pdata::Batch& b, Attributes& attrs) const {
  Outcome o;
  for (size_t i = 0; i < attrs.size();) {
    KeyValue& kv = attrs[i];
    std::string_view key = kv.key;
    if (ignoredKey(key)) {
      o.ignored.emplace_back(key);
      ++i;
      continue;
    }
    if (redactedKey(key)) {
      o.redacted.emplace_back(key);
      attrs.erase(attrs.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    ++i;
    bool is_string = kv.value.type == ValueType::kString;
    // Without redact_all_types only strings are matched; a blocked key masks any type.
    std::string text = is_string || cfg_.redact_all_types ? asString(kv.value) : std::string();
    bool check_values = is_string || cfg_.redact_all_types;
    if (check_values && allowedValue(text)) {
      o.allowed.emplace_back(key);
      continue;
    }
    if (maskedKey(key)) {
      o.masked.emplace_back(key);
      setString(b, kv.value, maskMatches(text, *whole_));
      continue;
    }
    if (!check_values) continue;
    std::string masked = maskBlocked(text);
    if (masked != text) {
      o.masked.emplace_back(key);
      setString(b, kv.value, masked);
    }
  }
  addSummary(b, attrs, o.redacted, kRedactedKeys, kRedactedCount);
  addSummary(b, attrs, o.masked, kMaskedKeys, kMaskedCount);
  addSummary(b, attrs, o.allowed, kAllowedKeys, kAllowedCount);
  addSummary(b, attrs, o.ignored, {}, kIgnoredCount);
}

void RedactionProcessor::processBodyMap(pdata::Batch& b, const std::string& path, Attributes& map,
                                        Outcome& o, int depth) const {
  for (size_t i = 0; i < map.size();) {
    KeyValue& kv = map[i];
    std::string key_path = path.empty() ? std::string(kv.key) : path + "." + std::string(kv.key);
    if (ignoredKey(kv.key)) {
      o.ignored.push_back(std::move(key_path));
      ++i;
      continue;
    }
    if (redactedKey(kv.key)) {
      o.redacted.push_back(std::move(key_path));
      map.erase(map.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    ++i;
    if (maskedKey(kv.key)) {
      o.masked.push_back(key_path);
      setString(b, kv.value, maskMatches(asString(kv.value), *whole_));
      continue;
    }
    processBodyValue(b, key_path, kv.value, o, depth + 1);
  }
}

void RedactionProcessor::processBodyValue(pdata::Batch& b, const std::string& path, AnyValue& v,
                                          Outcome& o, int depth) const {
  if (depth > kMaxDepth) return;
  switch (v.type) {
    case ValueType::kMap:
      if (v.map_value != nullptr) processBodyMap(b, path, *v.map_value, o, depth);
      return;
    case ValueType::kArray:
      if (v.array_value != nullptr)
        for (size_t i = 0; i < v.array_value->size(); ++i)
          processBodyValue(b, path + ".[" + std::to_string(i) + "]", (*v.array_value)[i], o,
                           depth + 1);
      return;
    case ValueType::kEmpty:
      return;
    default: {
      std::string text = asString(v);
      if (allowedValue(text)) {
        o.allowed.push_back(path);
        return;
      }
      std::string masked = maskBlocked(text);
      if (masked != text) {
        o.masked.push_back(path);
        setString(b, v, masked);
      }
    }
  }
}

void RedactionProcessor::processBody(pdata::Batch& b, pdata::LogRecord& rec) const {
  Outcome o;
  AnyValue& body = rec.body;
  switch (body.type) {
    case ValueType::kEmpty:
      return;
    case ValueType::kMap:
      if (body.map_value != nullptr) processBodyMap(b, "", *body.map_value, o, 0);
      break;
    case ValueType::kArray:
      if (body.array_value != nullptr)
        for (size_t i = 0; i < body.array_value->size(); ++i)
          processBodyValue(b, "[" + std::to_string(i) + "]", (*body.array_value)[i], o, 1);
      break;
    default: {
      std::string text = asString(body);
      if (allowedValue(text)) return;  // upstream records nothing for an allowed scalar body
      std::string masked = maskBlocked(text);
      if (masked != text) {
        o.masked.emplace_back("body");
        setString(b, body, masked);
      }
    }
  }
  addSummary(b, rec.attributes, o.redacted, kBodyRedactedKeys, kBodyRedactedCount);
  addSummary(b, rec.attributes, o.masked, kBodyMaskedKeys, kBodyMaskedCount);
  addSummary(b, rec.attributes, o.allowed, kBodyAllowedKeys, kBodyAllowedCount);
  addSummary(b, rec.attributes, o.ignored, {}, kBodyIgnoredCount);
}

Status RedactionProcessor::consume(BatchPtr&& batch) {
  pdata::Batch& b = *batch;
  for (auto& rl : b.resource_logs) {
    processAttributes(b, rl.resource.attributes);
    for (auto& sl : rl.scope_logs)
      for (auto& rec : sl.log_records) {
        processAttributes(b, rec.attributes);
        processBody(b, rec);
      }
  }
  for (auto& rs : b.resource_spans) {
    processAttributes(b, rs.resource.attributes);
    for (auto& ss : rs.scope_spans)
      for (auto& span : ss.spans) {
        processAttributes(b, span.attributes);
        for (auto& ev : span.events) processAttributes(b, ev.attributes);
      }
  }
  for (auto& rm : b.resource_metrics) {
    processAttributes(b, rm.resource.attributes);
    for (auto& sm : rm.scope_metrics)
      for (auto& m : sm.metrics) {
        for (auto& dp : m.number_points) processAttributes(b, dp.attributes);
        for (auto& dp : m.histogram_points) processAttributes(b, dp.attributes);
        for (auto& dp : m.exp_histogram_points) processAttributes(b, dp.attributes);
        for (auto& dp : m.summary_points) processAttributes(b, dp.attributes);
      }
  }
  return next_->consume(std::move(batch));
}

}  // namespace agentgate::components::redaction
