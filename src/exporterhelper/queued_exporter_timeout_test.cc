// QueuedExporter: the per-attempt `timeout` (a hung exporter call is a retryable failure, the
// batch is retried and never lost, shutdown does not wait on it) and the request context that
// travels with a queued batch across a restart.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "exporterhelper/queued_context.h"
#include "exporterhelper/queued_exporter.h"
#include "exporterhelper/test_util.h"
#include "selftelemetry/registry.h"

namespace agentgate::exporterhelper {
namespace {

using testing::bodies;
using testing::logsBatch;
using testing::ScratchDir;

// An exporter whose first `hang_calls` calls block until release() (a destination that stops
// answering); later calls succeed. Records what it received and with which context.
class HangingExporter : public Exporter {
 public:
  explicit HangingExporter(int hang_calls) : hang_calls_(hang_calls) {}
  Status consume(BatchPtr&& batch) override {
    std::unique_lock lock(mu_);
    const int call = ++calls_;
    if (call <= hang_calls_) {
      ++hung_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    for (auto& b : bodies(*batch)) delivered_.push_back(b);
    contexts_.push_back(batch->context);
    cv_.notify_all();
    return {};
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int hung() {
    std::lock_guard lock(mu_);
    return hung_;
  }
  size_t deliveredCount() {
    std::lock_guard lock(mu_);
    return delivered_.size();
  }
  template <typename Pred>
  bool waitFor(Pred pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return pred(); });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int hang_calls_;
  int calls_ = 0;
  int hung_ = 0;
  bool released_ = false;
  std::vector<std::string> delivered_;
  std::vector<pdata::RequestContext> contexts_;
};

// Fails every call (retryable): the destination is down, batches stay queued.
class DownExporter : public Exporter {
 public:
  Status consume(BatchPtr&&) override {
    return Error::unavailable("down", std::chrono::seconds(0));
  }
};

RetrySettings fastRetry() {
  RetrySettings r;
  r.randomization_factor = 0;
  return r;
}

std::unique_ptr<QueuedExporter> make(const std::string& dir, std::shared_ptr<Exporter> inner,
                                     std::chrono::nanoseconds timeout,
                                     selftelemetry::Registry* registry = nullptr,
                                     BatchSettings batch = {}) {
  QueueOptions o;
  o.directory = dir;
  o.fsync = FsyncPolicy::kNever;
  // FakeClock: back-off sleeps return at once; the timeout itself is real time.
  return std::make_unique<QueuedExporter>("file/test", std::move(inner), o, 1, fastRetry(),
                                          registry, std::make_shared<FakeClock>(), batch, timeout);
}

TEST(QueuedExporterTimeout, HungAttemptIsARetryableFailureAndTheBatchIsRetried) {
  ScratchDir dir;
  selftelemetry::Registry registry;
  auto inner = std::make_shared<HangingExporter>(1);
  auto e = make(dir.path(), inner, std::chrono::milliseconds(50), &registry);
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"id-1", "id-2"})).ok());
  // The first call hangs; after the timeout the batch goes to a second call, which delivers.
  ASSERT_TRUE(inner->waitFor([&] { return inner->delivered_.size() == 2; }));
  EXPECT_EQ(e->timeouts(), 1u);
  EXPECT_EQ(e->retries(), 1u);
  EXPECT_EQ(e->abandonedAttempts(), 1);
  EXPECT_EQ(registry.counterValue("agentgate_exporter_timeouts_total", {{"exporter", "file/test"}}),
            1u);
  for (int i = 0; i < 2000 && e->queue()->stats().records > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the ack follows the export
  }
  EXPECT_EQ(e->queue()->stats().records, 0u);  // acknowledged by the retry
  // The hung call returns eventually: at-least-once, so its copy is a duplicate, not a loss.
  inner->release();
  ASSERT_TRUE(inner->waitFor([&] { return inner->delivered_.size() == 4; }));
  for (int i = 0; i < 2000 && e->abandonedAttempts() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the detached thread exits
  }
  EXPECT_EQ(e->abandonedAttempts(), 0);
  e->shutdown();
}

TEST(QueuedExporterTimeout, ExporterThatNeverAnswersNeitherLosesRecordsNorBlocksShutdown) {
  ScratchDir dir;
  auto inner = std::make_shared<HangingExporter>(1000000);
  auto e = make(dir.path(), inner, std::chrono::milliseconds(20));
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"a"})).ok());
  ASSERT_TRUE(e->consume(logsBatch({"b"})).ok());
  for (int i = 0; i < 2000 && e->timeouts() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // bounded wait for retries
  }
  EXPECT_GE(e->timeouts(), 5u);
  // One consumer leaves at most two hung calls behind; later attempts fail without a call.
  EXPECT_EQ(e->abandonedAttempts(), 2);
  EXPECT_EQ(inner->hung(), 2);
  e->shutdown();  // returns although the exporter still holds a call
  EXPECT_EQ(inner->deliveredCount(), 0u);
  inner->release();
  for (int i = 0; i < 2000 && e->abandonedAttempts() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the hung calls return
  }
  EXPECT_EQ(e->abandonedAttempts(), 0);

  // Both batches are still queued for the next start.
  auto later = std::make_shared<HangingExporter>(0);
  auto e2 = make(dir.path(), later, std::chrono::seconds(5));
  ASSERT_TRUE(e2->startWithoutHost().ok());
  ASSERT_TRUE(later->waitFor([&] { return later->delivered_.size() == 2; }));
  EXPECT_EQ(later->delivered_, (std::vector<std::string>{"a", "b"}));
  e2->shutdown();
}

