// Detector throughput on mixed coding-agent telemetry text: the decoded agent captures
// (fixtures/agents/**/*.decoded.json) plus every corpus-dev line, repeated to ~8 MiB.
//   BM_Detector/<chunk>   - Detector::scan over chunks of `chunk` bytes (0 = whole buffer)
//   BM_BaselineFind/<chunk> - std::string_view::find of a 10-byte literal over the same chunks,
//                           the cost of touching every byte once, so MB/s reads as a ratio
// Reported bytes_per_second is per core (single thread).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

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

}  // namespace

BENCHMARK(BM_Detector)->Arg(0)->Arg(16384)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BaselineFind)->Arg(0)->Arg(16384)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
