#include "common/memory_budget.h"

namespace agentgate {

void MemoryBudget::setLimit(uint64_t bytes) {
  uint64_t cur = limit_.load(std::memory_order_relaxed);
  while (bytes != 0 && (cur == 0 || bytes < cur) &&
         !limit_.compare_exchange_weak(cur, bytes, std::memory_order_relaxed)) {
  }
}

bool MemoryBudget::tryAcquire(uint64_t bytes, uint64_t held) {
  if (bytes == 0) return true;
  const uint64_t lim = limit_.load(std::memory_order_relaxed);
  uint64_t cur = used_.load(std::memory_order_relaxed);
  uint64_t next;
  do {
    next = cur + bytes;
    if (lim != 0 && next > lim && cur > held) return false;
  } while (!used_.compare_exchange_weak(cur, next, std::memory_order_relaxed));
  uint64_t p = peak_.load(std::memory_order_relaxed);
  while (next > p && !peak_.compare_exchange_weak(p, next, std::memory_order_relaxed)) {
  }
  return true;
}

void MemoryBudget::release(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

MemoryReservation& MemoryReservation::operator=(MemoryReservation&& o) noexcept {
  if (this != &o) {
    reset();
    budget_ = o.budget_;
    bytes_ = o.bytes_;
    o.bytes_ = 0;
  }
  return *this;
}

bool MemoryReservation::resize(uint64_t total) {
  if (total > bytes_) {
    if (budget_ != nullptr && !budget_->tryAcquire(total - bytes_, bytes_)) return false;
  } else if (budget_ != nullptr) {
    budget_->release(bytes_ - total);
  }
  bytes_ = total;
  return true;
}

void MemoryReservation::reset() {
  if (budget_ != nullptr && bytes_ != 0) budget_->release(bytes_);
  bytes_ = 0;
}

}  // namespace agentgate
