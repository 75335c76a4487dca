// The native OTLP fixture config (`../shared/fixtures/configs/azuremonitor-native-otlp.yaml`) run
// UNCHANGED by the real agentgate binary; only environment variables point it at the emulator:
// the three DCE stream URLs (OTLP_*_ENDPOINT, as the config reads them) and the IMDS host
// (AZURE_POD_IDENTITY_AUTHORITY_HOST, the Azure SDKs' override). The agents' captures are
// replayed to its OTLP/HTTP receiver and the test asks the emulator's Log Analytics tables, in
// KQL, whether they landed. Faults: token endpoint down then up, tokens expiring mid-run, and the
// DCE answering 503 for a while; the persistent queue must deliver everything exactly once.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "identity_endpoints.h"
#include "landed_tables.h"
#include "otlp_endpoint.h"
#include "pdata/codec.h"
#include "testlib/curl_client.h"
#include "testlib/process.h"

namespace agentgate::azure_emulator {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const fs::path kShared = AGENTGATE_SHARED_DIR;
const fs::path kConfig = kShared / "fixtures" / "configs" / "azuremonitor-native-otlp.yaml";

struct Capture {
  Signal signal;
  std::string content_type;
  std::string body;
  int64_t items = 0;
};

// Claude Code (protobuf: logs, traces, metrics) and Copilot CLI (OTLP/JSON: traces, metrics).
std::vector<Capture> captures() {
  std::vector<Capture> out;
  const std::vector<fs::path> dirs = {
      kShared / "fixtures/agents/claude-code-2.1.197/a-defaults-tool",
      kShared / "fixtures/agents/claude-code-2.1.197/b-content-all-tool",
      kShared / "fixtures/agents/copilot-cli-1.0.102/a-defaults-tool",
      kShared / "fixtures/agents/copilot-cli-1.0.102/c-protobuf-defaults-tool"};
  for (const auto& dir : dirs) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      std::string name = p.filename().string();
      bool pb = name.size() > 3 && name.substr(name.size() - 3) == ".pb";
      bool json = name.find(".otlp.json") != std::string::npos;
      if (!pb && !json) continue;
      std::optional<Signal> signal;
      for (Signal s : kAllSignals)
        if (name.find("_" + std::string(signalName(s)) + "_") != std::string::npos) signal = s;
      if (!signal) continue;
      Capture c{*signal, pb ? "application/x-protobuf" : "application/json", testlib::readFile(p),
                0};
      pdata::Batch b(*signal);
      Status st =
          pb ? pdata::decodeProtobuf(b, b.adoptBuffer(c.body)) : pdata::decodeJson(b, c.body);
      EXPECT_TRUE(st.ok()) << name;
      c.items = static_cast<int64_t>(b.itemCount());
      out.push_back(std::move(c));
    }
  }
  return out;
}

struct Expected {
  int64_t logs = 0, spans = 0, points = 0;
};

Expected totals(const std::vector<Capture>& cs) {
  Expected e;
  for (const auto& c : cs)
    (c.signal == Signal::kLogs     ? e.logs
     : c.signal == Signal::kTraces ? e.spans
                                   : e.points) += c.items;
  return e;
}

class NativeFixtureConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kConfig)) << kConfig;
    auto id = IdentityEndpoints::start({});
    ASSERT_TRUE(id.ok()) << id.error().message;
    identity_ = std::move(id.value());
    auto tables = LandedTables::open((tmp_.path() / "workspace.db").string());
    ASSERT_TRUE(tables.ok()) << tables.error().message;
    tables_ = std::move(tables.value());
    OtlpEndpointOptions oo;
    oo.tables = tables_.get();
    oo.authorize = [this](std::string_view token) -> std::optional<int> {
      auto c = identity_->check(token, "https://monitor.azure.com");
      if (c == TokenCheck::kValid) return std::nullopt;
      return c == TokenCheck::kWrongAudience ? 403 : 401;
    };
    auto dce = OtlpEndpoint::start(std::move(oo));
    ASSERT_TRUE(dce.ok()) << dce.error().message;
    dce_ = std::move(dce.value());
    captures_ = captures();
    expected_ = totals(captures_);
    ASSERT_GT(expected_.logs, 0);
    ASSERT_GT(expected_.spans, 0);
    ASSERT_GT(expected_.points, 0);
  }

  // The fixture binds 0.0.0.0:4317/4318 and the default self-metrics port: another collector on
  // this machine may hold them for a moment, so a failed start is retried.
  void startCollector() {
    testlib::Process::Options o;
    o.args = {"run",
              "--config",
              kConfig.string(),
              "--insecure-allow-no-auth",
              "--data-dir",
              (tmp_.path() / "data").string(),
              "--web-address",
              "off"};
    o.env = {"OTLP_LOGS_ENDPOINT=" + dce_->logsUrl(), "OTLP_TRACES_ENDPOINT=" + dce_->tracesUrl(),
             "OTLP_METRICS_ENDPOINT=" + dce_->metricsUrl(),
             "AZURE_POD_IDENTITY_AUTHORITY_HOST=" + identity_->imdsHost()};
    std::string last;
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto p = testlib::Process::start(o);
      if (p.ok()) {
        collector_ = std::move(p.value());
        return;
      }
      last = p.error().message;
      std::this_thread::sleep_for(3s);
    }
    FAIL() << "collector did not start: " << last;
  }

  void replay() {
    for (const auto& c : captures_) {
      testlib::CurlOptions co;
      co.headers = {"Content-Type: " + c.content_type};
      auto res = testlib::curlRequest(
          "POST", "http://127.0.0.1:4318/v1/" + std::string(signalName(c.signal)), c.body, co);
      ASSERT_EQ(res.status, 200) << res.error << res.body;
    }
  }

  // Waits until the DCE accepted everything expected (`rounds` replays).
  void waitDelivered(int rounds, std::chrono::seconds deadline) {
    auto until = Clock::now() + deadline;
    OtlpEndpointStats st;
    while (Clock::now() < until) {
      st = dce_->stats();
      if (st.log_records >= rounds * expected_.logs && st.spans >= rounds * expected_.spans &&
          st.metric_points >= rounds * expected_.points)
        break;
      std::this_thread::sleep_for(200ms);
    }
    // A little longer: anything beyond the expectation would be a duplicate.
    std::this_thread::sleep_for(500ms);
    st = dce_->stats();
    EXPECT_EQ(st.log_records, rounds * expected_.logs) << collector_->stderrText();
    EXPECT_EQ(st.spans, rounds * expected_.spans);
    EXPECT_EQ(st.metric_points, rounds * expected_.points);
  }

  int64_t kqlCount(const std::string& kql) {
    auto r = tables_->query(kql);
    EXPECT_TRUE(r.ok()) << kql << ": " << (r.ok() ? "" : r.error().message);
    if (!r.ok() || r->rows.empty()) return -1;
    return std::get<int64_t>(r->rows[0][0]);
  }

  void TearDown() override {
    if (collector_) {
      auto code = collector_->terminate();
      EXPECT_TRUE(code.has_value());
      std::string err = collector_->stderrText();
      // Tokens never reach the log.
      EXPECT_EQ(err.find("emu."), std::string::npos) << "a token was logged";
    }
  }

  testlib::TempDir tmp_;
  std::unique_ptr<IdentityEndpoints> identity_;
  std::unique_ptr<LandedTables> tables_;
  std::unique_ptr<OtlpEndpoint> dce_;
  std::unique_ptr<testlib::Process> collector_;
  std::vector<Capture> captures_;
  Expected expected_;
};

TEST_F(NativeFixtureConfigTest, CapturesLandInTheOtelTables) {
  startCollector();
  replay();
  waitDelivered(1, 60s);
  EXPECT_EQ(kqlCount("OTelLogs | count"), expected_.logs);
  EXPECT_EQ(kqlCount("OTelSpans | count"), expected_.spans);
  EXPECT_EQ(kqlCount("OTelLogs | where ServiceName == 'claude-code' | count"), expected_.logs);
  EXPECT_GT(kqlCount("OTelSpans | where ServiceName == 'github-copilot' | count"), 0);
  EXPECT_GT(kqlCount("OTelResources | count"), 0);
  EXPECT_GT(kqlCount("union OTelLogs, OTelSpans | summarize by Type, ServiceName | count"), 1);
  auto st = dce_->stats();
  EXPECT_EQ(st.unauthorized, 0);
  EXPECT_EQ(st.unsupported_media, 0);  // protobuf on the wire even for JSON clients
  EXPECT_EQ(st.metric_names.count("claude_code.token.usage"), 1u);
  EXPECT_EQ(identity_->stats(IdentityHost::kImds).issued, 1);  // one cached token for all
}

TEST_F(NativeFixtureConfigTest, TokenEndpointDownThenUpDeliversEverything) {
  identity_->failNext(IdentityHost::kImds, 8, 503);
  startCollector();
  replay();
  waitDelivered(1, 120s);
  EXPECT_EQ(identity_->stats(IdentityHost::kImds).scripted, 8);
  EXPECT_EQ(kqlCount("OTelLogs | count"), expected_.logs);
  EXPECT_EQ(kqlCount("OTelSpans | count"), expected_.spans);
}

TEST_F(NativeFixtureConfigTest, TokenExpiryMidRunRefreshesWithoutLosingABatch) {
  identity_->setTokenLifetime(2s);
  startCollector();
  for (int round = 0; round < 3; ++round) {
    replay();
    std::this_thread::sleep_for(2500ms);  // the batch processor flushes within 5 s
  }
  waitDelivered(3, 90s);
  EXPECT_GE(identity_->stats(IdentityHost::kImds).issued, 2);
  EXPECT_EQ(dce_->stats().unauthorized, 0);
  EXPECT_EQ(kqlCount("OTelLogs | count"), 3 * expected_.logs);
}

TEST_F(NativeFixtureConfigTest, ServiceUnavailableThenRecoveryDeliversEverything) {
  dce_->failNext(6, 503);
  startCollector();
  replay();
  waitDelivered(1, 120s);
  EXPECT_EQ(dce_->stats().scripted, 6);
  EXPECT_EQ(kqlCount("OTelLogs | count"), expected_.logs);
  EXPECT_EQ(kqlCount("OTelSpans | count"), expected_.spans);
}

}  // namespace
}  // namespace agentgate::azure_emulator
