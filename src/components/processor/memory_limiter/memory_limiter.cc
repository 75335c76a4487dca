#include "components/processor/memory_limiter/memory_limiter.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/logging.h"

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

MemoryLimiter::MemoryLimiter(Config cfg, Limits limits, ConsumerPtr next, RssFn rss)
    : cfg_(std::move(cfg)), limits_(limits), next_(std::move(next)), rss_(std::move(rss)) {}

MemoryLimiter::~MemoryLimiter() { shutdown(); }

void MemoryLimiter::checkNow() {
  auto rss = rss_();
  if (!rss) return;  // unreadable: keep the last decision
  bool over = *rss > limits_.softLimit();
  bool was = refusing_.exchange(over, std::memory_order_relaxed);
  if (over != was) {
    if (over) {
      log::warn("memory_limiter: RSS {} MiB above soft limit {} MiB, refusing data", *rss / kMiB,
                limits_.softLimit() / kMiB);
    } else {
      log::info("memory_limiter: RSS {} MiB back below soft limit, accepting data", *rss / kMiB);
    }
  }
}

Status MemoryLimiter::start(Host& host) {
  (void)host;
  if (thread_.joinable()) return {};
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
  if (refusing()) return Error::unavailable("data refused due to high memory usage");
  return next_->consume(std::move(batch));
}

}  // namespace agentgate::components::memory_limiter
