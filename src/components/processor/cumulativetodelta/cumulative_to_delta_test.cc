// cumulativetodelta against Copilot CLI's real cumulative exports (monotonic sums and explicit
// histograms, one start time per instrument), including the client's own retries of an identical
// payload (f-sink-503-text), which must not turn into zero or negative deltas.
#include "components/processor/cumulativetodelta/cumulative_to_delta.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "config/config_node.h"
#include "config/diagnostics.h"
#include "config/loader.h"
#include "pdata/codec.h"

namespace agentgate::components::cumulativetodelta {
namespace {

namespace fs = std::filesystem;

const fs::path kCaptures =
    fs::path(AGENTGATE_SHARED_DIR) / "fixtures" / "agents" / "copilot-cli-1.0.102";

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

BatchPtr loadMetrics(const std::string& run, const std::string& file) {
  std::string json = readFile(kCaptures / run / file);
  EXPECT_FALSE(json.empty()) << "capture missing: " << run << "/" << file;
  auto batch = std::make_unique<pdata::Batch>(Signal::kMetrics);
  auto st = pdata::decodeJson(*batch, json);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return batch;
}

BatchPtr periodicCapture() {
  return loadMetrics("e-periodic-tool",
                     "copilot-cli-1.0.102_e-periodic-tool_metrics_http-json_0003.otlp.json");
}

// Adds `plus` to every sum value / histogram count and bucket, moves every time by `dt`.
void advance(pdata::Batch& b, int64_t plus, uint64_t dt) {
  for (auto& rm : b.resource_metrics)
    for (auto& sm : rm.scope_metrics)
      for (auto& m : sm.metrics) {
        for (auto& p : m.number_points) {
          p.time_unix_nano += dt;
          if (p.is_int) {
            p.as_int += plus;
          } else {
            p.as_double += static_cast<double>(plus);
          }
        }
        for (auto& p : m.histogram_points) {
          p.time_unix_nano += dt;
          p.count += static_cast<uint64_t>(plus);
          if (!p.bucket_counts.empty()) p.bucket_counts.back() += static_cast<uint64_t>(plus);
          p.sum += 10.0 * static_cast<double>(plus);
        }
      }
}

struct Point {
  double value;
  uint64_t start, time;
  pdata::AggregationTemporality temporality;
};

// metric name + index -> point (sum value or histogram count).
std::map<std::string, Point> points(const pdata::Batch& b) {
  std::map<std::string, Point> out;
  for (const auto& rm : b.resource_metrics)
    for (const auto& sm : rm.scope_metrics)
      for (const auto& m : sm.metrics) {
        for (size_t i = 0; i < m.number_points.size(); ++i) {
          const auto& p = m.number_points[i];
          out[std::string(m.name) + "#" + std::to_string(i)] = {
              p.is_int ? static_cast<double>(p.as_int) : p.as_double, p.start_time_unix_nano,
              p.time_unix_nano, m.temporality};
        }
        for (size_t i = 0; i < m.histogram_points.size(); ++i) {
          const auto& p = m.histogram_points[i];
          out[std::string(m.name) + "#" + std::to_string(i)] = {static_cast<double>(p.count),
                                                                p.start_time_unix_nano,
                                                                p.time_unix_nano, m.temporality};
        }
      }
  return out;
}

Config withInitial(std::string initial) {
  Config c;
  c.initial_value = std::move(initial);
  return c;
}

TEST(CumulativeToDelta, CapturesAreCumulativeSumsAndHistograms) {
  auto b = periodicCapture();
  auto pts = points(*b);
  ASSERT_GE(pts.size(), 10u);
  for (const auto& [name, p] : pts)
    EXPECT_EQ(p.temporality, pdata::AggregationTemporality::kCumulative) << name;
}

TEST(CumulativeToDelta, AutoDropsFirstPointOfSeriesThatStartedBeforeTheProcessor) {
  CumulativeToDelta proc(withInitial("auto"), nullptr);
  auto b = periodicCapture();
  proc.convert(*b);
  EXPECT_EQ(b->itemCount(), 0u);  // the capture's series began in 2026-11, before "now"
  EXPECT_GE(proc.streams(), 10u);
}

TEST(CumulativeToDelta, AutoKeepsFirstPointOfSeriesThatStartedAfterTheProcessor) {
  // Processor started at the Unix epoch + 1 s: every captured series began after it.
  CumulativeToDelta proc(withInitial("auto"), nullptr, 1'000'000'000ull);
  auto b = periodicCapture();
  auto before = points(*b);
  proc.convert(*b);
  auto after = points(*b);
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [name, p] : after) {
    EXPECT_EQ(p.value, before[name].value) << name;
    EXPECT_EQ(p.temporality, pdata::AggregationTemporality::kDelta) << name;
  }
}

TEST(CumulativeToDelta, SecondExportBecomesExactDeltasAgainstTheFirst) {
  CumulativeToDelta proc(withInitial("keep"), nullptr);
  auto first = periodicCapture();
  auto first_points = points(*first);
  proc.convert(*first);
  auto second = periodicCapture();
  advance(*second, 5, 60'000'000'000ull);
  proc.convert(*second);
  auto out = points(*second);
  ASSERT_EQ(out.size(), first_points.size());
  for (const auto& [name, p] : out) {
    EXPECT_EQ(p.value, 5) << name;
    EXPECT_EQ(p.start, first_points[name].time) << name << ": delta starts at the previous point";
    EXPECT_EQ(p.time, first_points[name].time + 60'000'000'000ull) << name;
    EXPECT_EQ(p.temporality, pdata::AggregationTemporality::kDelta) << name;
  }
  // Histogram buckets and sum are deltas too; min/max cannot be and are cleared.
  for (const auto& rm : second->resource_metrics)
    for (const auto& sm : rm.scope_metrics)
      for (const auto& m : sm.metrics)
        for (const auto& p : m.histogram_points) {
          uint64_t total = 0;
          for (auto c : p.bucket_counts) total += c;
          EXPECT_EQ(total, 5u) << m.name;
          EXPECT_DOUBLE_EQ(p.sum, 50.0) << m.name;
          EXPECT_FALSE(p.has_min);
          EXPECT_FALSE(p.has_max);
        }
}

TEST(CumulativeToDelta, ClientRetryOfTheSamePayloadIsDropped) {
  // f-sink-503-text: the client re-sent byte-identical metrics while the sink answered 503.
  const std::string run = "f-sink-503-text";
  CumulativeToDelta proc(withInitial("keep"), nullptr);
  auto a = loadMetrics(run, "copilot-cli-1.0.102_f-sink-503-text_metrics_http-json_0002.otlp.json");
  auto b = loadMetrics(run, "copilot-cli-1.0.102_f-sink-503-text_metrics_http-json_0003.otlp.json");
  ASSERT_GT(a->itemCount(), 0u);
  proc.convert(*a);
  EXPECT_GT(a->itemCount(), 0u);
  proc.convert(*b);
  EXPECT_EQ(b->itemCount(), 0u);
}

TEST(CumulativeToDelta, ResetReportsTheNewCumulativeValue) {
  CumulativeToDelta proc(withInitial("keep"), nullptr);
  auto first = periodicCapture();
  advance(*first, 100, 0);
  proc.convert(*first);
  auto second = periodicCapture();  // values 100 lower: the client restarted
  advance(*second, 0, 60'000'000'000ull);
  auto expected = points(*second);
  proc.convert(*second);
  for (const auto& [name, p] : points(*second)) EXPECT_EQ(p.value, expected[name].value) << name;
}

TEST(CumulativeToDelta, IncludeAndExcludeSelectMetrics) {
  Config c = withInitial("keep");
  c.include.metrics = {"^gen_ai\\.client\\..*"};
  c.include.match_type = "regexp";
  c.include.compiled.emplace_back(c.include.metrics[0]);
  c.exclude.metrics = {"gen_ai.client.operation.duration"};
  c.exclude.match_type = "strict";
  CumulativeToDelta proc(c, nullptr);
  auto b = periodicCapture();
  proc.convert(*b);
  int converted = 0, untouched = 0;
  for (const auto& rm : b->resource_metrics)
    for (const auto& sm : rm.scope_metrics)
      for (const auto& m : sm.metrics) {
        bool want =
            m.name.rfind("gen_ai.client.", 0) == 0 && m.name != "gen_ai.client.operation.duration";
        auto expect = want ? pdata::AggregationTemporality::kDelta
                           : pdata::AggregationTemporality::kCumulative;
        EXPECT_EQ(m.temporality, expect) << m.name;
        (want ? converted : untouched)++;
      }
  EXPECT_GT(converted, 0);
  EXPECT_GT(untouched, 0);
}

TEST(CumulativeToDelta, StalenessForgetsStreams) {
  Config c = withInitial("keep");
  c.max_staleness = std::chrono::milliseconds(1);
  CumulativeToDelta proc(c, nullptr);
  auto first = periodicCapture();
  proc.convert(*first);
  ASSERT_GT(proc.streams(), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto second = periodicCapture();
  advance(*second, 5, 60'000'000'000ull);
  auto expected = points(*second);
  proc.convert(*second);
  // The streams were forgotten: the second export is a first observation again (kept as is).
  for (const auto& [name, p] : points(*second)) EXPECT_EQ(p.value, expected[name].value) << name;
}

TEST(CumulativeToDelta, ConfigKeysAndErrors) {
  auto parse = [](const std::string& yaml, Config& out) {
    config::Diagnostics diags;
    auto node = config::parseYaml(
        yaml, "test.yaml", [](std::string_view) { return std::optional<std::string>(); }, diags);
    config::MapReader r(node, diags);
    readConfig(r, out);
    return diags.errors().size();
  };
  Config ok;
  EXPECT_EQ(parse("include:\n  metrics: [a, b]\n  match_type: strict\nmax_staleness: 10m\n"
                  "initial_value: drop\n",
                  ok),
            0u);
  EXPECT_EQ(ok.include.metrics.size(), 2u);
  EXPECT_EQ(ok.max_staleness, std::chrono::minutes(10));
  EXPECT_EQ(ok.initial_value, "drop");
  Config bad;
  EXPECT_GT(parse("include:\n  metrics: [a]\n", bad), 0u);  // match_type missing
  Config bad_re;
  EXPECT_GT(parse("include:\n  metrics: ['(']\n  match_type: regexp\n", bad_re), 0u);
  Config bad_initial;
  EXPECT_GT(parse("initial_value: sometimes\n", bad_initial), 0u);
}

}  // namespace
}  // namespace agentgate::components::cumulativetodelta
