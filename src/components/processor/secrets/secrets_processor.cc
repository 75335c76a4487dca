#include "components/processor/secrets/secrets_processor.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <optional>

namespace agentgate::components::secrets_processor {
namespace {

using pdata::AnyValue;
using pdata::Attributes;
using pdata::KeyValue;
using pdata::ValueType;

// AnyValue nesting deeper than this is removed rather than passed on unscanned (decoders already
// cap depth; this keeps the processor fail-closed and its recursion bounded on its own).
constexpr int kMaxDepth = 64;

std::string hmacHex(std::string_view key, std::string_view data) {
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

// One detection, without the secret: what the finding record reports.
struct Pending {
  bool example;
  std::string_view type;
  std::string_view rule;
  secrets::Confidence confidence;
  std::string location;
  std::string fingerprint;
  Action action;
};

const KeyValue* findKey(const Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs)
    if (kv.key == key) return &kv;
  return nullptr;
}

AnyValue stringValue(pdata::Batch& batch, std::string_view s, bool copy) {
  AnyValue v;
  v.type = ValueType::kString;
  v.string_value = copy ? batch.copyString(s) : s;
  return v;
}

}  // namespace

// Walks one record's values, rewriting strings in place and collecting findings.
struct SecretsProcessor::Walker {
  const Config& cfg;
  const secrets::Detector& detector;
  pdata::Batch& batch;
  std::vector<secrets::Finding> found;
  std::vector<Pending> pending;
  std::string path;
  bool drop_record = false;
  std::string replacement;

  Action actionFor(const secrets::Finding& f) const {
    if (auto it = cfg.rule_actions.find(f.rule_id); it != cfg.rule_actions.end()) return it->second;
    if (auto it = cfg.rule_actions.find(f.type); it != cfg.rule_actions.end()) return it->second;
    return cfg.action;
  }

  // Scans one string; rewrites it (redact/hash) and returns the strongest action, or nullopt.
  std::optional<Action> scanString(std::string_view& s) {
    found.clear();
    detector.scan(s, found);
    std::erase_if(found,
                  [&](const secrets::Finding& f) { return f.confidence < cfg.min_confidence; });
    if (found.empty()) return std::nullopt;
    Action strongest = Action::kRedact;
    replacement.clear();
    size_t at = 0;
    for (const auto& f : found) {
      std::string_view secret = s.substr(f.start, f.end - f.start);
      Action a = actionFor(f);
      strongest = std::max(strongest, a);
      Pending p{f.example, f.type,
                f.rule_id, f.confidence,
                path,      secrets::fingerprint(cfg.fingerprint_key, secret),
                a};
      replacement.append(s.substr(at, f.start - at));
      if (a == Action::kHash) {
        replacement += "[HASH:";
        replacement += f.type;
        replacement += ':';
        replacement += hmacHex(cfg.fingerprint_key, secret);
        replacement += ']';
      } else {
        replacement += "[REDACTED:";
        replacement += f.type;
        replacement += ':';
        replacement += p.fingerprint;
        replacement += ']';
      }
      at = f.end;
      pending.push_back(std::move(p));
    }
    replacement.append(s.substr(at));
    s = batch.copyString(replacement);
    if (strongest == Action::kDropRecord) drop_record = true;
    return strongest;
  }

  // Returns true when the value must be removed from its container.
  bool walkValue(AnyValue& v, int depth) {
    if (depth > kMaxDepth) return true;
    switch (v.type) {
      case ValueType::kString: {
        auto a = scanString(v.string_value);
        return a && *a >= Action::kDropAttribute;
      }
      case ValueType::kArray: {
        if (v.array_value == nullptr) return false;
        auto& arr = *v.array_value;
        size_t base = path.size();
        for (size_t i = 0; i < arr.size();) {
          path.resize(base);
          path += '[';
          path += std::to_string(i);
          path += ']';
          if (walkValue(arr[i], depth + 1)) {
            arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(i));
          } else {
            ++i;
          }
        }
        path.resize(base);
        return false;
      }
      case ValueType::kMap:
        if (v.map_value != nullptr) walkAttributes(*v.map_value, depth + 1);
        return false;
      default:
        return false;
    }
  }

