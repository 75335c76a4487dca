// QueuedExporter: the exporterhelper decorator. consume() serializes the batch and appends it to
// the exporter's persistent queue, returning OK only once the append is durable; num_consumers
// threads read the queue, decode, call the wrapped exporter and acknowledge on success. Retryable
// failures back off (retry_on_failure, honouring the error's retry_after); permanent failures are
// acknowledged and counted as drops, never silently.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agentgate/component.h"
#include "exporterhelper/clock.h"
#include "exporterhelper/persistent_queue.h"
#include "exporterhelper/settings.h"
#include "selftelemetry/registry.h"

namespace agentgate::exporterhelper {

class QueuedExporter final : public Exporter {
 public:
  // `queue_options.directory` must be set. `registry` may be null (tests without metrics); the
  // registry must outlive this exporter's metrics rendering (gauges hold only weak references).
  QueuedExporter(std::string id, std::shared_ptr<Exporter> inner, QueueOptions queue_options,
                 int num_consumers, RetrySettings retry, selftelemetry::Registry* registry,
                 std::shared_ptr<Clock> clock = std::make_shared<SystemClock>(),
                 BatchSettings batch = {},
                 std::chrono::nanoseconds timeout = std::chrono::nanoseconds{0});
  ~QueuedExporter() override;

  // Starts the wrapped exporter, opens (recovers) the queue, starts the consumers.
  Status start(Host& host) override;
  // Stops the consumers (records in flight stay unacknowledged and are delivered after the next
  // start), closes the queue, then shuts the wrapped exporter down.
  void shutdown() override;
  Status consume(BatchPtr&& batch) override;

  // Tests and the CLI.
  PersistentQueue* queue() { return queue_.get(); }
  uint64_t retries() const { return retries_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  uint64_t timeouts() const { return timeouts_.load(); }
  // Timed-out attempts whose exporter call has not returned yet.
  int abandonedAttempts() const { return abandoned_->load(); }

  // Opens the queue without a Host (tests that need no wrapped-exporter start).
  Status startWithoutHost();

 private:
  struct Counters;
  struct Runner;
  Status openQueue();
  void consumerLoop();
  void deliver(std::vector<QueueItem>& group, std::shared_ptr<Runner>& runner);
  // One export call under `timeout` (see the .cc for the mechanism).
  Status attempt(BatchPtr batch, std::shared_ptr<Runner>& runner);
  // Queued batches to export together: `first`, then (with batching) more of the same signal.
  std::vector<QueueItem> collect(QueueItem first, std::optional<QueueItem>& carry);
  void drop(const QueueItem& item, std::string_view reason, size_t items, std::string_view why);
  std::chrono::nanoseconds jitter(std::chrono::nanoseconds interval);

  std::string id_;
  std::shared_ptr<Exporter> inner_;
  QueueOptions queue_options_;
  int num_consumers_;
  RetrySettings retry_;
  BatchSettings batch_;
  std::chrono::nanoseconds timeout_;  // per export attempt; 0 = unbounded
  selftelemetry::Registry* registry_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<PersistentQueue> queue_;
  std::unique_ptr<Counters> counters_;
  std::vector<std::thread> consumers_;
  std::atomic<bool> stopping_{false};
  bool shut_down_ = false;
  std::atomic<uint64_t> retries_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> timeouts_{0};
  // Shared with detached attempt threads, which may outlive this object.
  std::shared_ptr<std::atomic<int>> abandoned_ = std::make_shared<std::atomic<int>>(0);
  std::atomic<int64_t> last_drop_log_ms_{0};
  std::mutex rng_mu_;
  uint64_t rng_state_;
};

}  // namespace agentgate::exporterhelper
