#include "exporterhelper/queued_exporter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "exporterhelper/test_util.h"
#include "selftelemetry/registry.h"

namespace agentgate::exporterhelper {
namespace {

using testing::bodies;
using testing::logsBatch;
using testing::ScratchDir;

// An exporter whose answers are scripted: each consume() takes the next status (OK once the
// script is exhausted) and records what it received.
class ScriptedExporter : public Exporter {
 public:
  void script(std::vector<Status> answers) {
    std::lock_guard lock(mu_);
    for (auto& a : answers) answers_.push_back(std::move(a));
  }
  Status consume(BatchPtr&& batch) override {
    std::lock_guard lock(mu_);
    ++attempts_;
    Status st;
    if (down_) {
      st = Error::unavailable("down", std::chrono::seconds(0));
    } else if (!answers_.empty()) {
      st = std::move(answers_.front());
      answers_.pop_front();
    }
    if (st.ok()) {
      auto got = bodies(*batch);
      calls_.push_back(got.size());
      signals_.push_back(batch->signal());
      for (auto& b : got) delivered_.push_back(b);
    }
    cv_.notify_all();
    return st;
  }
  // Waits (bounded) until `pred` holds under the lock.
  template <typename Pred>
  bool waitFor(Pred pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return pred(); });
  }
  std::vector<std::string> delivered() {
    std::lock_guard lock(mu_);
    return delivered_;
  }
  int attempts() {
    std::lock_guard lock(mu_);
    return attempts_;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Status> answers_;
  std::vector<std::string> delivered_;
  int attempts_ = 0;
  std::vector<size_t> calls_;  // records per successful export call
  std::vector<Signal> signals_;
  bool down_ = false;  // every attempt fails (retryable)
};

struct Fixture {
  ScratchDir dir;
  std::shared_ptr<ScriptedExporter> inner = std::make_shared<ScriptedExporter>();
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  selftelemetry::Registry registry;

  std::unique_ptr<QueuedExporter> make(RetrySettings retry = deterministic(),
                                       uint64_t max_records = 1000, BatchSettings batch = {}) {
    QueueOptions o;
    o.directory = dir.path();
    o.max_records = max_records;
    o.fsync = FsyncPolicy::kNever;
    return std::make_unique<QueuedExporter>("file/test", inner, o, 1, retry, &registry, clock,
                                            batch);
  }
  static RetrySettings deterministic() {
    RetrySettings r;
    r.randomization_factor = 0;  // exact delays
    return r;
  }
};

TEST(QueuedExporterTest, RetryableFailuresBackOffThenDeliver) {
  Fixture f;
  f.inner->script({Error::unavailable("busy", std::chrono::seconds(0)),
                   Error::unavailable("busy", std::chrono::seconds(0)),
                   Error::unavailable("busy", std::chrono::seconds(0))});
  auto e = f.make();
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"id-1", "id-2"})).ok());
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->delivered_.size() == 2; }));
  EXPECT_EQ(f.inner->delivered(), (std::vector<std::string>{"id-1", "id-2"}));
  EXPECT_EQ(f.inner->attempts(), 4);
  // 5s, 7.5s, 11.25s: initial_interval times multiplier 1.5.
  auto sleeps = f.clock->sleeps();
  ASSERT_EQ(sleeps.size(), 3u);
  EXPECT_EQ(sleeps[0], std::chrono::seconds(5));
  EXPECT_EQ(sleeps[1], std::chrono::milliseconds(7500));
  EXPECT_EQ(sleeps[2], std::chrono::milliseconds(11250));
  EXPECT_EQ(e->retries(), 3u);
  e->shutdown();
  EXPECT_EQ(
      f.registry.counterValue("otelcol_exporter_sent_log_records", {{"exporter", "file/test"}}),
      2u);
  EXPECT_EQ(
      f.registry.counterValue("agentgate_exporter_retries_total", {{"exporter", "file/test"}}), 3u);
}

TEST(QueuedExporterTest, RetryAfterFromTheDestinationIsHonoured) {
  Fixture f;
  f.inner->script({Error::unavailable("throttled", std::chrono::seconds(42))});
  auto e = f.make();
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"a"})).ok());
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->delivered_.size() == 1; }));
  auto sleeps = f.clock->sleeps();
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_EQ(sleeps[0], std::chrono::seconds(42));
}

