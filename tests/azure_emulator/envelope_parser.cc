#include "envelope_parser.h"

#include <simdjson.h>

#include <cmath>

namespace agentgate::azure_emulator {
namespace {

using appinsights::EnvelopeKind;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::string_view kPrefix = "Microsoft.ApplicationInsights.";

ItemRejection required(std::string_view field, std::string_view type) {
  return {400, "100: Field '" + std::string(field) + "' on type '" + std::string(type) +
                   "' is required"};
}
ItemRejection wrongType(std::string_view field, std::string_view type, std::string_view expected) {
  return {400, "100: Field '" + std::string(field) + "' on type '" + std::string(type) +
                   "' is of incorrect type. Expected: " + std::string(expected)};
}
ItemRejection tooLong(std::string_view field, std::string_view type, size_t max) {
  return {400, "100: Field '" + std::string(field) + "' on type '" + std::string(type) +
                   "' is too long. Expected: " + std::to_string(max)};
}
ItemRejection invalid(std::string_view field, std::string_view type, std::string_view why) {
  return {400, "100: Field '" + std::string(field) + "' on type '" + std::string(type) +
                   "' is invalid: " + std::string(why)};
}

bool lookup(const object& obj, std::string_view key, element& out) {
  // Field names are case-sensitive on the wire (the contracts' JSON tags).
  return obj.at_key(key).get(out) == simdjson::SUCCESS && !out.is_null();
}

// A string field: required or not, with a maximum length (0 = none).
std::optional<ItemRejection> str(const object& obj, std::string_view key, std::string_view type,
                                 bool needed, size_t max, std::string& out) {
  element e;
  if (!lookup(obj, key, e)) {
    if (needed) return required(key, type);
    return std::nullopt;
  }
  std::string_view v;
  if (e.get_string().get(v) != simdjson::SUCCESS) return wrongType(key, type, "string");
  if (max != 0 && v.size() > max) return tooLong(key, type, max);
  out.assign(v);
  return std::nullopt;
}

std::optional<ItemRejection> integer(const object& obj, std::string_view key, std::string_view type,
                                     bool needed, int64_t& out) {
  element e;
  if (!lookup(obj, key, e)) {
    if (needed) return required(key, type);
    return std::nullopt;
  }
  int64_t v = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS) {
    // 2.0 is an integer to .NET's JSON reader as well.
    double d = 0;
    if (e.get_double().get(d) != simdjson::SUCCESS || d != std::floor(d) || std::fabs(d) > 9e15) {
      return wrongType(key, type, "int");
    }
    v = static_cast<int64_t>(d);
  }
  out = v;
  return std::nullopt;
}

std::optional<ItemRejection> number(const object& obj, std::string_view key, std::string_view type,
                                    bool needed, double& out) {
  element e;
  if (!lookup(obj, key, e)) {
    if (needed) return required(key, type);
    return std::nullopt;
  }
  double v = 0;
  if (e.get_double().get(v) != simdjson::SUCCESS) return wrongType(key, type, "double");
  out = v;
  return std::nullopt;
}

std::optional<ItemRejection> boolean(const object& obj, std::string_view key, std::string_view type,
                                     bool needed, bool& out) {
  element e;
  if (!lookup(obj, key, e)) {
    if (needed) return required(key, type);
    return std::nullopt;
  }
  bool v = false;
  if (e.get_bool().get(v) != simdjson::SUCCESS) return wrongType(key, type, "bool");
  out = v;
  return std::nullopt;
}

// properties / tags: string -> string, keys up to 150 (tags: per-key limits are the
// exporter's business; the service caps tag values at 1024 here for simplicity).
std::optional<ItemRejection> stringMap(const object& obj, std::string_view key,
                                       std::string_view type, size_t max_key, size_t max_value,
                                       appinsights::StringMap* out) {
  element e;
  if (!lookup(obj, key, e)) return std::nullopt;
  object m;
  if (e.get_object().get(m) != simdjson::SUCCESS) {
    return wrongType(key, type, "IDictionary<string, string>");
  }
  for (auto field : m) {
    std::string_view k = field.key;
    if (k.size() > max_key) return tooLong(std::string(key) + " key", type, max_key);
    std::string_view v;
    if (field.value.is_null()) {
      v = {};
    } else if (field.value.get_string().get(v) != simdjson::SUCCESS) {
      return wrongType(std::string(key) + "[" + std::string(k.substr(0, 64)) + "]", type, "string");
    }
    if (v.size() > max_value) return tooLong(std::string(key) + " value", type, max_value);
    if (out != nullptr) (*out)[std::string(k)] = std::string(v);
  }
  return std::nullopt;
}

std::optional<ItemRejection> measurements(const object& obj, std::string_view type) {
  element e;
  if (!lookup(obj, "measurements", e)) return std::nullopt;
  object m;
  if (e.get_object().get(m) != simdjson::SUCCESS) {
    return wrongType("measurements", type, "IDictionary<string, double>");
  }
  for (auto field : m) {
    if (field.key.size() > 150) return tooLong("measurements key", type, 150);
    double d;
    if (field.value.get_double().get(d) != simdjson::SUCCESS) {
      return wrongType("measurements", type, "IDictionary<string, double>");
    }
  }
  return std::nullopt;
}

std::optional<ItemRejection> duration(const object& obj, std::string_view type, uint64_t& out) {
  std::string text;
  if (auto r = str(obj, "duration", type, true, 0, text)) return r;
  auto d = parseAiDuration(text);
  if (!d) return invalid("duration", type, "expected [d.]hh:mm:ss[.fffffff] below 1000 days");
  out = *d;
  return std::nullopt;
}

std::optional<ItemRejection> severity(const object& obj, std::string_view type, int& out) {
  int64_t v = 0;
  if (auto r = integer(obj, "severityLevel", type, false, v)) return r;
  if (v < 0 || v > 4) return invalid("severityLevel", type, "expected 0 (Verbose) to 4 (Critical)");
  out = static_cast<int>(v);
  return std::nullopt;
}

std::optional<ItemRejection> baseData(const object& bd, EnvelopeKind kind, std::string_view type,
                                      appinsights::Envelope& out) {
  if (auto r = stringMap(bd, "properties", type, 150, 8192, &out.properties)) return r;
  if (auto r = measurements(bd, type)) return r;
  int64_t ver = 2;
  if (auto r = integer(bd, "ver", type, false, ver)) return r;
  switch (kind) {
    case EnvelopeKind::kMessage:
      if (auto r = str(bd, "message", type, true, 32768, out.message)) return r;
      return severity(bd, type, out.severity_level);
    case EnvelopeKind::kException: {
      element ex;
      if (!lookup(bd, "exceptions", ex)) return required("exceptions", type);
      simdjson::dom::array arr;
      if (ex.get_array().get(arr) != simdjson::SUCCESS) {
        return wrongType("exceptions", type, "IList<ExceptionDetails>");
      }
      for (element item : arr) {
        object d;
        if (item.get_object().get(d) != simdjson::SUCCESS) {
          return wrongType("exceptions", type, "ExceptionDetails");
        }
        appinsights::ExceptionDetails x;
        constexpr std::string_view kDetails = "ExceptionDetails";
        if (auto r = str(d, "typeName", kDetails, true, 1024, x.type_name)) return r;
        if (auto r = str(d, "message", kDetails, true, 32768, x.message)) return r;
        if (auto r = str(d, "stack", kDetails, false, 32768, x.stack)) return r;
        if (auto r = boolean(d, "hasFullStack", kDetails, false, x.has_full_stack)) return r;
        int64_t ignored = 0;
        if (auto r = integer(d, "id", kDetails, false, ignored)) return r;
        if (auto r = integer(d, "outerId", kDetails, false, ignored)) return r;
        out.exceptions.push_back(std::move(x));
      }
      if (out.exceptions.empty()) return required("exceptions", type);
      if (auto r = str(bd, "problemId", type, false, 1024, out.problem_id)) return r;
      return severity(bd, type, out.severity_level);
    }
    case EnvelopeKind::kEvent:
      if (auto r = str(bd, "name", type, true, 512, out.name)) return r;
      if (out.name.empty()) return required("name", type);
      return std::nullopt;
    case EnvelopeKind::kRequest: {
      if (auto r = str(bd, "id", type, true, 128, out.id)) return r;
      if (auto r = duration(bd, type, out.duration_nanos)) return r;
      if (auto r = str(bd, "responseCode", type, true, 1024, out.result_code)) return r;
      if (auto r = boolean(bd, "success", type, true, out.success)) return r;
      if (auto r = str(bd, "source", type, false, 1024, out.source)) return r;
      if (auto r = str(bd, "name", type, false, 1024, out.name)) return r;
      return str(bd, "url", type, false, 2048, out.url);
    }
    case EnvelopeKind::kRemoteDependency: {
      if (auto r = str(bd, "name", type, true, 1024, out.name)) return r;
      if (auto r = duration(bd, type, out.duration_nanos)) return r;
      if (auto r = str(bd, "id", type, false, 128, out.id)) return r;
      if (auto r = str(bd, "resultCode", type, false, 1024, out.result_code)) return r;
      if (auto r = boolean(bd, "success", type, false, out.success)) return r;
      if (auto r = str(bd, "data", type, false, 8192, out.data)) return r;
      if (auto r = str(bd, "target", type, false, 1024, out.target)) return r;
      return str(bd, "type", type, false, 1024, out.type);
    }
    case EnvelopeKind::kMetric: {
      element m;
      if (!lookup(bd, "metrics", m)) return required("metrics", type);
      simdjson::dom::array arr;
      if (m.get_array().get(arr) != simdjson::SUCCESS) {
        return wrongType("metrics", type, "IList<DataPoint>");
      }
      for (element item : arr) {
        object p;
        if (item.get_object().get(p) != simdjson::SUCCESS) {
          return wrongType("metrics", type, "DataPoint");
        }
        constexpr std::string_view kPoint = "DataPoint";
        appinsights::DataPoint dp;
        if (auto r = str(p, "name", kPoint, true, 1024, dp.name)) return r;
        if (dp.name.empty()) return required("name", kPoint);
        int64_t k = 0, count = 1;
        if (auto r = integer(p, "kind", kPoint, false, k)) return r;
        if (k != 0 && k != 1) return invalid("kind", kPoint, "expected 0 (Measurement) or 1");
        dp.kind = static_cast<int>(k);
        if (auto r = number(p, "value", kPoint, true, dp.value)) return r;
        if (auto r = integer(p, "count", kPoint, false, count)) return r;
        dp.count = count;
        if (auto r = number(p, "min", kPoint, false, dp.min)) return r;
        if (auto r = number(p, "max", kPoint, false, dp.max)) return r;
        if (auto r = number(p, "stdDev", kPoint, false, dp.std_dev)) return r;
        std::string ns;
        if (auto r = str(p, "ns", kPoint, false, 256, ns)) return r;
        out.metrics.push_back(std::move(dp));
      }
      // "Only one metric in the list is currently supported by Application Insights storage. If
      // multiple data points were sent only the first one will be used." (AI schema)
      if (out.metrics.empty()) return required("metrics", type);
      out.metrics.resize(1);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<uint64_t> parseRfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 ||
      sec > 60) {
    return std::nullopt;
  }
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return std::nullopt;
  size_t pos = 19;
  uint64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 9) frac = frac * 10 + static_cast<uint64_t>(s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (size_t i = n; i < 9; ++i) frac *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  int64_t secs = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                 h * 3600 + mi * 60 + sec - offset;
  if (secs < 0) return std::nullopt;
  return static_cast<uint64_t>(secs) * 1000000000ull + frac;
}

std::optional<uint64_t> parseAiDuration(std::string_view s) {
  // [d.]hh:mm:ss[.fffffff]: days any digits (< 1000), then exactly two digits per field.
  uint64_t days = 0;
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon < 2) return std::nullopt;
  size_t hours_at = colon - 2;
  if (hours_at > 0) {
    if (s[hours_at - 1] != '.' || hours_at < 2) return std::nullopt;
    std::string_view d = s.substr(0, hours_at - 1);
    if (d.empty() || d.size() > 3) return std::nullopt;
    for (char c : d) {
      if (c < '0' || c > '9') return std::nullopt;
      days = days * 10 + static_cast<uint64_t>(c - '0');
    }
  }
  int h, m, sec;
  if (!digits(s, hours_at, 2, h) || s.size() < hours_at + 8 || s[hours_at + 2] != ':' ||
      !digits(s, hours_at + 3, 2, m) || s[hours_at + 5] != ':' ||
      !digits(s, hours_at + 6, 2, sec) || h > 23 || m > 59 || sec > 59) {
    return std::nullopt;
  }
  size_t pos = hours_at + 8;
  uint64_t frac = 0;
  if (pos < s.size()) {
    if (s[pos] != '.') return std::nullopt;
    ++pos;
    size_t n = 0;
    while (pos < s.size()) {
      if (s[pos] < '0' || s[pos] > '9' || n == 7) return std::nullopt;
      frac = frac * 10 + static_cast<uint64_t>(s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (size_t i = n; i < 7; ++i) frac *= 10;  // ticks of 100 ns
  }
  if (days >= 1000) return std::nullopt;
  uint64_t secs = days * 86400 + static_cast<uint64_t>(h) * 3600 + static_cast<uint64_t>(m) * 60 +
                  static_cast<uint64_t>(sec);
  return secs * 1000000000ull + frac * 100;
}

std::optional<ItemRejection> parseEnvelope(std::string_view json, appinsights::Envelope& out) {
  out = appinsights::Envelope{};
  if (json.size() > kMaxItemBytes) {
    return ItemRejection{400, "Telemetry item length must not exceed 65536"};
  }
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return ItemRejection{400, "100: Invalid JSON: the item is not a JSON object"};
  }
  object env;
  if (doc.get_object().get(env) != simdjson::SUCCESS) {
    return ItemRejection{400, "100: Invalid JSON: the item is not a JSON object"};
  }
  constexpr std::string_view kEnvelope = "Envelope";
  std::string name, time, seq;
  if (auto r = str(env, "name", kEnvelope, true, 1024, name)) return r;
  if (auto r = str(env, "time", kEnvelope, true, 64, time)) return r;
  if (auto r = str(env, "iKey", kEnvelope, true, 40, out.ikey)) return r;
  if (auto r = str(env, "seq", kEnvelope, false, 64, seq)) return r;
  int64_t ver = 1;
  if (auto r = integer(env, "ver", kEnvelope, false, ver)) return r;
  double sample_rate = 100;
  if (auto r = number(env, "sampleRate", kEnvelope, false, sample_rate)) return r;
  if (!(sample_rate > 0 && sample_rate <= 100)) {
    return invalid("sampleRate", kEnvelope, "expected a percentage in (0, 100]");
  }
  if (auto r = stringMap(env, "tags", kEnvelope, 64, 1024, &out.tags)) return r;
  auto t = parseRfc3339(time);
  if (!t) return invalid("time", kEnvelope, "expected an ISO 8601 date-time");
  out.time_unix_nano = *t;

  element data_el;
  if (!lookup(env, "data", data_el)) return required("data", kEnvelope);
  object data;
  if (data_el.get_object().get(data) != simdjson::SUCCESS) {
    return wrongType("data", kEnvelope, "Base");
  }
  std::string base_type;
  if (auto r = str(data, "baseType", "Data", true, 0, base_type)) return r;
  static const EnvelopeKind kKinds[] = {
      EnvelopeKind::kMessage, EnvelopeKind::kException,        EnvelopeKind::kEvent,
      EnvelopeKind::kRequest, EnvelopeKind::kRemoteDependency, EnvelopeKind::kMetric};
  std::optional<EnvelopeKind> kind;
  for (EnvelopeKind k : kKinds) {
    if (base_type == appinsights::baseTypeName(k)) kind = k;
  }
  if (!kind)
    return invalid("baseType", "Data", "unknown telemetry type '" + base_type.substr(0, 64) + "'");
  // name: Microsoft.ApplicationInsights.<Kind> or the SDKs' ...<ikey without dashes>.<Kind>.
  std::string_view n = name;
  std::string_view suffix = appinsights::envelopeShortName(*kind);
  bool agrees =
      n.size() > kPrefix.size() + suffix.size() && n.substr(0, kPrefix.size()) == kPrefix &&
      n.substr(n.size() - suffix.size()) == suffix && n[n.size() - suffix.size() - 1] == '.';
  if (!agrees && n == std::string(kPrefix) + std::string(suffix)) agrees = true;
  if (!agrees) {
    return invalid("name", kEnvelope,
                   "'" + name.substr(0, 128) + "' does not name a " + base_type + " item");
  }
  out.kind = *kind;
  element bd_el;
  if (!lookup(data, "baseData", bd_el)) return required("baseData", "Data");
  object bd;
  if (bd_el.get_object().get(bd) != simdjson::SUCCESS) {
    return wrongType("baseData", "Data", base_type);
  }
  return baseData(bd, *kind, base_type, out);
}

}  // namespace agentgate::azure_emulator
