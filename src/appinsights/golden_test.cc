// Golden files: real agent payloads -> the NDJSON the azuremonitor exporter would send.
// AGENTGATE_UPDATE_GOLDEN=1 rewrites src/appinsights/testdata/*.golden.ndjson for review.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "appinsights/mapper.h"
#include "pdata/codec.h"

namespace agentgate::appinsights {
namespace {

struct GoldenCase {
  const char* name;     // golden file stem
  const char* fixture;  // under fixtures/agents
  Signal signal;
  bool json;
};

const GoldenCase kCases[] = {
    {"claude-code-2.1.331_logs",
     "claude-code-2.1.331/a-defaults-tool/"
     "claude-code-2.1.331_a-defaults-tool_logs_http-protobuf_0001.pb",
     Signal::kLogs, false},
    {"claude-code-2.1.331_traces",
     "claude-code-2.1.331/a-defaults-tool/"
     "claude-code-2.1.331_a-defaults-tool_traces_http-protobuf_0002.pb",
     Signal::kTraces, false},
    {"claude-code-2.1.331_metrics",
     "claude-code-2.1.331/a-defaults-tool/"
     "claude-code-2.1.331_a-defaults-tool_metrics_http-protobuf_0004.pb",
     Signal::kMetrics, false},
    {"copilot-cli-1.0.102_traces",
     "copilot-cli-1.0.102/a-defaults-tool/"
     "copilot-cli-1.0.102_a-defaults-tool_traces_http-json_0002.otlp.json",
     Signal::kTraces, true},
    {"copilot-cli-1.0.102_metrics",
     "copilot-cli-1.0.102/a-defaults-tool/"
     "copilot-cli-1.0.102_a-defaults-tool_metrics_http-json_0001.otlp.json",
     Signal::kMetrics, true},
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, MatchesGoldenFile) {
  const GoldenCase& c = GetParam();
  std::string input = readFile(std::string(AGENTGATE_SHARED_DIR) + "/fixtures/agents/" + c.fixture);
  ASSERT_FALSE(input.empty()) << c.fixture;
  pdata::Batch batch(c.signal);
  Status st = c.json ? pdata::decodeJson(batch, input)
                     : pdata::decodeProtobuf(batch, batch.adoptBuffer(std::move(input)));
  ASSERT_TRUE(st.ok()) << st.error().message;

  MapOptions o;
  o.instrumentation_key = "00000000-0000-0000-0000-000000000000";
  o.sdk_version = "otelc-0.1.0-lin-amd64";
  o.now_unix_nano = 1'764'041'600'000'000'000ull;
  o.span_events_enabled = true;
  auto result = mapBatch(batch, o);
  ASSERT_FALSE(result.envelopes.empty());
  std::string actual;
  for (const auto& e : result.envelopes) actual += toJson(e) + "\n";

  std::string golden_path =
      std::string(AGENTGATE_SOURCE_DIR) + "/src/appinsights/testdata/" + c.name + ".golden.ndjson";
  const char* update = std::getenv("AGENTGATE_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(golden_path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << golden_path;
  }
  std::string expected = readFile(golden_path);
  ASSERT_FALSE(expected.empty()) << "missing golden " << golden_path
                                 << " (run with AGENTGATE_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, expected);
}

INSTANTIATE_TEST_SUITE_P(Agents, GoldenTest, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string n = info.param.name;
  for (char& ch : n) {
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
});

}  // namespace
}  // namespace agentgate::appinsights
