#include "net/compression.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <string>

// The largest single operator-new request while tracking is on: proves that a bomb is refused
// before its full size is ever allocated.
// GCC says __SANITIZE_ADDRESS__, clang says __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
#define AGENTGATE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AGENTGATE_ASAN 1
#endif
#endif

namespace {
std::atomic<bool> g_track{false};
std::atomic<size_t> g_largest{0};
}  // namespace

#ifndef AGENTGATE_ASAN  // ASan owns operator new; the size checks are skipped there
void* operator new(size_t n) {
  if (g_track.load(std::memory_order_relaxed)) {
    size_t prev = g_largest.load(std::memory_order_relaxed);
    while (n > prev && !g_largest.compare_exchange_weak(prev, n)) {
    }
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return operator new(n);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
#endif

namespace agentgate::net {
namespace {

constexpr size_t kMiB = 1u << 20;

std::string sample(size_t n) {
  // Compressible but not trivial: OTLP-ish text with some noise.
  std::mt19937 rng(42);
  std::string s;
  s.reserve(n);
  const std::string words[] = {
      "claude_code.tool_result", "session.id", "gen_ai.usage", "Bash", "{\"k\":1}", "user.email"};
  while (s.size() < n) {
    s += words[rng() % 6];
    s.push_back(static_cast<char>('a' + rng() % 26));
  }
  s.resize(n);
  return s;
}

const char* kEncodings[] = {"gzip", "zlib", "deflate", "zstd", "snappy", "x-snappy-framed", "lz4"};

TEST(Compression, RoundTripsEveryEncoding) {
  std::string input = sample(300 * 1024);  // > 64 KiB: several snappy frames
  for (const char* enc : kEncodings) {
    auto c = compress(enc, input);
    ASSERT_TRUE(c.ok()) << enc;
    EXPECT_LT(c->size(), input.size()) << enc;
    auto d = decompress(enc, *c, input.size());  // exactly at the limit is fine
    ASSERT_TRUE(d.ok()) << enc << ": " << d.error().message;
    EXPECT_EQ(*d, input) << enc;
  }
}

TEST(Compression, IdentityAndCaseInsensitiveNames) {
  auto d = decompress("", "abc", 3);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "abc");
  EXPECT_TRUE(decompress("identity", "abc", 10).ok());
  EXPECT_EQ(decompress("", "abcd", 3).error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(isIdentityEncoding(""));
  EXPECT_TRUE(isIdentityEncoding("Identity"));
  EXPECT_FALSE(isIdentityEncoding("gzip"));
  auto c = compress("gzip", "hello");
  ASSERT_TRUE(c.ok());
  auto d2 = decompress("GZIP", *c, 100);
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(*d2, "hello");
}

TEST(Compression, UnknownEncodingIsInvalid) {
  auto d = decompress("br", "xx", 100);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(d.error().message, "unsupported Content-Encoding: br");
  EXPECT_FALSE(isSupportedEncoding("br"));
  EXPECT_TRUE(isSupportedEncoding("x-snappy-framed"));
  EXPECT_FALSE(compress("br", "x").ok());
}

TEST(Compression, EmptyBodyDecodesToEmpty) {
  for (const char* enc : kEncodings) {
    auto d = decompress(enc, "", 10);
    ASSERT_TRUE(d.ok()) << enc;
    EXPECT_TRUE(d->empty());
  }
}

TEST(Compression, BombsStopAtTheCapWithoutAllocatingTheirSize) {
  std::string zeros(10 * kMiB, '\0');
  for (const char* enc : kEncodings) {
    auto c = compress(enc, zeros);
    ASSERT_TRUE(c.ok()) << enc;
    g_largest = 0;
    g_track = true;
    auto d = decompress(enc, *c, kMiB);
    g_track = false;
    ASSERT_FALSE(d.ok()) << enc;
    EXPECT_EQ(d.error().code, ErrorCode::kTooLarge) << enc;
    EXPECT_LE(g_largest.load(), kMiB + 64) << enc;
  }
}

// Frames that do not announce their size must be stopped while streaming.
TEST(Compression, StreamedBombsWithoutContentSize) {
  std::string zeros(10 * kMiB, '\0');
  {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    std::string out(ZSTD_compressBound(zeros.size()), '\0');
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    ZSTD_inBuffer ib{zeros.data(), zeros.size(), 0};
    ASSERT_EQ(ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_continue), 0u) << "not flushed";
    ASSERT_EQ(ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_end), 0u);
    ZSTD_freeCCtx(cctx);
    out.resize(ob.pos);
    ASSERT_EQ(ZSTD_getFrameContentSize(out.data(), out.size()), ZSTD_CONTENTSIZE_UNKNOWN);
    g_largest = 0;
    g_track = true;
    auto d = decompress("zstd", out, kMiB);
    g_track = false;
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, ErrorCode::kTooLarge);
    EXPECT_LE(g_largest.load(), kMiB + 64);
  }
  {
    LZ4F_preferences_t prefs{};  // contentSize 0 = not announced
    std::string out(LZ4F_compressFrameBound(zeros.size(), &prefs), '\0');
    size_t n = LZ4F_compressFrame(out.data(), out.size(), zeros.data(), zeros.size(), &prefs);
    ASSERT_FALSE(LZ4F_isError(n));
    out.resize(n);
    g_largest = 0;
    g_track = true;
    auto d = decompress("lz4", out, kMiB);
    g_track = false;
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, ErrorCode::kTooLarge);
    EXPECT_LE(g_largest.load(), kMiB + 64);
  }
}

