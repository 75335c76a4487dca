#include "appinsights/envelope.h"

#include <cstdio>

#include "appinsights/go_json.h"

namespace agentgate::appinsights {
namespace {

void appendMap(std::string& out, const StringMap& m) {
  out.push_back('{');
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out.push_back(',');
    first = false;
    appendJsonString(out, k);
    out.push_back(':');
    appendJsonString(out, v);
  }
  out.push_back('}');
}

void appendKey(std::string& out, std::string_view key) {
  out.push_back('"');
  out.append(key);
  out += "\":";
}

void appendStringField(std::string& out, std::string_view key, std::string_view value) {
  appendKey(out, key);
  appendJsonString(out, value);
  out.push_back(',');
}

void appendProperties(std::string& out, const StringMap& props) {
  // omitempty: an empty map is left out.
  if (props.empty()) return;
  out += ",\"properties\":";
  appendMap(out, props);
}

void appendBaseData(std::string& out, const Envelope& e) {
  out += "{\"ver\":2,";
  switch (e.kind) {
    case EnvelopeKind::kMessage:
      appendStringField(out, "message", e.message);
      appendKey(out, "severityLevel");
      out += std::to_string(e.severity_level);
      break;
    case EnvelopeKind::kException: {
      out += "\"exceptions\":";
      if (e.exceptions.empty()) {
        out += "null";
      } else {
        out.push_back('[');
        bool first = true;
        for (const auto& x : e.exceptions) {
          if (!first) out.push_back(',');
          first = false;
          out += "{\"id\":0,\"outerId\":0,";
          appendStringField(out, "typeName", x.type_name);
          appendStringField(out, "message", x.message);
          appendKey(out, "hasFullStack");
          out += x.has_full_stack ? "true," : "false,";
          appendKey(out, "stack");
          appendJsonString(out, x.stack);
          out.push_back('}');
        }
        out.push_back(']');
      }
      out += ",\"severityLevel\":";
      out += std::to_string(e.severity_level);
      out += ",\"problemId\":";
      appendJsonString(out, e.problem_id);
      break;
    }
    case EnvelopeKind::kEvent:
      appendKey(out, "name");
      appendJsonString(out, e.name);
      break;
    case EnvelopeKind::kRequest:
      appendStringField(out, "id", e.id);
      appendStringField(out, "source", e.source);
      appendStringField(out, "name", e.name);
      appendStringField(out, "duration", formatDuration(e.duration_nanos));
      appendStringField(out, "responseCode", e.result_code);
      appendKey(out, "success");
      out += e.success ? "true," : "false,";
      appendKey(out, "url");
      appendJsonString(out, e.url);
      break;
    case EnvelopeKind::kRemoteDependency:
      appendStringField(out, "name", e.name);
      appendStringField(out, "id", e.id);
      appendStringField(out, "resultCode", e.result_code);
      appendStringField(out, "duration", formatDuration(e.duration_nanos));
      appendKey(out, "success");
      out += e.success ? "true," : "false,";
      appendStringField(out, "data", e.data);
      appendStringField(out, "target", e.target);
      appendKey(out, "type");
      appendJsonString(out, e.type);
      break;
    case EnvelopeKind::kMetric: {
      out += "\"metrics\":";
      if (e.metrics.empty()) {
        out += "null";
        break;
      }
      out.push_back('[');
      bool first = true;
      for (const auto& p : e.metrics) {
        if (!first) out.push_back(',');
        first = false;
        out += "{\"name\":";
        appendJsonString(out, p.name);
        out += ",\"kind\":" + std::to_string(p.kind) + ",\"value\":";
        appendJsonFloat(out, p.value);
        out += ",\"count\":" + std::to_string(p.count) + ",\"min\":";
        appendJsonFloat(out, p.min);
        out += ",\"max\":";
        appendJsonFloat(out, p.max);
        out += ",\"stdDev\":";
        appendJsonFloat(out, p.std_dev);
        out.push_back('}');
      }
      out.push_back(']');
      break;
    }
  }
  appendProperties(out, e.properties);
  out.push_back('}');
}

}  // namespace

std::string_view envelopeShortName(EnvelopeKind kind) {
  switch (kind) {
    case EnvelopeKind::kMessage:
      return "Message";
    case EnvelopeKind::kException:
      return "Exception";
    case EnvelopeKind::kEvent:
      return "Event";
    case EnvelopeKind::kRequest:
      return "Request";
    case EnvelopeKind::kRemoteDependency:
      return "RemoteDependency";
    case EnvelopeKind::kMetric:
      return "Metric";
  }
  return "Message";
}

std::string_view baseTypeName(EnvelopeKind kind) {
  switch (kind) {
    case EnvelopeKind::kMessage:
      return "MessageData";
    case EnvelopeKind::kException:
      return "ExceptionData";
    case EnvelopeKind::kEvent:
      return "EventData";
    case EnvelopeKind::kRequest:
      return "RequestData";
    case EnvelopeKind::kRemoteDependency:
      return "RemoteDependencyData";
    case EnvelopeKind::kMetric:
      return "MetricData";
  }
  return "MessageData";
}

std::string toJson(const Envelope& e) {
  std::string out;
  out.reserve(512 + e.message.size());
  out += "{\"ver\":1,\"name\":";
  appendJsonString(
      out, std::string("Microsoft.ApplicationInsights.") + std::string(envelopeShortName(e.kind)));
  out += ",\"time\":";
  appendJsonString(out, formatRfc3339Nano(e.time_unix_nano));
  out += ",\"sampleRate\":100,\"seq\":\"\",\"iKey\":";
  appendJsonString(out, e.ikey);
  if (!e.tags.empty()) {
    out += ",\"tags\":";
    appendMap(out, e.tags);
  }
  out += ",\"data\":{\"baseType\":\"";
  out += baseTypeName(e.kind);
  out += "\",\"baseData\":";
  appendBaseData(out, e);
  out += "}}";
  return out;
}

std::string formatRfc3339Nano(uint64_t unix_nano) {
  // Days-from-civil inverse (proleptic Gregorian), valid for every uint64 nanosecond count.
  uint64_t secs = unix_nano / 1000000000ull;
  uint32_t frac = static_cast<uint32_t>(unix_nano % 1000000000ull);
  int64_t days = static_cast<int64_t>(secs / 86400);
  uint32_t sod = static_cast<uint32_t>(secs % 86400);
  int64_t z = days + 719468;
  int64_t era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lldT%02u:%02u:%02u",
                        static_cast<long long>(y), static_cast<long long>(m),
                        static_cast<long long>(d), sod / 3600, (sod / 60) % 60, sod % 60);
  std::string out(buf, static_cast<size_t>(n));
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof(f), ".%09u", frac);
    std::string fs(f);
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  out.push_back('Z');
  return out;
}

std::string formatDuration(uint64_t nanos) {
  uint64_t micros = nanos / 1000;
  uint64_t us = micros % 1000000;
  uint64_t total_secs = micros / 1000000;
  uint64_t s = total_secs % 60;
  uint64_t m = (total_secs / 60) % 60;
  uint64_t h = (total_secs / 3600) % 24;
  uint64_t days = total_secs / 86400;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%02llu.%02llu:%02llu:%02llu.%06llu",
                static_cast<unsigned long long>(days), static_cast<unsigned long long>(h),
                static_cast<unsigned long long>(m), static_cast<unsigned long long>(s),
                static_cast<unsigned long long>(us));
  return buf;
}

}  // namespace agentgate::appinsights
