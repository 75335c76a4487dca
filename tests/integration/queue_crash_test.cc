// Durable delivery through kill -9: clients send batches of records with unique ids over
// OTLP/HTTP to `otlp -> file` (and `otlp -> azuremonitor -> Azure Monitor emulator`) with a
// persistent sending queue; the collector is SIGKILLed several
// times mid-run and restarted on the same data directory. At the end every id whose request got
// 200 must be in the file output (duplicates are allowed and counted: at-least-once).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/worker_pool.h"
#include "testlib/curl_client.h"
#include "testlib/process.h"
#include "track_endpoint.h"

namespace agentgate::testlib {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kSenders = 4;
constexpr int kRecordsPerRequest = 100;
constexpr int kKills = 4;
constexpr int kAckedRequestsBetweenKills = 400;

// `exporter` is the YAML body of the exporter `exporter_id` (its own keys, indented by four),
// which gets a persistent sending queue with the given fsync policy.
std::string configYaml(const fs::path& dir, const std::string& fsync,
                       const std::string& exporter_id, const std::string& exporter) {
  return "receivers:\n"
         "  otlp:\n"
         "    protocols:\n"
         "      http:\n"
         "        endpoint: 127.0.0.1:0\n"
         "exporters:\n"
         "  " +
         exporter_id + ":\n" + exporter +
         "    sending_queue:\n"
         "      enabled: true\n"
         "      num_consumers: 2\n"
         "      queue_size: 100000\n"
         "      fsync: " +
         fsync +
         "\n"
         "      storage: file_storage\n"
         "extensions:\n"
         "  file_storage:\n"
         "    directory: " +
         (dir / "storage").string() +
         "\n"
         "service:\n"
         "  extensions: [file_storage]\n"
         "  telemetry:\n"
         "    metrics:\n"
         "      address: 127.0.0.1:0\n"
         "  pipelines:\n"
         "    logs:\n"
         "      receivers: [otlp]\n"
         "      exporters: [" +
         exporter_id + "]\n";
}

std::string fileExporter(const fs::path& dir) {
  return "    path: " + (dir / "out.jsonl").string() + "\n    append: true\n";
}

// otlp/http on port 0 -> file exporter at `path` behind a persistent queue configured by
// `queue_keys` (YAML lines under sending_queue).
std::string queuedFileConfig(const std::string& path, const std::string& queue_keys) {
  return "receivers:\n"
         "  otlp:\n"
         "    protocols:\n"
         "      http:\n"
         "        endpoint: 127.0.0.1:0\n"
         "exporters:\n"
         "  file:\n"
         "    path: " +
         path +
         "\n"
         "    append: true\n"
         "    sending_queue:\n" +
         queue_keys +
         "service:\n"
         "  telemetry:\n"
         "    metrics:\n"
         "      address: 127.0.0.1:0\n"
         "  pipelines:\n"
         "    logs:\n"
         "      receivers: [otlp]\n"
         "      exporters: [file]\n";
}

std::string idText(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "crash-%08d", n);
  return buf;
}

std::string requestBody(int first_id) {
  std::string json = R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name",)"
                     R"("value":{"stringValue":"crash-test"}}]},"scopeLogs":[{"logRecords":[)";
  for (int i = 0; i < kRecordsPerRequest; ++i) {
    if (i) json += ",";
    json += R"({"timeUnixNano":"1700000000000000000","body":{"stringValue":")" +
            idText(first_id + i) + R"("}})";
  }
  json += "]}]}]}";
  return json;
}

// The collector under test, restarted on demand; senders wait for the next generation when the
// current one is gone.
class Target {
 public:
  Target(fs::path config, fs::path data) : config_(std::move(config)), data_(std::move(data)) {}

