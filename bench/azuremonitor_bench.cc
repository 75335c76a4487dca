// The azuremonitor exporter's cost per envelope on the 100-record agent batch (100 copies of the
// richest Claude Code log record of a real capture, as in pdata_decode_bench), each stage against
// a baseline measured in the same run (these machines are noisy):
//   Map          - OTLP pdata -> typed envelopes (appinsights::mapBatch): the baseline for JSON
//   MapJson      - + the Go-compatible JSON of every envelope
//   MapJsonGzip  - + NDJSON + gzip: the request body as sent
//   MemcpyBody   - memcpy of the uncompressed NDJSON payload: the floor for touching the bytes
//   ToEmulator   - AzureMonitorExporter::consume to the emulator's track endpoint over loopback
//                  (gunzip, strict validation, 200), one request per batch
// items_per_second is envelopes/s.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agentgate/component.h"
#include "appinsights/mapper.h"
#include "components/exporter/azuremonitor/azuremonitor_exporter.h"
#include "net/compression.h"
#include "net/worker_pool.h"
#include "pdata/codec.h"
#include "pdata/model.h"
#include "selftelemetry/registry.h"
#include "track_endpoint.h"

namespace {

using namespace agentgate;
namespace fs = std::filesystem;

constexpr int kRecords = 100;
constexpr const char* kKey = "00000000-0000-0000-0000-000000000000";

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The protobuf of the 100-record batch (decoded afresh where a benchmark consumes a batch).
const std::string& batchBytes() {
  static const std::string bytes = [] {
    const fs::path capture =
        fs::path(AGENTGATE_SHARED_DIR) /
        "fixtures/agents/claude-code-2.1.331/"
        "a-defaults-tool/claude-code-2.1.331_a-defaults-tool_logs_http-protobuf_0001.pb";
    std::string raw = readFile(capture);
    pdata::Batch src(Signal::kLogs);
    if (raw.empty() || !pdata::decodeProtobuf(src, src.adoptBuffer(raw)).ok()) {
      std::fprintf(stderr, "cannot read %s\n", capture.c_str());
      std::exit(1);
    }
    const pdata::ResourceLogs* best_rl = nullptr;
    const pdata::ScopeLogs* best_sl = nullptr;
    const pdata::LogRecord* best = nullptr;
    for (const auto& rl : src.resource_logs)
      for (const auto& sl : rl.scope_logs)
        for (const auto& r : sl.log_records)
          if (!best || r.attributes.size() > best->attributes.size()) {
            best_rl = &rl;
            best_sl = &sl;
            best = &r;
          }
    pdata::Batch out(Signal::kLogs);
    auto& rl = out.resource_logs.emplace_back(out.arena());
    rl.resource.attributes = best_rl->resource.attributes;
    auto& sl = rl.scope_logs.emplace_back(out.arena());
    sl.scope.name = best_sl->scope.name;
    sl.scope.version = best_sl->scope.version;
    for (int i = 0; i < kRecords; ++i) {
      auto& r = sl.log_records.emplace_back(out.arena());
      r.time_unix_nano = best->time_unix_nano + static_cast<uint64_t>(i);
      r.observed_time_unix_nano = best->observed_time_unix_nano + static_cast<uint64_t>(i);
      r.severity_number = best->severity_number;
      r.body = best->body;
      r.attributes = best->attributes;
    }
    std::fprintf(stderr, "batch: %d records, %zu attributes each\n", kRecords,
                 best->attributes.size());
    return pdata::encodeProtobuf(out);
  }();
  return bytes;
}

struct Decoded {
  pdata::Batch batch{Signal::kLogs};
  Decoded() { (void)pdata::decodeProtobuf(batch, batch.adoptBuffer(batchBytes())); }
};

appinsights::MapOptions options() {
  appinsights::MapOptions o;
  o.instrumentation_key = kKey;
  return o;
}

void BM_Map(benchmark::State& state) {
  Decoded d;
  auto o = options();
  for (auto _ : state) {
    auto r = appinsights::mapBatch(d.batch, o);
    benchmark::DoNotOptimize(r.envelopes.data());
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_Map);

std::string ndjson(const pdata::Batch& batch, const appinsights::MapOptions& o) {
  auto r = appinsights::mapBatch(batch, o);
  std::string body;
  for (const auto& e : r.envelopes) {
    body += appinsights::toJson(e);
    body.push_back('\n');
  }
  return body;
}

void BM_MapJson(benchmark::State& state) {
  Decoded d;
  auto o = options();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body = ndjson(d.batch, o);
    bytes = body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.counters["ndjson_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_MapJson);

void BM_MapJsonGzip(benchmark::State& state) {
  Decoded d;
  auto o = options();
  size_t bytes = 0;
  for (auto _ : state) {
    auto gz = net::compress("gzip", ndjson(d.batch, o));
    bytes = gz.value().size();
    benchmark::DoNotOptimize(gz.value().data());
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.counters["gzip_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_MapJsonGzip);

void BM_MemcpyBody(benchmark::State& state) {
  Decoded d;
  const std::string body = ndjson(d.batch, options());
  std::string copy(body.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), body.data(), body.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_MemcpyBody);

class BenchHost : public Host {
 public:
  Extension* extension(std::string_view) override { return nullptr; }
  selftelemetry::Registry& telemetry() override { return registry_; }
  net::WorkerPool& workers() override { return pool_; }
  bool ready() const override { return true; }
  void reportEndpoint(std::string_view, std::string_view) override {}

 private:
  selftelemetry::Registry registry_;
  net::WorkerPool pool_{1};
};

void BM_ToEmulator(benchmark::State& state) {
  net::WorkerPool pool(1);
  pool.start();
  azure_emulator::TrackEndpointOptions eo;
  eo.instrumentation_keys = {kKey};
  eo.keep_payloads = false;
  auto server = azure_emulator::TrackServer::start(pool, eo);
  if (!server.ok()) {
    state.SkipWithError(server.error().message.c_str());
    return;
  }
  components::azuremonitor::Config cfg;
  components::azuremonitor::Destination dest;
  dest.instrumentation_key = kKey;
  dest.url = (*server)->ingestionEndpoint() + "v2.1/track";
  components::azuremonitor::AzureMonitorExporter exporter("azuremonitor", cfg, dest);
  BenchHost host;
  if (!exporter.start(host).ok()) {
    state.SkipWithError("exporter did not start");
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    auto batch = std::make_unique<pdata::Batch>(Signal::kLogs);
    (void)pdata::decodeProtobuf(*batch, batch->adoptBuffer(batchBytes()));
    state.ResumeTiming();
    Status st = exporter.consume(std::move(batch));
    if (!st.ok()) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  exporter.shutdown();
  server->reset();
  pool.stop();
}
BENCHMARK(BM_ToEmulator)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
