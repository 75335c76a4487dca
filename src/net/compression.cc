#include "net/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>

#include "common/strings.h"

namespace agentgate::net {
namespace {

enum class Codec { kIdentity, kGzip, kZlib, kZstd, kSnappy, kSnappyFramed, kLz4, kUnknown };

Codec codecOf(std::string_view encoding) {
  std::string_view e = strings::trim(encoding);
  auto is = [&](std::string_view name) { return strings::iequals(e, name); };
  if (e.empty() || is("identity")) return Codec::kIdentity;
  if (is("gzip") || is("x-gzip")) return Codec::kGzip;
  if (is("deflate") || is("zlib")) return Codec::kZlib;
  if (is("zstd")) return Codec::kZstd;
  if (is("snappy")) return Codec::kSnappy;
  if (is("x-snappy-framed")) return Codec::kSnappyFramed;
  if (is("lz4")) return Codec::kLz4;
  return Codec::kUnknown;
}

Error tooLarge(size_t max_output) {
  return Error{ErrorCode::kTooLarge,
               "decompressed body exceeds the limit of " + std::to_string(max_output) + " bytes",
               true,
               {}};
}

Error unsupported(std::string_view encoding) {
  return Error::invalid("unsupported Content-Encoding: " + std::string(encoding));
}

// Output buffer that grows geometrically but never past max_output + 1 bytes: the +1 is how an
// overflow is noticed without materialising the rest of a bomb.
class CappedOutput {
 public:
  CappedOutput(size_t max_output, size_t size_hint) : max_(max_output) {
    size_t initial = std::min(std::max<size_t>(size_hint, 4096), cap());
    buf_.resize(initial);
  }
  size_t cap() const { return max_ == SIZE_MAX ? SIZE_MAX : max_ + 1; }
  // Free space after `used`, growing when full; 0 means the cap is reached.
  size_t ensureSpace() {
    if (used_ < buf_.size()) return buf_.size() - used_;
    if (buf_.size() >= cap()) return 0;
    size_t next = buf_.size() > cap() / 2 ? cap() : buf_.size() * 2;
    // std::string's own growth may round a request up to twice the old capacity, which could
    // overshoot the cap; a fresh string reserves exactly what is asked.
    std::string bigger;
    bigger.reserve(next);
    bigger.append(buf_.data(), used_);
    bigger.resize(next);
    buf_.swap(bigger);
    return buf_.size() - used_;
  }
  char* tail() { return buf_.data() + used_; }
  void commit(size_t n) { used_ += n; }
  bool overflowed() const { return used_ > max_; }
  std::string take() {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  size_t max_;
  size_t used_ = 0;
  std::string buf_;
};

size_t hintFor(size_t input_size) {
  // Typical OTLP protobuf compresses 4-10x.
  return input_size > SIZE_MAX / 8 ? SIZE_MAX : input_size * 8;
}

bool looksLikeZlibHeader(std::string_view in) {
  if (in.size() < 2) return false;
  auto b0 = static_cast<uint8_t>(in[0]);
  auto b1 = static_cast<uint8_t>(in[1]);
  return (b0 & 0x0f) == 8 && (b0 >> 4) <= 7 && ((b0 << 8) | b1) % 31 == 0;
}

// gzip (window_bits 16+15, possibly several members), zlib (15) or raw deflate (-15).
Result<std::string> inflateAll(std::string_view input, size_t max_output, int window_bits) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return Error::internal("zlib init failed");
  std::unique_ptr<z_stream, void (*)(z_stream*)> guard(&zs, [](z_stream* z) { inflateEnd(z); });
  CappedOutput out(max_output, hintFor(input.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  bool finished = false;
  size_t remaining = input.size();
  while (true) {
    // zlib counts in uInt; feed huge inputs in slices.
    if (zs.avail_in == 0 && remaining > 0) {
      zs.avail_in = static_cast<uInt>(std::min<size_t>(remaining, 1u << 30));
      remaining -= zs.avail_in;
    }
    size_t space = out.ensureSpace();
    if (space == 0) return tooLarge(max_output);
    zs.next_out = reinterpret_cast<Bytef*>(out.tail());
    zs.avail_out = static_cast<uInt>(std::min<size_t>(space, 1u << 30));
    uInt before = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    out.commit(before - zs.avail_out);
    if (out.overflowed()) return tooLarge(max_output);
    if (rc == Z_STREAM_END) {
      size_t left = zs.avail_in + remaining;
      if (left == 0) {
        finished = true;
        break;
      }
      // Another gzip member follows (Go's reader accepts multistream); anything else is junk.
      if (window_bits > MAX_WBITS && left >= 2 && static_cast<uint8_t>(zs.next_in[0]) == 0x1f &&
          static_cast<uint8_t>(zs.next_in[1]) == 0x8b) {
        if (inflateReset(&zs) != Z_OK) return Error::internal("zlib reset failed");
        continue;
      }
      return Error::invalid("trailing data after compressed stream");
    }
    if (rc == Z_BUF_ERROR) {
      // No progress: either output is full (loop grows it) or input ran out (truncated).
      if (zs.avail_out != 0 && zs.avail_in == 0 && remaining == 0) break;
      continue;
    }
    if (rc != Z_OK) {
      return Error::invalid(std::string("corrupt compressed body: ") +
                            (zs.msg != nullptr ? zs.msg : "inflate error"));
    }
  }
  if (!finished) return Error::invalid("truncated compressed body");
  return out.take();
}

Result<std::string> zstdDecompress(std::string_view input, size_t max_output) {
  unsigned long long frame_size = ZSTD_getFrameContentSize(input.data(), input.size());
  if (frame_size == ZSTD_CONTENTSIZE_ERROR) return Error::invalid("corrupt zstd body");
  size_t hint = hintFor(input.size());
  if (frame_size != ZSTD_CONTENTSIZE_UNKNOWN) {
    if (frame_size > max_output) return tooLarge(max_output);
    hint = static_cast<size_t>(frame_size) + 1;  // +1: room to notice a lying header
  }
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return Error::internal("zstd init failed");
  // Bound the decoder's own window allocation by the output cap too (a frame can announce a
  // window far larger than its content). 8 MiB floor: streaming encoders use up to that.
  int window_log = 23;
  while (window_log < 27 && (size_t{1} << window_log) < max_output) ++window_log;
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, window_log);
  CappedOutput out(max_output, hint);
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t last = 1;
  while (in.pos < in.size || last != 0) {
    size_t space = out.ensureSpace();
    if (space == 0) return tooLarge(max_output);
    ZSTD_outBuffer ob{out.tail(), space, 0};
    size_t in_before = in.pos;
    last = ZSTD_decompressStream(ctx.get(), &ob, &in);
    if (ZSTD_isError(last)) {
      return Error::invalid(std::string("corrupt zstd body: ") + ZSTD_getErrorName(last));
    }
    out.commit(ob.pos);
    if (out.overflowed()) return tooLarge(max_output);
    if (in.pos == in.size && last != 0 && ob.pos < ob.size && in.pos == in_before) {
      return Error::invalid("truncated zstd body");
    }
  }
  return out.take();
}

Result<std::string> snappyDecompress(std::string_view input, size_t max_output) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(input.data(), input.size(), &n)) {
    return Error::invalid("corrupt snappy body");
  }
  if (n > max_output) return tooLarge(max_output);
  std::string out;
  if (!snappy::Uncompress(input.data(), input.size(), &out)) {
    return Error::invalid("corrupt snappy body");
  }
  return out;
}

// CRC-32C (Castagnoli), as the snappy framing format checksums chunks with it.
uint32_t crc32c(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t maskedCrc(std::string_view data) {
  uint32_t c = crc32c(data);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

uint32_t readLe32(const char* p) {
  return static_cast<uint32_t>(static_cast<uint8_t>(p[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[3])) << 24;
}

void putLe32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

constexpr std::string_view kSnappyStreamId{"\xff\x06\x00\x00sNaPpY", 10};
constexpr size_t kSnappyFrameMaxBlock = 65536;

Result<std::string> snappyFramedDecompress(std::string_view input, size_t max_output) {
  std::string out;
  out.reserve(std::min(hintFor(input.size()), max_output));
  std::string block;
  bool seen_id = false;
  size_t pos = 0;
  while (pos < input.size()) {
    if (input.size() - pos < 4) return Error::invalid("truncated snappy frame");
    auto type = static_cast<uint8_t>(input[pos]);
    size_t len = static_cast<uint8_t>(input[pos + 1]) |
                 static_cast<size_t>(static_cast<uint8_t>(input[pos + 2])) << 8 |
                 static_cast<size_t>(static_cast<uint8_t>(input[pos + 3])) << 16;
    pos += 4;
    if (input.size() - pos < len) return Error::invalid("truncated snappy frame");
    std::string_view chunk = input.substr(pos, len);
    pos += len;
    if (type == 0xff) {
      if (chunk != kSnappyStreamId.substr(4)) return Error::invalid("bad snappy stream identifier");
      seen_id = true;
      continue;
    }
    if (!seen_id) return Error::invalid("snappy stream identifier missing");
    if (type == 0x00 || type == 0x01) {
      if (chunk.size() < 4) return Error::invalid("snappy chunk too short");
      uint32_t want = readLe32(chunk.data());
      std::string_view payload = chunk.substr(4);
      std::string_view data;
      if (type == 0x00) {
        size_t n = 0;
        if (!snappy::GetUncompressedLength(payload.data(), payload.size(), &n) ||
            n > kSnappyFrameMaxBlock) {
          return Error::invalid("corrupt snappy frame");
        }
        if (out.size() + n > max_output) return tooLarge(max_output);
        block.resize(n);
        if (!snappy::RawUncompress(payload.data(), payload.size(), block.data())) {
          return Error::invalid("corrupt snappy frame");
        }
        data = block;
      } else {
        if (payload.size() > kSnappyFrameMaxBlock) return Error::invalid("snappy chunk too long");
        if (out.size() + payload.size() > max_output) return tooLarge(max_output);
        data = payload;
      }
      if (maskedCrc(data) != want) return Error::invalid("snappy frame checksum mismatch");
      out.append(data);
    } else if (type >= 0x80) {
      continue;  // padding (0xfe) and skippable chunks
    } else {
      return Error::invalid("reserved unskippable snappy chunk");
    }
  }
  if (!seen_id && !input.empty()) return Error::invalid("snappy stream identifier missing");
  return out;
}

Result<std::string> lz4Decompress(std::string_view input, size_t max_output) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return Error::internal("lz4 init failed");
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> ctx(raw,
                                                                   LZ4F_freeDecompressionContext);
  size_t hint = hintFor(input.size());
  size_t pos = 0;
  {
    LZ4F_frameInfo_t info{};
    size_t consumed = input.size();
    size_t r = LZ4F_getFrameInfo(ctx.get(), &info, input.data(), &consumed);
    if (LZ4F_isError(r)) {
      return Error::invalid(std::string("corrupt lz4 body: ") + LZ4F_getErrorName(r));
    }
    pos = consumed;
    if (info.contentSize != 0) {
      if (info.contentSize > max_output) return tooLarge(max_output);
      hint = static_cast<size_t>(info.contentSize) + 1;
    }
  }
  CappedOutput out(max_output, hint);
  size_t last = 1;
  while (pos < input.size()) {
    size_t space = out.ensureSpace();
    if (space == 0) return tooLarge(max_output);
    size_t dst = space;
    size_t src = input.size() - pos;
    last = LZ4F_decompress(ctx.get(), out.tail(), &dst, input.data() + pos, &src, nullptr);
    if (LZ4F_isError(last)) {
      return Error::invalid(std::string("corrupt lz4 body: ") + LZ4F_getErrorName(last));
    }
    pos += src;
    out.commit(dst);
    if (out.overflowed()) return tooLarge(max_output);
    if (src == 0 && dst == 0) break;  // no progress: let the drain below decide
  }
  // Drain output the decoder still holds (it may stop when the output slice was full).
  while (last != 0) {
    size_t space = out.ensureSpace();
    if (space == 0) return tooLarge(max_output);
    size_t dst = space;
    size_t src = 0;
    last = LZ4F_decompress(ctx.get(), out.tail(), &dst, nullptr, &src, nullptr);
    if (LZ4F_isError(last)) {
      return Error::invalid(std::string("corrupt lz4 body: ") + LZ4F_getErrorName(last));
    }
    out.commit(dst);
    if (out.overflowed()) return tooLarge(max_output);
    if (dst == 0) return Error::invalid("truncated lz4 body");
  }
  return out.take();
}

Result<std::string> deflateAll(std::string_view input, int window_bits) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Error::internal("zlib init failed");
  }
  std::unique_ptr<z_stream, void (*)(z_stream*)> guard(&zs, [](z_stream* z) { deflateEnd(z); });
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(input.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) return Error::internal("zlib deflate failed");
  out.resize(zs.total_out);
  return out;
}

Result<std::string> snappyFramedCompress(std::string_view input) {
  std::string out(kSnappyStreamId);
  std::string block;
  for (size_t pos = 0; pos < input.size(); pos += kSnappyFrameMaxBlock) {
    std::string_view piece = input.substr(pos, kSnappyFrameMaxBlock);
    block.clear();
    snappy::Compress(piece.data(), piece.size(), &block);
    bool compressed = block.size() < piece.size();
    std::string_view payload = compressed ? std::string_view(block) : piece;
    size_t len = payload.size() + 4;
    out.push_back(compressed ? '\x00' : '\x01');
    out.push_back(static_cast<char>(len & 0xff));
    out.push_back(static_cast<char>((len >> 8) & 0xff));
    out.push_back(static_cast<char>((len >> 16) & 0xff));
    putLe32(out, maskedCrc(piece));
    out.append(payload);
  }
  return out;
}

}  // namespace

