#include "components/exporter/otlp_http/partial_success.h"

#include <simdjson.h>

#include <charconv>

#include "pdata/proto_wire.h"

namespace agentgate::components::otlp_http {

namespace {

namespace wire = pdata::wire;

// Skips one field of wire type `wt`; false when the input is malformed.
bool skipField(const uint8_t*& p, const uint8_t* end, uint64_t wt) {
  uint64_t v = 0;
  switch (wt) {
    case 0:
      return wire::readVarint(p, end, v) == wire::VarintStatus::kOk;
    case 1:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case 2:
      if (wire::readVarint(p, end, v) != wire::VarintStatus::kOk ||
          v > static_cast<uint64_t>(end - p))
        return false;
      p += v;
      return true;
    case 5:
      if (end - p < 4) return false;
      p += 4;
      return true;
    default:
      return false;
  }
}

std::optional<PartialSuccess> fromProto(std::string_view body) {
  const auto* p = reinterpret_cast<const uint8_t*>(body.data());
  const auto* end = p + body.size();
  std::optional<PartialSuccess> out;
  while (p < end) {
    uint64_t tag = 0;
    if (wire::readVarint(p, end, tag) != wire::VarintStatus::kOk) return std::nullopt;
    if (tag >> 3 == 1 && (tag & 7) == 2) {
      uint64_t len = 0;
      if (wire::readVarint(p, end, len) != wire::VarintStatus::kOk ||
          len > static_cast<uint64_t>(end - p))
        return std::nullopt;
      const uint8_t* q = p;
      const uint8_t* qend = p + len;
      p = qend;
      PartialSuccess ps;
      while (q < qend) {
        uint64_t t = 0;
        if (wire::readVarint(q, qend, t) != wire::VarintStatus::kOk) return std::nullopt;
        if (t >> 3 == 1 && (t & 7) == 0) {
          uint64_t v = 0;
          if (wire::readVarint(q, qend, v) != wire::VarintStatus::kOk) return std::nullopt;
          ps.rejected = static_cast<int64_t>(v);
        } else if (t >> 3 == 2 && (t & 7) == 2) {
          uint64_t n = 0;
          if (wire::readVarint(q, qend, n) != wire::VarintStatus::kOk ||
              n > static_cast<uint64_t>(qend - q))
            return std::nullopt;
          ps.error_message.assign(reinterpret_cast<const char*>(q), n);
          q += n;
        } else if (!skipField(q, qend, t & 7)) {
          return std::nullopt;
        }
      }
      out = ps;
    } else if (!skipField(p, end, tag & 7)) {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<PartialSuccess> fromJson(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) return std::nullopt;
  simdjson::dom::object root;
  if (doc.get_object().get(root)) return std::nullopt;
  simdjson::dom::element ps_el;
  if (root["partialSuccess"].get(ps_el) && root["partial_success"].get(ps_el)) return std::nullopt;
  simdjson::dom::object ps_obj;
  if (ps_el.get_object().get(ps_obj)) return std::nullopt;
  PartialSuccess ps;
  for (auto field : ps_obj) {
    std::string_view key = field.key;
    if (key.rfind("rejected", 0) == 0) {
      int64_t n = 0;
      std::string_view s;
      if (!field.value.get_int64().get(n)) {
        ps.rejected = n;
      } else if (!field.value.get_string().get(s)) {  // proto3 JSON writes int64 as a string
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
        ps.rejected = n;
      }
    } else if (key == "errorMessage" || key == "error_message") {
      std::string_view s;
      if (!field.value.get_string().get(s)) ps.error_message = std::string(s);
    }
  }
  return ps;
}

}  // namespace

std::optional<PartialSuccess> parsePartialSuccess(std::string_view body, bool json) {
  if (body.empty()) return std::nullopt;
  auto ps = json ? fromJson(body) : fromProto(body);
  if (ps && ps->rejected == 0 && ps->error_message.empty()) return std::nullopt;
  return ps;
}

}  // namespace agentgate::components::otlp_http
