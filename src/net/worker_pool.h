// WorkerPool: N threads, each running its own io_context (DESIGN section 6). Listeners open one
// SO_REUSEPORT socket per worker so a connection never leaves the thread that accepted it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace agentgate::net {

class WorkerPool {
 public:
  explicit WorkerPool(unsigned workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned size() const { return static_cast<unsigned>(contexts_.size()); }
  boost::asio::io_context& context(unsigned i) { return *contexts_[i]; }
  void start();  // idempotent
  void stop();   // idempotent; joins the threads

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<
      std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>>
      guards_;
  std::vector<std::thread> threads_;
  bool started_ = false;
};

}  // namespace agentgate::net
