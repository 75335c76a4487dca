// Golden files: every agent capture under ../shared/fixtures/agents (Claude Code 2.1.197 and
// 2.1.331, Copilot CLI 1.0.102; logs, traces, metrics; protobuf, gzip and JSON bodies) -> the
// NDJSON the azuremonitor exporter sends for it (span events enabled). One golden per capture at
// testdata/agents/<agent>/<scenario>/<capture>.golden.ndjson; a capture without a golden, or a
// golden without a capture, fails. AGENTGATE_UPDATE_GOLDEN=1 rewrites them for review.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "appinsights/mapper.h"
#include "net/compression.h"
#include "pdata/codec.h"

namespace agentgate::appinsights {
namespace {

namespace fs = std::filesystem;

fs::path agentsDir() { return fs::path(AGENTGATE_SHARED_DIR) / "fixtures" / "agents"; }
fs::path goldenRoot() {
  return fs::path(AGENTGATE_SOURCE_DIR) / "src" / "appinsights" / "testdata" / "agents";
}

bool isCapture(const fs::path& p) {
  const std::string n = p.filename().string();
  auto ends = [&](std::string_view s) {
    return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".pb") || ends(".pb.gz") || ends(".otlp.json");
}

// fixtures/agents/<agent>/<scenario>/<name>.pb -> <agent>/<scenario>/<name>
std::string captureKey(const fs::path& p) {
  std::string rel = fs::relative(p, agentsDir()).string();
  for (std::string_view ext : {".pb.gz", ".pb", ".otlp.json"}) {
    if (rel.size() > ext.size() && rel.compare(rel.size() - ext.size(), ext.size(), ext) == 0) {
      return rel.substr(0, rel.size() - ext.size());
    }
  }
  return rel;
}

std::vector<std::string> captures() {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(agentsDir(), ec);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file() && isCapture(it->path())) {
      out.push_back(fs::relative(it->path(), agentsDir()).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool updating() {
  const char* update = std::getenv("AGENTGATE_UPDATE_GOLDEN");
  return update && std::string(update) == "1";
}

TEST(GoldenSetTest, EveryAgentCaptureIsCovered) {
  auto all = captures();
  // Claude Code 2.1.197 and 2.1.331 send all three signals; Copilot CLI 1.0.102 exports traces
  // and metrics only (it has no OTLP logs).
  const std::pair<const char*, const char*> kExpected[] = {
      {"claude-code-2.1.197/", "_logs_"},    {"claude-code-2.1.197/", "_traces_"},
      {"claude-code-2.1.197/", "_metrics_"}, {"claude-code-2.1.331/", "_logs_"},
      {"claude-code-2.1.331/", "_traces_"},  {"claude-code-2.1.331/", "_metrics_"},
      {"copilot-cli-1.0.102/", "_traces_"},  {"copilot-cli-1.0.102/", "_metrics_"}};
  ASSERT_GE(all.size(), 150u) << "fixtures missing under " << agentsDir();
  for (const auto& expected : kExpected) {
    // Named copies: clang 14 cannot capture structured bindings in a lambda.
    const std::string agent = expected.first, signal = expected.second;
    EXPECT_TRUE(std::any_of(all.begin(), all.end(),
                            [&](const std::string& c) {
                              return c.rfind(agent, 0) == 0 && c.find(signal) != std::string::npos;
                            }))
        << agent << signal;
  }
  // No golden left over from a capture that is gone.
  std::set<std::string> keys;
  for (const auto& c : all) keys.insert(captureKey(agentsDir() / c));
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(goldenRoot(), ec);
       it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    std::string rel = fs::relative(it->path(), goldenRoot()).string();
    const std::string suffix = ".golden.ndjson";
    ASSERT_GT(rel.size(), suffix.size()) << rel;
    EXPECT_TRUE(keys.count(rel.substr(0, rel.size() - suffix.size()))) << "stale golden " << rel;
  }
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesGoldenFile) {
  const fs::path capture = agentsDir() / GetParam();
  const std::string name = capture.filename().string();
  const Signal signal = name.find("_logs_") != std::string::npos     ? Signal::kLogs
                        : name.find("_traces_") != std::string::npos ? Signal::kTraces
                                                                     : Signal::kMetrics;
  std::string input = readFile(capture);
  ASSERT_FALSE(input.empty()) << capture;
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0) {
    auto d = net::decompress("gzip", input, 64u << 20);
    ASSERT_TRUE(d.ok()) << d.error().message;
    input = std::move(d.value());
  }
  pdata::Batch batch(signal);
  const bool json = name.find(".json") != std::string::npos;
  Status st = json ? pdata::decodeJson(batch, input)
                   : pdata::decodeProtobuf(batch, batch.adoptBuffer(std::move(input)));
  ASSERT_TRUE(st.ok()) << st.error().message;

  MapOptions o;
  o.instrumentation_key = "00000000-0000-0000-0000-000000000000";
  o.sdk_version = "otelc-0.1.0-lin-amd64";
  o.now_unix_nano = 1'764'041'600'000'000'000ull;
  o.span_events_enabled = true;
  auto result = mapBatch(batch, o);
  std::string actual;
  for (const auto& e : result.envelopes) actual += toJson(e) + "\n";
  // Every record of the capture became at least one envelope (span events add more).
  EXPECT_GE(result.envelopes.size(), batch.itemCount()) << name;

  const fs::path golden = goldenRoot() / (captureKey(capture) + ".golden.ndjson");
  if (updating()) {
    fs::create_directories(golden.parent_path());
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << "missing golden " << golden
                                  << " (run with AGENTGATE_UPDATE_GOLDEN=1 and review the diff)";
  std::string expected = readFile(golden);
  EXPECT_EQ(actual, expected) << golden;
}

INSTANTIATE_TEST_SUITE_P(Agents, GoldenTest, ::testing::ValuesIn(captures()), [](const auto& info) {
  std::string n = captureKey(agentsDir() / info.param);
  for (char& ch : n) {
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
});

}  // namespace
}  // namespace agentgate::appinsights
