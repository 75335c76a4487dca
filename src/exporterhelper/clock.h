// Clock and sleeper for the queue consumers, injected so tests run retries and Retry-After
// without real sleeps.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace agentgate::exporterhelper {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() = 0;
  virtual int64_t unixMillis() = 0;
  // Waits `d`; false when interrupt() cut the wait short (or had been called before).
  virtual bool sleepFor(std::chrono::nanoseconds d) = 0;
  // Wakes every sleeper, now and later (shutdown).
  virtual void interrupt() = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
  int64_t unixMillis() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  bool sleepFor(std::chrono::nanoseconds d) override {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, d, [&] { return interrupted_; });
  }
  void interrupt() override {
    std::lock_guard lock(mu_);
    interrupted_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool interrupted_ = false;
};

// Test clock: sleepFor() returns at once, advancing time by the requested amount and recording it.
class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override {
    std::lock_guard lock(mu_);
    return std::chrono::steady_clock::time_point{} + elapsed_;
  }
  int64_t unixMillis() override {
    std::lock_guard lock(mu_);
    return 1'700'000'000'000 +
           std::chrono::duration_cast<std::chrono::milliseconds>(elapsed_).count();
  }
  bool sleepFor(std::chrono::nanoseconds d) override {
    std::lock_guard lock(mu_);
    if (interrupted_) return false;
    sleeps_.push_back(d);
    elapsed_ += d;
    return true;
  }
  void interrupt() override {
    std::lock_guard lock(mu_);
    interrupted_ = true;
  }
  void advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mu_);
    elapsed_ += d;
  }
  std::vector<std::chrono::nanoseconds> sleeps() {
    std::lock_guard lock(mu_);
    return sleeps_;
  }

 private:
  std::mutex mu_;
  std::chrono::nanoseconds elapsed_{0};
  std::vector<std::chrono::nanoseconds> sleeps_;
  bool interrupted_ = false;
};

}  // namespace agentgate::exporterhelper
