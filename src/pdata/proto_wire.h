// Protobuf wire-format primitives shared by our decoder and encoder (internal to pdata).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace agentgate::pdata::wire {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5
};

enum class VarintStatus { kOk, kTruncated, kOverflow };

// Reads a base-128 varint. A tenth byte may only carry the 64th bit (anything more overflows).
inline VarintStatus readVarint(const uint8_t*& p, const uint8_t* end, uint64_t& out) {
  if (p < end && *p < 0x80) {
    out = *p++;
    return VarintStatus::kOk;
  }
  uint64_t result = 0;
  for (int i = 0; i < 10; ++i) {
    if (p >= end) return VarintStatus::kTruncated;
    uint8_t byte = *p++;
    if (i == 9 && byte > 1) return VarintStatus::kOverflow;
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      out = result;
      return VarintStatus::kOk;
    }
  }
  return VarintStatus::kOverflow;
}

inline uint64_t loadFixed64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // wire is little-endian, as are our targets (x86-64, arm64)
  return v;
}
inline uint32_t loadFixed32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline int32_t zigzagDecode32(uint64_t v) {
  uint32_t n = static_cast<uint32_t>(v);
  return static_cast<int32_t>((n >> 1) ^ (~(n & 1) + 1));
}
inline uint32_t zigzagEncode32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}

inline size_t varintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void putVarint(std::string& out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}
inline void putTag(std::string& out, uint32_t field, WireType wt) {
  putVarint(out, (static_cast<uint64_t>(field) << 3) | wt);
}
inline void putFixed64(std::string& out, uint64_t v) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  out.append(buf, 8);
}
inline void putFixed32(std::string& out, uint32_t v) {
  char buf[4];
  std::memcpy(buf, &v, 4);
  out.append(buf, 4);
}

}  // namespace agentgate::pdata::wire