  Status restart() {
    Process::Options o;
    o.args = {"run", "--config", config_.string(), "--data-dir", data_.string()};
    auto p = Process::start(o);
    if (!p.ok()) return p.takeError();
    std::lock_guard lock(mu_);
    process_ = std::move(p.value());
    // "exporter file: N queued batch(es) from a previous run will be delivered"
    static const std::regex kBacklog("([0-9]+) queued batch\\(es\\) from a previous run");
    std::smatch m;
    const std::string err = process_->stderrText();
    if (std::regex_search(err, m, kBacklog)) recovered_batches_ += std::stoi(m[1]);
    url_ = "http://" + process_->address("otlp/http") + "/v1/logs";
    ++generation_;
    cv_.notify_all();
    return {};
  }
  void kill() {
    std::lock_guard lock(mu_);
    if (process_) process_->kill();
    url_.clear();
  }
  std::optional<ExitCode> terminate() {
    std::lock_guard lock(mu_);
    url_.clear();
    return process_ ? process_->terminate() : std::nullopt;
  }
  // Current URL and generation; waits while the collector is down.
  std::pair<std::string, int> current(const std::atomic<bool>& stop) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(30), [&] { return !url_.empty() || stop.load(); });
    return {url_, generation_};
  }
  // Waits for a generation newer than `seen`.
  void waitNewer(int seen, const std::atomic<bool>& stop) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(30),
                 [&] { return (generation_ > seen && !url_.empty()) || stop.load(); });
  }
  void wakeAll() { cv_.notify_all(); }
  // Batches found in the queue at the restarts (what the kills left undelivered).
  int recoveredBatches() {
    std::lock_guard lock(mu_);
    return recovered_batches_;
  }
  std::string stderrText() {
    std::lock_guard lock(mu_);
    return process_ ? process_->stderrText() : std::string();
  }

 private:
  fs::path config_, data_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Process> process_;
  std::string url_;
  int generation_ = 0;
  int recovered_batches_ = 0;
};

// Counts of each id in a destination's output.
std::unordered_map<std::string, int> idsIn(const std::string& text) {
  std::unordered_map<std::string, int> out;
  constexpr std::string_view kPrefix = "crash-";
  for (size_t at = text.find(kPrefix); at != std::string::npos; at = text.find(kPrefix, at + 1)) {
    if (at + kPrefix.size() + 8 > text.size()) break;
    std::string id = text.substr(at, kPrefix.size() + 8);
    if (std::all_of(id.begin() + kPrefix.size(), id.end(),
                    [](char c) { return c >= '0' && c <= '9'; }))
      ++out[id];
  }
  return out;
}

// Sends load with unique ids, SIGKILLs and restarts the collector kKills times, then checks that
// every id of every request answered 200 reached the destination (`output` reads it).
void runCrashScenario(Target& target, const std::string& label,
                      const std::function<std::string()>& output) {
  ASSERT_TRUE(target.restart().ok());
  std::atomic<bool> stop{false};
  std::atomic<int> next_request{0};
  std::atomic<int> acked_requests{0};
  std::atomic<int> refused_requests{0};
  std::mutex acked_mu;
  std::condition_variable acked_cv;
  std::vector<int> acked_first_ids;  // first id of every request answered 200

  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&] {
      CurlOptions co;
      co.headers.push_back("Content-Type: application/json");
      co.timeout_seconds = 10;
      while (!stop) {
        auto [url, gen] = target.current(stop);
        if (stop) break;
        if (url.empty()) continue;
        const int first = next_request.fetch_add(1) * kRecordsPerRequest;
        auto r = curlRequest("POST", url, requestBody(first), co);
        if (r.status == 200) {
          std::lock_guard lock(acked_mu);
          acked_first_ids.push_back(first);
          ++acked_requests;
          acked_cv.notify_all();
        } else {
          ++refused_requests;  // not acknowledged: the client would retry; the test moves on
          if (r.status == 0) target.waitNewer(gen, stop);
        }
      }
    });
  }

  const auto deadline = Clock::now() + std::chrono::seconds(40);
  auto waitAcked = [&](int n) {
    std::unique_lock lock(acked_mu);
    acked_cv.wait_until(lock, deadline, [&] { return acked_requests >= n; });
  };
  for (int k = 1; k <= kKills; ++k) {
    waitAcked(k * kAckedRequestsBetweenKills);
    target.kill();
    ASSERT_TRUE(target.restart().ok());
  }
  waitAcked((kKills + 1) * kAckedRequestsBetweenKills);
  stop = true;
  target.wakeAll();
  for (auto& t : senders) t.join();
  ASSERT_LT(Clock::now(), deadline) << "load did not progress";

  // Everything acknowledged must arrive, including what the kills left in the queue.
  std::set<std::string> acked;
  for (int first : acked_first_ids)
    for (int i = 0; i < kRecordsPerRequest; ++i) acked.insert(idText(first + i));
  std::unordered_map<std::string, int> found;
  size_t missing = acked.size();
  const auto drain_deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < drain_deadline) {
    found = idsIn(output());
    missing = 0;
    for (const auto& id : acked) missing += found.count(id) ? 0 : 1;
    if (missing == 0) break;
    // Another process delivers: poll, bounded by the deadline (no timing assumption).
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(target.terminate(), 0) << target.stderrText();

  size_t duplicates = 0, found_acked = 0;
  for (const auto& [id, n] : found) {
    duplicates += static_cast<size_t>(n - 1);
    if (acked.count(id)) ++found_acked;
  }
  std::cout << "crash test: requests sent " << next_request.load() << ", acked "
            << acked_requests.load() << ", refused/failed " << refused_requests.load()
            << "; ids acked " << acked.size() << ", found " << found_acked << " (of "
            << found.size() << " distinct in output), missing " << missing << ", duplicates "
            << duplicates << ", kills " << kKills << ", batches found queued at restarts "
            << target.recoveredBatches() << ", " << label << "\n";
  EXPECT_EQ(missing, 0u);
  EXPECT_GE(acked.size(), size_t(kKills * kAckedRequestsBetweenKills * kRecordsPerRequest));
}

