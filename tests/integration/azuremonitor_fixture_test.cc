// ../shared/fixtures/configs/appinsights-logs.yaml, run UNCHANGED by the real binary; only
// APPLICATIONINSIGHTS_CONNECTION_STRING points its azuremonitor exporter at the Azure Monitor
// emulator's track endpoint. Claude Code's logs captures are POSTed to the collector, and the
// query a platform team runs in Log Analytics returns them from the emulator's AppTraces.
//
// The config listens on fixed ports (0.0.0.0:4317, 0.0.0.0:4318, self-metrics 127.0.0.1:8888),
// so the test runs in a private network namespace when it may create one (root, as in CI): the
// emulator, the collector and the client all live there and nothing else on the machine can
// hold those ports. Without the privilege it runs on the host's loopback.
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "azure_emulator/landed_tables.h"
#include "azure_emulator/track_endpoint.h"
#include "kql/kql_time.h"
#include "net/worker_pool.h"
#include "pdata/codec.h"
#include "pdata/model.h"
#include "testlib/curl_client.h"
#include "testlib/process.h"

namespace agentgate::testlib {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKey = "5f0b8a3c-1d2e-4f60-8a9b-0c1d2e3f4a5b";

const char* kQuery =
    "AppTraces | where TimeGenerated > ago(1h) | where Message startswith \"claude_code.\" | "
    "project TimeGenerated, Name=tostring(Message), Properties | order by TimeGenerated desc";

// This thread (and what it forks) gets its own network namespace with loopback up.
bool enterPrivateNetwork() {
  if (::unshare(CLONE_NEWNET) != 0) return false;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  ok = ok && ::ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
  ::close(fd);
  return ok;
}

uint64_t nowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

struct Capture {
  std::string name;
  std::string body;  // OTLP protobuf, re-stamped
  size_t claude_events = 0;
};

// Every Claude Code logs capture sent as http/protobuf, its records moved to the last minutes:
// the captures are days old and the query looks at the last hour, as a live agent's would be.
std::vector<Capture> claudeLogCaptures() {
  std::vector<Capture> out;
  const fs::path agents = fs::path(AGENTGATE_SHARED_DIR) / "fixtures" / "agents";
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(agents)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("claude-code-", 0) == 0 && n.find("_logs_http-protobuf_") != std::string::npos &&
        e.path().extension() == ".pb") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  uint64_t slot = nowNanos() - 20ull * 60 * 1'000'000'000;  // 20 minutes ago
  for (const auto& f : files) {
    pdata::Batch batch(Signal::kLogs);
    std::string bytes = readFile(f);
    if (!pdata::decodeProtobuf(batch, batch.adoptBuffer(std::move(bytes))).ok()) continue;
    uint64_t newest = 0;
    Capture c;
    c.name = f.filename().string();
    for (auto& rl : batch.resource_logs)
      for (auto& sl : rl.scope_logs)
        for (auto& lr : sl.log_records) {
          newest = std::max({newest, lr.time_unix_nano, lr.observed_time_unix_nano});
          const auto& body = lr.body.string_value;
          if (std::string_view(body).rfind("claude_code.", 0) == 0) ++c.claude_events;
        }
    if (newest == 0) continue;
    const uint64_t shift = slot - newest;  // every capture ends at its own slot, 10 s apart
    for (auto& rl : batch.resource_logs)
      for (auto& sl : rl.scope_logs)
        for (auto& lr : sl.log_records) {
          if (lr.time_unix_nano) lr.time_unix_nano += shift;
          if (lr.observed_time_unix_nano) lr.observed_time_unix_nano += shift;
        }
    slot += 10'000'000'000ull;
    c.body = pdata::encodeProtobuf(batch);
    out.push_back(std::move(c));
  }
  return out;
}

