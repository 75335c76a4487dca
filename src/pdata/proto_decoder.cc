// Hand-written OTLP protobuf decoder: one pass over the wire bytes, strings as views into them.
//
// Why not libprotobuf: it costs ~2 us per agent record (DESIGN section 7); this decoder writes
// straight into the arena model. Semantics follow libprotobuf where it matters for the
// differential fuzzer: repeated singular message fields merge, the last oneof member wins,
// packed and unpacked repeated scalars are both accepted. We are stricter where OTLP demands it:
// a known field with the wrong wire type, bad UTF-8, malformed ids and groups are errors.
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pdata/codec.h"
#include "pdata/proto_wire.h"

namespace agentgate::pdata {
namespace {

using wire::VarintStatus;

// Recursion depth is bounded by the AnyValue depth limit; this cap keeps a misconfigured limit
// from turning into a stack overflow (each level costs two small frames).
constexpr size_t kHardDepthCap = 1000;

struct In {
  const uint8_t* p;
  const uint8_t* e;
  bool more() const { return p < e; }
};

class ProtoDecoder {
 public:
  ProtoDecoder(Batch& batch, const DecodeLimits& limits)
      : batch_(batch),
        mr_(batch.arena()),
        limits_(limits),
        max_depth_(std::min(limits.max_anyvalue_depth, kHardDepthCap)) {}

  Status run(std::string_view bytes) {
    In in{reinterpret_cast<const uint8_t*>(bytes.data()),
          reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size()};
    bool ok = false;
    switch (batch_.signal()) {
      case Signal::kLogs:
        ok = decodeLogsRequest(in);
        break;
      case Signal::kTraces:
        ok = decodeTracesRequest(in);
        break;
      case Signal::kMetrics:
        ok = decodeMetricsRequest(in);
        break;
    }
    if (ok) return okStatus();
    std::string msg = "invalid OTLP protobuf: ";
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) {
      if (it != path_.rbegin()) msg += '.';
      msg += *it;
    }
    if (!path_.empty()) msg += ": ";
    msg += what_;
    return Error::invalid(std::move(msg));
  }

