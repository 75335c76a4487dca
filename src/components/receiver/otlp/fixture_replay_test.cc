// Every captured agent request (spec/agent-telemetry.md) replayed byte for byte into the real
// receiver: HTTP captures over HTTP with their Content-Type/Content-Encoding, gRPC ones over gRPC.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "components/receiver/otlp/grpc_handler.h"
#include "components/receiver/otlp/receiver_test_util.h"
#include "testlib/curl_client.h"
#include "testlib/grpc_test_client.h"

namespace agentgate::components::otlpreceiver {
namespace {

namespace fs = std::filesystem;
using testing::Harness;

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Records in the sense of the capture tool: log records, spans, or metrics (not data points).
size_t recordCount(const pdata::Batch& b) {
  size_t n = 0;
  for (const auto& rl : b.resource_logs)
    for (const auto& sl : rl.scope_logs) n += sl.log_records.size();
  for (const auto& rs : b.resource_spans)
    for (const auto& ss : rs.scope_spans) n += ss.spans.size();
  for (const auto& rm : b.resource_metrics)
    for (const auto& sm : rm.scope_metrics) n += sm.metrics.size();
  return n;
}

std::string str(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

TEST(OtlpFixtureReplay, EveryCaptureIsAcceptedWithItsRecordCount) {
  fs::path root = fs::path(AGENTGATE_SHARED_DIR) / "fixtures" / "agents";
  ASSERT_TRUE(fs::exists(root)) << root;
  std::vector<fs::path> metas;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 10 && name.ends_with(".meta.json")) metas.push_back(entry.path());
  }
  std::sort(metas.begin(), metas.end());
  ASSERT_GT(metas.size(), 100u);

  Harness h;
  ASSERT_TRUE(h.start().ok());
  auto channel = testlib::grpcInsecureChannel(h.grpcAddress());
  std::map<Signal, testing::CapturingConsumer*> consumers = {{Signal::kLogs, h.logs.get()},
                                                             {Signal::kTraces, h.traces.get()},
                                                             {Signal::kMetrics, h.metrics.get()}};

  simdjson::dom::parser parser;          // meta documents
  simdjson::dom::parser decoded_parser;  // a second parser: parsing invalidates the first's tree
  int http_count = 0, grpc_count = 0;
  for (const auto& meta_path : metas) {
    SCOPED_TRACE(meta_path.filename().string());
    std::string meta_text = readFile(meta_path);
    simdjson::dom::element meta;
    ASSERT_EQ(parser.parse(meta_text).get(meta), simdjson::SUCCESS);
    std::string signal_name = str(meta, "signal");
    std::string protocol = str(meta, "protocol");
    std::string body_file = str(meta, "body_file");
    auto signal = parseSignal(signal_name);
    ASSERT_TRUE(signal.has_value());
    ASSERT_FALSE(body_file.empty());
    std::string body = readFile(meta_path.parent_path() / body_file);

    std::string decoded_name = meta_path.filename().string();
    decoded_name.replace(decoded_name.size() - 10, 10, ".decoded.json");
    std::string decoded_text = readFile(meta_path.parent_path() / decoded_name);
    simdjson::dom::element decoded;
    ASSERT_EQ(decoded_parser.parse(decoded_text).get(decoded), simdjson::SUCCESS);
    uint64_t expected_records = 0;
    ASSERT_EQ(decoded["_capture"]["counts"]["records"].get(expected_records), simdjson::SUCCESS);

    if (protocol == "grpc") {
      std::string method = str(meta, "method");
      auto r = testlib::grpcUnary(channel, method, body);
      ASSERT_EQ(r.code, grpc::StatusCode::OK) << r.message;
      ++grpc_count;
    } else {
      std::vector<std::string> headers;
      simdjson::dom::element hdrs;
      ASSERT_EQ(meta["headers"].get(hdrs), simdjson::SUCCESS);
      std::string ct = str(hdrs, "content-type");
      std::string ce = str(hdrs, "content-encoding");
      headers.push_back("Content-Type: " + ct);
      if (!ce.empty()) headers.push_back("Content-Encoding: " + ce);
      auto r =
          testlib::curlRequest("POST", h.httpUrl(str(meta, "path")), body, {.headers = headers});
      ASSERT_EQ(r.status, 200) << r.error << r.body;
      ++http_count;
    }
    auto batches = consumers[*signal]->take();
    size_t records = 0;
    for (const auto& b : batches) records += recordCount(*b);
    EXPECT_EQ(records, expected_records);
    if (expected_records > 0) EXPECT_EQ(batches.size(), 1u);
  }
  EXPECT_GT(http_count, 0);
  EXPECT_GT(grpc_count, 0);
}

}  // namespace
}  // namespace agentgate::components::otlpreceiver
