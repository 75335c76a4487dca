// OTLP/JSON decoder over the simdjson DOM. Senders differ (Claude Code, Copilot, SDKs): keys in
// lowerCamelCase or snake_case, 64-bit integers as numbers or strings, enums as numbers or names,
// ids as hex. Everything lands in the same arena model as the protobuf decoder; strings are
// copied into the batch arena because the DOM dies with this call.
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pdata/codec.h"

namespace agentgate::pdata {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr size_t kHardDepthCap = 1000;  // see proto_decoder.cc
constexpr size_t kSharedParserMaxBytes = 1u << 20;

// True when `key` matches `canon` (lowercase, no underscores) ignoring case and underscores, so
// "resourceLogs", "resource_logs" and "ResourceLogs" all match "resourcelogs".
bool keyIs(std::string_view key, std::string_view canon) {
  size_t j = 0;
  for (char c : key) {
    if (c == '_') continue;
    if (j >= canon.size()) return false;
    char lc = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    if (lc != canon[j++]) return false;
  }
  return j == canon.size();
}

int hexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

struct EnumName {
  std::string_view name;
  int32_t value;
};

constexpr EnumName kSpanKinds[] = {{"SPAN_KIND_UNSPECIFIED", 0}, {"SPAN_KIND_INTERNAL", 1},
                                   {"SPAN_KIND_SERVER", 2},      {"SPAN_KIND_CLIENT", 3},
                                   {"SPAN_KIND_PRODUCER", 4},    {"SPAN_KIND_CONSUMER", 5}};
constexpr EnumName kStatusCodes[] = {
    {"STATUS_CODE_UNSET", 0}, {"STATUS_CODE_OK", 1}, {"STATUS_CODE_ERROR", 2}};
constexpr EnumName kTemporalities[] = {{"AGGREGATION_TEMPORALITY_UNSPECIFIED", 0},
                                       {"AGGREGATION_TEMPORALITY_DELTA", 1},
                                       {"AGGREGATION_TEMPORALITY_CUMULATIVE", 2}};
constexpr EnumName kSeverities[] = {
    {"SEVERITY_NUMBER_UNSPECIFIED", 0}, {"SEVERITY_NUMBER_TRACE", 1},
    {"SEVERITY_NUMBER_TRACE2", 2},      {"SEVERITY_NUMBER_TRACE3", 3},
    {"SEVERITY_NUMBER_TRACE4", 4},      {"SEVERITY_NUMBER_DEBUG", 5},
    {"SEVERITY_NUMBER_DEBUG2", 6},      {"SEVERITY_NUMBER_DEBUG3", 7},
    {"SEVERITY_NUMBER_DEBUG4", 8},      {"SEVERITY_NUMBER_INFO", 9},
    {"SEVERITY_NUMBER_INFO2", 10},      {"SEVERITY_NUMBER_INFO3", 11},
    {"SEVERITY_NUMBER_INFO4", 12},      {"SEVERITY_NUMBER_WARN", 13},
    {"SEVERITY_NUMBER_WARN2", 14},      {"SEVERITY_NUMBER_WARN3", 15},
    {"SEVERITY_NUMBER_WARN4", 16},      {"SEVERITY_NUMBER_ERROR", 17},
    {"SEVERITY_NUMBER_ERROR2", 18},     {"SEVERITY_NUMBER_ERROR3", 19},
    {"SEVERITY_NUMBER_ERROR4", 20},     {"SEVERITY_NUMBER_FATAL", 21},
    {"SEVERITY_NUMBER_FATAL2", 22},     {"SEVERITY_NUMBER_FATAL3", 23},
    {"SEVERITY_NUMBER_FATAL4", 24}};

class JsonDecoder {
 public:
  JsonDecoder(Batch& batch, const DecodeLimits& limits)
      : batch_(batch),
        mr_(batch.arena()),
        limits_(limits),
        max_depth_(std::min(limits.max_anyvalue_depth, kHardDepthCap)) {}

