// MemoryBudget: the process-wide admission budget of the data path (DESIGN section 7). Receivers
// reserve the bytes a request will hold (its body as announced by Content-Length, the inflated
// size after decompression, the decoded batch) before they allocate them, and release them when
// the request is answered, i.e. after the durable queue append. A reservation that does not fit
// is a retryable refusal (503/429 + Retry-After), so memory stays bounded however many clients
// flood the receiver. The memory_limiter processor sets the limit and, from its RSS samples, the
// pressure level that refuses everything while the process is above its soft limit.
//
// The hot path is one relaxed load and one compare-exchange on an atomic counter; nothing is
// allocated per request or per record.
#pragma once

#include <atomic>
#include <cstdint>

namespace agentgate {

class MemoryBudget {
 public:
  enum class Pressure : uint8_t { kNone = 0, kSoft = 1, kHard = 2 };

  // Bytes the data path may hold at once; 0 = unlimited (no memory_limiter configured). With
  // several memory_limiters (one per pipeline) the smallest limit wins.
  void setLimit(uint64_t bytes);
  uint64_t limit() const { return limit_.load(std::memory_order_relaxed); }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }

  // Adds `bytes` to the in-flight total unless that would pass the limit. `held` is what the
  // caller already holds: a request alone in flight (used == held) is always admitted, so a
  // single request larger than the whole budget still gets through instead of being refused
  // forever.
  bool tryAcquire(uint64_t bytes, uint64_t held = 0);
  void release(uint64_t bytes);

  // Set by the memory_limiter's RSS sampler: kSoft/kHard refuse new requests.
  void setPressure(Pressure p) { pressure_.store(p, std::memory_order_relaxed); }
  Pressure pressure() const { return pressure_.load(std::memory_order_relaxed); }
  bool underPressure() const { return pressure() != Pressure::kNone; }

  // Requests refused by the budget or the pressure level (self-metric).
  void countRefusal() { refusals_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t refusals() const { return refusals_.load(std::memory_order_relaxed); }
  // Highest in-flight total seen (self-metric, and what tests assert on).
  uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> limit_{0};
  std::atomic<uint64_t> used_{0};
  std::atomic<uint64_t> peak_{0};
  std::atomic<uint64_t> refusals_{0};
  std::atomic<Pressure> pressure_{Pressure::kNone};
};

// What one request holds of a MemoryBudget; released on destruction. A null budget makes every
// resize succeed (no limiter configured, or a component test without a Host budget).
class MemoryReservation {
 public:
  MemoryReservation() = default;
  explicit MemoryReservation(MemoryBudget* budget) : budget_(budget) {}
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;
  MemoryReservation(MemoryReservation&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) {
    o.bytes_ = 0;
  }
  MemoryReservation& operator=(MemoryReservation&& o) noexcept;
  ~MemoryReservation() { reset(); }

  // Makes the reservation exactly `total` bytes. Growing can fail (the budget is full): the
  // reservation is then unchanged. Shrinking always succeeds.
  bool resize(uint64_t total);
  uint64_t bytes() const { return bytes_; }
  MemoryBudget* budget() const { return budget_; }
  void reset();

 private:
  MemoryBudget* budget_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace agentgate
