#include "appinsights/mapper.h"

#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>

#include "appinsights/go_json.h"
#include "common/strings.h"

#ifndef AGENTGATE_VERSION
#define AGENTGATE_VERSION "0.0.0"
#endif

namespace agentgate::appinsights {
namespace {

using pdata::AnyValue;
using pdata::Attributes;
using pdata::ValueType;

constexpr std::string_view kTagOperationId = "ai.operation.id";
constexpr std::string_view kTagParentId = "ai.operation.parentId";
constexpr std::string_view kTagOperationName = "ai.operation.name";
constexpr std::string_view kTagUserId = "ai.user.id";
constexpr std::string_view kTagCloudRole = "ai.cloud.role";
constexpr std::string_view kTagCloudRoleInstance = "ai.cloud.roleInstance";
constexpr std::string_view kTagAppVersion = "ai.application.ver";
constexpr std::string_view kTagSdkVersion = "ai.internal.sdkVersion";

const AnyValue* findAttr(const Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

// pcommon Value.Str(): "" for anything that is not a string.
std::string strOf(const AnyValue* v) {
  return v && v->type == ValueType::kString ? std::string(v->string_value) : std::string();
}

std::string strAttr(const Attributes& attrs, std::string_view key) {
  return strOf(findAttr(attrs, key));
}

// getAttributeValueAsInt: an int, or a string that parses as one; 0 otherwise.
int64_t intAttr(const Attributes& attrs, std::string_view key) {
  const AnyValue* v = findAttr(attrs, key);
  if (!v) return 0;
  if (v->type == ValueType::kInt) return v->int_value;
  if (v->type == ValueType::kString) {
    int64_t out = 0;
    auto s = v->string_value;
    auto res = std::from_chars(s.data(), s.data() + s.size(), out);
    if (res.ec == std::errc() && res.ptr == s.data() + s.size()) return out;
  }
  return 0;
}

bool allZero(std::string_view id) {
  for (char c : id) {
    if (c != 0) return false;
  }
  return true;
}

std::string idHex(std::string_view raw) {
  if (raw.empty() || allZero(raw)) return {};
  return strings::hexEncode(raw);
}

uint64_t nowNanos(const MapOptions& o) {
  if (o.now_unix_nano != 0) return o.now_unix_nano;
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::optional<std::string> resolveTagSource(const std::vector<std::string>& sources,
                                            const pdata::Resource& resource) {
  for (const auto& src : sources) {
    if (src.find('.') == std::string::npos) return src;  // literal default
    const AnyValue* v = findAttr(resource.attributes, src);
    if (v) {
      std::string s = asString(*v);
      if (!s.empty()) return s;
    }
  }
  return std::nullopt;
}

void applyCloudTags(StringMap& tags, const pdata::Resource& resource, const MapOptions& o) {
  std::string role = cloudRole(resource);
  if (findAttr(resource.attributes, "service.name")) tags[std::string(kTagCloudRole)] = role;
  if (auto inst = resolveTagSource(o.cloud_role_instance, resource)) {
    tags[std::string(kTagCloudRoleInstance)] = *inst;
  }
  if (auto ver = resolveTagSource(o.application_version, resource)) {
    tags[std::string(kTagAppVersion)] = *ver;
  }
  tags[std::string(kTagSdkVersion)] = o.sdk_version;
}

void applyResource(StringMap& props, const pdata::Resource& resource) {
  // Resource attributes go through Value.Str(): a non-string attribute becomes "".
  for (const auto& kv : resource.attributes) props[std::string(kv.key)] = strOf(&kv.value);
}

void applyScope(StringMap& props, const pdata::InstrumentationScope& scope) {
  if (!scope.name.empty()) props["instrumentationlibrary.name"] = std::string(scope.name);
  if (!scope.version.empty()) props["instrumentationlibrary.version"] = std::string(scope.version);
}

void applyAttributesAsStrings(StringMap& props, const Attributes& attrs) {
  for (const auto& kv : attrs) props[std::string(kv.key)] = asString(kv.value);
}

// Spans and span events keep only scalar attributes; slices, maps and bytes are dropped.
void applySpanAttributes(StringMap& props, const Attributes& attrs) {
  for (const auto& kv : attrs) {
    const auto& v = kv.value;
    switch (v.type) {
      case ValueType::kString:
        props[std::string(kv.key)] = std::string(v.string_value);
        break;
      case ValueType::kBool:
        props[std::string(kv.key)] = v.bool_value ? "true" : "false";
        break;
      case ValueType::kInt:
        props[std::string(kv.key)] = std::to_string(v.int_value);
        break;
      case ValueType::kDouble:
        props[std::string(kv.key)] = formatFloatF(v.double_value);
        break;
      default:
        break;
    }
  }
}

uint64_t logTime(const pdata::LogRecord& r, const MapOptions& o) {
  if (r.time_unix_nano != 0) return r.time_unix_nano;
  if (r.observed_time_unix_nano != 0) return r.observed_time_unix_nano;
  return nowNanos(o);
}

void mapLogRecord(const pdata::LogRecord& r, const pdata::Resource& resource,
                  const pdata::InstrumentationScope& scope, const MapOptions& o,
                  std::vector<Envelope>& out) {
  Envelope e;
  e.ikey = o.instrumentation_key;
  e.time_unix_nano = logTime(r, o);
  if (o.custom_events_enabled) {
    const AnyValue* name = findAttr(r.attributes, "microsoft.custom_event.name");
    if (!name) name = findAttr(r.attributes, "APPLICATION_INSIGHTS_EVENT_MARKER_ATTRIBUTE");
    if (name) {
      e.kind = EnvelopeKind::kEvent;
      e.name = asString(*name);
      applyAttributesAsStrings(e.properties, r.attributes);
      out.push_back(std::move(e));
      return;
    }
  }
  e.tags[std::string(kTagOperationId)] = idHex(r.trace_id);
  e.tags[std::string(kTagParentId)] = idHex(r.span_id);
  applyCloudTags(e.tags, resource, o);
  applyResource(e.properties, resource);
  applyScope(e.properties, scope);
  applyAttributesAsStrings(e.properties, r.attributes);
  e.severity_level = severityLevel(r.severity_number);
  const AnyValue* ex_type = findAttr(r.attributes, "exception.type");
  const AnyValue* ex_msg = findAttr(r.attributes, "exception.message");
  if (o.exception_events_enabled && (ex_type || ex_msg)) {
    e.kind = EnvelopeKind::kException;
    e.problem_id = std::string(r.severity_text);
    ExceptionDetails d;
    if (ex_type) d.type_name = asString(*ex_type);
    if (ex_msg) d.message = asString(*ex_msg);
    if (const AnyValue* st = findAttr(r.attributes, "exception.stacktrace")) {
      d.stack = asString(*st);
      d.has_full_stack = true;
    } else {
      d.has_full_stack = false;
    }
    e.exceptions.push_back(std::move(d));
  } else {
    e.kind = EnvelopeKind::kMessage;
    e.message = asString(r.body);
  }
  out.push_back(std::move(e));
}

enum class SpanType { kUnknown, kHttp, kRpc, kDatabase, kMessaging, kFaas };

SpanType spanType(const Attributes& attrs) {
  if (findAttr(attrs, "rpc.system")) return SpanType::kRpc;
  if (findAttr(attrs, "http.request.method")) return SpanType::kHttp;
  if (findAttr(attrs, "db.system.name")) return SpanType::kDatabase;
  if (findAttr(attrs, "messaging.system")) return SpanType::kMessaging;
  if (findAttr(attrs, "faas.trigger")) return SpanType::kFaas;
  return SpanType::kUnknown;
}

std::string_view statusCodeName(pdata::StatusCode c) {
  switch (c) {
    case pdata::StatusCode::kOk:
      return "STATUS_CODE_OK";
    case pdata::StatusCode::kError:
      return "STATUS_CODE_ERROR";
    default:
      return "STATUS_CODE_UNSET";
  }
}

// Host part (with port) of an absolute URL, "" when there is none.
std::string urlHost(std::string_view url) {
  auto p = url.find("://");
  if (p == std::string_view::npos) return {};
  auto rest = url.substr(p + 3);
  auto end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end);
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  return std::string(authority);
}

std::string withPort(std::string host, int64_t port) {
  if (port != 0) host += ":" + std::to_string(port);
  return host;
}

std::string addressOrPeer(const Attributes& attrs, std::string_view primary) {
  std::string a = strAttr(attrs, primary);
  if (a.empty()) a = strAttr(attrs, "network.peer.address");
  return a;
}

std::string pathAndQuery(const Attributes& attrs) {
  std::string s = strAttr(attrs, "url.path");
  std::string q = strAttr(attrs, "url.query");
  if (!q.empty()) s += "?" + q;
  return s;
}

void applyHttpResult(Envelope& e, const Attributes& attrs, bool server, const MapOptions& o) {
  int64_t code = intAttr(attrs, "http.response.status_code");
  if (code == 0) return;
  e.result_code = std::to_string(code);
  e.success = code >= 100 && code <= 399;
  for (int c : o.non_error_http_status_codes) {
    if (c == code) e.success = true;
  }
  if (server && o.align_http_server_request_success_with_otel_spec && code >= 400 && code <= 499) {
    e.success = true;
  }
}

void fillRequest(Envelope& e, const pdata::Span& span, SpanType type, const MapOptions& o) {
  const auto& attrs = span.attributes;
  e.kind = EnvelopeKind::kRequest;
  e.name = std::string(span.name);
  switch (type) {
    case SpanType::kHttp: {
      std::string method = strAttr(attrs, "http.request.method");
      std::string route = strAttr(attrs, "http.route");
      if (!route.empty()) {
        if (route.front() != '/') route = "/" + route;
        e.name = method + " " + route;
      } else {
        e.name = method + " " + std::string(span.name);
      }
      std::string scheme = strAttr(attrs, "url.scheme");
      std::string host = strAttr(attrs, "server.address");
      std::string path = strAttr(attrs, "url.path");
      if (!scheme.empty() && !host.empty() && !path.empty()) {
        e.url =
            scheme + "://" + withPort(host, intAttr(attrs, "server.port")) + pathAndQuery(attrs);
      } else {
        e.url = strAttr(attrs, "url.full");
      }
      e.source = addressOrPeer(attrs, "client.address");
      applyHttpResult(e, attrs, /*server=*/true, o);
      break;
    }
    case SpanType::kRpc: {
      e.name = strAttr(attrs, "rpc.system") + " " + std::string(span.name);
      e.url = e.name;
      e.source = withPort(addressOrPeer(attrs, "server.address"), intAttr(attrs, "server.port"));
      e.result_code = std::to_string(intAttr(attrs, "rpc.grpc.status_code"));
      break;
    }
    case SpanType::kMessaging:
      e.source = withPort(addressOrPeer(attrs, "server.address"), intAttr(attrs, "server.port"));
      break;
    default:
      break;
  }
}

void fillDependency(Envelope& e, const pdata::Span& span, SpanType type, const MapOptions& o) {
  const auto& attrs = span.attributes;
  e.kind = EnvelopeKind::kRemoteDependency;
  e.name = std::string(span.name);
  auto peerTarget = [&] {
    return withPort(addressOrPeer(attrs, "client.address"), intAttr(attrs, "client.port"));
  };
  switch (type) {
    case SpanType::kHttp: {
      e.type = "HTTP";
      e.name = strAttr(attrs, "http.request.method");
      std::string route = strAttr(attrs, "http.route");
      if (!route.empty()) e.name += " " + route;
      std::string full = strAttr(attrs, "url.full");
      if (!full.empty()) {
        e.data = full;
        e.target = urlHost(full);
      } else {
        std::string scheme = strAttr(attrs, "url.scheme");
        std::string addr = peerTarget();
        if (!scheme.empty() && !addr.empty()) e.data = scheme + "://" + addr + pathAndQuery(attrs);
        e.target = addr;
      }
      applyHttpResult(e, attrs, /*server=*/false, o);
      break;
    }
    case SpanType::kRpc:
      e.type = strAttr(attrs, "rpc.system");
      e.data = e.name;
      e.target = peerTarget();
      e.result_code = std::to_string(intAttr(attrs, "rpc.grpc.status_code"));
      break;
    case SpanType::kDatabase: {
      e.type = strAttr(attrs, "db.system.name");
      e.data = strAttr(attrs, "db.query.text");
      if (e.data.empty()) e.data = strAttr(attrs, "db.operation.name");
      e.target = peerTarget();
      break;
    }
    case SpanType::kMessaging:
      e.type = strAttr(attrs, "messaging.system");
      e.target = peerTarget();
      break;
    default:
      break;
  }
  if (span.kind == pdata::SpanKind::kInternal || span.kind == pdata::SpanKind::kUnspecified) {
    e.type = "InProc";
  }
}

std::string linksJson(const pdata::Span& span) {
  std::string out = "[";
  bool first = true;
  for (const auto& l : span.links) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"operation_Id\":";
    appendJsonString(out, idHex(l.trace_id));
    out += ",\"id\":";
    appendJsonString(out, idHex(l.span_id));
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

void mapSpanEvent(const pdata::SpanEvent& ev, const pdata::Span& span,
                  const pdata::Resource& resource, const pdata::InstrumentationScope& scope,
                  const MapOptions& o, std::vector<Envelope>& out) {
  bool is_exception = ev.name == "exception";
  if (!is_exception && !o.span_events_enabled) return;
  Envelope e;
  e.ikey = o.instrumentation_key;
  e.time_unix_nano = ev.time_unix_nano;
  e.tags[std::string(kTagOperationId)] = idHex(span.trace_id);
  e.tags[std::string(kTagParentId)] = idHex(span.span_id);
  applyCloudTags(e.tags, resource, o);
  applySpanAttributes(e.properties, ev.attributes);
  applyResource(e.properties, resource);
  applyScope(e.properties, scope);
  if (is_exception) {
    e.kind = EnvelopeKind::kException;
    e.severity_level = 3;
    ExceptionDetails d;
    d.type_name = strAttr(ev.attributes, "exception.type");
    d.message = strAttr(ev.attributes, "exception.message");
    d.stack = strAttr(ev.attributes, "exception.stacktrace");
    d.has_full_stack = !d.stack.empty();
    e.exceptions.push_back(std::move(d));
  } else {
    e.kind = EnvelopeKind::kMessage;
    e.message = std::string(ev.name);
    e.severity_level = 0;
  }
  out.push_back(std::move(e));
}

void fillDataPointCommon(Envelope& e, const pdata::Resource& resource,
                         const pdata::InstrumentationScope& scope, const Attributes& attrs,
                         uint64_t time, const MapOptions& o) {
  e.kind = EnvelopeKind::kMetric;
  e.ikey = o.instrumentation_key;
  e.time_unix_nano = time;
  applyCloudTags(e.tags, resource, o);
  applyResource(e.properties, resource);
  applyScope(e.properties, scope);
  applyAttributesAsStrings(e.properties, attrs);
}

void mapMetric(const pdata::Metric& m, const pdata::Resource& resource,
               const pdata::InstrumentationScope& scope, const MapOptions& o,
               std::vector<Envelope>& out) {
  auto aggregation = [&](const Attributes& attrs, uint64_t time, double sum, uint64_t count,
                         double min, double max) {
    Envelope e;
    fillDataPointCommon(e, resource, scope, attrs, time, o);
    DataPoint p;
    p.name = std::string(m.name);
    p.kind = 1;
    p.value = sum;
    p.count = static_cast<int64_t>(count);
    p.min = min;
    p.max = max;
    e.metrics.push_back(std::move(p));
    out.push_back(std::move(e));
  };
  switch (m.type) {
    case pdata::MetricType::kGauge:
    case pdata::MetricType::kSum:
      for (const auto& dp : m.number_points) {
        Envelope e;
        fillDataPointCommon(e, resource, scope, dp.attributes, dp.time_unix_nano, o);
        DataPoint p;
        p.name = std::string(m.name);
        p.kind = 0;
        p.value = dp.is_int ? static_cast<double>(dp.as_int) : dp.as_double;
        p.count = 1;
        e.metrics.push_back(std::move(p));
        out.push_back(std::move(e));
      }
      break;
    case pdata::MetricType::kHistogram:
      for (const auto& dp : m.histogram_points) {
        aggregation(dp.attributes, dp.time_unix_nano, dp.sum, dp.count, dp.has_min ? dp.min : 0,
                    dp.has_max ? dp.max : 0);
      }
      break;
    case pdata::MetricType::kExponentialHistogram:
      for (const auto& dp : m.exp_histogram_points) {
        aggregation(dp.attributes, dp.time_unix_nano, dp.sum, dp.count, dp.has_min ? dp.min : 0,
                    dp.has_max ? dp.max : 0);
      }
      break;
    case pdata::MetricType::kSummary:
      for (const auto& dp : m.summary_points) {
        aggregation(dp.attributes, dp.time_unix_nano, dp.sum, dp.count, 0, 0);
      }
      break;
    default:
      break;
  }
}

size_t cut(std::string& s, size_t max) {
  if (s.size() <= max) return 0;
  s.resize(max);
  return 1;
}

size_t tagMaxLength(std::string_view key) {
  struct Limit {
    std::string_view key;
    size_t max;
  };
  static constexpr Limit kLimits[] = {
      {"ai.application.ver", 1024},
      {"ai.device.id", 1024},
      {"ai.device.locale", 64},
      {"ai.device.model", 256},
      {"ai.device.oemName", 256},
      {"ai.device.osVersion", 256},
      {"ai.device.type", 64},
      {"ai.location.ip", 46},
      {"ai.operation.id", 128},
      {"ai.operation.name", 1024},
      {"ai.operation.parentId", 128},
      {"ai.operation.syntheticSource", 1024},
      {"ai.operation.correlationVector", 64},
      {"ai.session.id", 64},
      {"ai.session.isFirst", 5},
      {"ai.user.accountId", 1024},
      {"ai.user.id", 128},
      {"ai.user.authUserId", 1024},
      {"ai.cloud.role", 256},
      {"ai.cloud.roleInstance", 256},
      {"ai.internal.sdkVersion", 64},
      {"ai.internal.agentVersion", 64},
      {"ai.internal.nodeName", 256},
  };
  for (const auto& l : kLimits) {
    if (l.key == key) return l.max;
  }
  return 0;  // unknown tags are not limited
}

size_t sanitizeProperties(StringMap& props) {
  size_t n = 0;
  StringMap moved;
  for (auto it = props.begin(); it != props.end();) {
    n += cut(it->second, 8192);
    if (it->first.size() > 150) {
      moved[it->first.substr(0, 150)] = std::move(it->second);
      it = props.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  // A truncated key overwrites whatever held that key.
  for (auto& [k, v] : moved) props[k] = std::move(v);
  return n;
}

}  // namespace

std::string MapOptions::defaultSdkVersion() {
#if defined(__x86_64__)
  constexpr std::string_view arch = "amd64";
#elif defined(__aarch64__)
  constexpr std::string_view arch = "arm64";
#else
  constexpr std::string_view arch = "unknown";
#endif
  return std::string("otelc-") + AGENTGATE_VERSION + "-lin-" + std::string(arch);
}

int severityLevel(int32_t n) {
  if (n >= 1 && n <= 8) return 0;
  if (n >= 9 && n <= 12) return 1;
  if (n >= 13 && n <= 16) return 2;
  if (n >= 17 && n <= 20) return 3;
  if (n >= 21 && n <= 24) return 4;
  return 1;
}

std::string cloudRole(const pdata::Resource& resource) {
  const AnyValue* name = findAttr(resource.attributes, "service.name");
  if (!name) return {};
  const AnyValue* ns = findAttr(resource.attributes, "service.namespace");
  if (ns) return strOf(ns) + "." + strOf(name);
  return strOf(name);
}

Envelope mapSpan(const pdata::Span& span, const pdata::Resource& resource,
                 const pdata::InstrumentationScope& scope, const MapOptions& o, bool* rejected) {
  Envelope e;
  e.ikey = o.instrumentation_key;
  e.time_unix_nano = span.start_time_unix_nano;
  SpanType type = spanType(span.attributes);
  if (rejected) *rejected = type == SpanType::kFaas;
  e.id = idHex(span.span_id);
  e.duration_nanos = span.end_time_unix_nano > span.start_time_unix_nano
                         ? span.end_time_unix_nano - span.start_time_unix_nano
                         : 0;
  e.result_code = std::to_string(static_cast<int>(span.status.code));
  e.success = span.status.code != pdata::StatusCode::kError;
  bool server = span.kind == pdata::SpanKind::kServer || span.kind == pdata::SpanKind::kConsumer;
  if (server) {
    fillRequest(e, span, type, o);
  } else {
    fillDependency(e, span, type, o);
  }
  e.tags[std::string(kTagOperationId)] = idHex(span.trace_id);
  e.tags[std::string(kTagParentId)] = idHex(span.parent_span_id);
  if (server) e.tags[std::string(kTagOperationName)] = e.name;
  if (const AnyValue* user = findAttr(span.attributes, "enduser.id")) {
    e.tags[std::string(kTagUserId)] = asString(*user);
  }
  applyCloudTags(e.tags, resource, o);
  applySpanAttributes(e.properties, span.attributes);
  e.properties["otel.status_code"] = std::string(statusCodeName(span.status.code));
  if (!span.status.message.empty()) {
    e.properties["otel.status_description"] = std::string(span.status.message);
  }
  applyResource(e.properties, resource);
  applyScope(e.properties, scope);
  if (!span.links.empty()) e.properties["_MS.links"] = linksJson(span);
  return e;
}

size_t sanitize(Envelope& e) {
  size_t n = cut(e.ikey, 40);
  switch (e.kind) {
    case EnvelopeKind::kMessage:
      n += cut(e.message, 32768);
      break;
    case EnvelopeKind::kException:
      n += cut(e.problem_id, 1024);
      for (auto& d : e.exceptions) {
        n += cut(d.type_name, 1024) + cut(d.message, 32768) + cut(d.stack, 32768);
      }
      break;
    case EnvelopeKind::kEvent:
      n += cut(e.name, 512);
      break;
    case EnvelopeKind::kRequest:
      n += cut(e.id, 128) + cut(e.source, 1024) + cut(e.name, 1024) + cut(e.result_code, 1024) +
           cut(e.url, 2048);
      break;
    case EnvelopeKind::kRemoteDependency:
      n += cut(e.name, 1024) + cut(e.id, 128) + cut(e.result_code, 1024) + cut(e.data, 8192) +
           cut(e.target, 1024) + cut(e.type, 1024);
      break;
    case EnvelopeKind::kMetric:
      for (auto& p : e.metrics) n += cut(p.name, 1024);
      break;
  }
  n += sanitizeProperties(e.properties);
  for (auto& [k, v] : e.tags) {
    size_t max = tagMaxLength(k);
    if (max != 0) n += cut(v, max);
  }
  return n;
}

MapResult mapBatch(const pdata::Batch& batch, const MapOptions& o) {
  MapResult result;
  auto& out = result.envelopes;
  switch (batch.signal()) {
    case Signal::kLogs:
      for (const auto& rl : batch.resource_logs)
        for (const auto& sl : rl.scope_logs)
          for (const auto& r : sl.log_records) mapLogRecord(r, rl.resource, sl.scope, o, out);
      break;
    case Signal::kTraces:
      for (const auto& rs : batch.resource_spans)
        for (const auto& ss : rs.scope_spans)
          for (const auto& span : ss.spans) {
            bool rejected = false;
            Envelope e = mapSpan(span, rs.resource, ss.scope, o, &rejected);
            if (rejected) {
              ++result.rejected_spans;
              continue;
            }
            out.push_back(std::move(e));
            for (const auto& ev : span.events) {
              mapSpanEvent(ev, span, rs.resource, ss.scope, o, out);
            }
          }
      break;
    case Signal::kMetrics:
      for (const auto& rm : batch.resource_metrics)
        for (const auto& sm : rm.scope_metrics)
          for (const auto& m : sm.metrics) mapMetric(m, rm.resource, sm.scope, o, out);
      break;
  }
  for (auto& e : out) result.truncations += sanitize(e);
  return result;
}

}  // namespace agentgate::appinsights