void runFixtureConfig() {
  const bool isolated = enterPrivateNetwork();
  if (!isolated) {
    std::fprintf(stderr, "note: no private network namespace (not root?); using host loopback\n");
  }
  TempDir dir;
  auto tables = azure_emulator::LandedTables::open((dir.path() / "azure.db").string());
  ASSERT_TRUE(tables.ok()) << tables.error().message;
  net::WorkerPool pool(1);
  pool.start();
  azure_emulator::TrackEndpointOptions o;
  o.instrumentation_keys = {kKey};
  o.tables = tables->get();
  auto emulator = azure_emulator::TrackServer::start(pool, o);
  ASSERT_TRUE(emulator.ok()) << emulator.error().message;

  const fs::path config =
      fs::path(AGENTGATE_SHARED_DIR) / "fixtures" / "configs" / "appinsights-logs.yaml";
  Process::Options p;
  p.args = {"run",
            "--config",
            config.string(),
            "--data-dir",
            (dir.path() / "data").string(),
            "--web-address",
            "off",
            "--insecure-allow-no-auth"};
  p.env = {std::string("APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=") + kKey +
           ";IngestionEndpoint=" + (*emulator)->ingestionEndpoint()};
  auto collector = Process::start(p);
  ASSERT_TRUE(collector.ok()) << collector.error().message;
  const std::string http = (*collector)->address("otlp/http");
  ASSERT_FALSE(http.empty());
  const std::string url = "http://127.0.0.1:" + http.substr(http.rfind(':') + 1) + "/v1/logs";

  auto captures = claudeLogCaptures();
  ASSERT_GE(captures.size(), 10u);
  size_t expected = 0;
  for (const auto& c : captures) {
    CurlOptions co;
    co.headers = {"Content-Type: application/x-protobuf"};
    auto r = curlRequest("POST", url, c.body, co);
    ASSERT_EQ(r.status, 200) << c.name << ": " << r.body << r.error;
    expected += c.claude_events;
  }
  ASSERT_GT(expected, 100u);

  // The batch processor flushes after 5 s; the queue's consumers then export.
  auto& track = (*emulator)->endpoint();
  ASSERT_TRUE(track.waitForAccepted(expected, std::chrono::seconds(90)))
      << "accepted " << track.acceptedCount() << " of " << expected << "\n"
      << (*collector)->stderrText().substr(0, 4000);

  auto result = (*tables)->query(kQuery);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->columns.size(), 3u);
  EXPECT_EQ(result->columns[1].name, "Name");
  EXPECT_EQ(result->rows.size(), expected);
  int64_t previous = INT64_MAX;
  for (const auto& row : result->rows) {
    const auto& name = std::get<std::string>(row[1]);
    EXPECT_EQ(name.rfind("claude_code.", 0), 0u) << name;
    auto parsed = kql::parseDateTime(std::get<std::string>(row[0]));
    ASSERT_TRUE(parsed) << std::get<std::string>(row[0]);
    const int64_t t = *parsed;
    EXPECT_LE(t, previous) << "not ordered by TimeGenerated desc";
    previous = t;
  }
  // Properties follow the Go exporter's precedence (spec 2.2: resource attributes, then scope,
  // then record attributes): Claude Code repeats deployment.environment on every record, so the
  // record's "dev" overwrites the resource processor's upsert (azure-container-apps).
  auto env = (*tables)->query(
      "AppTraces | where Message startswith \"claude_code.\" | summarize n=count() by "
      "e=tostring(Properties['deployment.environment'])");
  ASSERT_TRUE(env.ok()) << env.error().message;
  ASSERT_EQ(env->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(env->rows[0][0]), "dev");  // by e, then n
  for (const auto& r : track.requests()) {
    EXPECT_EQ(r.content_encoding, "gzip");
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_EQ((*collector)->terminate(), 0);
  emulator->reset();
  pool.stop();
}

TEST(AzureMonitorFixtureConfigTest, AppInsightsLogsConfigLandsClaudeCodeEventsInAppTraces) {
  // A thread of its own: the network namespace must not leak into the rest of the test binary.
  std::thread t(runFixtureConfig);
  t.join();
}

}  // namespace
}  // namespace agentgate::testlib