bool isIdentityEncoding(std::string_view encoding) { return codecOf(encoding) == Codec::kIdentity; }

bool isSupportedEncoding(std::string_view encoding) { return codecOf(encoding) != Codec::kUnknown; }

Result<std::string> decompress(std::string_view encoding, std::string_view input,
                               size_t max_output) {
  Codec codec = codecOf(encoding);
  // An empty body decodes to an empty body whatever it claims (the receiver then answers 200).
  if (input.empty() && codec != Codec::kUnknown) return std::string();
  switch (codec) {
    case Codec::kIdentity:
      if (input.size() > max_output) return tooLarge(max_output);
      return std::string(input);
    case Codec::kGzip:
      return inflateAll(input, max_output, 16 + MAX_WBITS);
    case Codec::kZlib:
      return inflateAll(input, max_output, looksLikeZlibHeader(input) ? MAX_WBITS : -MAX_WBITS);
    case Codec::kZstd:
      return zstdDecompress(input, max_output);
    case Codec::kSnappy:
      return snappyDecompress(input, max_output);
    case Codec::kSnappyFramed:
      return snappyFramedDecompress(input, max_output);
    case Codec::kLz4:
      return lz4Decompress(input, max_output);
    case Codec::kUnknown:
      break;
  }
  return unsupported(encoding);
}

Result<std::string> compress(std::string_view encoding, std::string_view input) {
  switch (codecOf(encoding)) {
    case Codec::kIdentity:
      return std::string(input);
    case Codec::kGzip:
      return deflateAll(input, 16 + MAX_WBITS);
    case Codec::kZlib:
      return deflateAll(input, MAX_WBITS);
    case Codec::kZstd: {
      std::string out;
      out.resize(ZSTD_compressBound(input.size()));
      size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 3);
      if (ZSTD_isError(n)) return Error::internal("zstd compress failed");
      out.resize(n);
      return out;
    }
    case Codec::kSnappy: {
      std::string out;
      snappy::Compress(input.data(), input.size(), &out);
      return out;
    }
    case Codec::kSnappyFramed:
      return snappyFramedCompress(input);
    case Codec::kLz4: {
      LZ4F_preferences_t prefs{};
      prefs.frameInfo.contentSize = input.size();
      std::string out;
      out.resize(LZ4F_compressFrameBound(input.size(), &prefs));
      size_t n = LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
      if (LZ4F_isError(n)) return Error::internal("lz4 compress failed");
      out.resize(n);
      return out;
    }
    case Codec::kUnknown:
      break;
  }
  return unsupported(encoding);
}

}  // namespace agentgate::net
