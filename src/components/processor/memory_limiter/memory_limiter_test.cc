#include "components/processor/memory_limiter/memory_limiter.h"

#include <gtest/gtest.h>

#include <thread>

#include "components/processor/memory_limiter/factory.h"
#include "config/loader.h"
#include "pdata/model.h"
#include "testlib/test_host.h"

namespace agentgate::components::memory_limiter {
namespace {

class Capture : public Consumer {
 public:
  Status consume(BatchPtr&& b) override {
    ++count;
    (void)b;
    return {};
  }
  int count = 0;
};

bool parse(const std::string& yaml, Config& out) {
  auto f = makeMemoryLimiterFactory();
  config::Diagnostics d;
  auto node = config::parseYaml(
      yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, d);
  auto cfg = f->createDefaultConfig();
  f->unmarshal(node, *cfg, d);
  out = static_cast<Config&>(*cfg);
  return !d.hasErrors();
}

std::shared_ptr<Processor> create(const std::string& yaml, std::shared_ptr<Capture> next) {
  Config c;
  EXPECT_TRUE(parse(yaml, c));
  auto f = makeMemoryLimiterFactory();
  auto p = f->create({}, c, Signal::kLogs, std::move(next));
  EXPECT_TRUE(p.ok());
  return p.ok() ? *p : nullptr;
}

BatchPtr batch() { return std::make_unique<pdata::Batch>(Signal::kLogs); }

TEST(MemoryLimiter, RefusesWhenRssIsAboveATinyLimit) {
  auto next = std::make_shared<Capture>();
  auto p = create("check_interval: 1s\nlimit_mib: 1\n", next);
  ASSERT_TRUE(p);
  testlib::TestHost host;
  ASSERT_TRUE(p->start(host).ok());
  auto st = p->consume(batch());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(st.error().permanent);
  EXPECT_EQ(st.error().message, "data refused due to high memory usage");
  EXPECT_EQ(next->count, 0);
  p->shutdown();
  p->shutdown();
}

TEST(MemoryLimiter, PassesThroughBelowTheLimit) {
  auto next = std::make_shared<Capture>();
  auto p = create("check_interval: 1s\nlimit_mib: 1000000\n", next);
  ASSERT_TRUE(p);
  testlib::TestHost host;
  ASSERT_TRUE(p->start(host).ok());
  ASSERT_TRUE(p->consume(batch()).ok());
  EXPECT_EQ(next->count, 1);
}

TEST(MemoryLimiter, BackgroundThreadFollowsMemoryUsage) {
  std::atomic<uint64_t> rss{10};
  Config c;
  c.check_interval = std::chrono::milliseconds(5);
  c.limit_mib = 100;
  Limits limits = computeLimits(c, 0);
  auto next = std::make_shared<Capture>();
  MemoryLimiter m(c, limits, next, [&] { return std::optional<uint64_t>(rss.load()); });
  testlib::TestHost host;
  ASSERT_TRUE(m.start(host).ok());
  ASSERT_TRUE(m.consume(batch()).ok());
  rss = 90ull << 20;  // above soft limit 80 MiB
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!m.refusing() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // poll interval
  }
  ASSERT_TRUE(m.refusing());
  EXPECT_FALSE(m.consume(batch()).ok());
  rss = 10;
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (m.refusing() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE(m.consume(batch()).ok());
  EXPECT_EQ(next->count, 2);
  m.shutdown();
}

TEST(MemoryLimiter, SetsTheAdmissionBudgetAndPublishesPressureToIt) {
  std::atomic<uint64_t> rss{10};
  Config c;
  c.check_interval = std::chrono::hours(1);  // samples only when the test says
  c.limit_mib = 100;
  c.spike_limit_mib = 30;
  auto next = std::make_shared<Capture>();
  MemoryLimiter m(c, computeLimits(c, 0), next,
                  [&] { return std::optional<uint64_t>(rss.load()); });
  testlib::TestHost host;
  ASSERT_TRUE(m.start(host).ok());
  MemoryBudget& budget = *host.memoryBudget();
  // In flight may add the spike on top of the soft limit: 70 + 30 = 100 MiB.
  EXPECT_EQ(budget.limit(), 30ull << 20);
  EXPECT_EQ(budget.pressure(), MemoryBudget::Pressure::kNone);
  rss = 80ull << 20;  // above soft (70), below hard (100)
  m.checkNow();
  EXPECT_EQ(budget.pressure(), MemoryBudget::Pressure::kSoft);
  EXPECT_FALSE(m.consume(batch()).ok());
  rss = 120ull << 20;
  m.checkNow();
  EXPECT_EQ(budget.pressure(), MemoryBudget::Pressure::kHard);
  rss = 10;
  m.checkNow();
  EXPECT_EQ(budget.pressure(), MemoryBudget::Pressure::kNone);
  EXPECT_TRUE(m.consume(batch()).ok());
  EXPECT_EQ(next->count, 1);
  EXPECT_EQ(budget.refusals(), 1u);
  m.checkNow();
  auto text = host.telemetry().renderPrometheus();
  EXPECT_NE(text.find("agentgate_memory_inflight_limit_bytes 31457280"), std::string::npos) << text;
  EXPECT_NE(text.find("agentgate_memory_refused_requests 1"), std::string::npos);
  m.shutdown();
}

TEST(MemoryLimiter, LimitsAndValidation) {
  Config c;
  c.limit_mib = 512;
  c.spike_limit_mib = 128;
  EXPECT_EQ(computeLimits(c, 0).softLimit(), 384ull << 20);
  c.spike_limit_mib = 0;
  EXPECT_EQ(computeLimits(c, 0).spike_bytes, (512ull << 20) / 5);
  Config p;
  p.limit_percentage = 50;
  p.spike_limit_percentage = 10;
  Limits l = computeLimits(p, 1000ull << 20);
  EXPECT_EQ(l.limit_bytes, 500ull << 20);
  EXPECT_EQ(l.spike_bytes, 100ull << 20);
  EXPECT_GT(totalMemory(), 0u);
  ASSERT_TRUE(processRss().has_value());
  EXPECT_GT(*processRss(), 0u);

  Config out;
  EXPECT_TRUE(parse("check_interval: 1s\nlimit_mib: 512\nspike_limit_mib: 128\n", out));
  EXPECT_EQ(out.check_interval, std::chrono::seconds(1));
  EXPECT_TRUE(
      parse("check_interval: 1s\nlimit_percentage: 80\nspike_limit_percentage: 20\n"
            "min_gc_interval_when_soft_limited: 10s\n",
            out));
  EXPECT_FALSE(parse("limit_mib: 512\n", out));      // no check_interval
  EXPECT_FALSE(parse("check_interval: 1s\n", out));  // no limit
  EXPECT_FALSE(parse("check_interval: 1s\nlimit_mib: 100\nspike_limit_mib: 100\n", out));
  EXPECT_FALSE(parse("check_interval: 1s\nlimit_percentage: 120\n", out));
  EXPECT_FALSE(
      parse("check_interval: 1s\nlimit_percentage: 20\nspike_limit_percentage: 30\n", out));
  EXPECT_FALSE(parse("check_interval: 0s\nlimit_mib: 10\n", out));
}

}  // namespace
}  // namespace agentgate::components::memory_limiter
