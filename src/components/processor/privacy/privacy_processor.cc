#include "components/processor/privacy/privacy_processor.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>

namespace agentgate::components::privacy {

using pdata::AnyValue;
using pdata::Attributes;
using pdata::KeyValue;
using pdata::ValueType;

std::string hmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

namespace {

// Nesting beyond this is written as "…": decoders cap depth already, this bounds our recursion.
constexpr int kMaxDepth = 64;

void appendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

// A deterministic text form of a non-string value, so hash and truncate treat every type alike.
void appendText(std::string& out, const AnyValue& v, int depth, bool quote) {
  if (depth > kMaxDepth) {
    out += "\"...\"";
    return;
  }
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kBytes:
      if (quote) {
        appendJsonString(out, v.string_value);
      } else {
        out += v.string_value;
      }
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
    case ValueType::kArray: {
      out += '[';
      if (v.array_value != nullptr) {
        bool first = true;
        for (const auto& e : *v.array_value) {
          if (!first) out += ',';
          first = false;
          appendText(out, e, depth + 1, true);
        }
      }
      out += ']';
      return;
    }
    case ValueType::kMap: {
      out += '{';
      if (v.map_value != nullptr) {
        bool first = true;
        for (const auto& kv : *v.map_value) {
          if (!first) out += ',';
          first = false;
          appendJsonString(out, kv.key);
          out += ':';
          appendText(out, kv.value, depth + 1, true);
        }
      }
      out += '}';
      return;
    }
    case ValueType::kEmpty:
      return;
  }
}

// Longest prefix of s of at most n bytes that does not split a UTF-8 sequence.
std::string_view utf8Prefix(std::string_view s, size_t n) {
  if (s.size() <= n) return s;
  size_t end = n;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

const KeyValue* findKey(const Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs)
    if (kv.key == key) return &kv;
  return nullptr;
}

// The name a log record's content fields are tied to: event_name, the event.name attribute, or
// a short string body (Claude Code writes "claude_code.user_prompt" there).
std::string_view recordName(const pdata::LogRecord& r) {
  if (!r.event_name.empty()) return r.event_name;
  if (const KeyValue* kv = findKey(r.attributes, "event.name");
      kv != nullptr && kv->value.type == ValueType::kString)
    return kv->value.string_value;
  if (r.body.type == ValueType::kString && r.body.string_value.size() < 128)
    return r.body.string_value;
  return {};
}

}  // namespace

struct PrivacyProcessor::Walker {
  const Policy& policy;
  const std::string& key;
  pdata::Batch& batch;
  uint64_t dropped = 0, hashed = 0, truncated = 0, pseudonymised = 0;
  std::string text;

  std::string_view textOf(const AnyValue& v) {
    if (v.type == ValueType::kString) return v.string_value;
    text.clear();
    appendText(text, v, 0, false);
    return text;
  }

  void setString(AnyValue& v, std::string_view s, bool copy) {
    AnyValue out;
    out.type = ValueType::kString;
    out.string_value = copy ? batch.copyString(s) : s;
    v = out;
  }

  // Returns true when the attribute must be removed.
  bool applyContent(const ContentPolicy& p, AnyValue& v) {
    switch (p.action) {
      case ContentAction::kKeep:
      case ContentAction::kSecretsOnly:
        return false;
      case ContentAction::kDrop:
        ++dropped;
        return true;
      case ContentAction::kHash:
        setString(v, hmacSha256Hex(key, textOf(v)), true);
        ++hashed;
        return false;
      case ContentAction::kTruncate: {
        bool is_string = v.type == ValueType::kString;
        std::string_view s = textOf(v);
        if (s.size() <= p.truncate_bytes) return false;
        // A string's prefix is a view of its own bytes; a rendered value needs a copy.
        setString(v, utf8Prefix(s, p.truncate_bytes), !is_string);
        ++truncated;
        return false;
      }
    }
    return false;
  }

