// A Host for component tests: real worker loops and self-telemetry registry, a map of
// extensions, and the endpoints components report (port 0 resolved).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "agentgate/component.h"
#include "common/memory_budget.h"
#include "net/worker_pool.h"
#include "selftelemetry/registry.h"

namespace agentgate::testlib {

class TestHost : public Host {
 public:
  explicit TestHost(unsigned workers = 1) : pool_(workers) { pool_.start(); }
  ~TestHost() override { pool_.stop(); }

  // Extensions the host owns (tests create them) or borrows.
  void addExtension(std::string id, std::unique_ptr<Extension> ext) {
    borrowed_[id] = ext.get();
    owned_[std::move(id)] = std::move(ext);
  }
  void addExtension(std::string id, Extension* ext) { borrowed_[std::move(id)] = ext; }

  Extension* extension(std::string_view id) override {
    auto it = borrowed_.find(std::string(id));
    return it == borrowed_.end() ? nullptr : it->second;
  }
  selftelemetry::Registry& telemetry() override { return registry_; }
  net::WorkerPool& workers() override { return pool_; }
  MemoryBudget* memoryBudget() override { return &budget_; }
  bool ready() const override { return ready_; }
  void setReady(bool r) { ready_ = r; }

  void reportEndpoint(std::string_view name, std::string_view address) override {
    std::lock_guard<std::mutex> lock(mu_);
    endpoints_[std::string(name)] = std::string(address);
  }
  // The reported address, or "" when none was reported.
  std::string endpoint(std::string_view name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = endpoints_.find(std::string(name));
    return it == endpoints_.end() ? std::string() : it->second;
  }
  std::map<std::string, std::string> endpoints() const {
    std::lock_guard<std::mutex> lock(mu_);
    return endpoints_;
  }

 private:
  net::WorkerPool pool_;
  selftelemetry::Registry registry_;
  MemoryBudget budget_;
  std::map<std::string, std::unique_ptr<Extension>> owned_;
  std::map<std::string, Extension*> borrowed_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> endpoints_;
  bool ready_ = true;
};

}  // namespace agentgate::testlib