TEST(QueuedExporterTest, BackoffIsCappedAtMaxInterval) {
  Fixture f;
  std::vector<Status> fails;
  for (int i = 0; i < 8; ++i) fails.push_back(Error::unavailable("down", std::chrono::seconds(0)));
  f.inner->script(std::move(fails));
  auto e = f.make();
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"a"})).ok());
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->delivered_.size() == 1; }));
  auto sleeps = f.clock->sleeps();
  ASSERT_EQ(sleeps.size(), 8u);
  for (auto s : sleeps) EXPECT_LE(s, std::chrono::seconds(30));
  EXPECT_EQ(sleeps.back(), std::chrono::seconds(30));
}

TEST(QueuedExporterTest, JitterStaysWithinRandomizationFactor) {
  Fixture f;
  f.inner->script({Error::unavailable("busy", std::chrono::seconds(0)),
                   Error::unavailable("busy", std::chrono::seconds(0))});
  RetrySettings r;  // defaults: 5s, factor 0.5
  auto e = f.make(r);
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"a"})).ok());
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->delivered_.size() == 1; }));
  auto sleeps = f.clock->sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_GE(sleeps[0], std::chrono::milliseconds(2500));
  EXPECT_LE(sleeps[0], std::chrono::milliseconds(7500));
}

TEST(QueuedExporterTest, PermanentErrorIsAcknowledgedAndCountedAsADrop) {
  Fixture f;
  f.inner->script({Error::invalid("rejected by destination")});
  auto e = f.make();
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"bad", "worse"})).ok());
  ASSERT_TRUE(e->consume(logsBatch({"good"})).ok());
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->delivered_.size() == 1; }));
  EXPECT_EQ(f.inner->delivered(), (std::vector<std::string>{"good"}));
  EXPECT_EQ(e->dropped(), 1u);
  EXPECT_TRUE(f.clock->sleeps().empty());
  e->shutdown();
  EXPECT_EQ(f.registry.counterValue("agentgate_exporter_dropped_batches_total",
                                    {{"exporter", "file/test"}, {"reason", "permanent"}}),
            1u);
  EXPECT_EQ(f.registry.counterValue("agentgate_exporter_dropped_log_records_total",
                                    {{"exporter", "file/test"}, {"reason", "permanent"}}),
            2u);
  EXPECT_EQ(f.registry.counterValue("otelcol_exporter_send_failed_log_records",
                                    {{"exporter", "file/test"}}),
            2u);
  // Nothing left to redeliver.
  auto again = f.make();
  ASSERT_TRUE(again->startWithoutHost().ok());
  EXPECT_EQ(again->queue()->recovery().records, 0u);
}

TEST(QueuedExporterTest, MaxElapsedTimeGivesUpAndCounts) {
  Fixture f;
  std::vector<Status> fails;
  for (int i = 0; i < 100; ++i)
    fails.push_back(Error::unavailable("down", std::chrono::seconds(0)));
  f.inner->script(std::move(fails));
  RetrySettings r = Fixture::deterministic();
  r.max_elapsed_time = std::chrono::seconds(20);
  auto e = f.make(r);
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"a"})).ok());
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->attempts_ >= 3; }));
  e->shutdown();
  EXPECT_EQ(e->dropped(), 1u);
  EXPECT_EQ(f.registry.counterValue("agentgate_exporter_dropped_batches_total",
                                    {{"exporter", "file/test"}, {"reason", "retry_exhausted"}}),
            1u);
}

TEST(QueuedExporterTest, FullQueueIsARetryableRefusal) {
  Fixture f;
  // The destination is down: nothing drains, so the queue fills.
  f.inner->down_ = true;
  auto e = f.make(Fixture::deterministic(), /*max_records=*/3);
  ASSERT_TRUE(e->startWithoutHost().ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(e->consume(logsBatch({"x"})).ok());
  Status st = e->consume(logsBatch({"y"}));
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(st.error().permanent);
  EXPECT_GT(st.error().retry_after.count(), 0);
  EXPECT_NE(st.error().message.find("sending queue is full"), std::string::npos);
}

TEST(QueuedExporterTest, ShutdownMidRetryKeepsTheRecordForTheNextStart) {
  Fixture f;
  f.inner->script({Error::unavailable("down", std::chrono::seconds(0))});
  {
    // A clock whose sleeps are interrupted at once: the consumer is stuck in back-off.
    auto e = f.make();
    f.clock->interrupt();
    ASSERT_TRUE(e->startWithoutHost().ok());
    ASSERT_TRUE(e->consume(logsBatch({"kept"})).ok());
    ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->attempts_ >= 1; }));
    e->shutdown();
  }
  EXPECT_TRUE(f.inner->delivered().empty());
  f.clock = std::make_shared<FakeClock>();
  auto e = f.make();
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->delivered_.size() == 1; }));
  EXPECT_EQ(f.inner->delivered(), (std::vector<std::string>{"kept"}));
}