TEST(QueuedExporterTimeout, ZeroTimeoutCallsTheExporterDirectly) {
  ScratchDir dir;
  auto inner = std::make_shared<HangingExporter>(0);
  auto e = make(dir.path(), inner, std::chrono::nanoseconds(0));
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(e->consume(logsBatch({"x"})).ok());
  ASSERT_TRUE(inner->waitFor([&] { return inner->delivered_.size() == 1; }));
  EXPECT_EQ(e->timeouts(), 0u);
  e->shutdown();
}

pdata::RequestContext identity(const std::string& subject) {
  pdata::RequestContext c;
  c.client_address = "127.0.0.1:5555";
  c.auth_subject = subject;
  c.auth_attributes = {{"team", "blue"}, {"tier", "gold"}};
  c.metadata = {{"x-tenant", "acme"}};
  return c;
}

void expectSameContext(const pdata::RequestContext& got, const pdata::RequestContext& want) {
  EXPECT_EQ(got.client_address, want.client_address);
  EXPECT_EQ(got.auth_subject, want.auth_subject);
  EXPECT_EQ(got.auth_attributes, want.auth_attributes);
  EXPECT_EQ(got.metadata, want.metadata);
}

TEST(QueuedExporterContext, IdentityTravelsThroughTheQueueAcrossARestart) {
  ScratchDir dir;
  {
    // Destination down: the batch is only on disk when this instance goes away.
    auto e = make(dir.path(), std::make_shared<DownExporter>(), std::chrono::seconds(5));
    ASSERT_TRUE(e->startWithoutHost().ok());
    auto b = logsBatch({"secret-work"});
    b->context = identity("token#7");
    ASSERT_TRUE(e->consume(std::move(b)).ok());
    e->shutdown();
  }
  auto inner = std::make_shared<HangingExporter>(0);
  auto e = make(dir.path(), inner, std::chrono::seconds(5));
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(inner->waitFor([&] { return inner->delivered_.size() == 1; }));
  ASSERT_EQ(inner->contexts_.size(), 1u);
  expectSameContext(inner->contexts_[0], identity("token#7"));
  e->shutdown();
}

TEST(QueuedExporterContext, BatchingNeverMergesDifferentSenders) {
  ScratchDir dir;
  auto inner = std::make_shared<HangingExporter>(0);
  BatchSettings batch;
  batch.enabled = true;
  batch.min_size = 1000;  // never reached: flush by timeout or a context change
  batch.flush_timeout = std::chrono::milliseconds(300);
  QueueOptions o;
  o.directory = dir.path();
  o.fsync = FsyncPolicy::kNever;
  {
    // Queue three batches first (no consumers yet: a down destination, then a restart).
    auto e = make(dir.path(), std::make_shared<DownExporter>(), std::chrono::seconds(5));
    ASSERT_TRUE(e->startWithoutHost().ok());
    for (auto [id, who] : {std::pair{"a1", "alice"}, {"a2", "alice"}, {"b1", "bob"}}) {
      auto b = logsBatch({id});
      b->context = identity(who);
      ASSERT_TRUE(e->consume(std::move(b)).ok());
    }
    e->shutdown();
  }
  auto e = make(dir.path(), inner, std::chrono::seconds(5), nullptr, batch);
  ASSERT_TRUE(e->startWithoutHost().ok());
  ASSERT_TRUE(inner->waitFor([&] { return inner->delivered_.size() == 3; }));
  ASSERT_EQ(inner->contexts_.size(), 2u);  // alice's two merged, bob's alone
  EXPECT_EQ(inner->contexts_[0].auth_subject, "alice");
  EXPECT_EQ(inner->contexts_[1].auth_subject, "bob");
  EXPECT_EQ(inner->delivered_, (std::vector<std::string>{"a1", "a2", "b1"}));
  e->shutdown();
}

TEST(QueuedContext, RoundTripLeavesThePayloadReadableByOtlpDecoders) {
  auto b = logsBatch({"one", "two"});
  std::string payload = pdata::encodeProtobuf(*b);
  const std::string plain = payload;
  appendContext(payload, identity("token#1"));
  EXPECT_GT(payload.size(), plain.size());
  // Any OTLP reader skips the extra field.
  pdata::Batch decoded(Signal::kLogs);
  ASSERT_TRUE(pdata::decodeProtobuf(decoded, decoded.adoptBuffer(payload)).ok());
  EXPECT_EQ(bodies(decoded), (std::vector<std::string>{"one", "two"}));
  pdata::RequestContext ctx;
  ASSERT_TRUE(decodeContext(contextBytes(payload), ctx).ok());
  expectSameContext(ctx, identity("token#1"));
  // No context, nothing appended; garbage is no context, never an error for the batch.
  std::string empty = plain;
  appendContext(empty, pdata::RequestContext{});
  EXPECT_EQ(empty, plain);
  EXPECT_EQ(contextBytes(plain), "");
  EXPECT_EQ(contextBytes(std::string("\xff\xff\xff", 3)), "");
  pdata::RequestContext untouched = identity("keep");
  EXPECT_FALSE(decodeContext(std::string("\x1a\x05\x0a", 3), untouched).ok());
  EXPECT_EQ(untouched.auth_subject, "keep");
}

}  // namespace
}  // namespace agentgate::exporterhelper
