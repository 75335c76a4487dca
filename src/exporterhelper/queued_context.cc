#include "exporterhelper/queued_context.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace agentgate::exporterhelper {
namespace {

void putVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void putBytes(std::string& out, uint32_t field, std::string_view s) {
  putVarint(out, (uint64_t{field} << 3) | 2);
  putVarint(out, s.size());
  out.append(s);
}

void putPairs(std::string& out, uint32_t field,
              const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string pair;
  for (const auto& [k, v] : pairs) {
    pair.clear();
    putBytes(pair, 1, k);
    putBytes(pair, 2, v);
    putBytes(out, field, pair);
  }
}

// A minimal reader of the wire format: enough to walk top-level fields and our own message.
struct Reader {
  std::string_view in;
  std::optional<uint64_t> varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in.empty()) return std::nullopt;
      const auto b = static_cast<uint8_t>(in.front());
      in.remove_prefix(1);
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    return std::nullopt;
  }
  // Reads one field: its number and, for length-delimited fields, the bytes. False at the end or
  // on malformed input.
  bool field(uint32_t& number, std::string_view& bytes) {
    if (in.empty()) return false;
    auto tag = varint();
    if (!tag) return false;
    number = static_cast<uint32_t>(*tag >> 3);
    bytes = {};
    switch (*tag & 7) {
      case 0:
        return varint().has_value();
      case 1:
        if (in.size() < 8) return false;
        in.remove_prefix(8);
        return true;
      case 5:
        if (in.size() < 4) return false;
        in.remove_prefix(4);
        return true;
      case 2: {
        auto len = varint();
        if (!len || *len > in.size()) return false;
        bytes = in.substr(0, *len);
        in.remove_prefix(*len);
        return true;
      }
      default:
        return false;
    }
  }
};

bool readPair(std::string_view bytes, std::pair<std::string, std::string>& out) {
  Reader r{bytes};
  uint32_t f;
  std::string_view v;
  while (r.field(f, v)) {
    if (f == 1) out.first = std::string(v);
    if (f == 2) out.second = std::string(v);
  }
  return r.in.empty();
}

}  // namespace

void appendContext(std::string& payload, const pdata::RequestContext& ctx) {
  if (ctx.client_address.empty() && ctx.auth_subject.empty() && ctx.auth_attributes.empty() &&
      ctx.metadata.empty()) {
    return;
  }
  std::string msg;
  if (!ctx.client_address.empty()) putBytes(msg, 1, ctx.client_address);
  if (!ctx.auth_subject.empty()) putBytes(msg, 2, ctx.auth_subject);
  putPairs(msg, 3, ctx.auth_attributes);
  putPairs(msg, 4, ctx.metadata);
  putBytes(payload, kContextField, msg);
}

std::string_view contextBytes(std::string_view payload) {
  Reader r{payload};
  uint32_t f;
  std::string_view v;
  std::string_view found;
  while (r.field(f, v)) {
    if (f == kContextField) found = v;
  }
  return r.in.empty() ? found : std::string_view{};
}

Status decodeContext(std::string_view bytes, pdata::RequestContext& out) {
  pdata::RequestContext ctx;
  Reader r{bytes};
  uint32_t f;
  std::string_view v;
  while (r.field(f, v)) {
    std::pair<std::string, std::string> pair;
    switch (f) {
      case 1:
        ctx.client_address = std::string(v);
        break;
      case 2:
        ctx.auth_subject = std::string(v);
        break;
      case 3:
      case 4:
        if (!readPair(v, pair)) return Error::invalid("queued context: malformed pair");
        (f == 3 ? ctx.auth_attributes : ctx.metadata).push_back(std::move(pair));
        break;
      default:
        break;  // a later version's field
    }
  }
  if (!r.in.empty()) return Error::invalid("queued context: malformed");
  out = std::move(ctx);
  return {};
}

}  // namespace agentgate::exporterhelper