TEST(QueuedExporterTest, OutageQueueGrowsOnDiskThenDrainsWithNothingLost) {
  Fixture f;
  f.inner->down_ = true;  // the destination answers 503 to everything
  auto e = f.make(Fixture::deterministic(), /*max_records=*/50);
  ASSERT_TRUE(e->startWithoutHost().ok());
  std::vector<std::string> want;
  for (int i = 0; i < 50; ++i) {
    want.push_back("o-" + std::to_string(i));
    ASSERT_TRUE(e->consume(logsBatch({want.back()})).ok()) << i;  // ingest goes on
  }
  EXPECT_EQ(e->queue()->stats().records, 50u);
  // Full: the client is told to retry later instead of the data being dropped.
  Status refused = e->consume(logsBatch({"late"}));
  ASSERT_FALSE(refused.ok());
  EXPECT_GT(refused.error().retry_after.count(), 0);
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->attempts_ >= 2; }));  // it did fail
  {
    std::lock_guard lock(f.inner->mu_);
    f.inner->down_ = false;  // the destination recovers
  }
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->delivered_.size() >= 50; }));
  e->shutdown();
  auto got = f.inner->delivered();
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_GT(e->retries(), 0u);
  EXPECT_EQ(e->dropped(), 0u);
  EXPECT_EQ(e->queue()->stats().records, 0u);
}

TEST(QueuedExporterTest, ConsumerSideBatchingMergesUpToMinSizeAndKeepsSignalsApart) {
  Fixture f;
  BatchSettings b;
  b.enabled = true;
  b.min_size = 4;
  b.max_size = 5;
  b.flush_timeout = std::chrono::seconds(20);  // reached only if merging were broken
  auto e = f.make(Fixture::deterministic(), 1000, b);
  // Stage everything before the consumer runs: a logs pair, a lone trace, more logs.
  {
    std::lock_guard lock(f.inner->mu_);  // consume() of the inner exporter waits on this
    ASSERT_TRUE(e->startWithoutHost().ok());
    ASSERT_TRUE(e->consume(logsBatch({"a", "b"})).ok());
    ASSERT_TRUE(e->consume(logsBatch({"c", "d"})).ok());
    auto trace = std::make_unique<pdata::Batch>(Signal::kTraces);
    ASSERT_TRUE(pdata::decodeJson(*trace, R"({"resourceSpans":[{"scopeSpans":[{"spans":[)"
                                          R"({"traceId":"0102030405060708090a0b0c0d0e0f10",)"
                                          R"("spanId":"0102030405060708","name":"s"}]}]}]})")
                    .ok());
    ASSERT_TRUE(e->consume(std::move(trace)).ok());
    ASSERT_TRUE(e->consume(logsBatch({"e", "f", "g"})).ok());
    ASSERT_TRUE(e->consume(logsBatch({"h", "i", "j"})).ok());
    ASSERT_TRUE(e->consume(logsBatch({"k"})).ok());
  }
  ASSERT_TRUE(f.inner->waitFor([&] { return f.inner->delivered_.size() == 11; }));
  // {a,b}+{c,d} reach min_size 4; the trace goes on its own (another signal); {e,f,g}+{h,i,j}
  // would pass max_size 5, so {e,f,g} goes alone; {h,i,j}+{k} reach min_size again.
  std::lock_guard lock(f.inner->mu_);
  ASSERT_EQ(f.inner->calls_.size(), 4u);
  EXPECT_EQ(f.inner->calls_[0], 4u);
  EXPECT_EQ(f.inner->signals_[1], Signal::kTraces);
  EXPECT_EQ(f.inner->calls_[2], 3u);
  EXPECT_EQ(f.inner->calls_[3], 4u);
  EXPECT_EQ(f.inner->delivered_,
            (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}));
}