  bool applyIdentity(IdentityAction a, AnyValue& v) {
    switch (a) {
      case IdentityAction::kKeep:
        return false;
      case IdentityAction::kDrop:
        ++dropped;
        return true;
      case IdentityAction::kPseudonymise:
        if (v.type == ValueType::kEmpty) return false;
        setString(v, hmacSha256Hex(key, textOf(v)), true);
        ++pseudonymised;
        return false;
    }
    return false;
  }

  void walk(Attributes& attrs, Where where, std::string_view context) {
    for (size_t i = 0; i < attrs.size();) {
      KeyValue& kv = attrs[i];
      bool remove = false;
      if (const IdentityAction* a = policy.identity(kv.key)) {
        remove = applyIdentity(*a, kv.value);
      } else if (const ContentPolicy* p = policy.content(kv.key, where, context)) {
        remove = applyContent(*p, kv.value);
      }
      if (remove) {
        attrs.erase(attrs.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }
};

PrivacyProcessor::PrivacyProcessor(const Config& cfg, std::string key, std::string component_id,
                                   ConsumerPtr next)
    : policy_(cfg), key_(std::move(key)), id_(std::move(component_id)), next_(std::move(next)) {}

Status PrivacyProcessor::start(Host& host) {
  auto& t = host.telemetry();
  constexpr std::string_view kHelp = "Attribute values changed by the privacy processor";
  metric_dropped_ =
      &t.counter("agentgate_privacy_values_total", {{"processor", id_}, {"action", "drop"}}, kHelp);
  metric_hashed_ =
      &t.counter("agentgate_privacy_values_total", {{"processor", id_}, {"action", "hash"}}, kHelp);
  metric_truncated_ = &t.counter("agentgate_privacy_values_total",
                                 {{"processor", id_}, {"action", "truncate"}}, kHelp);
  metric_pseudonymised_ = &t.counter("agentgate_privacy_values_total",
                                     {{"processor", id_}, {"action", "pseudonymise"}}, kHelp);
  return {};
}

Status PrivacyProcessor::consume(BatchPtr&& batch) {
  pdata::Batch& b = *batch;
  Walker w{policy_, key_, b, 0, 0, 0, 0, {}};

  for (auto& rl : b.resource_logs) {
    w.walk(rl.resource.attributes, kResource, {});
    for (auto& sl : rl.scope_logs)
      for (auto& rec : sl.log_records) w.walk(rec.attributes, kLogRecord, recordName(rec));
  }
  for (auto& rs : b.resource_spans) {
    w.walk(rs.resource.attributes, kResource, {});
    for (auto& ss : rs.scope_spans) {
      for (auto& span : ss.spans) {
        w.walk(span.attributes, kSpan, span.name);
        for (auto& ev : span.events) w.walk(ev.attributes, kSpanEvent, ev.name);
        for (auto& link : span.links) w.walk(link.attributes, kSpan, span.name);
      }
    }
  }
  for (auto& rm : b.resource_metrics) {
    w.walk(rm.resource.attributes, kResource, {});
    for (auto& sm : rm.scope_metrics) {
      for (auto& m : sm.metrics) {
        for (auto& dp : m.number_points) w.walk(dp.attributes, kDataPoint, m.name);
        for (auto& dp : m.histogram_points) w.walk(dp.attributes, kDataPoint, m.name);
        for (auto& dp : m.exp_histogram_points) w.walk(dp.attributes, kDataPoint, m.name);
        for (auto& dp : m.summary_points) w.walk(dp.attributes, kDataPoint, m.name);
      }
    }
  }

  auto bump = [](std::atomic<uint64_t>& c, selftelemetry::Counter* m, uint64_t n) {
    if (n == 0) return;
    c.fetch_add(n, std::memory_order_relaxed);
    if (m != nullptr) m->add(n);
  };
  bump(counts_.dropped, metric_dropped_, w.dropped);
  bump(counts_.hashed, metric_hashed_, w.hashed);
  bump(counts_.truncated, metric_truncated_, w.truncated);
  bump(counts_.pseudonymised, metric_pseudonymised_, w.pseudonymised);
  return next_->consume(std::move(batch));
}

}  // namespace agentgate::components::privacy
