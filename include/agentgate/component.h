// Component interfaces: the collector's receiver / processor / exporter / extension model.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agentgate/result.h"
#include "agentgate/signal.h"

namespace agentgate::pdata {
class Batch;
}  // namespace agentgate::pdata

namespace agentgate::net {
class WorkerPool;
}  // namespace agentgate::net

namespace agentgate::selftelemetry {
class Registry;
}  // namespace agentgate::selftelemetry

namespace agentgate {

class MemoryBudget;

using BatchPtr = std::unique_ptr<pdata::Batch>;

class Host;

// Lifecycle shared by every component. start() is called once; shutdown() is idempotent and legal
// without start().
class Component {
 public:
  virtual ~Component() = default;
  virtual Status start(Host& host) {
    (void)host;
    return {};
  }
  virtual void shutdown() {}
};

// Something that takes batches. It owns the batch it is given. An error is returned to the
// receiver, which maps it to the client's status code (retryable errors carry retry_after).
class Consumer {
 public:
  virtual ~Consumer() = default;
  virtual Status consume(BatchPtr&& batch) = 0;
  // True when consume() changes the batch; the fan-out then hands it a private copy.
  virtual bool mutatesData() const { return false; }
};

using ConsumerPtr = std::shared_ptr<Consumer>;

class Receiver : public Component {};
class Processor : public Component, public Consumer {};
class Exporter : public Component, public Consumer {};
class ServerAuthenticator;
class ClientAuthenticator;

class Extension : public Component {
 public:
  virtual ServerAuthenticator* asServerAuthenticator() { return nullptr; }
  virtual ClientAuthenticator* asClientAuthenticator() { return nullptr; }
};

// What a component can reach at start(): other extensions, self-telemetry, the worker loops.
class Host {
 public:
  virtual ~Host() = default;
  // The started extension with this id ("bearertokenauth", "bearertokenauth/ingest"), or nullptr.
  virtual Extension* extension(std::string_view id) = 0;
  virtual selftelemetry::Registry& telemetry() = 0;
  virtual net::WorkerPool& workers() = 0;
  // Extensions and servers report readiness here; health_check answers 200 only when true.
  virtual bool ready() const = 0;
  // Records "<component id> -> host:port" after a listener bound (port 0 resolves here), so the
  // CLI can publish the addresses (--ready-file) for tests and scripts.
  virtual void reportEndpoint(std::string_view name, std::string_view address) = 0;
  // The data path's admission budget (src/common/memory_budget.h): memory_limiter processors set
  // its limit, receivers reserve request bytes in it. nullptr = no accounting.
  virtual MemoryBudget* memoryBudget() { return nullptr; }
};

}  // namespace agentgate
