#include "selftelemetry/metrics_server.h"

#include <gtest/gtest.h>

#include "net/worker_pool.h"
#include "testlib/curl_client.h"

namespace agentgate::selftelemetry {
namespace {

TEST(MetricsServer, ServesPrometheusText) {
  net::WorkerPool pool(1);
  pool.start();
  Registry registry;
  registry.counter("otelcol_receiver_accepted_log_records", {{"receiver", "otlp"}}).add(7);
  registerProcessMetrics(registry);
  auto server = MetricsServer::start(pool, registry, "127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.error().message;
  std::string base = "http://" + (*server)->boundAddress();

  auto r = testlib::curlRequest("GET", base + "/metrics", "");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u)
      << r.header("content-type");
  EXPECT_NE(r.body.find("otelcol_receiver_accepted_log_records{receiver=\"otlp\"} 7\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos);
  EXPECT_NE(r.body.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);

  registry.counter("otelcol_receiver_accepted_log_records", {{"receiver", "otlp"}}).add(1);
  r = testlib::curlRequest("GET", base + "/metrics", "");
  EXPECT_NE(r.body.find("otelcol_receiver_accepted_log_records{receiver=\"otlp\"} 8\n"),
            std::string::npos);

  EXPECT_EQ(testlib::curlRequest("GET", base + "/other", "").status, 404);
  EXPECT_EQ(testlib::curlRequest("POST", base + "/metrics", "x").status, 405);
  (*server)->stop();
  (*server)->stop();
  pool.stop();
}

TEST(ProcessMetrics, ReportPlausibleValues) {
  Registry registry;
  registerProcessMetrics(registry);
  std::string text = registry.renderPrometheus();
  auto valueOf = [&](const std::string& name) {
    size_t pos = text.find("\n" + name + " ");
    EXPECT_NE(pos, std::string::npos) << name << " in\n" << text;
    if (pos == std::string::npos) return -1.0;
    return std::stod(text.substr(pos + name.size() + 2));
  };
  EXPECT_GT(valueOf("process_resident_memory_bytes"), 1e5);
  EXPECT_GE(valueOf("process_cpu_seconds_total"), 0.0);
  EXPECT_GT(valueOf("process_start_time_seconds"), 1.6e9);
}

}  // namespace
}  // namespace agentgate::selftelemetry
