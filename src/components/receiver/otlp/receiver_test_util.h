// Test helpers for the otlp receiver tests: a capturing consumer, a tiny protobuf writer for
// hand-made (and hostile) requests, and a harness that runs the real receiver on port 0.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "components/receiver/otlp/config.h"
#include "components/receiver/otlp/otlp_receiver.h"
#include "pdata/model.h"
#include "testlib/test_host.h"

namespace agentgate::components::otlpreceiver::testing {

class CapturingConsumer : public Consumer {
 public:
  Status consume(BatchPtr&& batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    if (fail_) return *fail_;
    batches_.push_back(std::move(batch));
    return {};
  }
  void failWith(std::optional<Error> e) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = std::move(e);
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  // Takes the captured batches (the receiver answers only after consume returned).
  std::vector<BatchPtr> take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(batches_);
  }

 private:
  mutable std::mutex mu_;
  std::optional<Error> fail_;
  std::vector<BatchPtr> batches_;
  int calls_ = 0;
};

// Protobuf wire writer for building requests by hand.
struct Pb {
  std::string out;
  static void varint(std::string& o, uint64_t v) {
    while (v >= 0x80) {
      o.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    o.push_back(static_cast<char>(v));
  }
  Pb& tag(uint32_t field, uint32_t wire) {
    varint(out, (uint64_t{field} << 3) | wire);
    return *this;
  }
  Pb& bytes(uint32_t field, std::string_view b) {
    tag(field, 2);
    varint(out, b.size());
    out.append(b);
    return *this;
  }
  Pb& u64(uint32_t field, uint64_t v) {
    tag(field, 0);
    varint(out, v);
    return *this;
  }
  Pb& fixed64(uint32_t field, uint64_t v) {
    tag(field, 1);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
};

inline std::string stringValue(std::string_view s) { return Pb().bytes(1, s).out; }
inline std::string keyValue(std::string_view k, std::string_view v) {
  return Pb().bytes(1, k).bytes(2, stringValue(v)).out;
}
// ExportLogsServiceRequest with one LogRecord built from `record` (LogRecord bytes).
inline std::string logsRequestWithRecord(const std::string& record) {
  std::string scope_logs = Pb().bytes(1, Pb().bytes(1, "test-scope").out).bytes(2, record).out;
  std::string resource = Pb().bytes(1, keyValue("service.name", "svc")).out;
  std::string rl = Pb().bytes(1, resource).bytes(2, scope_logs).out;
  return Pb().bytes(1, rl).out;
}
// A valid request with `n` log records whose body is "hello".
inline std::string logsRequest(int n) {
  std::string scope_logs = Pb().bytes(1, Pb().bytes(1, "test-scope").out).out;
  for (int i = 0; i < n; ++i) {
    std::string rec = Pb().fixed64(1, 1700000000000000000ull + i)
                          .bytes(5, stringValue("hello"))
                          .bytes(6, keyValue("event.name", "prompt"))
                          .out;
    Pb::varint(scope_logs, (2u << 3) | 2);
    Pb::varint(scope_logs, rec.size());
    scope_logs += rec;
  }
  std::string rl =
      Pb().bytes(1, Pb().bytes(1, keyValue("service.name", "svc")).out).bytes(2, scope_logs).out;
  return Pb().bytes(1, rl).out;
}
// A valid ExportTraceServiceRequest with one span.
inline std::string tracesRequest() {
  std::string span = Pb().bytes(1, std::string(16, '\x01'))
                         .bytes(2, std::string(8, '\x02'))
                         .bytes(5, "claude_code.interaction")
                         .fixed64(7, 1)
                         .fixed64(8, 2)
                         .out;
  std::string ss = Pb().bytes(2, span).out;
  return Pb().bytes(1, Pb().bytes(2, ss).out).out;
}

// The receiver on 127.0.0.1:0 (both protocols) with capturing consumers for every signal.
struct Harness {
  testlib::TestHost host;
  std::shared_ptr<CapturingConsumer> logs = std::make_shared<CapturingConsumer>();
  std::shared_ptr<CapturingConsumer> traces = std::make_shared<CapturingConsumer>();
  std::shared_ptr<CapturingConsumer> metrics = std::make_shared<CapturingConsumer>();
  std::unique_ptr<OtlpReceiver> receiver;
  CreateSettings settings;

  static OtlpReceiverConfig loopbackConfig() {
    OtlpReceiverConfig cfg;
    cfg.grpc->endpoint = "127.0.0.1:0";
    cfg.http->endpoint = "127.0.0.1:0";
    return cfg;
  }

  Status start(OtlpReceiverConfig cfg = loopbackConfig(), bool all_signals = true) {
    settings.id = {"otlp", ""};
    ReceiverConsumers next;
    next.logs = logs;
    if (all_signals) {
      next.traces = traces;
      next.metrics = metrics;
    }
    receiver = std::make_unique<OtlpReceiver>(settings, std::move(cfg), next);
    return receiver->start(host);
  }
  ~Harness() {
    if (receiver) receiver->shutdown();
  }
  std::string httpUrl(std::string_view path) const {
    return "http://" + host.endpoint("otlp/http") + std::string(path);
  }
  std::string grpcAddress() const { return host.endpoint("otlp/grpc"); }
};

}  // namespace agentgate::components::otlpreceiver::testing
