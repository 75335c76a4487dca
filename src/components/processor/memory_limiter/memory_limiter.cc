#include "components/processor/memory_limiter/memory_limiter.h"

#include <malloc.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/logging.h"
#include "selftelemetry/registry.h"

namespace agentgate::components::memory_limiter {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

std::optional<uint64_t> readNumberFile(const char* path) {
  std::ifstream in(path);
  std::string s;
  if (!(in >> s) || s == "max") return std::nullopt;
  try {
    return std::stoull(s);
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace

Limits computeLimits(const Config& cfg, uint64_t total_memory) {
  Limits l;
  if (cfg.limit_mib > 0) {
    l.limit_bytes = uint64_t{cfg.limit_mib} * kMiB;
    l.spike_bytes =
        cfg.spike_limit_mib > 0 ? uint64_t{cfg.spike_limit_mib} * kMiB : l.limit_bytes / 5;
  } else {
    l.limit_bytes = total_memory / 100 * cfg.limit_percentage;
    l.spike_bytes = cfg.spike_limit_percentage > 0 ? total_memory / 100 * cfg.spike_limit_percentage
                                                   : l.limit_bytes / 5;
  }
  if (l.spike_bytes >= l.limit_bytes) l.spike_bytes = l.limit_bytes / 5;
  return l;
}

std::optional<uint64_t> processRss() {
  std::ifstream in("/proc/self/statm");
  uint64_t size = 0;
  uint64_t resident = 0;
  if (!(in >> size >> resident)) return std::nullopt;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t totalMemory() {
  // Host MemTotal, lowered by a cgroup v2 / v1 limit when one applies.
  uint64_t total = 0;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (meminfo >> key >> kb >> unit) {
    if (key == "MemTotal:") {
      total = kb * 1024;
      break;
    }
  }
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    if (auto v = readNumberFile(path); v && *v > 0 && (total == 0 || *v < total)) total = *v;
  }
  return total;
}

struct MemoryLimiter::Metrics {
  selftelemetry::Gauge* rss = nullptr;
  selftelemetry::Gauge* inflight = nullptr;
  selftelemetry::Gauge* inflight_peak = nullptr;
  selftelemetry::Gauge* inflight_limit = nullptr;
  selftelemetry::Gauge* pressure = nullptr;
  selftelemetry::Gauge* refused = nullptr;
};

MemoryLimiter::MemoryLimiter(Config cfg, Limits limits, ConsumerPtr next, RssFn rss)
    : cfg_(std::move(cfg)),
      limits_(limits),
      next_(std::move(next)),
      rss_(std::move(rss)),
      metrics_(std::make_unique<Metrics>()) {}

MemoryLimiter::~MemoryLimiter() { shutdown(); }

void MemoryLimiter::checkNow() {
  auto rss = rss_();
  if (!rss) return;  // unreadable: keep the last decision
  using P = MemoryBudget::Pressure;
  P level = *rss > limits_.limit_bytes   ? P::kHard
            : *rss > limits_.softLimit() ? P::kSoft
                                         : P::kNone;
  if (level != P::kNone) {
    // Freed request buffers may still be held by the allocator; hand them back so RSS reflects
    // what is in use and the limiter does not keep refusing on memory nobody holds.
    ::malloc_trim(0);
  }
  P was = pressure_.exchange(level, std::memory_order_relaxed);
  refusing_.store(level != P::kNone, std::memory_order_relaxed);
  if (budget_ != nullptr) budget_->setPressure(level);
  if (metrics_->rss != nullptr) {
    metrics_->rss->set(static_cast<int64_t>(*rss));
    metrics_->pressure->set(static_cast<int64_t>(level));
    if (budget_ != nullptr) {
      metrics_->inflight->set(static_cast<int64_t>(budget_->used()));
      metrics_->inflight_peak->set(static_cast<int64_t>(budget_->peak()));
      metrics_->inflight_limit->set(static_cast<int64_t>(budget_->limit()));
      metrics_->refused->set(static_cast<int64_t>(budget_->refusals()));
    }
  }
  if ((level != P::kNone) != (was != P::kNone)) {
    if (level != P::kNone) {
      log::warn("memory_limiter: RSS {} MiB above soft limit {} MiB, refusing data", *rss / kMiB,
                limits_.softLimit() / kMiB);
    } else {
      log::info("memory_limiter: RSS {} MiB back below soft limit, accepting data", *rss / kMiB);
    }
  }
}

Status MemoryLimiter::start(Host& host) {
  if (thread_.joinable()) return {};
  budget_ = host.memoryBudget();
  if (budget_ != nullptr) budget_->setLimit(limits_.spike_bytes);
  // Request buffers of a few hundred KiB and more come from mmap and go back to the kernel when
  // freed, instead of staying in the heap at the high-water mark (glibc's dynamic threshold
  // would otherwise rise to the size of the largest buffer freed).
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  const selftelemetry::Labels l;
  auto& reg = host.telemetry();
  metrics_->rss = &reg.gauge("agentgate_memory_limiter_rss_bytes", l,
                             "Process resident set size at the last check.");
  metrics_->pressure =
      &reg.gauge("agentgate_memory_limiter_pressure", l,
                 "0 = accepting, 1 = above the soft limit, 2 = above the hard limit.");
  metrics_->inflight = &reg.gauge("agentgate_memory_inflight_bytes", l,
                                  "Bytes reserved by requests between receipt and queue append.");
  metrics_->inflight_peak = &reg.gauge("agentgate_memory_inflight_peak_bytes", l,
                                       "Highest in-flight reservation since start.");
  metrics_->inflight_limit = &reg.gauge("agentgate_memory_inflight_limit_bytes", l,
                                        "Admission budget for in-flight request bytes.");
  // A gauge set from the budget's own count: several limiters (one per pipeline) share it.
  metrics_->refused = &reg.gauge("agentgate_memory_refused_requests", l,
                                 "Requests refused by the memory budget or memory pressure.");
  checkNow();
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, cfg_.check_interval, [this] { return stop_; })) {
      lock.unlock();
      checkNow();
      lock.lock();
    }
  });
  return {};
}

void MemoryLimiter::shutdown() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status MemoryLimiter::consume(BatchPtr&& batch) {
  if (refusing()) {
    if (budget_ != nullptr) budget_->countRefusal();
    return Error::unavailable("data refused due to high memory usage");
  }
  return next_->consume(std::move(batch));
}

}  // namespace agentgate::components::memory_limiter
