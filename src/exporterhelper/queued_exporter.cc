#include "exporterhelper/queued_exporter.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/logging.h"
#include "exporterhelper/queued_context.h"
#include "pdata/codec.h"
#include "pdata/model.h"

namespace agentgate::exporterhelper {
namespace {

// How long an idle consumer waits on the queue before checking for shutdown again (interrupt()
// wakes it at once, so this only bounds a missed wake-up).
constexpr auto kIdleWait = std::chrono::milliseconds(500);
// At shutdown, how long the wrapped exporter's in-flight timed-out calls get to return before it
// is shut down anyway.
constexpr auto kAbandonedGrace = std::chrono::seconds(2);
// Hung calls a consumer may leave behind before it stops calling the exporter (see Runner).
constexpr int kAbandonedPerConsumer = 2;

}  // namespace

struct QueuedExporter::Counters {
  selftelemetry::Counter* sent[3] = {};
  selftelemetry::Counter* failed[3] = {};
  selftelemetry::Counter* retries = nullptr;
  selftelemetry::Counter* timeouts = nullptr;
};

// The `timeout` mechanism. A consumer does not call the exporter itself: it hands the batch to
// its runner thread and waits at most `timeout`. When the call returns in time, the runner is
// reused for the next attempt (one condition-variable hand-off per export, no thread per call).
// When it does not, the attempt counts as a retryable failure and the runner is abandoned: it is
// detached, finishes the hung call whenever the exporter returns, then exits, and the consumer
// starts a fresh runner for its retry. The records stay unacknowledged in the queue throughout,
// so a timeout can duplicate (the hung call may still succeed) but never lose. At most
// kAbandonedPerConsumer x num_consumers abandoned calls may be pending; past that an attempt fails
// at once without calling the exporter, so a destination that hangs every call cannot pile up
// threads.
struct QueuedExporter::Runner {
  std::mutex mu;
  std::condition_variable cv;
  BatchPtr batch;
  bool has_work = false;
  bool done = false;
  bool abandoned = false;
  Status result;

  static std::shared_ptr<Runner> start(std::shared_ptr<Exporter> inner,
                                       std::shared_ptr<std::atomic<int>> abandoned_count) {
    auto r = std::make_shared<Runner>();
    std::thread([r, inner = std::move(inner), count = std::move(abandoned_count)] {
      std::unique_lock lock(r->mu);
      for (;;) {
        r->cv.wait(lock, [&] { return r->has_work || r->abandoned; });
        if (!r->has_work) return;
        BatchPtr b = std::move(r->batch);
        lock.unlock();
        Status st;
        try {
          st = inner->consume(std::move(b));
        } catch (const std::exception& e) {
          st = Error::internal(std::string("exporter threw: ") + e.what());
        }
        lock.lock();
        r->has_work = false;
        r->done = true;
        r->result = std::move(st);
        if (r->abandoned) {
          count->fetch_sub(1);
          return;
        }
        r->cv.notify_all();
      }
    }).detach();
    return r;
  }

