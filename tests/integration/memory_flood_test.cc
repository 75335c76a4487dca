// Memory under overload (issue 5, DESIGN section 7) with the real binary: many concurrent clients
// flood `otlp -> memory_limiter -> file` with large OTLP/JSON requests (plain and gzip) and gzip
// bombs, far more bytes at once than `limit_mib`, while the exporter's destination is down
// (/dev/full: every export fails, the persistent queue grows). The test samples the collector's
// VmRSS from /proc/PID/status throughout and reads VmHWM at the end: both must stay under
// limit_mib. Clients must be told to retry (503 + Retry-After). Afterwards the collector is
// restarted on the same queue with a working destination and every acknowledged record must
// arrive.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net/compression.h"
#include "testlib/curl_client.h"
#include "testlib/process.h"

namespace agentgate::testlib {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The limiter under test: 64 MiB hard, 24 MiB spike (the in-flight admission budget), so the
// RSS guard refuses above 40 MiB. An idle collector uses about 17 MiB (printed as "idle RSS");
// no allowance is added: VmHWM itself must stay under limit_mib. Without the limiter the same
// flood takes the process to about 190 MiB.
constexpr uint64_t kLimitMiB = 64;
constexpr int kClients = 48;  // concurrent senders of valid data
constexpr int kBombers = 4;   // concurrent senders of gzip bombs
constexpr int kRecordsPerRequest = 64;
constexpr size_t kPayloadBytes = 24 * 1024;  // per record: ~1.6 MiB of JSON per request
constexpr size_t kSmallPayloadBytes = 256;   // every fourth client: ~25 KiB requests
constexpr auto kFloodTime = std::chrono::seconds(12);

std::string config(const std::string& destination) {
  return "receivers:\n"
         "  otlp:\n"
         "    protocols:\n"
         "      http:\n"
         "        endpoint: 127.0.0.1:0\n"
         "        max_request_body_size: 16777216\n"
         "processors:\n"
         "  memory_limiter:\n"
         "    check_interval: 50ms\n"
         "    limit_mib: " +
         std::to_string(kLimitMiB) +
         "\n"
         "    spike_limit_mib: 24\n"
         "exporters:\n"
         "  file:\n"
         "    path: " +
         destination +
         "\n"
         "    append: true\n"
         "    sending_queue:\n"
         "      num_consumers: 2\n"
         "      queue_size: 100000\n"
         "      max_size_mib: 256\n"
         "      fsync: never\n"
         "    retry_on_failure:\n"
         "      initial_interval: 200ms\n"
         "      max_interval: 1s\n"
         "service:\n"
         "  telemetry:\n"
         "    metrics:\n"
         "      address: 127.0.0.1:0\n"
         "  pipelines:\n"
         "    logs:\n"
         "      receivers: [otlp]\n"
         "      processors: [memory_limiter]\n"
         "      exporters: [file]\n";
}

std::string idText(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "flood-%08d", n);
  return buf;
}

// Letters from a fixed pseudo-random sequence: compresses about 2x, like real payloads, rather
// than the thousandfold of a repeated byte.
std::string payloadText(uint32_t seed, size_t size) {
  std::string s(size, 'a');
  for (auto& ch : s) {
    seed = seed * 1664525u + 1013904223u;
    ch = static_cast<char>('a' + (seed >> 24) % 16);
  }
  return s;
}

// One request of kRecordsPerRequest records, each with a unique id and a large attribute.
std::string requestBody(int first_id, size_t payload_bytes) {
  const std::string payload = payloadText(static_cast<uint32_t>(first_id), payload_bytes);
  std::string json = R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name",)"
                     R"("value":{"stringValue":"flood"}}]},"scopeLogs":[{"logRecords":[)";
  for (int i = 0; i < kRecordsPerRequest; ++i) {
    if (i) json += ",";
    json += R"({"timeUnixNano":"1700000000000000000","body":{"stringValue":")" +
            idText(first_id + i) + R"("},"attributes":[{"key":"blob","value":{"stringValue":")" +
            payload + R"("}}]})";
  }
  json += "]}]}]}";
  return json;
}

// "VmRSS:" / "VmHWM:" of a process, in bytes; 0 when unreadable.
uint64_t procStatusBytes(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stoull(line.substr(key.size())) * 1024;
  }
  return 0;
}

std::set<std::string> idsIn(const std::string& text) {
  std::set<std::string> out;
  for (size_t at = text.find("flood-"); at != std::string::npos; at = text.find("flood-", at + 1))
    out.insert(text.substr(at, 14));
  return out;
}