 private:
  // ---- error plumbing: `what_` is set where the problem is found, path segments are pushed
  // while unwinding, so the happy path never builds strings.
  // Error builders are cold and out of line so the hot readers stay small enough to inline.
  [[gnu::cold, gnu::noinline]] bool fail(const char* what) {
    what_ = what;
    return false;
  }
  static constexpr uint64_t kNoNumber = ~uint64_t{0};
  [[gnu::cold, gnu::noinline]] bool failAt(const char* name, const char* what,
                                           uint64_t n = kNoNumber, const char* tail = "") {
    what_ = std::string(name) + ": " + what;
    if (n != kNoNumber) what_ += std::to_string(n);
    what_ += tail;
    return false;
  }
  [[gnu::cold, gnu::noinline]] bool failField(uint32_t field, const char* what, uint32_t wt) {
    what_ = "field " + std::to_string(field) + ": " + what + std::to_string(wt);
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

  // ---- primitives
  [[gnu::always_inline]] bool nextTag(In& in, uint32_t& field, uint32_t& wt) {
    if (*in.p < 0x80 && *in.p >= 8) {  // one-byte tag, field 1..15 (callers checked more())
      field = *in.p >> 3;
      wt = *in.p & 7;
      ++in.p;
      return true;
    }
    uint64_t tag;
    VarintStatus st = wire::readVarint(in.p, in.e, tag);
    if (st != VarintStatus::kOk) {
      return fail(st == VarintStatus::kTruncated ? "truncated field tag" : "field tag overflows");
    }
    field = static_cast<uint32_t>(tag >> 3);
    wt = static_cast<uint32_t>(tag & 7);
    if (field == 0 || (tag >> 3) > 0x1fffffff) return fail("invalid field number");
    return true;
  }

  [[gnu::always_inline]] bool varint(In& in, const char* name, uint64_t& v) {
    VarintStatus st = wire::readVarint(in.p, in.e, v);
    if (st == VarintStatus::kOk) return true;
    return failAt(name,
                  st == VarintStatus::kTruncated ? "truncated varint" : "varint overflows 64 bits");
  }

  bool wrongType(const char* name, uint32_t wt) { return failAt(name, "wrong wire type ", wt); }

  bool skip(In& in, uint32_t field, uint32_t wt) {
    switch (wt) {
      case wire::kVarint: {
        uint64_t v;
        return varint(in, "unknown field", v);
      }
      case wire::kFixed64:
        if (in.e - in.p < 8) return fail("unknown field: truncated fixed64");
        in.p += 8;
        return true;
      case wire::kFixed32:
        if (in.e - in.p < 4) return fail("unknown field: truncated fixed32");
        in.p += 4;
        return true;
      case wire::kLen: {
        In sub;
        return lenRaw(in, "unknown field", sub);
      }
      case wire::kStartGroup:
      case wire::kEndGroup:
        return failField(field, "groups are not supported, wire type ", wt);
      default:
        return failField(field, "invalid wire type ", wt);
    }
  }

  [[gnu::always_inline]] bool lenRaw(In& in, const char* name, In& sub) {
    uint64_t n;
    if (in.p < in.e && *in.p < 0x80) {
      n = *in.p++;
    } else if (!varint(in, name, n)) {
      return false;
    }
    if (n > static_cast<uint64_t>(in.e - in.p)) {
      return failAt(name, "length exceeds the remaining input");
    }
    sub = In{in.p, in.p + n};
    in.p += n;
    return true;
  }

  [[gnu::always_inline]] bool len(In& in, uint32_t wt, const char* name, In& sub) {
    if (wt != wire::kLen) return wrongType(name, wt);
    return lenRaw(in, name, sub);
  }

  bool u64(In& in, uint32_t wt, const char* name, uint64_t& v) {
    if (wt != wire::kVarint) return wrongType(name, wt);
    return varint(in, name, v);
  }
  template <typename T>
  bool intField(In& in, uint32_t wt, const char* name, T& out) {
    uint64_t v;
    if (!u64(in, wt, name, v)) return false;
    out = static_cast<T>(v);  // int32/uint32/enums truncate as libprotobuf does
    return true;
  }
  bool boolField(In& in, uint32_t wt, const char* name, bool& out) {
    uint64_t v;
    if (!u64(in, wt, name, v)) return false;
    out = v != 0;
    return true;
  }
  bool sint32Field(In& in, uint32_t wt, const char* name, int32_t& out) {
    uint64_t v;
    if (!u64(in, wt, name, v)) return false;
    out = wire::zigzagDecode32(v);
    return true;
  }

  bool fixed64(In& in, uint32_t wt, const char* name, uint64_t& v) {
    if (wt != wire::kFixed64) return wrongType(name, wt);
    if (in.e - in.p < 8) return failAt(name, "truncated fixed64");
    v = wire::loadFixed64(in.p);
    in.p += 8;
    return true;
  }
  bool doubleField(In& in, uint32_t wt, const char* name, double& d) {
    uint64_t v;
    if (!fixed64(in, wt, name, v)) return false;
    std::memcpy(&d, &v, 8);
    return true;
  }
  bool sfixed64(In& in, uint32_t wt, const char* name, int64_t& out) {
    uint64_t v;
    if (!fixed64(in, wt, name, v)) return false;
    out = static_cast<int64_t>(v);
    return true;
  }
  bool fixed32(In& in, uint32_t wt, const char* name, uint32_t& v) {
    if (wt != wire::kFixed32) return wrongType(name, wt);
    if (in.e - in.p < 4) return failAt(name, "truncated fixed32");
    v = wire::loadFixed32(in.p);
    in.p += 4;
    return true;
  }

  static std::string_view view(const In& sub) {
    return {reinterpret_cast<const char*>(sub.p), static_cast<size_t>(sub.e - sub.p)};
  }

  [[gnu::always_inline]] bool bytes(In& in, uint32_t wt, const char* name, std::string_view& out) {
    In sub;
    if (!len(in, wt, name, sub)) return false;
    out = view(sub);
    return true;
  }
  [[gnu::always_inline]] bool string(In& in, uint32_t wt, const char* name, std::string_view& out) {
    if (!bytes(in, wt, name, out)) return false;
    if (!isUtf8(out)) return failAt(name, "invalid UTF-8");
    return true;
  }
  bool id(In& in, uint32_t wt, const char* name, size_t size, std::string_view& out) {
    if (!bytes(in, wt, name, out)) return false;
    if (!out.empty() && out.size() != size) {
      return failAt(name, "must be 0 or ", size, " bytes");
    }
    return true;
  }

  [[gnu::always_inline]] static bool isUtf8(std::string_view s) {
    // Most strings are short ASCII (keys, ids, names): a word-at-a-time check settles them
    // without the dispatch into simdjson, which wins only on long or non-ASCII text.
    if (s.size() <= 256) {
      const char* p = s.data();
      size_t n = s.size();
      uint64_t acc = 0;
      for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        acc |= w;
      }
      for (; n > 0; ++p, --n) acc |= static_cast<unsigned char>(*p);
      if ((acc & 0x8080808080808080ull) == 0) return true;
    }
    return simdjson::validate_utf8(s.data(), s.size());
  }

