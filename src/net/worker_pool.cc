#include "net/worker_pool.h"

#include <exception>

#include "common/logging.h"

namespace agentgate::net {

WorkerPool::WorkerPool(unsigned workers) {
  if (workers == 0) workers = 1;
  contexts_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) {
    // Concurrency hint 1: each context is only ever run by its own thread, so Asio can skip
    // internal locking on the scheduler.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
  }
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::start() {
  if (started_) return;
  started_ = true;
  for (auto& ctx : contexts_) {
    if (ctx->stopped()) ctx->restart();
    guards_.push_back(
        std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
            ctx->get_executor()));
  }
  threads_.reserve(contexts_.size());
  for (auto& ctx : contexts_) {
    boost::asio::io_context* c = ctx.get();
    threads_.emplace_back([c] {
      // A handler that throws must not take the process down (DESIGN section 5): log and keep
      // running the loop.
      for (;;) {
        try {
          c->run();
          return;
        } catch (const std::exception& e) {
          log::error("worker loop: unexpected exception: {}", e.what());
        } catch (...) {
          log::error("worker loop: unexpected non-standard exception");
        }
      }
    });
  }
}

void WorkerPool::stop() {
  if (!started_) return;
  started_ = false;
  // Drop the guards first so loops end once pending work (graceful closes) is done, then force
  // them to stop so a stuck peer cannot hold shutdown hostage.
  guards_.clear();
  for (auto& ctx : contexts_) ctx->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace agentgate::net