TEST(MemoryFloodTest, RssStaysUnderLimitClientsRetryAndAcknowledgedDataArrives) {
  ASSERT_TRUE(fs::exists("/dev/full")) << "the test uses /dev/full as a destination that is down";
  const auto test_start = Clock::now();
  TempDir dir;
  const fs::path data = dir.path() / "data";
  const fs::path down = dir.write("down.yaml", config("/dev/full"));
  Process::Options o;
  o.args = {"run", "--config", down.string(), "--data-dir", data.string()};
  auto p = Process::start(o);
  ASSERT_TRUE(p.ok()) << p.error().message;
  const pid_t pid = (*p)->pid();
  const std::string url = "http://" + (*p)->address("otlp/http") + "/v1/logs";
  const uint64_t idle_rss = procStatusBytes(pid, "VmRSS:");

  std::atomic<bool> stop{false};
  std::atomic<int> next_request{0};
  std::atomic<int> ok{0}, refused_with_retry_after{0}, memory_refusals{0}, other{0},
      transport_errors{0}, bombs_sent{0}, bombs_ok{0};
  std::mutex acked_mu;
  std::set<std::string> acked;

  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      CurlOptions co;
      co.headers.push_back("Content-Type: application/json");
      co.timeout_seconds = 20;
      const bool gzip = c % 2 == 1;  // half the clients compress, as agents may
      if (gzip) co.headers.push_back("Content-Encoding: gzip");
      while (!stop) {
        const int first = next_request.fetch_add(1) * kRecordsPerRequest;
        std::string body = requestBody(first, c % 4 == 0 ? kSmallPayloadBytes : kPayloadBytes);
        if (gzip) body = net::compress("gzip", body).value();
        auto r = curlRequest("POST", url, body, co);
        if (r.status == 200) {
          ++ok;
          std::lock_guard lock(acked_mu);
          for (int i = 0; i < kRecordsPerRequest; ++i) acked.insert(idText(first + i));
        } else if ((r.status == 503 || r.status == 429) && !r.header("retry-after").empty()) {
          ++refused_with_retry_after;
          if (r.body.find("high memory usage") != std::string::npos) ++memory_refusals;
          // A real agent waits Retry-After; the flood deliberately does not.
        } else if (r.status == 0) {
          ++transport_errors;  // refused before the body was sent: the server closed early
        } else {
          ++other;
          ADD_FAILURE() << "unexpected answer " << r.status << ": " << r.body.substr(0, 200);
        }
      }
    });
  }
  // Gzip bombs: 15 MiB of whitespace (under max_request_body_size once inflated, so it is
  // inflated in full and then rejected as invalid) and 64 MiB (over it: rejected while inflating).
  const std::string small_bomb = net::compress("gzip", std::string(15u << 20, ' ')).value();
  const std::string big_bomb = net::compress("gzip", std::string(64u << 20, ' ')).value();
  for (int b = 0; b < kBombers; ++b) {
    threads.emplace_back([&, b] {
      CurlOptions co;
      co.headers.push_back("Content-Type: application/json");
      co.headers.push_back("Content-Encoding: gzip");
      co.timeout_seconds = 20;
      while (!stop) {
        auto r = curlRequest("POST", url, b % 2 ? big_bomb : small_bomb, co);
        ++bombs_sent;
        if (r.status == 200) ++bombs_ok;
      }
    });
  }

  uint64_t max_rss = 0;
  int samples = 0;
  const auto flood_end = Clock::now() + kFloodTime;
  while (Clock::now() < flood_end) {
    max_rss = std::max(max_rss, procStatusBytes(pid, "VmRSS:"));
    ++samples;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // sampling period
  }
  stop = true;
  for (auto& t : threads) t.join();
  const uint64_t hwm = procStatusBytes(pid, "VmHWM:");
  auto metrics = curlRequest("GET", "http://" + (*p)->address("metrics") + "/metrics", "");
  EXPECT_EQ((*p)->terminate(), 0) << (*p)->stderrText();

  const uint64_t limit = kLimitMiB << 20;
  std::cout << "memory flood: limit " << kLimitMiB << " MiB, idle RSS " << (idle_rss >> 20)
            << " MiB, max sampled RSS " << (max_rss >> 20) << " MiB (" << samples
            << " samples), VmHWM " << (hwm >> 20) << " MiB; requests ok " << ok << ", 503/429+"
            << "Retry-After " << refused_with_retry_after << " (memory " << memory_refusals
            << "), closed early " << transport_errors << ", other " << other << "; bombs "
            << bombs_sent << " (accepted " << bombs_ok << ")\n";
  for (const char* name : {"agentgate_memory_inflight_peak_bytes", "agentgate_memory_refused",
                           "agentgate_memory_limiter_rss_bytes"}) {
    auto at = metrics.body.find(std::string("\n") + name);
    if (at != std::string::npos)
      std::cout << "  " << metrics.body.substr(at + 1, metrics.body.find('\n', at + 1) - at - 1)
                << "\n";
  }
  EXPECT_GT(samples, 100);
  EXPECT_LT(max_rss, limit);
  EXPECT_LT(hwm, limit);
  EXPECT_GT(ok.load(), 0) << "nothing was acknowledged";
  EXPECT_GT(memory_refusals.load(), 0) << "the flood never hit the memory limit";
  EXPECT_EQ(bombs_ok.load(), 0);
  EXPECT_EQ(other.load(), 0);

  // Recovery: the same queue, a destination that works. Every acknowledged id must arrive.
  const fs::path out = dir.path() / "out.jsonl";
  const fs::path up = dir.write("up.yaml", config(out.string()));
  o.args = {"run", "--config", up.string(), "--data-dir", data.string()};
  auto q = Process::start(o);
  ASSERT_TRUE(q.ok()) << q.error().message;
  size_t missing = acked.size();
  const auto deadline = test_start + std::chrono::seconds(55);
  while (Clock::now() < deadline) {
    const auto found = idsIn(readFile(out));
    missing = 0;
    for (const auto& id : acked) missing += found.count(id) ? 0 : 1;
    if (missing == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // bounded poll of the output
  }
  EXPECT_EQ((*q)->terminate(), 0) << (*q)->stderrText();
  std::cout << "memory flood: acknowledged records " << acked.size() << ", missing after recovery "
            << missing << "\n";
  EXPECT_EQ(missing, 0u);
}

}  // namespace
}  // namespace agentgate::testlib