  // Counts how many consecutive occurrences of `tag` start here (we are positioned at the length
  // of the first one), so a repeated field's vector is reserved once.
  static size_t countRun(const In& in, uint64_t tag) {
    In c = in;
    size_t n = 0;
    while (true) {
      uint64_t l;
      if (wire::readVarint(c.p, c.e, l) != VarintStatus::kOk || l > uint64_t(c.e - c.p)) break;
      c.p += l;
      ++n;
      uint64_t t;
      if (!c.more() || wire::readVarint(c.p, c.e, t) != VarintStatus::kOk || t != tag) break;
    }
    return n;
  }

  // Appends an element to a repeated message field, reserving for the whole run first.
  template <typename T, typename... Args>
  T& append(Vec<T>& v, const In& in, uint32_t field, Args&&... args) {
    if (v.empty()) v.reserve(countRun(in, (uint64_t(field) << 3) | wire::kLen));
    return v.emplace_back(std::forward<Args>(args)...);
  }

  // ---- common messages
  bool attribute(In& in, uint32_t wt, uint32_t field, Attributes& attrs, const char* name) {
    if (wt != wire::kLen) return wrongType(name, wt);
    if (attrs.size() >= limits_.max_attributes_per_record) {
      return failAt(name, "more than ", limits_.max_attributes_per_record, " attributes");
    }
    KeyValue& kv = append(attrs, in, field);
    In sub;
    if (!lenRaw(in, name, sub)) return false;
    if (!keyValue(sub, kv, 0)) return at(name, attrs.size() - 1);
    return true;
  }