  void walkAttributes(Attributes& attrs, int depth) {
    size_t base = path.size();
    for (size_t i = 0; i < attrs.size();) {
      path.resize(base);
      if (!path.empty()) path += '.';
      path += attrs[i].key;
      if (walkValue(attrs[i].value, depth)) {
        attrs.erase(attrs.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    path.resize(base);
  }

  void walkAttributes(Attributes& attrs, std::string_view prefix) {
    path.assign(prefix);
    walkAttributes(attrs, 0);
  }

  void walkBody(AnyValue& body) {
    path.assign("body");
    if (walkValue(body, 0)) body = AnyValue{};
  }

  void reset() {
    pending.clear();
    drop_record = false;
  }
};

SecretsProcessor::SecretsProcessor(Config cfg, std::shared_ptr<const secrets::Detector> detector,
                                   std::string component_id, ConsumerPtr next)
    : cfg_(std::move(cfg)),
      detector_(std::move(detector)),
      id_(std::move(component_id)),
      next_(std::move(next)) {}

Status SecretsProcessor::start(Host& host) {
  metric_ = &host.telemetry().counter("agentgate_secrets_findings_total", {{"processor", id_}},
                                      "Secrets detected by the secrets processor");
  return {};
}

namespace {

// Attributes of one finding: the context that says who and where, never the secret.
void fillFinding(pdata::Batch& batch, const Pending& p, const Config& cfg,
                 const Attributes* record_attrs, std::string_view event_name,
                 const Attributes& resource_attrs, Attributes& out) {
  auto add = [&](std::string_view k, std::string_view v, bool copy) {
    out.push_back(KeyValue{k, stringValue(batch, v, copy)});
  };
  add("secret.type", p.type, false);
  add("secret.rule", p.rule, false);
  add("secret.confidence", secrets::confidenceName(p.confidence), false);
  add("secret.location", p.location, true);
  add("secret.fingerprint", p.fingerprint, true);
  add("secret.action", actionName(p.action), false);
  if (p.example) {
    AnyValue yes;
    yes.type = ValueType::kBool;
    yes.bool_value = true;
    out.push_back(KeyValue{"secret.example", yes});
  }
  if (!event_name.empty()) add("event.name", event_name, false);
  auto copyAttr = [&](std::string_view key) {
    if (record_attrs == nullptr) return;
    if (const KeyValue* kv = findKey(*record_attrs, key)) {
      if (kv->value.type == ValueType::kString) add(kv->key, kv->value.string_value, false);
    }
  };
  copyAttr("session.id");
  copyAttr("prompt.id");
  for (const auto& u : cfg.user_attributes) {
    if (record_attrs == nullptr) break;
    const KeyValue* kv = findKey(*record_attrs, u);
    if (kv == nullptr) kv = findKey(resource_attrs, u);
    if (kv != nullptr && kv->value.type == ValueType::kString)
      add(kv->key, kv->value.string_value, false);
  }
  if (const KeyValue* kv = findKey(resource_attrs, "service.name");
      kv != nullptr && kv->value.type == ValueType::kString)
    add("service.name", kv->value.string_value, false);
}

std::string_view recordEventName(const pdata::LogRecord& r) {
  if (!r.event_name.empty()) return r.event_name;
  if (const KeyValue* kv = findKey(r.attributes, "event.name");
      kv != nullptr && kv->value.type == ValueType::kString)
    return kv->value.string_value;
  if (r.body.type == ValueType::kString && r.body.string_value.size() < 128)
    return r.body.string_value;  // Claude Code puts the event name in the body
  return {};
}

}  // namespace

Status SecretsProcessor::consume(BatchPtr&& batch) {
  pdata::Batch& b = *batch;
  Walker w{cfg_, *detector_, b, {}, {}, {}, false, {}};
  uint64_t count = 0;
  const bool emit = cfg_.emit_findings;

  // ---- logs: findings become log records of the same batch, under their own scope.
  for (auto& rl : b.resource_logs) {
    std::vector<pdata::LogRecord> findings;
    auto report = [&](const pdata::LogRecord* src) {
      count += w.pending.size();
      if (!emit) return;
      for (const auto& p : w.pending) {
        pdata::LogRecord fr(b.arena());
        uint64_t t = 0;
        if (src != nullptr)
          t = src->time_unix_nano != 0 ? src->time_unix_nano : src->observed_time_unix_nano;
        fr.time_unix_nano = t;
        fr.observed_time_unix_nano = t;
        fr.severity_number = 13;  // WARN
        fr.severity_text = "WARN";
        fr.body = stringValue(b, kFindingBody, false);
        fr.event_name = kFindingBody;
        if (src != nullptr) {
          fr.trace_id = src->trace_id;
          fr.span_id = src->span_id;
        }
        fillFinding(b, p, cfg_, src != nullptr ? &src->attributes : nullptr,
                    src != nullptr ? recordEventName(*src) : std::string_view(),
                    rl.resource.attributes, fr.attributes);
        findings.push_back(std::move(fr));
      }
    };
    w.reset();
    w.walkAttributes(rl.resource.attributes, "resource.attributes");
    report(nullptr);
    for (auto& sl : rl.scope_logs) {
      w.reset();
      w.walkAttributes(sl.scope.attributes, "scope.attributes");
      report(nullptr);
      auto& recs = sl.log_records;
      for (size_t i = 0; i < recs.size();) {
        w.reset();
        w.walkBody(recs[i].body);
        w.walkAttributes(recs[i].attributes, "attributes");
        report(&recs[i]);
        if (w.drop_record) {
          recs.erase(recs.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
    }
    if (!findings.empty()) {
      auto& fsl = rl.scope_logs.emplace_back(b.arena());
      fsl.scope.name = kFindingScope;
      for (auto& fr : findings) fsl.log_records.push_back(std::move(fr));
    }
  }

  // ---- traces: a span's findings become span events on that span (the traces pipeline has no
  // logs consumer to hand a log record to); resource/scope findings are counted only.
  for (auto& rs : b.resource_spans) {
    w.reset();
    w.walkAttributes(rs.resource.attributes, "resource.attributes");
    count += w.pending.size();
    for (auto& ss : rs.scope_spans) {
      w.reset();
      w.walkAttributes(ss.scope.attributes, "scope.attributes");
      count += w.pending.size();
      auto& spans = ss.spans;
      for (size_t i = 0; i < spans.size();) {
        pdata::Span& span = spans[i];
        w.reset();
        w.walkAttributes(span.attributes, "attributes");
        for (auto& ev : span.events) {
          std::string prefix = "events[";
          prefix += ev.name;
          prefix += "].attributes";
          w.walkAttributes(ev.attributes, prefix);
        }
        for (auto& link : span.links) w.walkAttributes(link.attributes, "links.attributes");
        if (!span.status.message.empty()) {
          w.path.assign("status.message");
          (void)w.scanString(span.status.message);
        }
        count += w.pending.size();
        if (w.drop_record) {
          spans.erase(spans.begin() + static_cast<std::ptrdiff_t>(i));
          continue;
        }
        if (emit) {
          for (const auto& p : w.pending) {
            pdata::SpanEvent ev(b.arena());
            ev.name = kFindingBody;
            ev.time_unix_nano =
                span.end_time_unix_nano != 0 ? span.end_time_unix_nano : span.start_time_unix_nano;
            fillFinding(b, p, cfg_, &span.attributes, span.name, rs.resource.attributes,
                        ev.attributes);
            span.events.push_back(std::move(ev));
          }
        }
        ++i;
      }
    }
  }

  // ---- metrics: attributes are redacted in place and findings counted (a metrics pipeline has
  // no record to carry them); drop_record acts as drop_attribute here.
  for (auto& rm : b.resource_metrics) {
    w.reset();
    w.walkAttributes(rm.resource.attributes, "resource.attributes");
    for (auto& sm : rm.scope_metrics) {
      w.walkAttributes(sm.scope.attributes, "scope.attributes");
      for (auto& m : sm.metrics) {
        for (auto& dp : m.number_points) w.walkAttributes(dp.attributes, "attributes");
        for (auto& dp : m.histogram_points) w.walkAttributes(dp.attributes, "attributes");
        for (auto& dp : m.exp_histogram_points) w.walkAttributes(dp.attributes, "attributes");
        for (auto& dp : m.summary_points) w.walkAttributes(dp.attributes, "attributes");
      }
    }
    count += w.pending.size();
  }

  if (count > 0) {
    findings_.fetch_add(count, std::memory_order_relaxed);
    if (metric_ != nullptr) metric_->add(count);
  }
  return next_->consume(std::move(batch));
}

}  // namespace agentgate::components::secrets_processor