  // Asks the thread to exit once idle (an idle runner waits for work).
  void stop() {
    std::lock_guard lock(mu);
    abandoned = true;
    cv.notify_all();
  }
};

QueuedExporter::QueuedExporter(std::string id, std::shared_ptr<Exporter> inner,
                               QueueOptions queue_options, int num_consumers, RetrySettings retry,
                               selftelemetry::Registry* registry, std::shared_ptr<Clock> clock,
                               BatchSettings batch, std::chrono::nanoseconds timeout)
    : id_(std::move(id)),
      inner_(std::move(inner)),
      queue_options_(std::move(queue_options)),
      num_consumers_(std::max(1, num_consumers)),
      retry_(retry),
      batch_(batch),
      timeout_(timeout),
      registry_(registry),
      clock_(std::move(clock)),
      counters_(std::make_unique<Counters>()),
      rng_state_(0x9E3779B97F4A7C15ull ^ std::hash<std::string>{}(id_)) {
  if (registry_ != nullptr) {
    const selftelemetry::Labels l{{"exporter", id_}};
    for (Signal s : kAllSignals) {
      const auto i = static_cast<size_t>(s);
      counters_->sent[i] =
          &registry_->counter("otelcol_exporter_sent_" + std::string(signalItemUnit(s)), l,
                              "Items successfully sent to the destination.");
      counters_->failed[i] =
          &registry_->counter("otelcol_exporter_send_failed_" + std::string(signalItemUnit(s)), l,
                              "Items the exporter failed to send.");
    }
    counters_->retries = &registry_->counter("agentgate_exporter_retries_total", l,
                                             "Export attempts that failed and were retried.");
    counters_->timeouts =
        &registry_->counter("agentgate_exporter_timeouts_total", l,
                            "Export attempts that exceeded the exporter's timeout.");
  }
}

QueuedExporter::~QueuedExporter() { shutdown(); }

Status QueuedExporter::openQueue() {
  auto opened = PersistentQueue::open(queue_options_);
  if (!opened) return opened.takeError();
  queue_ = std::shared_ptr<PersistentQueue>(std::move(opened.value()));
  if (registry_ != nullptr) {
    const selftelemetry::Labels l{{"exporter", id_}};
    std::weak_ptr<PersistentQueue> w = queue_;
    auto stat = [w](auto field) {
      return [w, field]() -> double {
        auto q = w.lock();
        return q ? field(q->stats()) : 0.0;
      };
    };
    registry_->gaugeFunction(
        "otelcol_exporter_queue_size", l,
        stat([](const QueueStats& s) { return double(s.records); }),
        "Batches in the persistent sending queue (unacknowledged, including in flight).");
    registry_->gaugeFunction(
        "otelcol_exporter_queue_capacity", l,
        [cap = queue_options_.max_records] { return double(cap); },
        "Capacity of the sending queue in batches.");
    registry_->gaugeFunction("agentgate_exporter_queue_bytes", l,
                             stat([](const QueueStats& s) { return double(s.bytes); }),
                             "Bytes of unacknowledged records in the persistent queue.");
    registry_->gaugeFunction(
        "agentgate_exporter_queue_capacity_bytes", l,
        [cap = queue_options_.max_bytes] { return double(cap); },
        "Byte budget of the persistent queue.");
    auto clock = clock_;
    registry_->gaugeFunction(
        "agentgate_exporter_queue_oldest_record_age_seconds", l,
        [w, clock]() -> double {
          auto q = w.lock();
          if (!q) return 0;
          int64_t oldest = q->stats().oldest_unix_ms;
          return oldest == 0 ? 0.0 : std::max<double>(0, (clock->unixMillis() - oldest) / 1000.0);
        },
        "Age of the oldest unacknowledged record in the queue.");
    const RecoveryReport& r = queue_->recovery();
    registry_
        ->counter("agentgate_exporter_queue_torn_tails_total", l,
                  "Segments whose torn tail was truncated when the queue was opened.")
        .add(r.torn_tails);
    registry_
        ->counter("agentgate_exporter_queue_quarantined_segments_total", l,
                  "Damaged segments moved to quarantine/ when the queue was opened.")
        .add(r.quarantined_segments);
    registry_
        ->counter("agentgate_exporter_queue_corrupt_records_total", l,
                  "Records lost to on-disk damage (checksum mismatch).")
        .add(r.corrupt_records);
  }
  if (queue_->recovery().records > 0) {
    log::info("exporter {}: {} queued batch(es) from a previous run will be delivered", id_,
              queue_->recovery().records);
  }
  stopping_ = false;
  for (int i = 0; i < num_consumers_; ++i) consumers_.emplace_back([this] { consumerLoop(); });
  return {};
}

Status QueuedExporter::start(Host& host) {
  if (Status st = inner_->start(host); !st.ok()) return st;
  return openQueue();
}

Status QueuedExporter::startWithoutHost() { return openQueue(); }

void QueuedExporter::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  stopping_ = true;
  if (queue_) queue_->interrupt();
  clock_->interrupt();
  for (auto& t : consumers_)
    if (t.joinable()) t.join();
  consumers_.clear();
  if (queue_) queue_->close();
  // Timed-out calls still inside the exporter: give them a moment to return, then shut the
  // exporter down regardless (their records are unacknowledged, delivered after the next start).
  const auto grace = std::chrono::steady_clock::now() + kAbandonedGrace;
  while (abandoned_->load() > 0 && std::chrono::steady_clock::now() < grace) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll of a detached thread
  }
  inner_->shutdown();
}

