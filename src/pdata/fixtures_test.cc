// Every real agent capture decodes, and our OTLP/JSON re-encoding matches the reference decoding
// made by the capture rig (protobufjs) semantically. Round trips through both codecs and
// cloneBatch are lossless.
#include <gtest/gtest.h>

#include <cstdio>

#include "pdata/codec.h"
#include "proto/pdata_test_util.h"

namespace agentgate::pdata {
namespace {

using testutil::Fixture;

// Expected item count from the rig's `_capture.counts` header.
std::optional<uint64_t> expectedItems(const std::string& decoded_json, Signal signal) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(decoded_json).get(root)) return std::nullopt;
  uint64_t n = 0;
  const char* key = signal == Signal::kMetrics ? "data_points" : "records";
  if (root["_capture"]["counts"][key].get(n)) return signal == Signal::kMetrics ? 0 : n;
  return n;
}

// Checks one fixture; returns an empty string on success, else what went wrong.
std::string checkFixture(const Fixture& f) {
  std::string bytes = testutil::fixtureBytes(f);
  if (bytes.empty()) return "empty or unreadable body";
  Batch batch(f.signal);
  Status st = f.is_json ? decodeJson(batch, bytes)
                        : decodeProtobuf(batch, batch.adoptBuffer(std::move(bytes)));
  if (!st.ok()) return "decode failed: " + st.error().message;

  std::string json = encodeJson(batch);
  std::string want = testutil::normalizeOtlpJson(testutil::readFile(f.decoded));
  std::string got = testutil::normalizeOtlpJson(json);
  if (want != got) {
    size_t i = 0;
    while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
    size_t from = i > 80 ? i - 80 : 0;
    return "semantic mismatch at " + std::to_string(i) + "\n want: " + want.substr(from, 200) +
           "\n got:  " + got.substr(from, 200);
  }

  auto items = expectedItems(testutil::readFile(f.decoded), f.signal);
  if (items && *items != batch.itemCount()) {
    return "itemCount " + std::to_string(batch.itemCount()) + " != " + std::to_string(*items);
  }

  // protobuf round trip: decode(encode(x)) == x, and encoding is deterministic.
  std::string pb = encodeProtobuf(batch);
  Batch again(f.signal);
  st = decodeProtobuf(again, again.adoptBuffer(pb));
  if (!st.ok()) return "re-decode of our protobuf failed: " + st.error().message;
  if (encodeJson(again) != json) return "protobuf round trip changed the data";
  if (encodeProtobuf(again) != pb) return "protobuf encoding not stable";

  // JSON round trip.
  Batch from_json(f.signal);
  st = decodeJson(from_json, json);
  if (!st.ok()) return "re-decode of our JSON failed: " + st.error().message;
  if (encodeJson(from_json) != json) return "JSON round trip changed the data";

  // Clone is deep and equal.
  BatchPtr clone = cloneBatch(batch);
  if (encodeJson(*clone) != json) return "clone differs";
  if (clone->bufferBytes() != 0) return "clone holds request buffers";
  return "";
}

TEST(PdataFixtures, EveryAgentCaptureDecodesAndMatchesReference) {
  auto fixtures = testutil::agentFixtures();
  ASSERT_GT(fixtures.size(), 100u) << "fixtures not found under " << testutil::sharedDir();
  size_t passed = 0, pb = 0, json = 0;
  for (const auto& f : fixtures) {
    ASSERT_TRUE(std::filesystem::exists(f.decoded)) << f.decoded;
    std::string problem = checkFixture(f);
    EXPECT_EQ(problem, "") << f.body.filename();
    if (problem.empty()) ++passed;
    (f.is_json ? json : pb)++;
  }
  std::printf("[ fixtures ] %zu/%zu passed (%zu protobuf, %zu JSON)\n", passed, fixtures.size(), pb,
              json);
  EXPECT_EQ(passed, fixtures.size());
}

}  // namespace
}  // namespace agentgate::pdata
