// Persistent queue append throughput per fsync policy (always / interval / never), one appender
// and four concurrent appenders (group commit: concurrent appenders share one fdatasync).
// Compare policies as ratios against `never` from the same run; absolute figures depend on the
// disk. AGENTGATE_BENCH_DIR picks the file system (default: $TMPDIR or /tmp).
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "exporterhelper/persistent_queue.h"

namespace {

using agentgate::Signal;
using namespace agentgate::exporterhelper;

constexpr size_t kPayloadBytes = 16 * 1024;  // about a 100-record agent log batch

std::string scratchDir() {
  const char* base = getenv("AGENTGATE_BENCH_DIR");
  std::string tmpl = std::string(base ? base : std::filesystem::temp_directory_path().string()) +
                     "/ag-queue-bench-XXXXXX";
  return ::mkdtemp(tmpl.data()) ? tmpl : std::string();
}

struct Shared {
  std::mutex mu;
  std::unique_ptr<PersistentQueue> queue;
  std::string dir;
};
Shared g;

// Acknowledges everything queued so the disk use stays bounded (segments are deleted).
void drain(PersistentQueue& q) {
  while (auto item = q.next(std::chrono::milliseconds(0))) q.ack(item->id);
}

void BM_Append(benchmark::State& state) {
  const auto policy = static_cast<FsyncPolicy>(state.range(0));
  if (state.thread_index() == 0) {
    g.dir = scratchDir();
    QueueOptions o;
    o.directory = g.dir;
    o.fsync = policy;
    o.max_records = 1u << 30;
    o.max_bytes = 1ull << 40;
    o.fsync_interval = std::chrono::milliseconds(200);
    g.queue = std::move(PersistentQueue::open(o).value());
  }
  const std::string payload(kPayloadBytes, 'x');
  uint64_t n = 0;
  for (auto _ : state) {
    if (!g.queue->append(Signal::kLogs, payload, 1).ok()) state.SkipWithError("append failed");
    if (++n % 512 == 0 && state.thread_index() == 0) {
      state.PauseTiming();
      drain(*g.queue);
      state.ResumeTiming();
    }
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kPayloadBytes));
  state.SetItemsProcessed(int64_t(state.iterations()));
  if (state.thread_index() == 0) {
    g.queue.reset();
    std::error_code ec;
    std::filesystem::remove_all(g.dir, ec);
  }
}

// Arg: 0 always, 1 interval, 2 never.
BENCHMARK(BM_Append)->ArgName("fsync")->Arg(0)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_Append)->ArgName("fsync")->Arg(0)->Arg(1)->Arg(2)->Threads(4)->UseRealTime();

// Recovery: opening a queue that holds `MiB` of unacknowledged 16 KiB records (every segment
// read, every frame's checksums verified, the index rebuilt). The files are in the page cache
// after the first iteration, so this is the CPU side of a restart.
void BM_Recover(benchmark::State& state) {
  const uint64_t mib = static_cast<uint64_t>(state.range(0));
  const std::string dir = scratchDir();
  QueueOptions o;
  o.directory = dir;
  o.fsync = FsyncPolicy::kNever;
  o.max_records = 1u << 30;
  o.max_bytes = 1ull << 40;
  {
    auto q = std::move(PersistentQueue::open(o).value());
    const std::string payload(kPayloadBytes, 'x');
    for (uint64_t written = 0; written < (mib << 20); written += kPayloadBytes)
      if (!q->append(Signal::kLogs, payload, 1).ok()) state.SkipWithError("append failed");
  }
  uint64_t records = 0;
  for (auto _ : state) {
    auto q = std::move(PersistentQueue::open(o).value());
    records = q->recovery().records;
  }
  state.counters["records"] = double(records);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(mib << 20));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

BENCHMARK(BM_Recover)->ArgName("MiB")->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
