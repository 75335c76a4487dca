// The memory limiter: refuses data (retryable 503) while the process RSS is above the soft limit
// (limit - spike). A background thread samples RSS every check_interval; the data path only reads
// an atomic flag.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "agentgate/component.h"
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
  void checkNow();  // one RSS sample (also what the background thread runs)

 private:
  Config cfg_;
  Limits limits_;
  ConsumerPtr next_;
  RssFn rss_;
  std::atomic<bool> refusing_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace agentgate::components::memory_limiter