  bool keyValue(In in, KeyValue& kv, size_t depth) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      switch (f) {
        case 1:
          if (!string(in, wt, "key", kv.key)) return false;
          break;
        case 2: {
          In sub;
          if (!len(in, wt, "value", sub)) return false;
          if (!anyValue(sub, kv.value, depth)) return at("value");
          break;
        }
        default:
          if (!skip(in, f, wt)) return false;
      }
    }
    return true;
  }

  bool valueBytes(In& in, uint32_t wt, const char* name, std::string_view& out) {
    if (!bytes(in, wt, name, out)) return false;
    if (out.size() > limits_.max_attribute_value_bytes) {
      return failAt(name, "value larger than ", limits_.max_attribute_value_bytes, " bytes");
    }
    return true;
  }

  bool anyValue(In in, AnyValue& v, size_t depth) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      switch (f) {
        case 1: {
          std::string_view s;
          if (!valueBytes(in, wt, "string_value", s)) return false;
          if (!isUtf8(s)) return failAt("string_value", "invalid UTF-8");
          v = AnyValue{};
          v.type = ValueType::kString;
          v.string_value = s;
          break;
        }
        case 2: {
          bool b;
          if (!boolField(in, wt, "bool_value", b)) return false;
          v = AnyValue{};
          v.type = ValueType::kBool;
          v.bool_value = b;
          break;
        }
        case 3: {
          int64_t i;
          if (!intField(in, wt, "int_value", i)) return false;
          v = AnyValue{};
          v.type = ValueType::kInt;
          v.int_value = i;
          break;
        }
        case 4: {
          double d;
          if (!doubleField(in, wt, "double_value", d)) return false;
          v = AnyValue{};
          v.type = ValueType::kDouble;
          v.double_value = d;
          break;
        }
        case 5: {
          In sub;
          if (!len(in, wt, "array_value", sub)) return false;
          if (depth + 1 > max_depth_) return nestingTooDeep("array_value");
          if (v.type != ValueType::kArray || v.array_value == nullptr) {
            v = AnyValue{};
            v.type = ValueType::kArray;
            v.array_value = batch_.newVec<AnyValue>();
          }
          if (!arrayValue(sub, *v.array_value, depth + 1)) return at("array_value");
          break;
        }
        case 6: {
          In sub;
          if (!len(in, wt, "kvlist_value", sub)) return false;
          if (depth + 1 > max_depth_) return nestingTooDeep("kvlist_value");
          if (v.type != ValueType::kMap || v.map_value == nullptr) {
            v = AnyValue{};
            v.type = ValueType::kMap;
            v.map_value = batch_.newVec<KeyValue>();
          }
          if (!kvlistValue(sub, *v.map_value, depth + 1)) return at("kvlist_value");
          break;
        }
        case 7: {
          std::string_view s;
          if (!valueBytes(in, wt, "bytes_value", s)) return false;
          v = AnyValue{};
          v.type = ValueType::kBytes;
          v.string_value = s;
          break;
        }
        default:
          if (!skip(in, f, wt)) return false;
      }
    }
    return true;
  }

  bool nestingTooDeep(const char* name) {
    return failAt(name, "AnyValue nesting deeper than ", max_depth_);
  }

  bool arrayValue(In in, Vec<AnyValue>& values, size_t depth) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      if (f == 1) {
        if (wt != wire::kLen) return wrongType("values", wt);
        AnyValue& v = append(values, in, 1);
        In sub;
        if (!lenRaw(in, "values", sub)) return false;
        if (!anyValue(sub, v, depth)) return at("values", values.size() - 1);
      } else if (!skip(in, f, wt)) {
        return false;
      }
    }
    return true;
  }

  bool kvlistValue(In in, Vec<KeyValue>& values, size_t depth) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      if (f == 1) {
        if (wt != wire::kLen) return wrongType("values", wt);
        if (values.size() >= limits_.max_attributes_per_record) {
          return failAt("values", "more than ", limits_.max_attributes_per_record, " entries");
        }
        KeyValue& kv = append(values, in, 1);
        In sub;
        if (!lenRaw(in, "values", sub)) return false;
        if (!keyValue(sub, kv, depth)) return at("values", values.size() - 1);
      } else if (!skip(in, f, wt)) {
        return false;
      }
    }
    return true;
  }

  bool resource(In in, Resource& r) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      switch (f) {
        case 1:
          if (!attribute(in, wt, f, r.attributes, "attributes")) return false;
          break;
        case 2:
          if (!intField(in, wt, "dropped_attributes_count", r.dropped_attributes_count))
            return false;
          break;
        default:  // 3 = entity_refs: not modelled, skipped like any unknown field
          if (!skip(in, f, wt)) return false;
      }
    }
    return true;
  }

  bool scope(In in, InstrumentationScope& s) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      switch (f) {
        case 1:
          if (!string(in, wt, "name", s.name)) return false;
          break;
        case 2:
          if (!string(in, wt, "version", s.version)) return false;
          break;
        case 3:
          if (!attribute(in, wt, f, s.attributes, "attributes")) return false;
          break;
        case 4:
          if (!intField(in, wt, "dropped_attributes_count", s.dropped_attributes_count))
            return false;
          break;
        default:
          if (!skip(in, f, wt)) return false;
      }
    }
    return true;
  }

  // Decodes a singular sub-message field into `target` (merging, as protobuf does).
  template <typename T, typename Fn>
  bool subMessage(In& in, uint32_t wt, const char* name, T& target, Fn fn) {
    In sub;
    if (!len(in, wt, name, sub)) return false;
    if (!(this->*fn)(sub, target)) return at(name);
    return true;
  }

  // Decodes one element of a repeated message field.
  template <typename T, typename Fn>
  bool repeated(In& in, uint32_t wt, uint32_t field, const char* name, Vec<T>& vec, Fn fn) {
    if (wt != wire::kLen) return wrongType(name, wt);
    T& item = append(vec, in, field, mr_);
    In sub;
    if (!lenRaw(in, name, sub)) return false;
    if (!(this->*fn)(sub, item)) return at(name, vec.size() - 1);
    return true;
  }

  // Generic shape of Resource{Logs,Spans,Metrics} and Scope{Logs,Spans,Metrics}.
  template <typename R, typename Item, typename Fn>
  bool resourceOrScope(In in, R& r, Vec<Item>& items, const char* items_name, Fn fn) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      switch (f) {
        case 1:
          if constexpr (requires { r.resource; }) {
            if (!subMessage(in, wt, "resource", r.resource, &ProtoDecoder::resource)) return false;
          } else {
            if (!subMessage(in, wt, "scope", r.scope, &ProtoDecoder::scope)) return false;
          }
          break;
        case 2:
          if (!repeated(in, wt, f, items_name, items, fn)) return false;
          break;
        case 3:
          if (!string(in, wt, "schema_url", r.schema_url)) return false;
          break;
        default:
          if (!skip(in, f, wt)) return false;
      }
    }
    return true;
  }

  template <typename Item, typename Fn>
  bool request(In in, Vec<Item>& items, const char* name, Fn fn) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      if (f == 1) {
        if (!repeated(in, wt, f, name, items, fn)) return false;
      } else if (!skip(in, f, wt)) {
        return false;
      }
    }
    return true;
  }

  // ---- logs
  bool decodeLogsRequest(In in) {
    return request(in, batch_.resource_logs, "resource_logs", &ProtoDecoder::resourceLogs);
  }
  bool resourceLogs(In in, ResourceLogs& r) {
    return resourceOrScope(in, r, r.scope_logs, "scope_logs", &ProtoDecoder::scopeLogs);
  }
  bool scopeLogs(In in, ScopeLogs& s) {
    return resourceOrScope(in, s, s.log_records, "log_records", &ProtoDecoder::logRecord);
  }
  bool logRecord(In in, LogRecord& r) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 1:
          ok = fixed64(in, wt, "time_unix_nano", r.time_unix_nano);
          break;
        case 11:
          ok = fixed64(in, wt, "observed_time_unix_nano", r.observed_time_unix_nano);
          break;
        case 2:
          ok = intField(in, wt, "severity_number", r.severity_number);
          break;
        case 3:
          ok = string(in, wt, "severity_text", r.severity_text);
          break;
        case 5: {
          In sub;
          ok = len(in, wt, "body", sub);
          if (ok && !anyValue(sub, r.body, 0)) return at("body");
          break;
        }
        case 6:
          ok = attribute(in, wt, f, r.attributes, "attributes");
          break;
        case 7:
          ok = intField(in, wt, "dropped_attributes_count", r.dropped_attributes_count);
          break;
        case 8:
          ok = fixed32(in, wt, "flags", r.flags);
          break;
        case 9:
          ok = id(in, wt, "trace_id", 16, r.trace_id);
          break;
        case 10:
          ok = id(in, wt, "span_id", 8, r.span_id);
          break;
        case 12:
          ok = string(in, wt, "event_name", r.event_name);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }

  // ---- traces
  bool decodeTracesRequest(In in) {
    return request(in, batch_.resource_spans, "resource_spans", &ProtoDecoder::resourceSpans);
  }
  bool resourceSpans(In in, ResourceSpans& r) {
    return resourceOrScope(in, r, r.scope_spans, "scope_spans", &ProtoDecoder::scopeSpans);
  }
  bool scopeSpans(In in, ScopeSpans& s) {
    return resourceOrScope(in, s, s.spans, "spans", &ProtoDecoder::span);
  }
  bool span(In in, Span& s) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 1:
          ok = id(in, wt, "trace_id", 16, s.trace_id);
          break;
        case 2:
          ok = id(in, wt, "span_id", 8, s.span_id);
          break;
        case 3:
          ok = string(in, wt, "trace_state", s.trace_state);
          break;
        case 4:
          ok = id(in, wt, "parent_span_id", 8, s.parent_span_id);
          break;
        case 16:
          ok = fixed32(in, wt, "flags", s.flags);
          break;
        case 5:
          ok = string(in, wt, "name", s.name);
          break;
        case 6:
          ok = intField(in, wt, "kind", s.kind);
          break;
        case 7:
          ok = fixed64(in, wt, "start_time_unix_nano", s.start_time_unix_nano);
          break;
        case 8:
          ok = fixed64(in, wt, "end_time_unix_nano", s.end_time_unix_nano);
          break;
        case 9:
          ok = attribute(in, wt, f, s.attributes, "attributes");
          break;
        case 10:
          ok = intField(in, wt, "dropped_attributes_count", s.dropped_attributes_count);
          break;
        case 11:
          ok = repeated(in, wt, f, "events", s.events, &ProtoDecoder::spanEvent);
          break;
        case 12:
          ok = intField(in, wt, "dropped_events_count", s.dropped_events_count);
          break;
        case 13:
          ok = repeated(in, wt, f, "links", s.links, &ProtoDecoder::spanLink);
          break;
        case 14:
          ok = intField(in, wt, "dropped_links_count", s.dropped_links_count);
          break;
        case 15:
          ok = subMessage(in, wt, "status", s.status, &ProtoDecoder::spanStatus);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }
  bool spanEvent(In in, SpanEvent& e) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 1:
          ok = fixed64(in, wt, "time_unix_nano", e.time_unix_nano);
          break;
        case 2:
          ok = string(in, wt, "name", e.name);
          break;
        case 3:
          ok = attribute(in, wt, f, e.attributes, "attributes");
          break;
        case 4:
          ok = intField(in, wt, "dropped_attributes_count", e.dropped_attributes_count);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }
  bool spanLink(In in, SpanLink& l) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 1:
          ok = id(in, wt, "trace_id", 16, l.trace_id);
          break;
        case 2:
          ok = id(in, wt, "span_id", 8, l.span_id);
          break;
        case 3:
          ok = string(in, wt, "trace_state", l.trace_state);
          break;
        case 4:
          ok = attribute(in, wt, f, l.attributes, "attributes");
          break;
        case 5:
          ok = intField(in, wt, "dropped_attributes_count", l.dropped_attributes_count);
          break;
        case 6:
          ok = fixed32(in, wt, "flags", l.flags);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }
  bool spanStatus(In in, SpanStatus& s) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 2:
          ok = string(in, wt, "message", s.message);
          break;
        case 3:
          ok = intField(in, wt, "code", s.code);
          break;
        default:
          ok = skip(in, f, wt);  // 1 = deprecated_code
      }
      if (!ok) return false;
    }
    return true;
  }

  // ---- metrics
  bool decodeMetricsRequest(In in) {
    return request(in, batch_.resource_metrics, "resource_metrics", &ProtoDecoder::resourceMetrics);
  }
  bool resourceMetrics(In in, ResourceMetrics& r) {
    return resourceOrScope(in, r, r.scope_metrics, "scope_metrics", &ProtoDecoder::scopeMetrics);
  }
  bool scopeMetrics(In in, ScopeMetrics& s) {
    return resourceOrScope(in, s, s.metrics, "metrics", &ProtoDecoder::metric);
  }

  // A different oneof member replaces the previous one; the same member merges.
  static void setMetricType(Metric& m, MetricType t) {
    if (m.type == t) return;
    m.type = t;
    m.temporality = AggregationTemporality::kUnspecified;
    m.is_monotonic = false;
    m.number_points.clear();
    m.histogram_points.clear();
    m.exp_histogram_points.clear();
    m.summary_points.clear();
  }

  bool metric(In in, Metric& m) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 1:
          ok = string(in, wt, "name", m.name);
          break;
        case 2:
          ok = string(in, wt, "description", m.description);
          break;
        case 3:
          ok = string(in, wt, "unit", m.unit);
          break;
        case 5:
          ok = metricData(in, wt, m, MetricType::kGauge, "gauge");
          break;
        case 7:
          ok = metricData(in, wt, m, MetricType::kSum, "sum");
          break;
        case 9:
          ok = metricData(in, wt, m, MetricType::kHistogram, "histogram");
          break;
        case 10:
          ok = metricData(in, wt, m, MetricType::kExponentialHistogram, "exponential_histogram");
          break;
        case 11:
          ok = metricData(in, wt, m, MetricType::kSummary, "summary");
          break;
        case 12:
          ok = attribute(in, wt, f, m.metadata, "metadata");
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }

  bool metricData(In& in, uint32_t wt, Metric& m, MetricType type, const char* name) {
    In sub;
    if (!len(in, wt, name, sub)) return false;
    setMetricType(m, type);
    uint32_t f, fwt;
    while (sub.more()) {
      if (!nextTag(sub, f, fwt)) return at(name);
      bool ok = true;
      if (f == 1) {
        switch (type) {
          case MetricType::kGauge:
          case MetricType::kSum:
            ok = repeated(sub, fwt, f, "data_points", m.number_points, &ProtoDecoder::numberPoint);
            break;
          case MetricType::kHistogram:
            ok = repeated(sub, fwt, f, "data_points", m.histogram_points,
                          &ProtoDecoder::histogramPoint);
            break;
          case MetricType::kExponentialHistogram:
            ok = repeated(sub, fwt, f, "data_points", m.exp_histogram_points,
                          &ProtoDecoder::expHistogramPoint);
            break;
          case MetricType::kSummary:
            ok =
                repeated(sub, fwt, f, "data_points", m.summary_points, &ProtoDecoder::summaryPoint);
            break;
          case MetricType::kEmpty:
            break;
        }
      } else if (f == 2 && type != MetricType::kGauge && type != MetricType::kSummary) {
        ok = intField(sub, fwt, "aggregation_temporality", m.temporality);
      } else if (f == 3 && type == MetricType::kSum) {
        ok = boolField(sub, fwt, "is_monotonic", m.is_monotonic);
      } else {
        ok = skip(sub, f, fwt);
      }
      if (!ok) return at(name);
    }
    return true;
  }

  bool exemplar(In in, Exemplar& x) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 7:
          ok = attribute(in, wt, f, x.filtered_attributes, "filtered_attributes");
          break;
        case 2:
          ok = fixed64(in, wt, "time_unix_nano", x.time_unix_nano);
          break;
        case 3:
          ok = doubleField(in, wt, "as_double", x.as_double);
          x.is_int = false;
          x.as_int = 0;
          break;
        case 6:
          ok = sfixed64(in, wt, "as_int", x.as_int);
          x.is_int = true;
          x.as_double = 0;
          break;
        case 4:
          ok = id(in, wt, "span_id", 8, x.span_id);
          break;
        case 5:
          ok = id(in, wt, "trace_id", 16, x.trace_id);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }

  bool numberPoint(In in, NumberDataPoint& p) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 7:
          ok = attribute(in, wt, f, p.attributes, "attributes");
          break;
        case 2:
          ok = fixed64(in, wt, "start_time_unix_nano", p.start_time_unix_nano);
          break;
        case 3:
          ok = fixed64(in, wt, "time_unix_nano", p.time_unix_nano);
          break;
        case 4:
          ok = doubleField(in, wt, "as_double", p.as_double);
          p.is_int = false;
          p.as_int = 0;
          break;
        case 6:
          ok = sfixed64(in, wt, "as_int", p.as_int);
          p.is_int = true;
          p.as_double = 0;
          break;
        case 5:
          ok = repeated(in, wt, f, "exemplars", p.exemplars, &ProtoDecoder::exemplar);
          break;
        case 8:
          ok = intField(in, wt, "flags", p.flags);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }

  // Repeated fixed64/double: packed (LEN) or one element per tag.
  template <typename T>
  bool repeatedFixed64(In& in, uint32_t wt, const char* name, Vec<T>& out) {
    if (wt == wire::kLen) {
      In sub;
      if (!lenRaw(in, name, sub)) return false;
      size_t n = static_cast<size_t>(sub.e - sub.p);
      if (n % 8 != 0) return failAt(name, "packed length not a multiple of 8");
      out.reserve(out.size() + n / 8);
      for (; sub.p < sub.e; sub.p += 8) {
        uint64_t v = wire::loadFixed64(sub.p);
        T t;
        std::memcpy(&t, &v, 8);
        out.push_back(t);
      }
      return true;
    }
    uint64_t v;
    if (!fixed64(in, wt, name, v)) return false;
    T t;
    std::memcpy(&t, &v, 8);
    out.push_back(t);
    return true;
  }

  bool repeatedVarint(In& in, uint32_t wt, const char* name, Vec<uint64_t>& out) {
    if (wt == wire::kLen) {
      In sub;
      if (!lenRaw(in, name, sub)) return false;
      while (sub.more()) {
        uint64_t v;
        if (!varint(sub, name, v)) return false;
        out.push_back(v);
      }
      return true;
    }
    uint64_t v;
    if (!u64(in, wt, name, v)) return false;
    out.push_back(v);
    return true;
  }

  bool optionalDouble(In& in, uint32_t wt, const char* name, bool& has, double& v) {
    if (!doubleField(in, wt, name, v)) return false;
    has = true;
    return true;
  }

  bool histogramPoint(In in, HistogramDataPoint& p) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 9:
          ok = attribute(in, wt, f, p.attributes, "attributes");
          break;
        case 2:
          ok = fixed64(in, wt, "start_time_unix_nano", p.start_time_unix_nano);
          break;
        case 3:
          ok = fixed64(in, wt, "time_unix_nano", p.time_unix_nano);
          break;
        case 4:
          ok = fixed64(in, wt, "count", p.count);
          break;
        case 5:
          ok = optionalDouble(in, wt, "sum", p.has_sum, p.sum);
          break;
        case 6:
          ok = repeatedFixed64(in, wt, "bucket_counts", p.bucket_counts);
          break;
        case 7:
          ok = repeatedFixed64(in, wt, "explicit_bounds", p.explicit_bounds);
          break;
        case 8:
          ok = repeated(in, wt, f, "exemplars", p.exemplars, &ProtoDecoder::exemplar);
          break;
        case 10:
          ok = intField(in, wt, "flags", p.flags);
          break;
        case 11:
          ok = optionalDouble(in, wt, "min", p.has_min, p.min);
          break;
        case 12:
          ok = optionalDouble(in, wt, "max", p.has_max, p.max);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }

  bool buckets(In in, ExponentialBuckets& b) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 1:
          ok = sint32Field(in, wt, "offset", b.offset);
          break;
        case 2:
          ok = repeatedVarint(in, wt, "bucket_counts", b.bucket_counts);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }

  bool expHistogramPoint(In in, ExponentialHistogramDataPoint& p) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 1:
          ok = attribute(in, wt, f, p.attributes, "attributes");
          break;
        case 2:
          ok = fixed64(in, wt, "start_time_unix_nano", p.start_time_unix_nano);
          break;
        case 3:
          ok = fixed64(in, wt, "time_unix_nano", p.time_unix_nano);
          break;
        case 4:
          ok = fixed64(in, wt, "count", p.count);
          break;
        case 5:
          ok = optionalDouble(in, wt, "sum", p.has_sum, p.sum);
          break;
        case 6:
          ok = sint32Field(in, wt, "scale", p.scale);
          break;
        case 7:
          ok = fixed64(in, wt, "zero_count", p.zero_count);
          break;
        case 8:
          ok = subMessage(in, wt, "positive", p.positive, &ProtoDecoder::buckets);
          break;
        case 9:
          ok = subMessage(in, wt, "negative", p.negative, &ProtoDecoder::buckets);
          break;
        case 10:
          ok = intField(in, wt, "flags", p.flags);
          break;
        case 11:
          ok = repeated(in, wt, f, "exemplars", p.exemplars, &ProtoDecoder::exemplar);
          break;
        case 12:
          ok = optionalDouble(in, wt, "min", p.has_min, p.min);
          break;
        case 13:
          ok = optionalDouble(in, wt, "max", p.has_max, p.max);
          break;
        case 14:
          ok = doubleField(in, wt, "zero_threshold", p.zero_threshold);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }

  bool quantile(In in, QuantileValue& q) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 1:
          ok = doubleField(in, wt, "quantile", q.quantile);
          break;
        case 2:
          ok = doubleField(in, wt, "value", q.value);
          break;
        default:
          ok = skip(in, f, wt);
      }
      if (!ok) return false;
    }
    return true;
  }

  bool summaryPoint(In in, SummaryDataPoint& p) {
    uint32_t f, wt;
    while (in.more()) {
      if (!nextTag(in, f, wt)) return false;
      bool ok = true;
      switch (f) {
        case 7:
          ok = attribute(in, wt, f, p.attributes, "attributes");
          break;
        case 2:
          ok = fixed64(in, wt, "start_time_unix_nano", p.start_time_unix_nano);
          break;
        case 3:
          ok = fixed64(in, wt, "time_unix_nano", p.time_unix_nano);
          break;
        case 4:
          ok = fixed64(in, wt, "count", p.count);
          break;
        case 5:
          ok = doubleField(in, wt, "sum", p.sum);
          break;
        case 6: {
          if (wt != wire::kLen) return wrongType("quantile_values", wt);
          QuantileValue& q = append(p.quantile_values, in, f);
          In sub;
          if (!lenRaw(in, "quantile_values", sub)) return false;
          if (!quantile(sub, q)) return at("quantile_values", p.quantile_values.size() - 1);
          break;
        }
        case 8:
          ok = intField(in, wt, "flags", p.flags);
          break;
        default:
          ok = skip(in, f, wt);
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

Status decodeProtobuf(Batch& batch, std::string_view bytes, const DecodeLimits& limits) {
  ProtoDecoder decoder(batch, limits);
  return decoder.run(bytes);
}

}  // namespace agentgate::pdata