// Parameter: the queue's fsync policy. kill -9 leaves the page cache intact, so every policy
// must keep every acknowledged record (power loss is what tells them apart).
class QueueCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(QueueCrashTest, AcknowledgedRecordsSurviveRepeatedSigkill) {
  TempDir dir;
  const fs::path cfg = dir.write(
      "collector.yaml", configYaml(dir.path(), GetParam(), "file", fileExporter(dir.path())));
  Target target(cfg, dir.path() / "data");
  runCrashScenario(target, "file, fsync " + GetParam(),
                   [&] { return readFile(dir.path() / "out.jsonl"); });
}

// The same through the azuremonitor exporter to the Azure Monitor emulator: a kill mid-request
// leaves the batch unacknowledged in the queue, and the next generation sends it again.
TEST(QueueCrashAzureTest, AcknowledgedRecordsReachTheEmulatorThroughSigkill) {
  TempDir dir;
  net::WorkerPool pool(1);
  pool.start();
  auto emulator = azure_emulator::TrackServer::start(pool, {});
  ASSERT_TRUE(emulator.ok()) << emulator.error().message;
  const std::string exporter =
      "    connection_string: \"InstrumentationKey=00000000-0000-0000-0000-0000000c4a54;"
      "IngestionEndpoint=" +
      (*emulator)->ingestionEndpoint() + "\"\n";
  const fs::path cfg =
      dir.write("collector.yaml", configYaml(dir.path(), "always", "azuremonitor", exporter));
  Target target(cfg, dir.path() / "data");
  runCrashScenario(target, "azuremonitor -> emulator, fsync always", [&] {
    std::string all;
    for (const auto& e : (*emulator)->endpoint().accepted()) all += e;
    return all;
  });
}

INSTANTIATE_TEST_SUITE_P(FsyncPolicies, QueueCrashTest,
                         ::testing::Values("always", "interval", "never"));

}  // namespace
}  // namespace agentgate::testlib

