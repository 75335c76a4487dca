// Helpers shared by the emulator's tests: agent captures as batches, files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "landed_tables.h"
#include "net/compression.h"
#include "net/worker_pool.h"
#include "pdata/codec.h"
#include "pdata/model.h"
#include "testlib/curl_client.h"
#include "testlib/process.h"
#include "track_endpoint.h"

namespace agentgate::azure_emulator::testing {

inline constexpr const char* kKey = "00000000-0000-0000-0000-000000000000";

// A track endpoint on 127.0.0.1 landing into its own tables (known key: kKey unless given).
struct Emulator {
  testlib::TempDir dir;
  net::WorkerPool pool{1};
  std::unique_ptr<LandedTables> tables;
  std::unique_ptr<TrackServer> server;

  explicit Emulator(TrackEndpointOptions o = {}, net::TlsServerConfig tls = {}) {
    pool.start();
    auto t = LandedTables::open((dir.path() / "azure.db").string());
    EXPECT_TRUE(t.ok()) << t.error().message;
    tables = std::move(t.value());
    if (o.instrumentation_keys.empty()) o.instrumentation_keys = {kKey};
    o.tables = tables.get();
    auto s = TrackServer::start(pool, o, tls);
    EXPECT_TRUE(s.ok()) << s.error().message;
    server = std::move(s.value());
  }
  ~Emulator() {
    server.reset();
    pool.stop();
  }
  std::string url() const { return server->ingestionEndpoint() + "v2.1/track"; }
  testlib::CurlResponse post(const std::vector<std::string>& items, bool gzip = true,
                             std::vector<std::string> headers = {}) {
    std::string body;
    for (const auto& i : items) body += i + "\n";
    headers.push_back("Content-Type: application/x-json-stream");
    if (gzip) {
      body = net::compress("gzip", body).value();
      headers.push_back("Content-Encoding: gzip");
    }
    testlib::CurlOptions o;
    o.headers = headers;
    return testlib::curlRequest("POST", url(), body, o);
  }
  int64_t traces() { return tables->count("AppTraces").value(); }
};

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::filesystem::path agentsDir() {
  return std::filesystem::path(AGENTGATE_SHARED_DIR) / "fixtures" / "agents";
}

// A capture (.pb, .pb.gz or .otlp.json under fixtures/agents) decoded; the signal comes from the
// file name. Null when it cannot be read or decoded.
inline pdata::BatchPtr loadCapture(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  Signal signal = name.find("_logs_") != std::string::npos     ? Signal::kLogs
                  : name.find("_traces_") != std::string::npos ? Signal::kTraces
                                                               : Signal::kMetrics;
  std::string bytes = readFile(path);
  if (bytes.empty()) return nullptr;
  if (name.size() > 3 && name.substr(name.size() - 3) == ".gz") {
    auto d = net::decompress("gzip", bytes, 64u << 20);
    if (!d.ok()) return nullptr;
    bytes = std::move(d.value());
  }
  auto batch = std::make_unique<pdata::Batch>(signal);
  const bool json = name.find(".json") != std::string::npos;
  Status st = json ? pdata::decodeJson(*batch, bytes)
                   : pdata::decodeProtobuf(*batch, batch->adoptBuffer(std::move(bytes)));
  if (!st.ok()) return nullptr;
  return batch;
}

inline pdata::BatchPtr loadCapture(const std::string& relative) {
  return loadCapture(agentsDir() / relative);
}

}  // namespace agentgate::azure_emulator::testing