Status QueuedExporter::consume(BatchPtr&& batch) {
  if (!queue_ || stopping_) return Error::unavailable("exporter " + id_ + " is not running");
  std::string bytes = pdata::encodeProtobuf(*batch);
  appendContext(bytes, batch->context);  // who sent it, for exporters after a restart
  Status st = queue_->append(batch->signal(), bytes, clock_->unixMillis());
  if (!st.ok()) {
    Error e = st.takeError();
    e.message = "exporter " + id_ + ": " + e.message;
    return e;
  }
  return {};
}

void QueuedExporter::consumerLoop() {
  std::optional<QueueItem> carry;  // taken from the queue but belonging to the next group
  std::shared_ptr<Runner> runner;
  while (!stopping_) {
    std::optional<QueueItem> item = carry ? std::move(carry) : queue_->next(kIdleWait);
    carry.reset();
    if (!item) continue;
    std::vector<QueueItem> group = collect(std::move(*item), carry);
    deliver(group, runner);
  }
  if (runner) runner->stop();
  // Handed out but not exported: stays unacknowledged, delivered after the next start.
}

Status QueuedExporter::attempt(BatchPtr batch, std::shared_ptr<Runner>& runner) {
  if (timeout_.count() <= 0) return inner_->consume(std::move(batch));
  const auto timedOut = [&] {
    ++timeouts_;
    if (counters_->timeouts) counters_->timeouts->add();
    return Error::unavailable(
        "exporter " + id_ + ": export attempt exceeded timeout " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::milliseconds>(timeout_).count()) +
            "ms",
        std::chrono::seconds{0});
  };
  if (!runner) {
    // Calls still hung: do not pile up threads on a destination that never answers.
    if (abandoned_->load() >= kAbandonedPerConsumer * num_consumers_) return timedOut();
    runner = Runner::start(inner_, abandoned_);
  }
  std::unique_lock lock(runner->mu);
  runner->batch = std::move(batch);
  runner->has_work = true;
  runner->done = false;
  runner->cv.notify_all();
  // Real time, not the injected clock: this bounds a call that is really running.
  if (runner->cv.wait_for(lock, timeout_, [&] { return runner->done; })) {
    return std::move(runner->result);
  }
  runner->abandoned = true;
  abandoned_->fetch_add(1);
  lock.unlock();
  runner.reset();
  return timedOut();
}

namespace {

size_t itemsIn(const QueueItem& item) {
  pdata::Batch b(item.signal);
  std::string_view bytes = b.adoptBuffer(item.payload);
  return pdata::decodeProtobuf(b, bytes).ok() ? b.itemCount() : 0;
}

}  // namespace

std::vector<QueueItem> QueuedExporter::collect(QueueItem first, std::optional<QueueItem>& carry) {
  std::vector<QueueItem> group;
  group.push_back(std::move(first));
  if (!batch_.enabled) return group;
  size_t items = itemsIn(group.front());
  // Real time, not the injected clock: this is how long the queue is waited on.
  const auto deadline = std::chrono::steady_clock::now() + batch_.flush_timeout;
  while (items < batch_.min_size && !stopping_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    std::optional<QueueItem> more = queue_->next(std::max(left, std::chrono::milliseconds(0)));
    if (!more) break;
    const size_t n = itemsIn(*more);
    // Only batches of one signal and one request context (sender identity) are merged.
    if (more->signal != group.front().signal ||
        contextBytes(more->payload) != contextBytes(group.front().payload) ||
        (batch_.max_size != 0 && items + n > batch_.max_size)) {
      carry = std::move(more);
      break;
    }
    items += n;
    group.push_back(std::move(*more));
  }
  return group;
}

std::chrono::nanoseconds QueuedExporter::jitter(std::chrono::nanoseconds interval) {
  const double f = retry_.randomization_factor;
  if (f <= 0) return interval;
  double u;
  {
    std::lock_guard lock(rng_mu_);
    // xorshift64*: enough randomness to spread retries, no shared global state.
    rng_state_ ^= rng_state_ >> 12;
    rng_state_ ^= rng_state_ << 25;
    rng_state_ ^= rng_state_ >> 27;
    u = double((rng_state_ * 0x2545F4914F6CDD1Dull) >> 11) / double(1ull << 53);
  }
  const double d = double(interval.count());
  return std::chrono::nanoseconds(int64_t(d - f * d + u * (2 * f * d)));
}