namespace agentgate::testlib {
namespace {

// A destination that never accepts (writes to /dev/full fail with ENOSPC, a retryable error) and
// a two-batch queue: the first two requests are acknowledged (durably queued), the third is
// refused with 503 + Retry-After instead of being dropped; SIGTERM still exits cleanly while the
// consumers are backing off.
TEST(QueueBackPressureTest, FullQueueAnswers503WithRetryAfter) {
  ASSERT_TRUE(fs::exists("/dev/full")) << "the tests use /dev/full as a destination that fails";
  TempDir dir;
  const fs::path cfg =
      dir.write("collector.yaml",
                queuedFileConfig("/dev/full", "      queue_size: 2\n      num_consumers: 1\n"));
  Process::Options o;
  o.args = {"run", "--config", cfg.string(), "--data-dir", (dir.path() / "data").string()};
  auto p = Process::start(o);
  ASSERT_TRUE(p.ok()) << p.error().message;
  const std::string url = "http://" + (*p)->address("otlp/http") + "/v1/logs";
  CurlOptions co;
  co.headers.push_back("Content-Type: application/json");
  EXPECT_EQ(curlRequest("POST", url, requestBody(0), co).status, 200);
  EXPECT_EQ(curlRequest("POST", url, requestBody(100), co).status, 200);
  auto refused = curlRequest("POST", url, requestBody(200), co);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_FALSE(refused.header("retry-after").empty());
  auto metrics = curlRequest("GET", "http://" + (*p)->address("metrics") + "/metrics", "");
  EXPECT_NE(metrics.body.find("otelcol_exporter_queue_size{exporter=\"file\"} 2"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("otelcol_exporter_enqueue_failed_log_records{exporter=\"file\"} 100"),
            std::string::npos);
  EXPECT_EQ((*p)->terminate(), 0) << (*p)->stderrText();
  // The two acknowledged batches are still on disk for the next start.
  auto inspect =
      runCommand({"queue", "inspect", "--dir", (dir.path() / "data/queue/file").string()});
  EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("batches: 2"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("200 log records"), std::string::npos) << inspect.out;
  // Drain writes them out as OTLP/JSON lines and empties the queue.
  const fs::path drained = dir.path() / "drained.jsonl";
  auto drain = runCommand({"queue", "drain", "--dir", (dir.path() / "data/queue/file").string(),
                           "-o", drained.string()});
  EXPECT_EQ(drain.exit_code, 0) << drain.err;
  EXPECT_EQ(idsIn(readFile(drained)).size(), 200u);
  auto after = runCommand({"queue", "inspect", "--dir", (dir.path() / "data/queue/file").string()});
  EXPECT_NE(after.out.find("batches: 0"), std::string::npos) << after.out;
}

}  // namespace
}  // namespace agentgate::testlib

namespace agentgate::testlib {
namespace {

uint32_t le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

TEST(QueueCorruptionTest, FlippedByteAndTornTailAreFoundOnStartAndTheRestDelivered) {
  ASSERT_TRUE(fs::exists("/dev/full")) << "the tests use /dev/full as a destination that fails";
  TempDir dir;
  const fs::path data = dir.path() / "data";
  const fs::path down =
      dir.write("down.yaml", queuedFileConfig("/dev/full", "      num_consumers: 1\n"));
  CurlOptions co;
  co.headers.push_back("Content-Type: application/json");
  for (int run = 0; run < 2; ++run) {
    Process::Options o;
    o.args = {"run", "--config", down.string(), "--data-dir", data.string()};
    auto p = Process::start(o);
    ASSERT_TRUE(p.ok()) << p.error().message;
    const std::string url = "http://" + (*p)->address("otlp/http") + "/v1/logs";
    for (int b = 0; b < 2; ++b)
      ASSERT_EQ(curlRequest("POST", url, requestBody((run * 2 + b) * 100), co).status, 200);
    ASSERT_EQ((*p)->terminate(), 0) << (*p)->stderrText();
  }
  std::vector<fs::path> segs;
  for (const auto& e : fs::directory_iterator(data / "queue" / "file"))
    if (e.path().extension() == ".seg" && fs::file_size(e.path()) > 0) segs.push_back(e.path());
  std::sort(segs.begin(), segs.end());
  ASSERT_EQ(segs.size(), 2u);
  {
    std::string s = readFile(segs[0]);
    const size_t second = 12 + le32(s, 0);
    s[second + 12 + 40] ^= 0x01;  // inside the second batch's protobuf
    std::ofstream(segs[0], std::ios::binary | std::ios::trunc) << s;
  }
  fs::resize_file(segs[1], fs::file_size(segs[1]) - 5);

  const fs::path out = dir.path() / "out.jsonl";
  const fs::path up =
      dir.write("up.yaml", queuedFileConfig(out.string(), "      num_consumers: 1\n"));
  Process::Options o;
  o.args = {"run", "--config", up.string(), "--data-dir", data.string()};
  auto p = Process::start(o);
  ASSERT_TRUE(p.ok()) << p.error().message;
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  std::unordered_map<std::string, int> found;
  while (Clock::now() < deadline) {
    found = idsIn(readFile(out));
    if (found.size() >= 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // bounded poll of the output
  }
  EXPECT_EQ(found.size(), 200u);
  EXPECT_TRUE(found.count(idText(0)));     // first batch of the damaged segment, salvaged
  EXPECT_FALSE(found.count(idText(100)));  // the damaged batch
  EXPECT_TRUE(found.count(idText(200)));   // first batch of the torn segment
  EXPECT_FALSE(found.count(idText(300)));  // the torn frame
  auto metrics = curlRequest("GET", "http://" + (*p)->address("metrics") + "/metrics", "");
  for (const char* line :
       {"agentgate_exporter_queue_quarantined_segments_total{exporter=\"file\"} 1",
        "agentgate_exporter_queue_torn_tails_total{exporter=\"file\"} 1",
        "agentgate_exporter_queue_corrupt_records_total{exporter=\"file\"} 1"})
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << "\n" << metrics.body;
  ASSERT_EQ((*p)->terminate(), 0);
  const std::string err = (*p)->stderrText();
  const auto first = err.find("repaired on open");
  ASSERT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("repaired on open", first + 1), std::string::npos) << "logged once";
  EXPECT_EQ(fs::exists(data / "queue" / "file" / "quarantine" / segs[0].filename()), true);
}

}  // namespace
}  // namespace agentgate::testlib

namespace agentgate::testlib {
namespace {

// Outage and recovery with the real binary and a destination that stalls rather than refuses
// (the network exporters' 503-then-recovery cases are in tests/azure_emulator and
// azuremonitor_native_test.cc): the file exporter writes into a FIFO that the test stops reading:
// the exporter's writes block once the pipe buffer is full (the destination is down), the queue
// grows on disk while ingest goes on, a full queue answers 503 + Retry-After, and once the test
// reads again the queue drains and every acknowledged id arrives.
TEST(QueueOutageTest, StalledDestinationQueueGrowsThenDrainsWithNothingLost) {
  TempDir dir;
  const fs::path pipe = dir.path() / "destination.pipe";
  ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
  // Opened before the collector so that its open(O_WRONLY) does not wait for a reader.
  int reader = ::open(pipe.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  const fs::path cfg =
      dir.write("collector.yaml",
                queuedFileConfig(pipe.string(), "      num_consumers: 1\n      queue_size: 20\n"));
  Process::Options o;
  o.args = {"run", "--config", cfg.string(), "--data-dir", (dir.path() / "data").string()};
  auto p = Process::start(o);
  ASSERT_TRUE(p.ok()) << p.error().message;
  const std::string url = "http://" + (*p)->address("otlp/http") + "/v1/logs";
  CurlOptions co;
  co.headers.push_back("Content-Type: application/json");

  // Outage: nobody reads the pipe.
  std::set<std::string> acked;
  int refused = 0;
  std::string retry_after;
  for (int r = 0; r < 60; ++r) {
    auto resp = curlRequest("POST", url, requestBody(r * kRecordsPerRequest), co);
    if (resp.status == 200) {
      for (int i = 0; i < kRecordsPerRequest; ++i) acked.insert(idText(r * kRecordsPerRequest + i));
    } else {
      EXPECT_EQ(resp.status, 503) << resp.body;
      retry_after = resp.header("retry-after");
      ++refused;
    }
  }
  EXPECT_GT(refused, 0) << "the queue never filled";
  EXPECT_FALSE(retry_after.empty());
  auto metrics = curlRequest("GET", "http://" + (*p)->address("metrics") + "/metrics", "");
  EXPECT_NE(metrics.body.find("otelcol_exporter_queue_size{exporter=\"file\"} 20"),
            std::string::npos)
      << metrics.body;

  // Recovery: read everything the exporter writes until every acknowledged id has arrived.
  std::string received;
  std::unordered_map<std::string, int> found;
  size_t missing = acked.size();
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  static const std::regex kId("crash-[0-9]{8}\"");
  size_t scanned = 0;
  while (missing > 0 && Clock::now() < deadline) {
    pollfd pfd{reader, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    char buf[1 << 16];
    ssize_t n = ::read(reader, buf, sizeof buf);
    if (n <= 0) continue;
    received.append(buf, static_cast<size_t>(n));
    // Scan only complete lines.
    const size_t end = received.rfind('\n');
    if (end == std::string::npos || end < scanned) continue;
    for (auto it = std::sregex_iterator(received.begin() + static_cast<std::ptrdiff_t>(scanned),
                                        received.begin() + static_cast<std::ptrdiff_t>(end), kId);
         it != std::sregex_iterator(); ++it) {
      std::string id = it->str();
      id.pop_back();
      if (++found[id] == 1 && acked.count(id)) --missing;
    }
    scanned = end;
  }
  std::cout << "outage test: requests acked " << acked.size() / kRecordsPerRequest << ", refused "
            << refused << " (Retry-After: " << retry_after << "), acked ids " << acked.size()
            << ", missing after recovery " << missing << "\n";
  EXPECT_EQ(missing, 0u);
  // Keep reading while the collector stops, so a consumer blocked in write() can finish.
  std::atomic<bool> stopped{false};
  std::thread drain([&] {
    char buf[1 << 16];
    while (!stopped) {
      pollfd pfd{reader, POLLIN, 0};
      if (::poll(&pfd, 1, 50) > 0 && ::read(reader, buf, sizeof buf) <= 0) break;
    }
  });
  EXPECT_EQ((*p)->terminate(), 0) << (*p)->stderrText();
  stopped = true;
  drain.join();
  ::close(reader);
}

}  // namespace
}  // namespace agentgate::testlib