  Status run(std::string_view json) {
    // One parser per thread: its buffers are reused across requests. A large document gets a
    // parser of its own, freed afterwards: the parser keeps buffers of several times the largest
    // document it has seen, which would stay resident outside the memory limiter's accounting.
    thread_local simdjson::dom::parser shared_parser;
    std::optional<simdjson::dom::parser> own_parser;
    if (json.size() > kSharedParserMaxBytes) own_parser.emplace();
    simdjson::dom::parser& parser = own_parser ? *own_parser : shared_parser;
    element root;
    auto err = parser.parse(json.data(), json.size()).get(root);
    if (err) return Error::invalid(std::string("invalid JSON: ") + simdjson::error_message(err));
    object o;
    if (root.get_object().get(o)) return Error::invalid("invalid OTLP/JSON: expected an object");
    bool ok = true;
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      switch (batch_.signal()) {
        case Signal::kLogs:
          if (keyIs(field.key, "resourcelogs")) {
            ok = repeated(v, "resourceLogs", batch_.resource_logs, &JsonDecoder::resourceLogs);
          }
          break;
        case Signal::kTraces:
          if (keyIs(field.key, "resourcespans")) {
            ok = repeated(v, "resourceSpans", batch_.resource_spans, &JsonDecoder::resourceSpans);
          }
          break;
        case Signal::kMetrics:
          if (keyIs(field.key, "resourcemetrics")) {
            ok = repeated(v, "resourceMetrics", batch_.resource_metrics,
                          &JsonDecoder::resourceMetrics);
          }
          break;
      }
      if (!ok) break;
    }
    if (ok) return okStatus();
    std::string msg = "invalid OTLP/JSON: ";
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) {
      if (it != path_.rbegin()) msg += '.';
      msg += *it;
    }
    if (!path_.empty()) msg += ": ";
    msg += what_;
    return Error::invalid(std::move(msg));
  }

 private:
  bool fail(std::string what) {
    what_ = std::move(what);
    return false;
  }
  bool at(const char* field) {
    path_.emplace_back(field);
    return false;
  }
  bool at(const char* field, size_t index) {
    path_.push_back(std::string(field) + "[" + std::to_string(index) + "]");
    return false;
  }
  bool expected(const char* name, const char* what) {
    return fail(std::string(name) + ": expected " + what);
  }

  // ---- scalars
  bool u64(element v, const char* name, uint64_t& out) {
    switch (v.type()) {
      case element_type::UINT64:
        out = v.get_uint64().value_unsafe();
        return true;
      case element_type::INT64: {
        int64_t i = v.get_int64().value_unsafe();
        if (i < 0) return expected(name, "a non-negative integer");
        out = static_cast<uint64_t>(i);
        return true;
      }
      case element_type::DOUBLE: {
        double d = v.get_double().value_unsafe();
        if (!(d >= 0 && d < 18446744073709551616.0) || std::floor(d) != d) {
          return expected(name, "an unsigned integer");
        }
        out = static_cast<uint64_t>(d);
        return true;
      }
      case element_type::STRING: {
        std::string_view s = v.get_string().value_unsafe();
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
          return expected(name, "an unsigned integer");
        }
        return true;
      }
      default:
        return expected(name, "an unsigned integer");
    }
  }

  bool i64(element v, const char* name, int64_t& out) {
    switch (v.type()) {
      case element_type::INT64:
        out = v.get_int64().value_unsafe();
        return true;
      case element_type::UINT64: {
        uint64_t u = v.get_uint64().value_unsafe();
        if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return expected(name, "a 64-bit integer");
        }
        out = static_cast<int64_t>(u);
        return true;
      }
      case element_type::DOUBLE: {
        double d = v.get_double().value_unsafe();
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::floor(d) != d) {
          return expected(name, "a 64-bit integer");
        }
        out = static_cast<int64_t>(d);
        return true;
      }
      case element_type::STRING: {
        std::string_view s = v.get_string().value_unsafe();
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
          return expected(name, "a 64-bit integer");
        }
        return true;
      }
      default:
        return expected(name, "a 64-bit integer");
    }
  }

  bool u32(element v, const char* name, uint32_t& out) {
    uint64_t u;
    if (!u64(v, name, u)) return false;
    if (u > std::numeric_limits<uint32_t>::max())
      return expected(name, "a 32-bit unsigned integer");
    out = static_cast<uint32_t>(u);
    return true;
  }

  bool i32(element v, const char* name, int32_t& out) {
    int64_t i;
    if (!i64(v, name, i)) return false;
    if (i < std::numeric_limits<int32_t>::min() || i > std::numeric_limits<int32_t>::max()) {
      return expected(name, "a 32-bit integer");
    }
    out = static_cast<int32_t>(i);
    return true;
  }

  template <typename E, size_t N>
  bool enumField(element v, const char* name, const EnumName (&names)[N], E& out) {
    if (v.is_string()) {
      std::string_view s = v.get_string().value_unsafe();
      for (const auto& n : names) {
        if (n.name == s) {
          out = static_cast<E>(n.value);
          return true;
        }
      }
      return fail(std::string(name) + ": unknown enum name");
    }
    int32_t i;
    if (!i32(v, name, i)) return false;
    out = static_cast<E>(i);
    return true;
  }

  bool dbl(element v, const char* name, double& out) {
    switch (v.type()) {
      case element_type::DOUBLE:
        out = v.get_double().value_unsafe();
        return true;
      case element_type::INT64:
        out = static_cast<double>(v.get_int64().value_unsafe());
        return true;
      case element_type::UINT64:
        out = static_cast<double>(v.get_uint64().value_unsafe());
        return true;
      case element_type::STRING: {
        std::string_view s = v.get_string().value_unsafe();
        if (s == "NaN") {
          out = std::numeric_limits<double>::quiet_NaN();
          return true;
        }
        if (s == "Infinity") {
          out = std::numeric_limits<double>::infinity();
          return true;
        }
        if (s == "-Infinity") {
          out = -std::numeric_limits<double>::infinity();
          return true;
        }
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
          return expected(name, "a number");
        }
        return true;
      }
      default:
        return expected(name, "a number");
    }
  }

  bool boolean(element v, const char* name, bool& out) {
    if (!v.is_bool()) return expected(name, "a boolean");
    out = v.get_bool().value_unsafe();
    return true;
  }

  bool str(element v, const char* name, std::string_view& out) {
    if (!v.is_string()) return expected(name, "a string");
    out = batch_.copyString(v.get_string().value_unsafe());
    return true;
  }

  bool hexId(element v, const char* name, size_t size, std::string_view& out) {
    if (!v.is_string()) return expected(name, "a hex string");
    std::string_view s = v.get_string().value_unsafe();
    if (s.empty()) {
      out = {};
      return true;
    }
    if (s.size() != size * 2) {
      return fail(std::string(name) + ": must be " + std::to_string(size * 2) + " hex digits");
    }
    auto* p = static_cast<char*>(mr_->allocate(size, 1));
    for (size_t i = 0; i < size; ++i) {
      int hi = hexNibble(s[2 * i]), lo = hexNibble(s[2 * i + 1]);
      if (hi < 0 || lo < 0) return fail(std::string(name) + ": invalid hex digit");
      p[i] = static_cast<char>((hi << 4) | lo);
    }
    out = {p, size};
    return true;
  }

  bool base64(element v, const char* name, std::string_view& out) {
    if (!v.is_string()) return expected(name, "a base64 string");
    std::string_view s = v.get_string().value_unsafe();
    while (!s.empty() && s.back() == '=') s.remove_suffix(1);
    if (s.size() % 4 == 1) return fail(std::string(name) + ": invalid base64 length");
    size_t n = s.size() / 4 * 3 + (s.size() % 4 == 0 ? 0 : s.size() % 4 - 1);
    if (n == 0) {
      out = {};
      return true;
    }
    auto* p = static_cast<char*>(mr_->allocate(n, 1));
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
      int val = base64Value(c);
      if (val < 0) return fail(std::string(name) + ": invalid base64 character");
      acc = (acc << 6) | static_cast<uint32_t>(val);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        p[o++] = static_cast<char>((acc >> bits) & 0xff);
      }
    }
    out = {p, o};
    return true;
  }

  // ---- structure
  template <typename T, typename Fn>
  bool repeated(element v, const char* name, Vec<T>& vec, Fn fn) {
    array arr;
    if (v.get_array().get(arr)) return expected(name, "an array");
    vec.reserve(vec.size() + arr.size());
    for (element item : arr) {
      object o;
      if (item.get_object().get(o)) {
        expected("element", "an object");
        return at(name, vec.size());
      }
      T& t = vec.emplace_back(mr_);
      if (!(this->*fn)(o, t)) return at(name, vec.size() - 1);
    }
    return true;
  }

  template <typename T, typename Fn>
  bool sub(element v, const char* name, T& target, Fn fn) {
    object o;
    if (v.get_object().get(o)) return expected(name, "an object");
    if (!(this->*fn)(o, target)) return at(name);
    return true;
  }

  bool attributes(element v, const char* name, Attributes& attrs) {
    array arr;
    if (v.get_array().get(arr)) return expected(name, "an array");
    size_t n = arr.size();
    if (attrs.size() + n > limits_.max_attributes_per_record) {
      return fail(std::string(name) + ": more than " +
                  std::to_string(limits_.max_attributes_per_record) + " attributes");
    }
    attrs.reserve(attrs.size() + n);
    for (element item : arr) {
      object o;
      if (item.get_object().get(o)) {
        expected("element", "an object");
        return at(name, attrs.size());
      }
      KeyValue& kv = attrs.emplace_back();
      if (!keyValue(o, kv, 0)) return at(name, attrs.size() - 1);
    }
    return true;
  }

  bool keyValue(object o, KeyValue& kv, size_t depth) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      if (keyIs(field.key, "key")) {
        if (!str(v, "key", kv.key)) return false;
      } else if (keyIs(field.key, "value")) {
        object vo;
        if (v.get_object().get(vo)) return expected("value", "an object");
        if (!anyValue(vo, kv.value, depth)) return at("value");
      }
    }
    return true;
  }

  bool valueBytesLimit(const char* name, std::string_view s) {
    if (s.size() > limits_.max_attribute_value_bytes) {
      return fail(std::string(name) + ": value larger than " +
                  std::to_string(limits_.max_attribute_value_bytes) + " bytes");
    }
    return true;
  }

  bool nestingTooDeep(const char* name) {
    return fail(std::string(name) + ": AnyValue nesting deeper than " + std::to_string(max_depth_));
  }

  bool anyValue(object o, AnyValue& out, size_t depth) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      AnyValue val;
      if (keyIs(k, "stringvalue")) {
        if (!v.is_string()) return expected("stringValue", "a string");
        std::string_view s = v.get_string().value_unsafe();
        if (!valueBytesLimit("stringValue", s)) return false;
        val.type = ValueType::kString;
        val.string_value = batch_.copyString(s);
      } else if (keyIs(k, "boolvalue")) {
        val.type = ValueType::kBool;
        if (!boolean(v, "boolValue", val.bool_value)) return false;
      } else if (keyIs(k, "intvalue")) {
        val.type = ValueType::kInt;
        if (!i64(v, "intValue", val.int_value)) return false;
      } else if (keyIs(k, "doublevalue")) {
        val.type = ValueType::kDouble;
        if (!dbl(v, "doubleValue", val.double_value)) return false;
      } else if (keyIs(k, "bytesvalue")) {
        val.type = ValueType::kBytes;
        if (!base64(v, "bytesValue", val.string_value)) return false;
        if (!valueBytesLimit("bytesValue", val.string_value)) return false;
      } else if (keyIs(k, "arrayvalue")) {
        if (depth + 1 > max_depth_) return nestingTooDeep("arrayValue");
        object ao;
        if (v.get_object().get(ao)) return expected("arrayValue", "an object");
        val.type = ValueType::kArray;
        val.array_value = batch_.newVec<AnyValue>();
        if (!arrayValue(ao, *val.array_value, depth + 1)) return at("arrayValue");
      } else if (keyIs(k, "kvlistvalue")) {
        if (depth + 1 > max_depth_) return nestingTooDeep("kvlistValue");
        object ko;
        if (v.get_object().get(ko)) return expected("kvlistValue", "an object");
        val.type = ValueType::kMap;
        val.map_value = batch_.newVec<KeyValue>();
        if (!kvlistValue(ko, *val.map_value, depth + 1)) return at("kvlistValue");
      } else {
        continue;
      }
      out = val;
    }
    return true;
  }

  bool arrayValue(object o, Vec<AnyValue>& values, size_t depth) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null() || !keyIs(field.key, "values")) continue;
      array arr;
      if (v.get_array().get(arr)) return expected("values", "an array");
      values.reserve(values.size() + arr.size());
      for (element item : arr) {
        object io;
        if (item.get_object().get(io)) {
          expected("element", "an object");
          return at("values", values.size());
        }
        AnyValue& av = values.emplace_back();
        if (!anyValue(io, av, depth)) return at("values", values.size() - 1);
      }
    }
    return true;
  }

  bool kvlistValue(object o, Vec<KeyValue>& values, size_t depth) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null() || !keyIs(field.key, "values")) continue;
      array arr;
      if (v.get_array().get(arr)) return expected("values", "an array");
      if (values.size() + arr.size() > limits_.max_attributes_per_record) {
        return fail("values: more than " + std::to_string(limits_.max_attributes_per_record) +
                    " entries");
      }
      values.reserve(values.size() + arr.size());
      for (element item : arr) {
        object io;
        if (item.get_object().get(io)) {
          expected("element", "an object");
          return at("values", values.size());
        }
        KeyValue& kv = values.emplace_back();
        if (!keyValue(io, kv, depth)) return at("values", values.size() - 1);
      }
    }
    return true;
  }

  bool resource(object o, Resource& r) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      bool ok = true;
      if (keyIs(field.key, "attributes")) {
        ok = attributes(v, "attributes", r.attributes);
      } else if (keyIs(field.key, "droppedattributescount")) {
        ok = u32(v, "droppedAttributesCount", r.dropped_attributes_count);
      }
      if (!ok) return false;
    }
    return true;
  }

  bool scope(object o, InstrumentationScope& s) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "name"))
        ok = str(v, "name", s.name);
      else if (keyIs(k, "version"))
        ok = str(v, "version", s.version);
      else if (keyIs(k, "attributes"))
        ok = attributes(v, "attributes", s.attributes);
      else if (keyIs(k, "droppedattributescount"))
        ok = u32(v, "droppedAttributesCount", s.dropped_attributes_count);
      if (!ok) return false;
    }
    return true;
  }

  // Resource{Logs,Spans,Metrics} / Scope{Logs,Spans,Metrics}: same shape, different item key.
  template <typename R, typename Item, typename Fn>
  bool container(object o, R& r, std::string_view items_key, const char* items_name,
                 Vec<Item>& items, Fn fn) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if constexpr (requires { r.resource; }) {
        if (keyIs(k, "resource")) {
          ok = sub(v, "resource", r.resource, &JsonDecoder::resource);
          if (!ok) return false;
          continue;
        }
      } else {
        if (keyIs(k, "scope")) {
          ok = sub(v, "scope", r.scope, &JsonDecoder::scope);
          if (!ok) return false;
          continue;
        }
      }
      if (keyIs(k, items_key))
        ok = repeated(v, items_name, items, fn);
      else if (keyIs(k, "schemaurl"))
        ok = str(v, "schemaUrl", r.schema_url);
      if (!ok) return false;
    }
    return true;
  }

  bool resourceLogs(object o, ResourceLogs& r) {
    return container(o, r, "scopelogs", "scopeLogs", r.scope_logs, &JsonDecoder::scopeLogs);
  }
  bool scopeLogs(object o, ScopeLogs& s) {
    return container(o, s, "logrecords", "logRecords", s.log_records, &JsonDecoder::logRecord);
  }
  bool resourceSpans(object o, ResourceSpans& r) {
    return container(o, r, "scopespans", "scopeSpans", r.scope_spans, &JsonDecoder::scopeSpans);
  }
  bool scopeSpans(object o, ScopeSpans& s) {
    return container(o, s, "spans", "spans", s.spans, &JsonDecoder::span);
  }
  bool resourceMetrics(object o, ResourceMetrics& r) {
    return container(o, r, "scopemetrics", "scopeMetrics", r.scope_metrics,
                     &JsonDecoder::scopeMetrics);
  }
  bool scopeMetrics(object o, ScopeMetrics& s) {
    return container(o, s, "metrics", "metrics", s.metrics, &JsonDecoder::metric);
  }

  bool logRecord(object o, LogRecord& r) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "timeunixnano"))
        ok = u64(v, "timeUnixNano", r.time_unix_nano);
      else if (keyIs(k, "observedtimeunixnano"))
        ok = u64(v, "observedTimeUnixNano", r.observed_time_unix_nano);
      else if (keyIs(k, "severitynumber"))
        ok = enumField(v, "severityNumber", kSeverities, r.severity_number);
      else if (keyIs(k, "severitytext"))
        ok = str(v, "severityText", r.severity_text);
      else if (keyIs(k, "body")) {
        object bo;
        if (v.get_object().get(bo)) return expected("body", "an object");
        if (!anyValue(bo, r.body, 0)) return at("body");
      } else if (keyIs(k, "attributes"))
        ok = attributes(v, "attributes", r.attributes);
      else if (keyIs(k, "droppedattributescount"))
        ok = u32(v, "droppedAttributesCount", r.dropped_attributes_count);
      else if (keyIs(k, "flags"))
        ok = u32(v, "flags", r.flags);
      else if (keyIs(k, "traceid"))
        ok = hexId(v, "traceId", 16, r.trace_id);
      else if (keyIs(k, "spanid"))
        ok = hexId(v, "spanId", 8, r.span_id);
      else if (keyIs(k, "eventname"))
        ok = str(v, "eventName", r.event_name);
      if (!ok) return false;
    }
    return true;
  }

  bool span(object o, Span& s) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "traceid"))
        ok = hexId(v, "traceId", 16, s.trace_id);
      else if (keyIs(k, "spanid"))
        ok = hexId(v, "spanId", 8, s.span_id);
      else if (keyIs(k, "tracestate"))
        ok = str(v, "traceState", s.trace_state);
      else if (keyIs(k, "parentspanid"))
        ok = hexId(v, "parentSpanId", 8, s.parent_span_id);
      else if (keyIs(k, "flags"))
        ok = u32(v, "flags", s.flags);
      else if (keyIs(k, "name"))
        ok = str(v, "name", s.name);
      else if (keyIs(k, "kind"))
        ok = enumField(v, "kind", kSpanKinds, s.kind);
      else if (keyIs(k, "starttimeunixnano"))
        ok = u64(v, "startTimeUnixNano", s.start_time_unix_nano);
      else if (keyIs(k, "endtimeunixnano"))
        ok = u64(v, "endTimeUnixNano", s.end_time_unix_nano);
      else if (keyIs(k, "attributes"))
        ok = attributes(v, "attributes", s.attributes);
      else if (keyIs(k, "droppedattributescount"))
        ok = u32(v, "droppedAttributesCount", s.dropped_attributes_count);
      else if (keyIs(k, "events"))
        ok = repeated(v, "events", s.events, &JsonDecoder::spanEvent);
      else if (keyIs(k, "droppedeventscount"))
        ok = u32(v, "droppedEventsCount", s.dropped_events_count);
      else if (keyIs(k, "links"))
        ok = repeated(v, "links", s.links, &JsonDecoder::spanLink);
      else if (keyIs(k, "droppedlinkscount"))
        ok = u32(v, "droppedLinksCount", s.dropped_links_count);
      else if (keyIs(k, "status"))
        ok = sub(v, "status", s.status, &JsonDecoder::spanStatus);
      if (!ok) return false;
    }
    return true;
  }

  bool spanEvent(object o, SpanEvent& e) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "timeunixnano"))
        ok = u64(v, "timeUnixNano", e.time_unix_nano);
      else if (keyIs(k, "name"))
        ok = str(v, "name", e.name);
      else if (keyIs(k, "attributes"))
        ok = attributes(v, "attributes", e.attributes);
      else if (keyIs(k, "droppedattributescount"))
        ok = u32(v, "droppedAttributesCount", e.dropped_attributes_count);
      if (!ok) return false;
    }
    return true;
  }

  bool spanLink(object o, SpanLink& l) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "traceid"))
        ok = hexId(v, "traceId", 16, l.trace_id);
      else if (keyIs(k, "spanid"))
        ok = hexId(v, "spanId", 8, l.span_id);
      else if (keyIs(k, "tracestate"))
        ok = str(v, "traceState", l.trace_state);
      else if (keyIs(k, "attributes"))
        ok = attributes(v, "attributes", l.attributes);
      else if (keyIs(k, "droppedattributescount"))
        ok = u32(v, "droppedAttributesCount", l.dropped_attributes_count);
      else if (keyIs(k, "flags"))
        ok = u32(v, "flags", l.flags);
      if (!ok) return false;
    }
    return true;
  }

  bool spanStatus(object o, SpanStatus& s) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      bool ok = true;
      if (keyIs(field.key, "message"))
        ok = str(v, "message", s.message);
      else if (keyIs(field.key, "code"))
        ok = enumField(v, "code", kStatusCodes, s.code);
      if (!ok) return false;
    }
    return true;
  }

  bool metric(object o, Metric& m) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "name"))
        ok = str(v, "name", m.name);
      else if (keyIs(k, "description"))
        ok = str(v, "description", m.description);
      else if (keyIs(k, "unit"))
        ok = str(v, "unit", m.unit);
      else if (keyIs(k, "metadata"))
        ok = attributes(v, "metadata", m.metadata);
      else if (keyIs(k, "gauge"))
        ok = metricData(v, "gauge", MetricType::kGauge, m);
      else if (keyIs(k, "sum"))
        ok = metricData(v, "sum", MetricType::kSum, m);
      else if (keyIs(k, "histogram"))
        ok = metricData(v, "histogram", MetricType::kHistogram, m);
      else if (keyIs(k, "exponentialhistogram"))
        ok = metricData(v, "exponentialHistogram", MetricType::kExponentialHistogram, m);
      else if (keyIs(k, "summary"))
        ok = metricData(v, "summary", MetricType::kSummary, m);
      if (!ok) return false;
    }
    return true;
  }

  bool metricData(element v, const char* name, MetricType type, Metric& m) {
    object o;
    if (v.get_object().get(o)) return expected(name, "an object");
    if (m.type != type) {  // a second oneof member replaces the first
      m.type = type;
      m.temporality = AggregationTemporality::kUnspecified;
      m.is_monotonic = false;
      m.number_points.clear();
      m.histogram_points.clear();
      m.exp_histogram_points.clear();
      m.summary_points.clear();
    }
    for (auto field : o) {
      element fv = field.value;
      if (fv.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "datapoints")) {
        switch (type) {
          case MetricType::kGauge:
          case MetricType::kSum:
            ok = repeated(fv, "dataPoints", m.number_points, &JsonDecoder::numberPoint);
            break;
          case MetricType::kHistogram:
            ok = repeated(fv, "dataPoints", m.histogram_points, &JsonDecoder::histogramPoint);
            break;
          case MetricType::kExponentialHistogram:
            ok =
                repeated(fv, "dataPoints", m.exp_histogram_points, &JsonDecoder::expHistogramPoint);
            break;
          case MetricType::kSummary:
            ok = repeated(fv, "dataPoints", m.summary_points, &JsonDecoder::summaryPoint);
            break;
          case MetricType::kEmpty:
            break;
        }
      } else if (keyIs(k, "aggregationtemporality") && type != MetricType::kGauge &&
                 type != MetricType::kSummary) {
        ok = enumField(fv, "aggregationTemporality", kTemporalities, m.temporality);
      } else if (keyIs(k, "ismonotonic") && type == MetricType::kSum) {
        ok = boolean(fv, "isMonotonic", m.is_monotonic);
      }
      if (!ok) return at(name);
    }
    return true;
  }

  bool exemplar(object o, Exemplar& x) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "filteredattributes"))
        ok = attributes(v, "filteredAttributes", x.filtered_attributes);
      else if (keyIs(k, "timeunixnano"))
        ok = u64(v, "timeUnixNano", x.time_unix_nano);
      else if (keyIs(k, "asdouble")) {
        ok = dbl(v, "asDouble", x.as_double);
        x.is_int = false;
        x.as_int = 0;
      } else if (keyIs(k, "asint")) {
        ok = i64(v, "asInt", x.as_int);
        x.is_int = true;
        x.as_double = 0;
      } else if (keyIs(k, "spanid"))
        ok = hexId(v, "spanId", 8, x.span_id);
      else if (keyIs(k, "traceid"))
        ok = hexId(v, "traceId", 16, x.trace_id);
      if (!ok) return false;
    }
    return true;
  }

  bool numberPoint(object o, NumberDataPoint& p) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "attributes"))
        ok = attributes(v, "attributes", p.attributes);
      else if (keyIs(k, "starttimeunixnano"))
        ok = u64(v, "startTimeUnixNano", p.start_time_unix_nano);
      else if (keyIs(k, "timeunixnano"))
        ok = u64(v, "timeUnixNano", p.time_unix_nano);
      else if (keyIs(k, "asdouble")) {
        ok = dbl(v, "asDouble", p.as_double);
        p.is_int = false;
        p.as_int = 0;
      } else if (keyIs(k, "asint")) {
        ok = i64(v, "asInt", p.as_int);
        p.is_int = true;
        p.as_double = 0;
      } else if (keyIs(k, "exemplars"))
        ok = repeated(v, "exemplars", p.exemplars, &JsonDecoder::exemplar);
      else if (keyIs(k, "flags"))
        ok = u32(v, "flags", p.flags);
      if (!ok) return false;
    }
    return true;
  }

  template <typename T>
  bool numberArray(element v, const char* name, Vec<T>& out) {
    array arr;
    if (v.get_array().get(arr)) return expected(name, "an array");
    out.reserve(out.size() + arr.size());
    for (element item : arr) {
      T t;
      bool ok;
      if constexpr (std::is_same_v<T, double>)
        ok = dbl(item, name, t);
      else
        ok = u64(item, name, t);
      if (!ok) return false;
      out.push_back(t);
    }
    return true;
  }

  bool histogramPoint(object o, HistogramDataPoint& p) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "attributes"))
        ok = attributes(v, "attributes", p.attributes);
      else if (keyIs(k, "starttimeunixnano"))
        ok = u64(v, "startTimeUnixNano", p.start_time_unix_nano);
      else if (keyIs(k, "timeunixnano"))
        ok = u64(v, "timeUnixNano", p.time_unix_nano);
      else if (keyIs(k, "count"))
        ok = u64(v, "count", p.count);
      else if (keyIs(k, "sum"))
        ok = (p.has_sum = dbl(v, "sum", p.sum));
      else if (keyIs(k, "bucketcounts"))
        ok = numberArray(v, "bucketCounts", p.bucket_counts);
      else if (keyIs(k, "explicitbounds"))
        ok = numberArray(v, "explicitBounds", p.explicit_bounds);
      else if (keyIs(k, "exemplars"))
        ok = repeated(v, "exemplars", p.exemplars, &JsonDecoder::exemplar);
      else if (keyIs(k, "flags"))
        ok = u32(v, "flags", p.flags);
      else if (keyIs(k, "min"))
        ok = (p.has_min = dbl(v, "min", p.min));
      else if (keyIs(k, "max"))
        ok = (p.has_max = dbl(v, "max", p.max));
      if (!ok) return false;
    }
    return true;
  }

  bool buckets(object o, ExponentialBuckets& b) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      bool ok = true;
      if (keyIs(field.key, "offset"))
        ok = i32(v, "offset", b.offset);
      else if (keyIs(field.key, "bucketcounts"))
        ok = numberArray(v, "bucketCounts", b.bucket_counts);
      if (!ok) return false;
    }
    return true;
  }

  bool expHistogramPoint(object o, ExponentialHistogramDataPoint& p) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "attributes"))
        ok = attributes(v, "attributes", p.attributes);
      else if (keyIs(k, "starttimeunixnano"))
        ok = u64(v, "startTimeUnixNano", p.start_time_unix_nano);
      else if (keyIs(k, "timeunixnano"))
        ok = u64(v, "timeUnixNano", p.time_unix_nano);
      else if (keyIs(k, "count"))
        ok = u64(v, "count", p.count);
      else if (keyIs(k, "sum"))
        ok = (p.has_sum = dbl(v, "sum", p.sum));
      else if (keyIs(k, "scale"))
        ok = i32(v, "scale", p.scale);
      else if (keyIs(k, "zerocount"))
        ok = u64(v, "zeroCount", p.zero_count);
      else if (keyIs(k, "positive"))
        ok = sub(v, "positive", p.positive, &JsonDecoder::buckets);
      else if (keyIs(k, "negative"))
        ok = sub(v, "negative", p.negative, &JsonDecoder::buckets);
      else if (keyIs(k, "flags"))
        ok = u32(v, "flags", p.flags);
      else if (keyIs(k, "exemplars"))
        ok = repeated(v, "exemplars", p.exemplars, &JsonDecoder::exemplar);
      else if (keyIs(k, "min"))
        ok = (p.has_min = dbl(v, "min", p.min));
      else if (keyIs(k, "max"))
        ok = (p.has_max = dbl(v, "max", p.max));
      else if (keyIs(k, "zerothreshold"))
        ok = dbl(v, "zeroThreshold", p.zero_threshold);
      if (!ok) return false;
    }
    return true;
  }

  bool quantile(object o, QuantileValue& q) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      bool ok = true;
      if (keyIs(field.key, "quantile"))
        ok = dbl(v, "quantile", q.quantile);
      else if (keyIs(field.key, "value"))
        ok = dbl(v, "value", q.value);
      if (!ok) return false;
    }
    return true;
  }

  bool summaryPoint(object o, SummaryDataPoint& p) {
    for (auto field : o) {
      element v = field.value;
      if (v.is_null()) continue;
      std::string_view k = field.key;
      bool ok = true;
      if (keyIs(k, "attributes"))
        ok = attributes(v, "attributes", p.attributes);
      else if (keyIs(k, "starttimeunixnano"))
        ok = u64(v, "startTimeUnixNano", p.start_time_unix_nano);
      else if (keyIs(k, "timeunixnano"))
        ok = u64(v, "timeUnixNano", p.time_unix_nano);
      else if (keyIs(k, "count"))
        ok = u64(v, "count", p.count);
      else if (keyIs(k, "sum"))
        ok = dbl(v, "sum", p.sum);
      else if (keyIs(k, "flags"))
        ok = u32(v, "flags", p.flags);
      else if (keyIs(k, "quantilevalues")) {
        array arr;
        if (v.get_array().get(arr)) return expected("quantileValues", "an array");
        p.quantile_values.reserve(p.quantile_values.size() + arr.size());
        for (element item : arr) {
          object qo;
          if (item.get_object().get(qo)) return expected("quantileValues", "objects");
          QuantileValue& q = p.quantile_values.emplace_back();
          if (!quantile(qo, q)) return at("quantileValues", p.quantile_values.size() - 1);
        }
      }
      if (!ok) return false;
    }
    return true;
  }

  Batch& batch_;
  std::pmr::memory_resource* mr_;
  const DecodeLimits& limits_;
  size_t max_depth_;
  std::string what_;
  std::vector<std::string> path_;
};

}  // namespace

Status decodeJson(Batch& batch, std::string_view json, const DecodeLimits& limits) {
  JsonDecoder decoder(batch, limits);
  return decoder.run(json);
}

}  // namespace agentgate::pdata
