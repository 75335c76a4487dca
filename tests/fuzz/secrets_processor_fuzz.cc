// Fuzzes the secrets processor's traversal: byte 0 picks the signal, the rest is an OTLP protobuf
// request. Whatever decodes must go through the processor without crashing, and the processed
// batch (redacted strings in the arena, dropped attributes/records, added findings) must encode
// to protobuf that decodes again.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "components/processor/secrets/secrets_processor.h"
#include "pdata/codec.h"

using namespace agentgate;

namespace {

class Sink : public Consumer {
 public:
  Status consume(BatchPtr&& batch) override {
    last = std::move(batch);
    return {};
  }
  BatchPtr last;
};

components::secrets_processor::SecretsProcessor& processor(std::shared_ptr<Sink>& sink) {
  static std::shared_ptr<Sink> s = std::make_shared<Sink>();
  static auto p = [] {
    components::secrets_processor::Config cfg;
    cfg.fingerprint_key = "fuzz";
    // Exercise every action: drop_record for Slack, drop_attribute for AWS, hash for GitHub.
    cfg.rule_actions["slack-bot-token"] = components::secrets_processor::Action::kDropRecord;
    cfg.rule_actions["aws-access-key-id"] = components::secrets_processor::Action::kDropAttribute;
    cfg.rule_actions["github-pat"] = components::secrets_processor::Action::kHash;
    auto det = secrets::Detector::create(cfg.detector);
    if (!det.ok()) std::abort();
    return std::make_shared<components::secrets_processor::SecretsProcessor>(
        std::move(cfg), std::move(det).value(), "secrets", s);
  }();
  sink = s;
  return *p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Signal signal = kAllSignals[data[0] % 3];
  auto batch = std::make_unique<pdata::Batch>(signal);
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!pdata::decodeProtobuf(*batch, batch->adoptBuffer(std::move(input))).ok()) return 0;
  std::shared_ptr<Sink> sink;
  auto& p = processor(sink);
  if (!p.consume(std::move(batch)).ok() || !sink->last) std::abort();
  std::string pb = pdata::encodeProtobuf(*sink->last);
  pdata::Batch again(signal);
  if (!pdata::decodeProtobuf(again, again.adoptBuffer(pb)).ok()) {
    std::fprintf(stderr, "processed batch does not re-decode\n");
    std::abort();
  }
  sink->last.reset();
  return 0;
}
