#include "store/row_mapping.h"

#include "agentgate/secret_finding.h"

#include <cstdio>
#include <initializer_list>
#include <optional>
#include <set>
#include <span>

#include "appinsights/go_json.h"
#include "common/strings.h"
#include "kql/json.h"
#include "store/schema.h"

namespace agentgate::store {
namespace {

using appinsights::Envelope;
using appinsights::EnvelopeKind;
using appinsights::toValidUtf8;

// By index: a RowRef must survive other tables being added to the batch.
struct TableRef {
  RowBatch* batch;
  size_t index;
};

TableRef tableFor(RowBatch& batch, std::string_view name,
                  std::initializer_list<std::string_view> specific,
                  std::span<const std::string_view> common) {
  for (size_t i = 0; i < batch.tables.size(); ++i) {
    if (batch.tables[i].table == name) return {&batch, i};
  }
  TableRows t;
  t.table = std::string(name);
  for (auto c : common) t.columns.emplace_back(c);
  for (auto c : specific) t.columns.emplace_back(c);
  for (const auto& pc : propertyColumns()) {
    if (pc.table == name) t.columns.emplace_back(pc.column);
  }
  batch.tables.push_back(std::move(t));
  return {&batch, batch.tables.size() - 1};
}

class RowRef {
 public:
  explicit RowRef(TableRef ref) : ref_(ref), base_(table().addRow()) {}
  void set(std::string_view column, Cell value) {
    TableRows& t = table();
    size_t i = indexOf(t, column);
    if (i < t.columns.size()) t.cells[base_ + i] = std::move(value);
  }
  void text(std::string_view column, std::string_view value) {
    if (!value.empty()) set(column, toValidUtf8(value));
  }