TEST(QueuedExporterTest, ConsumeBeforeStartIsRetryable) {
  Fixture f;
  auto e = f.make();
  Status st = e->consume(logsBatch({"a"}));
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(st.error().permanent);
}

// Polls (bounded) until every queued record is acknowledged: pending sends do not go through the
// scripted exporter, so its condition variable is not signalled.
bool drained(QueuedExporter& e) {
  for (int i = 0; i < 2000; ++i) {
    if (e.queue()->stats().records == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// What a destination that took part of a batch leaves: `left` items; each send() takes the next
// scripted answer (OK once exhausted) and records how many items it carried.
class ScriptedPending : public PendingExport {
 public:
  ScriptedPending(std::vector<std::string> left, std::deque<Status>* answers,
                  std::vector<std::vector<std::string>>* sends)
      : left_(std::move(left)), answers_(answers), sends_(sends) {}
  size_t items() const override { return left_.size(); }
  Status send() override {
    sends_->push_back(left_);
    if (answers_->empty()) return {};
    Status st = std::move(answers_->front());
    answers_->pop_front();
    return st;
  }

 private:
  std::vector<std::string> left_;
  std::deque<Status>* answers_;
  std::vector<std::vector<std::string>>* sends_;
};

TEST(QueuedExporterTest, APendingPartIsRetriedInsteadOfTheWholeBatch) {
  Fixture f;
  std::deque<Status> pending_answers;
  std::vector<std::vector<std::string>> sends;
  // The first pending send fails again, leaving a smaller part; the second gets through.
  auto smaller =
      std::make_shared<ScriptedPending>(std::vector<std::string>{"c"}, &pending_answers, &sends);
  pending_answers.push_back(
      Error{ErrorCode::kUnavailable, "206 again", false, std::chrono::seconds(3), smaller});
  auto first = std::make_shared<ScriptedPending>(std::vector<std::string>{"b", "c"},
                                                 &pending_answers, &sends);
  f.inner->script({Error{ErrorCode::kUnavailable, "206", false, std::chrono::seconds(7), first}});
  auto e = f.make();
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"a", "b", "c"})).ok());
  ASSERT_TRUE(drained(*e));
  e->shutdown();
  EXPECT_EQ(f.inner->attempts(), 1);  // the whole batch went to the exporter once
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0], (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(sends[1], (std::vector<std::string>{"c"}));
  auto sleeps = f.clock->sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_EQ(sleeps[0], std::chrono::seconds(7));  // Retry-After of each answer
  EXPECT_EQ(sleeps[1], std::chrono::milliseconds(7500));
  EXPECT_EQ(
      f.registry.counterValue("otelcol_exporter_sent_log_records", {{"exporter", "file/test"}}),
      3u);
}

TEST(QueuedExporterTest, APendingPartThatFailsPermanentlyDropsOnlyThatPart) {
  Fixture f;
  std::deque<Status> pending_answers;
  std::vector<std::vector<std::string>> sends;
  pending_answers.push_back(Error::invalid("400 for what was left"));
  auto rest =
      std::make_shared<ScriptedPending>(std::vector<std::string>{"b"}, &pending_answers, &sends);
  f.inner->script({Error{ErrorCode::kUnavailable, "206", false, std::chrono::seconds(0), rest}});
  auto e = f.make();
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"a", "b", "c"})).ok());
  ASSERT_TRUE(drained(*e));
  e->shutdown();
  EXPECT_EQ(sends.size(), 1u);
  const selftelemetry::Labels dropped{{"exporter", "file/test"}, {"reason", "permanent"}};
  EXPECT_EQ(f.registry.counterValue("agentgate_exporter_dropped_log_records_total", dropped), 1u);
  EXPECT_EQ(
      f.registry.counterValue("otelcol_exporter_sent_log_records", {{"exporter", "file/test"}}),
      2u);
  EXPECT_EQ(f.registry.counterValue("otelcol_exporter_send_failed_log_records",
                                    {{"exporter", "file/test"}}),
            1u);
}

}  // namespace
}  // namespace agentgate::exporterhelper