void QueuedExporter::deliver(std::vector<QueueItem>& group, std::shared_ptr<Runner>& runner) {
  const Signal signal = group.front().signal;
  const auto i = static_cast<size_t>(signal);
  const auto started = clock_->now();
  auto interval = retry_.initial_interval;
  size_t items = 0;
  // After a partial success: what the exporter says is left. Retries send only that, so items
  // the destination already accepted are not delivered twice (the queue records stay
  // unacknowledged until all of it is through: a crash meanwhile re-sends the whole batch).
  std::shared_ptr<PendingExport> pending;
  for (;;) {
    Status st;
    if (pending) {
      st = pending->send();
    } else {
      // Decoded afresh for every attempt: the exporter owns (and may change) what it is given.
      auto batch = std::make_unique<pdata::Batch>(signal);
      for (auto it = group.begin(); it != group.end();) {
        std::string_view bytes = batch->adoptBuffer(it->payload);
        if (Status dst = pdata::decodeProtobuf(*batch, bytes); !dst.ok()) {
          drop(*it, "undecodable", 0, dst.error().message);
          it = group.erase(it);
          // A failed decode may have appended part of the record: start over without it.
          batch = std::make_unique<pdata::Batch>(signal);
          it = group.begin();
          continue;
        }
        ++it;
      }
      if (group.empty()) return;
      // The sender's identity travels with the records; batches of one group share it.
      (void)decodeContext(contextBytes(group.front().payload), batch->context);
      items = batch->itemCount();
      st = attempt(std::move(batch), runner);
    }
    if (st.ok()) {
      if (counters_->sent[i]) counters_->sent[i]->add(items);
      for (const auto& item : group) queue_->ack(item.id);
      return;
    }
    const Error& e = st.error();
    // A failed retry of a pending part without a new pending part failed as a whole: the
    // pending part stays what is left.
    if (e.pending) pending = e.pending;
    std::string_view reason;
    if (e.permanent) {
      reason = "permanent";
    } else if (!retry_.enabled) {
      reason = "retry_disabled";
    } else {
      auto delay = jitter(interval);
      if (e.retry_after > delay) delay = e.retry_after;
      if (retry_.max_elapsed_time.count() > 0 &&
          clock_->now() - started + delay > retry_.max_elapsed_time) {
        reason = "retry_exhausted";
      } else {
        ++retries_;
        if (counters_->retries) counters_->retries->add();
        interval = std::min(
            std::chrono::nanoseconds(int64_t(double(interval.count()) * retry_.multiplier)),
            retry_.max_interval);
        // Shutting down: the records stay unacknowledged and are delivered after the next start.
        if (stopping_ || !clock_->sleepFor(delay)) return;
        continue;
      }
    }
    if (pending) {
      // Only the pending part is lost; the rest was delivered.
      const size_t lost = pending->items();
      if (counters_->failed[i]) counters_->failed[i]->add(lost);
      if (counters_->sent[i] && items > lost) counters_->sent[i]->add(items - lost);
      for (size_t k = 0; k < group.size(); ++k)
        drop(group[k], reason, k == 0 ? lost : 0, e.message);
      return;
    }
    if (counters_->failed[i]) counters_->failed[i]->add(items);
    for (const auto& item : group) drop(item, reason, itemsIn(item), e.message);
    return;
  }
}

void QueuedExporter::drop(const QueueItem& item, std::string_view reason, size_t items,
                          std::string_view why) {
  ++dropped_;
  if (registry_ != nullptr) {
    const selftelemetry::Labels l{{"exporter", id_}, {"reason", std::string(reason)}};
    registry_
        ->counter("agentgate_exporter_dropped_batches_total", l,
                  "Queued batches dropped for good (permanent error, retries exhausted).")
        .add();
    registry_
        ->counter(
            "agentgate_exporter_dropped_" + std::string(signalItemUnit(item.signal)) + "_total", l,
            "Items dropped for good, by reason.")
        .add(items);
  }
  // Data-rate events are counters; the log gets at most one line a second so a drop is never
  // silent without flooding.
  const int64_t now = clock_->unixMillis();
  int64_t last = last_drop_log_ms_.load();
  if (now - last >= 1000 && last_drop_log_ms_.compare_exchange_strong(last, now)) {
    log::warn("exporter {}: dropped a queued batch of {} {} ({}): {}", id_, items,
              signalItemUnit(item.signal), reason, why);
  }
  queue_->ack(item.id);
}

}  // namespace agentgate::exporterhelper
