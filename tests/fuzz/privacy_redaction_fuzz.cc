// Fuzzes the traversals of the privacy and redaction processors: byte 0 picks the signal, the
// rest is an OTLP protobuf request. Whatever decodes goes through privacy (every content action,
// pseudonyms, truncation of non-string values) then redaction (allow list, key and value
// patterns with empty matches, map bodies, debug summary) without crashing, and the result must
// encode to protobuf that decodes again.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "components/processor/privacy/privacy_processor.h"
#include "components/processor/redaction/redaction_processor.h"
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

struct Chain {
  std::shared_ptr<Sink> sink = std::make_shared<Sink>();
  std::shared_ptr<Processor> head;
};

Chain& chain() {
  static Chain c = [] {
    Chain out;
    namespace rd = components::redaction;
    rd::Config rc;
    rc.allowed_keys = {"prompt", "body", "content", "user.email", "service.name", "a", "b"};
    rc.ignored_key_patterns = {"^session"};
    rc.blocked_key_patterns = {"(?i)token"};
    rc.blocked_values = {"[0-9]{4,}", "a*"};
    rc.allowed_values = {"^ok$"};
    rc.redact_all_types = true;
    rc.hash_function = rd::HashFunction::kSha3;
    rc.summary = rd::Summary::kDebug;
    auto red = rd::RedactionProcessor::create(rc, out.sink);
    if (!red.ok()) std::abort();
    namespace pv = components::privacy;
    pv::Config pc;
    pc.fields["prompt"] = {pv::ContentAction::kTruncate, 3};
    pc.fields["tool_output"] = {pv::ContentAction::kHash, 0};
    pc.fields["a"] = {pv::ContentAction::kTruncate, 1};
    pc.fields["b"] = {pv::ContentAction::kDrop, 0};
    pc.identity_fields["user.id"] = pv::IdentityAction::kDrop;
    out.head =
        std::make_shared<pv::PrivacyProcessor>(pc, "fuzz", "privacy", std::move(red).value());
    return out;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Signal signal = kAllSignals[data[0] % 3];
  auto batch = std::make_unique<pdata::Batch>(signal);
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!pdata::decodeProtobuf(*batch, batch->adoptBuffer(std::move(input))).ok()) return 0;
  Chain& c = chain();
  if (!c.head->consume(std::move(batch)).ok() || !c.sink->last) std::abort();
  std::string pb = pdata::encodeProtobuf(*c.sink->last);
  pdata::Batch again(signal);
  if (!pdata::decodeProtobuf(again, again.adoptBuffer(pb)).ok()) {
    std::fprintf(stderr, "processed batch does not re-decode\n");
    std::abort();
  }
  c.sink->last.reset();
  return 0;
}