 private:
  TableRows& table() { return ref_.batch->tables[ref_.index]; }
  // Rows are filled mostly in column order: look from just after the last column set first,
  // so a row of ~40 columns costs ~40 comparisons instead of ~800.
  size_t indexOf(const TableRows& t, std::string_view column) {
    size_t n = t.columns.size();
    for (size_t k = 0; k < n; ++k) {
      size_t i = (next_ + k) % n;
      if (t.columns[i] == column) {
        next_ = i + 1;
        return i;
      }
    }
    return n;
  }
  TableRef ref_;
  size_t base_;
  size_t next_ = 0;
};

// ---- Application Insights tables

constexpr std::string_view kAppCommon[] = {"TimeGenerated",
                                           "Type",
                                           "IKey",
                                           "SDKVersion",
                                           "ItemCount",
                                           "AppRoleName",
                                           "AppRoleInstance",
                                           "AppVersion",
                                           "OperationId",
                                           "ParentId",
                                           "OperationName",
                                           "UserId",
                                           "SessionId",
                                           "SyntheticSource",
                                           "UserAccountId",
                                           "UserAuthenticatedId",
                                           "Properties"};

std::string_view tag(const Envelope& e, std::string_view key) {
  auto it = e.tags.find(key);
  return it == e.tags.end() ? std::string_view() : std::string_view(it->second);
}

std::string mapJson(const appinsights::StringMap& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out.push_back(',');
    first = false;
    appinsights::appendJsonString(out, k);
    out.push_back(':');
    appinsights::appendJsonString(out, v);
  }
  out.push_back('}');
  return out;
}

double durationMs(uint64_t nanos) {
  // Log Analytics derives DurationMs from the envelope's microsecond duration string.
  return static_cast<double>(nanos / 1000) / 1000.0;
}

void setAppCommon(RowRef& row, const Envelope& e, std::string_view table) {
  row.set("TimeGenerated", datetimeTicks(e.time_unix_nano));
  row.set("Type", std::string(table));
  row.text("IKey", e.ikey);
  row.text("SDKVersion", tag(e, "ai.internal.sdkVersion"));
  row.set("ItemCount", int64_t{1});
  row.text("AppRoleName", tag(e, "ai.cloud.role"));
  row.text("AppRoleInstance", tag(e, "ai.cloud.roleInstance"));
  row.text("AppVersion", tag(e, "ai.application.ver"));
  row.text("OperationId", tag(e, "ai.operation.id"));
  row.text("ParentId", tag(e, "ai.operation.parentId"));
  row.text("OperationName", tag(e, "ai.operation.name"));
  row.text("UserId", tag(e, "ai.user.id"));
  row.text("SessionId", tag(e, "ai.session.id"));
  row.text("SyntheticSource", tag(e, "ai.operation.syntheticSource"));
  row.text("UserAccountId", tag(e, "ai.user.accountId"));
  row.text("UserAuthenticatedId", tag(e, "ai.user.authUserId"));
  std::string properties = toValidUtf8(mapJson(e.properties));
  // The table's property columns, computed here on the exporter's thread rather than by the
  // store's single writer, with the function Properties['key'] runs in a query.
  std::string storage;
  std::optional<kql::ObjectMembers> members;
  for (const auto& pc : propertyColumns()) {
    if (pc.table != table) continue;
    if (!members) members.emplace(properties);
    if (auto v = members->memberJson(pc.key, storage)) row.set(pc.column, std::string(*v));
  }
  row.set("Properties", std::move(properties));
}

void appendEnvelopeRow(const Envelope& e, RowBatch& out) {
  switch (e.kind) {
    case EnvelopeKind::kMessage: {
      RowRef row(tableFor(out, "AppTraces", {"Message", "SeverityLevel"}, kAppCommon));
      setAppCommon(row, e, "AppTraces");
      row.text("Message", e.message);
      row.set("SeverityLevel", int64_t{e.severity_level});
      break;
    }
    case EnvelopeKind::kException: {
      RowRef row(tableFor(out, "AppExceptions",
                          {"Message", "ExceptionType", "ProblemId", "SeverityLevel", "Details",
                           "OuterType", "OuterMessage", "InnermostType", "InnermostMessage"},
                          kAppCommon));
      setAppCommon(row, e, "AppExceptions");
      row.text("ProblemId", e.problem_id);
      row.set("SeverityLevel", int64_t{e.severity_level});
      std::string details = "[";
      for (size_t i = 0; i < e.exceptions.size(); ++i) {
        const auto& d = e.exceptions[i];
        if (i) details += ",";
        details += "{\"id\":0,\"outerId\":0,\"type\":";
        appinsights::appendJsonString(details, d.type_name);
        details += ",\"message\":";
        appinsights::appendJsonString(details, d.message);
        details += ",\"hasFullStack\":";
        details += d.has_full_stack ? "true" : "false";
        details += ",\"rawStack\":";
        appinsights::appendJsonString(details, d.stack);
        details += "}";
      }
      details += "]";
      row.set("Details", toValidUtf8(details));
      if (!e.exceptions.empty()) {
        const auto& outer = e.exceptions.front();
        const auto& inner = e.exceptions.back();
        row.text("Message", outer.message);
        row.text("ExceptionType", outer.type_name);
        row.text("OuterType", outer.type_name);
        row.text("OuterMessage", outer.message);
        row.text("InnermostType", inner.type_name);
        row.text("InnermostMessage", inner.message);
      }
      break;
    }
    case EnvelopeKind::kEvent: {
      RowRef row(tableFor(out, "AppEvents", {"Name"}, kAppCommon));
      setAppCommon(row, e, "AppEvents");
      row.text("Name", e.name);
      break;
    }
    case EnvelopeKind::kRequest: {
      RowRef row(tableFor(out, "AppRequests",
                          {"Id", "Name", "Url", "Source", "ResultCode", "Success", "DurationMs",
                           "PerformanceBucket"},
                          kAppCommon));
      setAppCommon(row, e, "AppRequests");
      row.text("Id", e.id);
      row.text("Name", e.name);
      row.text("Url", e.url);
      row.text("Source", e.source);
      row.text("ResultCode", e.result_code);
      row.set("Success", int64_t{e.success ? 1 : 0});
      row.set("DurationMs", durationMs(e.duration_nanos));
      row.text("PerformanceBucket", performanceBucket(e.duration_nanos));
      break;
    }
    case EnvelopeKind::kRemoteDependency: {
      RowRef row(tableFor(out, "AppDependencies",
                          {"Id", "Name", "Data", "Target", "DependencyType", "ResultCode",
                           "Success", "DurationMs", "PerformanceBucket"},
                          kAppCommon));
      setAppCommon(row, e, "AppDependencies");
      row.text("Id", e.id);
      row.text("Name", e.name);
      row.text("Data", e.data);
      row.text("Target", e.target);
      row.text("DependencyType", e.type);
      row.text("ResultCode", e.result_code);
      row.set("Success", int64_t{e.success ? 1 : 0});
      row.set("DurationMs", durationMs(e.duration_nanos));
      row.text("PerformanceBucket", performanceBucket(e.duration_nanos));
      break;
    }
    case EnvelopeKind::kMetric: {
      for (const auto& p : e.metrics) {
        RowRef row(tableFor(out, "AppMetrics", {"Name", "Sum", "Min", "Max"}, kAppCommon));
        setAppCommon(row, e, "AppMetrics");
        row.text("Name", p.name);
        row.set("Sum", p.value);
        if (p.kind == 0) {
          // A single measurement is its own min and max (classic customMetrics semantics).
          row.set("ItemCount", int64_t{1});
          row.set("Min", p.value);
          row.set("Max", p.value);
        } else {
          row.set("ItemCount", p.count);
          row.set("Min", p.min);
          row.set("Max", p.max);
        }
      }
      break;
    }
  }
}

// ---- native OTLP tables

const pdata::AnyValue* findAttr(const pdata::Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

std::string strAttr(const pdata::Attributes& attrs, std::string_view key) {
  const pdata::AnyValue* v = findAttr(attrs, key);
  return v ? appinsights::asString(*v) : std::string();
}

std::string attrsJson(const pdata::Attributes& attrs) {
  pdata::AnyValue v;
  v.type = pdata::ValueType::kMap;
  v.map_value = const_cast<pdata::Attributes*>(&attrs);  // read only
  std::string out;
  appinsights::appendAnyValueJson(out, v);
  return out;
}

std::string idHex(std::string_view raw) {
  for (char c : raw) {
    if (c != 0) return strings::hexEncode(raw);
  }
  return {};
}

struct ResourceInfo {
  std::string service_name, service_namespace, service_instance_id, service_version, role_name;
  std::string sdk_version, environment, k8s_container, k8s_namespace, k8s_pod;
  std::string attributes_json, id;
  const pdata::Attributes* attrs = nullptr;

  explicit ResourceInfo(const pdata::Resource& r) : attrs(&r.attributes) {
    service_name = strAttr(r.attributes, "service.name");
    service_namespace = strAttr(r.attributes, "service.namespace");
    service_instance_id = strAttr(r.attributes, "service.instance.id");
    service_version = strAttr(r.attributes, "service.version");
    role_name = appinsights::cloudRole(r);
    std::string sdk = strAttr(r.attributes, "telemetry.sdk.name");
    std::string sdk_ver = strAttr(r.attributes, "telemetry.sdk.version");
    if (!sdk.empty() || !sdk_ver.empty()) sdk_version = sdk + ":" + sdk_ver;
    environment = strAttr(r.attributes, "deployment.environment.name");
    if (environment.empty()) environment = strAttr(r.attributes, "deployment.environment");
    k8s_container = strAttr(r.attributes, "k8s.container.name");
    k8s_namespace = strAttr(r.attributes, "k8s.namespace.name");
    k8s_pod = strAttr(r.attributes, "k8s.pod.name");
    attributes_json = attrsJson(r.attributes);
    id = resourceId(r);
  }

  // Identity columns: the record's own attribute first, then the resource's.
  std::string lookup(const pdata::Attributes& record, std::string_view key) const {
    std::string v = strAttr(record, key);
    return v.empty() ? strAttr(*attrs, key) : v;
  }

  void apply(RowRef& row, const pdata::Attributes& record) const {
    row.set("ResourceAttributes", toValidUtf8(attributes_json));
    row.text("ServiceName", service_name);
    row.text("ServiceNamespace", service_namespace);
    row.text("ServiceInstanceId", service_instance_id);
    row.text("ServiceVersion", service_version);
    row.text("RoleName", role_name);
    row.text("SDKVersion", sdk_version);
    row.text("SessionId", lookup(record, "session.id"));
    row.text("UserId", lookup(record, "user.id"));
    row.text("EndUserId", lookup(record, "enduser.id"));
    row.set("ItemCount", int64_t{1});
  }
};

constexpr std::string_view kOtelIdentity[] = {"TimeGenerated",
                                              "Type",
                                              "ResourceAttributes",
                                              "ServiceName",
                                              "ServiceNamespace",
                                              "ServiceInstanceId",
                                              "ServiceVersion",
                                              "RoleName",
                                              "SDKVersion",
                                              "SessionId",
                                              "UserId",
                                              "EndUserId",
                                              "ItemCount"};

std::string_view kindName(pdata::SpanKind k) {
  switch (k) {
    case pdata::SpanKind::kInternal:
      return "Internal";
    case pdata::SpanKind::kServer:
      return "Server";
    case pdata::SpanKind::kClient:
      return "Client";
    case pdata::SpanKind::kProducer:
      return "Producer";
    case pdata::SpanKind::kConsumer:
      return "Consumer";
    default:
      return "Unspecified";
  }
}

std::string_view statusName(pdata::StatusCode c) {
  switch (c) {
    case pdata::StatusCode::kOk:
      return "Ok";
    case pdata::StatusCode::kError:
      return "Error";
    default:
      return "Unset";
  }
}

std::string linksJson(const pdata::Span& span) {
  std::string out = "[";
  for (size_t i = 0; i < span.links.size(); ++i) {
    const auto& l = span.links[i];
    if (i) out += ",";
    out += "{\"TraceId\":";
    appinsights::appendJsonString(out, idHex(l.trace_id));
    out += ",\"SpanId\":";
    appinsights::appendJsonString(out, idHex(l.span_id));
    out += ",\"TraceState\":";
    appinsights::appendJsonString(out, l.trace_state);
    out += ",\"Attributes\":" + attrsJson(l.attributes) + "}";
  }
  return out + "]";
}

void appendLogs(const pdata::Batch& batch, RowBatch& out) {
  for (const auto& rl : batch.resource_logs) {
    ResourceInfo res(rl.resource);
    for (const auto& sl : rl.scope_logs) {
      for (const auto& r : sl.log_records) {
        RowRef row(tableFor(
            out, "OTelLogs",
            {"Body", "SeverityText", "SeverityNumber", "SeverityLevel", "TraceId", "SpanId",
             "Attributes", "ScopeName", "ScopeVersion", "DeploymentEnvironmentName",
             "K8sContainerName", "K8sNamespaceName", "K8sPodName", "DroppedAttributesCount"},
            kOtelIdentity));
        uint64_t t = r.time_unix_nano ? r.time_unix_nano : r.observed_time_unix_nano;
        row.set("TimeGenerated", datetimeTicks(t));
        row.set("Type", std::string("OTelLogs"));
        res.apply(row, r.attributes);
        row.text("Body", appinsights::asString(r.body));
        row.text("SeverityText", r.severity_text);
        row.set("SeverityNumber", int64_t{r.severity_number});
        row.set("SeverityLevel", int64_t{appinsights::severityLevel(r.severity_number)});
        row.text("TraceId", idHex(r.trace_id));
        row.text("SpanId", idHex(r.span_id));
        row.set("Attributes", toValidUtf8(attrsJson(r.attributes)));
        row.text("ScopeName", sl.scope.name);
        row.text("ScopeVersion", sl.scope.version);
        row.text("DeploymentEnvironmentName", res.environment);
        row.text("K8sContainerName", res.k8s_container);
        row.text("K8sNamespaceName", res.k8s_namespace);
        row.text("K8sPodName", res.k8s_pod);
        row.set("DroppedAttributesCount", int64_t{r.dropped_attributes_count});
      }
    }
  }
}

void appendTraces(const pdata::Batch& batch, uint64_t now, RowBatch& out) {
  appinsights::MapOptions options;
  options.sdk_version.clear();
  std::set<std::string> resources_seen;
  for (const auto& rs : batch.resource_spans) {
    ResourceInfo res(rs.resource);
    if (resources_seen.insert(res.id).second) {
      RowRef row(tableFor(out, "OTelResources",
                          {"TimeGenerated", "Type", "Id", "Attributes", "RoleName", "ServiceName",
                           "ServiceNamespace", "ServiceInstanceId"},
                          {}));
      row.set("TimeGenerated", datetimeTicks(now));
      row.set("Type", std::string("OTelResources"));
      row.set("Id", res.id);
      row.set("Attributes", toValidUtf8(res.attributes_json));
      row.text("RoleName", res.role_name);
      row.text("ServiceName", res.service_name);
      row.text("ServiceNamespace", res.service_namespace);
      row.text("ServiceInstanceId", res.service_instance_id);
    }
    for (const auto& ss : rs.scope_spans) {
      for (const auto& span : ss.spans) {
        Envelope e = appinsights::mapSpan(span, rs.resource, ss.scope, options);
        RowRef row(tableFor(out, "OTelSpans",
                            {"EndTime",
                             "DurationMs",
                             "TraceId",
                             "SpanId",
                             "ParentSpanId",
                             "TraceState",
                             "Name",
                             "Kind",
                             "StatusCode",
                             "StatusMessage",
                             "Success",
                             "ResultCode",
                             "DependencyType",
                             "Target",
                             "Data",
                             "Source",
                             "EnrichedName",
                             "PerformanceBucket",
                             "OperationName",
                             "Attributes",
                             "ResourceAttributesId",
                             "Links",
                             "DroppedAttributesCount",
                             "DroppedEventsCount",
                             "DroppedLinksCount",
                             "ScopeName",
                             "ScopeVersion"},
                            kOtelIdentity));
        uint64_t duration = span.end_time_unix_nano > span.start_time_unix_nano
                                ? span.end_time_unix_nano - span.start_time_unix_nano
                                : 0;
        row.set("TimeGenerated", datetimeTicks(span.start_time_unix_nano));
        row.set("Type", std::string("OTelSpans"));
        res.apply(row, span.attributes);
        row.set("EndTime", datetimeTicks(span.end_time_unix_nano));
        row.set("DurationMs", static_cast<double>(duration) / 1e6);
        row.text("TraceId", idHex(span.trace_id));
        row.text("SpanId", idHex(span.span_id));
        row.text("ParentSpanId", idHex(span.parent_span_id));
        row.text("TraceState", span.trace_state);
        row.text("Name", span.name);
        row.set("Kind", std::string(kindName(span.kind)));
        row.set("StatusCode", std::string(statusName(span.status.code)));
        row.text("StatusMessage", span.status.message);
        row.set("Success", int64_t{e.success ? 1 : 0});
        row.text("ResultCode", e.result_code);
        row.text("DependencyType", e.type);
        row.text("Target", e.target);
        row.text("Data", e.kind == EnvelopeKind::kRequest ? e.url : e.data);
        row.text("Source", e.source);
        row.text("EnrichedName", e.name);
        row.set("PerformanceBucket", std::string(performanceBucket(duration)));
        row.text("OperationName", tag(e, "ai.operation.name"));
        row.set("Attributes", toValidUtf8(attrsJson(span.attributes)));
        row.set("ResourceAttributesId", res.id);
        row.set("Links", toValidUtf8(linksJson(span)));
        row.set("DroppedAttributesCount", int64_t{span.dropped_attributes_count});
        row.set("DroppedEventsCount", int64_t{span.dropped_events_count});
        row.set("DroppedLinksCount", int64_t{span.dropped_links_count});
        row.text("ScopeName", ss.scope.name);
        row.text("ScopeVersion", ss.scope.version);
        for (const auto& ev : span.events) {
          RowRef er(tableFor(out, "OTelEvents",
                             {"Name", "TraceId", "SpanId", "ReferencedItemId", "Attributes",
                              "ExceptionType", "ExceptionMessage", "ExceptionStackTrace",
                              "DroppedAttributesCount", "OperationName"},
                             kOtelIdentity));
          // The event's own time (Log Analytics documents the span start; the event time is
          // what a local query wants to filter on).
          er.set("TimeGenerated",
                 datetimeTicks(ev.time_unix_nano ? ev.time_unix_nano : span.start_time_unix_nano));
          er.set("Type", std::string("OTelEvents"));
          res.apply(er, ev.attributes);
          er.text("Name", ev.name);
          er.text("TraceId", idHex(span.trace_id));
          er.text("SpanId", idHex(span.span_id));
          er.text("ReferencedItemId", idHex(span.span_id));
          er.set("Attributes", toValidUtf8(attrsJson(ev.attributes)));
          er.text("ExceptionType", strAttr(ev.attributes, "exception.type"));
          er.text("ExceptionMessage", strAttr(ev.attributes, "exception.message"));
          er.text("ExceptionStackTrace", strAttr(ev.attributes, "exception.stacktrace"));
          er.set("DroppedAttributesCount", int64_t{ev.dropped_attributes_count});
          er.text("OperationName", tag(e, "ai.operation.name"));
        }
      }
    }
  }
}

}  // namespace

void appendAppInsightsRows(const std::vector<Envelope>& envelopes, RowBatch& out) {
  for (const auto& e : envelopes) appendEnvelopeRow(e, out);
}

void appendOtelRows(const pdata::Batch& batch, uint64_t now_unix_nano, RowBatch& out) {
  switch (batch.signal()) {
    case Signal::kLogs:
      appendLogs(batch, out);
      break;
    case Signal::kTraces:
      appendTraces(batch, now_unix_nano, out);
      break;
    case Signal::kMetrics:
      break;
  }
}

namespace {

void appendFinding(uint64_t time_unix_nano, const pdata::Attributes& attrs,
                   const pdata::Attributes& resource_attrs, RowBatch& out) {
  RowRef row(tableFor(
      out, "AgentSecretFindings",
      {"TimeGenerated", "FindingType", "RuleId", "Confidence", "Location", "Fingerprint", "UserId",
       "UserEmail", "SessionId", "PromptId", "ServiceName", "EventName", "Properties", "Type"},
      {}));
  auto attr = [](const pdata::Attributes& a, std::string_view key) -> std::string_view {
    for (const auto& kv : a) {
      if (kv.key == key && kv.value.type == pdata::ValueType::kString) return kv.value.string_value;
    }
    return {};
  };
  row.set("TimeGenerated", datetimeTicks(time_unix_nano));
  row.set("Type", std::string("AgentSecretFindings"));
  row.text("FindingType", attr(attrs, "secret.type"));
  row.text("RuleId", attr(attrs, "secret.rule"));
  row.text("Confidence", attr(attrs, "secret.confidence"));
  row.text("Location", attr(attrs, "secret.location"));
  row.text("Fingerprint", attr(attrs, "secret.fingerprint"));
  std::string_view service = attr(attrs, "service.name");
  row.text("ServiceName", service.empty() ? attr(resource_attrs, "service.name") : service);
  row.text("EventName", attr(attrs, "event.name"));
  row.text("SessionId", attr(attrs, "session.id"));
  row.text("PromptId", attr(attrs, "prompt.id"));
  std::string_view user = attr(attrs, "user.id");
  row.text("UserId", user.empty() ? attr(attrs, "user.account_uuid") : user);
  row.text("UserEmail", attr(attrs, "user.email"));
  row.set("Properties", toValidUtf8(attrsJson(attrs)));
}

}  // namespace

void appendSecretFindingRows(const pdata::Batch& batch, RowBatch& out) {
  if (batch.signal() == Signal::kLogs) {
    for (const auto& rl : batch.resource_logs) {
      for (const auto& sl : rl.scope_logs) {
        for (const auto& r : sl.log_records) {
          if (r.body.type != pdata::ValueType::kString || r.body.string_value != kSecretFindingName)
            continue;
          uint64_t t = r.time_unix_nano ? r.time_unix_nano : r.observed_time_unix_nano;
          appendFinding(t, r.attributes, rl.resource.attributes, out);
        }
      }
    }
  } else if (batch.signal() == Signal::kTraces) {
    for (const auto& rs : batch.resource_spans) {
      for (const auto& ss : rs.scope_spans) {
        for (const auto& span : ss.spans) {
          for (const auto& ev : span.events) {
            if (ev.name != kSecretFindingName) continue;
            appendFinding(ev.time_unix_nano ? ev.time_unix_nano : span.start_time_unix_nano,
                          ev.attributes, rs.resource.attributes, out);
          }
        }
      }
    }
  }
}

std::string_view performanceBucket(uint64_t nanos) {
  constexpr uint64_t kMs = 1000000;
  if (nanos < 250 * kMs) return "<250ms";
  if (nanos < 500 * kMs) return "250ms-500ms";
  if (nanos < 1000 * kMs) return "500ms-1sec";
  if (nanos < 3000 * kMs) return "1sec-3sec";
  if (nanos < 7000 * kMs) return "3sec-7sec";
  if (nanos < 15000 * kMs) return "7sec-15sec";
  if (nanos < 30000 * kMs) return "15sec-30sec";
  if (nanos < 60000 * kMs) return "30sec-1min";
  if (nanos < 120000 * kMs) return "1min-2min";
  if (nanos < 300000 * kMs) return "2min-5min";
  return ">=5min";
}

std::string resourceId(const pdata::Resource& resource) {
  std::string json = attrsJson(resource.attributes);
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : json) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace agentgate::store
