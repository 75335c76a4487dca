#include "common/memory_budget.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace agentgate {
namespace {

TEST(MemoryBudget, AdmitsWhatFitsRefusesTheRestAndAlwaysAdmitsALoneRequest) {
  MemoryBudget unlimited;
  EXPECT_TRUE(unlimited.tryAcquire(1ull << 40));  // no limit set: nothing is refused
  EXPECT_TRUE(unlimited.tryAcquire(1ull << 40));
  MemoryBudget b;
  b.setLimit(100);
  b.setLimit(200);  // the smallest limit wins (several memory_limiters)
  EXPECT_EQ(b.limit(), 100u);
  EXPECT_TRUE(b.tryAcquire(60));
  EXPECT_FALSE(b.tryAcquire(50));
  EXPECT_TRUE(b.tryAcquire(40));
  EXPECT_EQ(b.used(), 100u);
  b.release(100);
  EXPECT_TRUE(b.tryAcquire(500));  // alone: admitted even above the limit
  EXPECT_FALSE(b.tryAcquire(1));
  EXPECT_TRUE(b.tryAcquire(10, 500));  // the holder of everything may grow
  b.release(510);
  EXPECT_EQ(b.peak(), 510u);
}

TEST(MemoryBudget, ReservationGrowsShrinksAndReleasesOnDestruction) {
  MemoryBudget b;
  b.setLimit(100);
  {
    MemoryReservation r(&b);
    EXPECT_TRUE(r.resize(30));
    MemoryReservation other(&b);
    EXPECT_TRUE(other.resize(50));
    EXPECT_FALSE(r.resize(60));  // 60 + 50 > 100 and not alone
    EXPECT_EQ(r.bytes(), 30u);   // unchanged after a refused growth
    EXPECT_TRUE(r.resize(10));   // shrinking always works
    EXPECT_EQ(b.used(), 60u);
    MemoryReservation moved = std::move(other);
    EXPECT_EQ(other.bytes(), 0u);
    EXPECT_EQ(b.used(), 60u);
  }
  EXPECT_EQ(b.used(), 0u);
  MemoryReservation unbudgeted;  // no budget: every resize succeeds
  EXPECT_TRUE(unbudgeted.resize(1ull << 40));
}

TEST(MemoryBudget, ConcurrentReservationsNeverPassTheLimit) {
  MemoryBudget b;
  b.setLimit(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        MemoryReservation r(&b);
        if (r.resize(100)) (void)r.resize(250);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(b.used(), 0u);
  EXPECT_LE(b.peak(), 1000u);
}

}  // namespace
}  // namespace agentgate