TEST(Compression, SnappyLengthHeaderCheckedBeforeAllocating) {
  // A varint length of ~1 GiB followed by junk.
  std::string lie = "\x80\x80\x80\x80\x04";
  lie += "junk";
  g_largest = 0;
  g_track = true;
  auto d = decompress("snappy", lie, kMiB);
  g_track = false;
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kTooLarge);
  EXPECT_LT(g_largest.load(), 4096u);
}

TEST(Compression, CorruptAndTruncatedInputIsInvalid) {
  std::string input = sample(100 * 1024);
  for (const char* enc : kEncodings) {
    auto c = compress(enc, input);
    ASSERT_TRUE(c.ok());
    // Truncated.
    auto t = decompress(enc, std::string_view(*c).substr(0, c->size() / 2), 10 * kMiB);
    ASSERT_FALSE(t.ok()) << enc << " truncated";
    EXPECT_EQ(t.error().code, ErrorCode::kInvalid) << enc;
    // Garbage.
    std::string garbage = "this is definitely not compressed data at all, not even close";
    auto g = decompress(enc, garbage, 10 * kMiB);
    ASSERT_FALSE(g.ok()) << enc << " garbage";
    EXPECT_EQ(g.error().code, ErrorCode::kInvalid) << enc;
    // Flipped bytes in the middle (checksummed formats must notice).
    std::string flipped = *c;
    for (size_t i = flipped.size() / 2; i < flipped.size() / 2 + 8; ++i) flipped[i] ^= 0x5a;
    auto f = decompress(enc, flipped, 10 * kMiB);
    if (f.ok()) {
      // Some formats (raw snappy block) carry no checksum; output must then differ.
      EXPECT_NE(*f, input) << enc;
    } else {
      EXPECT_EQ(f.error().code, ErrorCode::kInvalid) << enc;
    }
  }
}

TEST(Compression, DeflateAcceptsRawStreamAndZlibStream) {
  std::string input = sample(50 * 1024);
  z_stream zs{};
  ASSERT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string raw(deflateBound(&zs, input.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(input.data());
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(raw.data());
  zs.avail_out = static_cast<uInt>(raw.size());
  ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  raw.resize(zs.total_out);
  deflateEnd(&zs);
  auto d = decompress("deflate", raw, kMiB);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, input);
  auto z = compress("zlib", input);
  ASSERT_TRUE(z.ok());
  auto d2 = decompress("deflate", *z, kMiB);
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(*d2, input);
}

TEST(Compression, MultiMemberGzipAndMultiFrameZstd) {
  auto a = compress("gzip", "hello ");
  auto b = compress("gzip", "world");
  ASSERT_TRUE(a.ok() && b.ok());
  auto d = decompress("gzip", *a + *b, 100);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, "hello world");
  auto trailing = decompress("gzip", *a + "xx", 100);
  EXPECT_FALSE(trailing.ok());

  auto za = compress("zstd", "hello ");
  auto zb = compress("zstd", "world");
  ASSERT_TRUE(za.ok() && zb.ok());
  auto zd = decompress("zstd", *za + *zb, 100);
  ASSERT_TRUE(zd.ok()) << zd.error().message;
  EXPECT_EQ(*zd, "hello world");
  // Two frames whose sum exceeds the cap although each one fits.
  auto zc = decompress("zstd", *za + *zb, 8);
  ASSERT_FALSE(zc.ok());
  EXPECT_EQ(zc.error().code, ErrorCode::kTooLarge);
}

TEST(Compression, SnappyFramedChecksumAndSkippableChunks) {
  auto c = compress("x-snappy-framed", "abcabcabcabcabcabcabc");
  ASSERT_TRUE(c.ok());
  // A skippable chunk (0x80) and padding (0xfe) in the middle are ignored.
  std::string with_skip = c->substr(0, 10) + std::string("\x80\x02\x00\x00zz", 6) +
                          std::string("\xfe\x01\x00\x00\x00", 5) + c->substr(10);
  auto d = decompress("x-snappy-framed", with_skip, 100);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, "abcabcabcabcabcabcabc");
  // Reserved unskippable chunk type.
  std::string reserved = c->substr(0, 10) + std::string("\x02\x01\x00\x00z", 5);
  EXPECT_FALSE(decompress("x-snappy-framed", reserved, 100).ok());
  // Wrong checksum.
  std::string bad = *c;
  bad[14] ^= 1;
  auto b = decompress("x-snappy-framed", bad, 100);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kInvalid);
}

}  // namespace
}  // namespace agentgate::net
