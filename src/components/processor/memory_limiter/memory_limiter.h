// The memory limiter, two guards:
//  1. The admission budget (common/memory_budget.h, owned by the Host): receivers reserve what a
//     request holds from its body to the durable queue append and refuse what does not fit. The
//     limiter sets its size to spike_limit: the memory the data path may add on top of the soft
//     limit, so soft + in-flight stays under limit_mib.
//  2. RSS sampling every check_interval: above the soft limit (limit - spike) every request is
//     refused (retryable 503 / UNAVAILABLE) and freed heap pages are handed back to the kernel
//     (malloc_trim); the data path only reads an atomic.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agentgate/component.h"
#include "common/memory_budget.h"
#include "components/processor/memory_limiter/config.h"

namespace agentgate::components::memory_limiter {

struct Limits {
  uint64_t limit_bytes = 0;
  uint64_t spike_bytes = 0;
  uint64_t softLimit() const { return limit_bytes - spike_bytes; }
};

// Resolves limit/spike in bytes; percentages use `total_memory` (bytes).
Limits computeLimits(const Config& cfg, uint64_t total_memory);
// The process resident set size from /proc/self/statm; nullopt when unreadable.
std::optional<uint64_t> processRss();
// The memory available to this process: the cgroup limit when set, else MemTotal.
uint64_t totalMemory();

class MemoryLimiter final : public Processor {
 public:
  using RssFn = std::function<std::optional<uint64_t>()>;
  MemoryLimiter(Config cfg, Limits limits, ConsumerPtr next, RssFn rss = processRss);
  ~MemoryLimiter() override;

  Status start(Host& host) override;
  void shutdown() override;
  Status consume(BatchPtr&& batch) override;

  bool refusing() const { return refusing_.load(std::memory_order_relaxed); }
  MemoryBudget::Pressure pressure() const { return pressure_.load(std::memory_order_relaxed); }
  void checkNow();  // one RSS sample (also what the background thread runs)

 private:
  Config cfg_;
  Limits limits_;
  ConsumerPtr next_;
  RssFn rss_;
  std::atomic<bool> refusing_{false};
  std::atomic<MemoryBudget::Pressure> pressure_{MemoryBudget::Pressure::kNone};
  MemoryBudget* budget_ = nullptr;  // the Host's; null in tests without one
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace agentgate::components::memory_limiter
