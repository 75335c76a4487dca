// Detector throughput on mixed coding-agent telemetry text: the decoded agent captures
// (fixtures/agents/**/*.decoded.json) plus every corpus-dev line, repeated to ~8 MiB.
//   BM_Detector/<chunk>   - Detector::scan over chunks of `chunk` bytes (0 = whole buffer)
//   BM_BaselineFind/<chunk> - std::string_view::find of a 10-byte literal over the same chunks,
//                           the cost of touching every byte once, so MB/s reads as a ratio
//   BM_ProcessorLogs      - decode + secrets processor on every captured OTLP/protobuf log
//                           request (bytes = request bytes); BM_DecodeLogs is decode alone, so the
//                           processor's share is the difference
//   BM_PrivacyLogs        - decode + privacy processor (default policy) on the same requests
//   BM_SecretsPrivacyLogs - decode + secrets -> privacy, the documented chain
// Reported bytes_per_second is per core (single thread).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "components/processor/privacy/privacy_processor.h"
#include "components/processor/secrets/secrets_processor.h"
#include "pdata/codec.h"
#include "secrets/detector.h"

namespace {

std::string readAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::string& mixedText() {
  static const std::string text = [] {
    std::string base;
    std::filesystem::path shared(AGENTGATE_SHARED_DIR);
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(shared / "fixtures/agents", ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const auto& p = it->path();
      if (p.string().ends_with(".decoded.json")) base += readAll(p);
    }
    base += readAll(shared / "fixtures/secrets/corpus-dev.jsonl");
    if (base.empty()) base = "no fixtures found; scanning filler text\n";
    std::string out;
    while (out.size() < (8u << 20)) out += base;
    return out;
  }();
  return text;
}

void runChunks(benchmark::State& state, auto&& fn) {
  const std::string& text = mixedText();
  size_t chunk = state.range(0) == 0 ? text.size() : static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    for (size_t off = 0; off < text.size(); off += chunk) {
      fn(std::string_view(text).substr(off, chunk));
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}

void BM_Detector(benchmark::State& state) {
  auto det = agentgate::secrets::Detector::create();
  if (!det.ok()) {
    state.SkipWithError(det.error().message.c_str());
    return;
  }
  std::vector<agentgate::secrets::Finding> found;
  size_t total = 0;
  runChunks(state, [&](std::string_view s) {
    found.clear();
    (*det)->scan(s, found);
    total += found.size();
  });
  state.counters["findings_per_pass"] =
      static_cast<double>(total) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}

void BM_BaselineFind(benchmark::State& state) {
  size_t hits = 0;
  runChunks(state, [&](std::string_view s) {
    for (size_t p = s.find("-----BEGIN"); p != std::string_view::npos;
         p = s.find("-----BEGIN", p + 1))
      ++hits;
  });
  benchmark::DoNotOptimize(hits);
}

const std::vector<std::string>& logRequests() {
  static const std::vector<std::string> bodies = [] {
    std::vector<std::string> out;
    std::filesystem::path shared(AGENTGATE_SHARED_DIR);
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(shared / "fixtures/agents", ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name.find("_logs_") != std::string::npos && name.ends_with(".pb"))
        out.push_back(readAll(it->path()));
    }
    return out;
  }();
  return bodies;
}

class NullSink : public agentgate::Consumer {
 public:
  agentgate::Status consume(agentgate::BatchPtr&& batch) override {
    batch.reset();
    return {};
  }
};

void runLogs(benchmark::State& state, agentgate::Consumer* processor) {
  const auto& bodies = logRequests();
  if (bodies.empty()) {
    state.SkipWithError("no log captures");
    return;
  }
  size_t bytes = 0;
  for (const auto& b : bodies) bytes += b.size();
  for (auto _ : state) {
    for (const auto& body : bodies) {
      auto batch = std::make_unique<agentgate::pdata::Batch>(agentgate::Signal::kLogs);
      if (!agentgate::pdata::decodeProtobuf(*batch, batch->adoptBuffer(body)).ok()) continue;
      if (processor != nullptr) (void)processor->consume(std::move(batch));
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

void BM_DecodeLogs(benchmark::State& state) { runLogs(state, nullptr); }

void BM_ProcessorLogs(benchmark::State& state) {
  namespace sp = agentgate::components::secrets_processor;
  sp::Config cfg;
  cfg.fingerprint_key = "bench";
  auto det = agentgate::secrets::Detector::create(cfg.detector);
  if (!det.ok()) {
    state.SkipWithError(det.error().message.c_str());
    return;
  }
  sp::SecretsProcessor p(std::move(cfg), std::move(det).value(), "secrets",
                         std::make_shared<NullSink>());
  runLogs(state, &p);
  state.counters["findings"] = static_cast<double>(p.findingCount());
}

void BM_PrivacyLogs(benchmark::State& state) {
  namespace pv = agentgate::components::privacy;
  pv::PrivacyProcessor p(pv::Config{}, "bench", "privacy", std::make_shared<NullSink>());
  runLogs(state, &p);
}

void BM_SecretsPrivacyLogs(benchmark::State& state) {
  namespace sp = agentgate::components::secrets_processor;
  namespace pv = agentgate::components::privacy;
  auto privacy = std::make_shared<pv::PrivacyProcessor>(pv::Config{}, "bench", "privacy",
                                                        std::make_shared<NullSink>());
  sp::Config cfg;
  cfg.fingerprint_key = "bench";
  auto det = agentgate::secrets::Detector::create(cfg.detector);
  if (!det.ok()) {
    state.SkipWithError(det.error().message.c_str());
    return;
  }
  sp::SecretsProcessor p(std::move(cfg), std::move(det).value(), "secrets", privacy);
  runLogs(state, &p);
}

}  // namespace

BENCHMARK(BM_PrivacyLogs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SecretsPrivacyLogs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeLogs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ProcessorLogs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Detector)->Arg(0)->Arg(16384)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BaselineFind)->Arg(0)->Arg(16384)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
