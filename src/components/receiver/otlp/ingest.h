// What the HTTP and gRPC front ends of the otlp receiver share: authentication over headers or
// metadata, decode into a Batch and hand-off to the pipeline, and the receiver's self-telemetry.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agentgate/auth.h"
#include "agentgate/component.h"
#include "agentgate/result.h"
#include "agentgate/signal.h"
#include "common/memory_budget.h"
#include "pdata/codec.h"
#include "pdata/model.h"
#include "selftelemetry/registry.h"

namespace agentgate::components::otlpreceiver {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// HeaderLookup over lower-cased (name, value) pairs; the first value of a name wins.
class HeaderListLookup final : public HeaderLookup {
 public:
  explicit HeaderListLookup(const HeaderList& headers) : headers_(headers) {}
  std::optional<std::string_view> get(std::string_view name) const override;

 private:
  const HeaderList& headers_;
};

// Runs the authenticator. The error message is dropped in favour of a fixed one if it contains
// any presented header value, so a misbehaving authenticator can never echo a credential.
Result<AuthIdentity> authenticate(const ServerAuthenticator& auth, const HeaderList& headers);

// Counters of one transport ("http" / "grpc") of one receiver id, looked up once.
class TransportTelemetry {
 public:
  TransportTelemetry(selftelemetry::Registry& registry, std::string receiver,
                     std::string transport);
  void countItems(Signal signal, size_t n, bool accepted);
  // agentgate_<transport>_requests_total{receiver, code}.
  void countRequest(std::string_view code);

 private:
  selftelemetry::Registry& registry_;
  std::string receiver_;
  std::string requests_metric_;
  std::array<selftelemetry::Counter*, 3> accepted_{};
  std::array<selftelemetry::Counter*, 3> refused_{};
  std::mutex mu_;
  std::map<std::string, selftelemetry::Counter*, std::less<>> requests_;
};

struct DeliverResult {
  Status status;
  size_t items = 0;
};

// Memory a request holds from decode to the durable queue append, for the admission budget
// (DESIGN section 7): the decoded bytes themselves, the decoder's working memory (simdjson's
// tape and string buffers are several times the document; our protobuf decoder only adds the
// arena), and one serialized copy while the batch is appended to a queue. Reserved before decode,
// corrected to the measured arena once the batch exists.
uint64_t decodeFootprint(uint64_t decoded_bytes, bool json);
// The refusal for a request that does not fit the budget or arrives under memory pressure:
// retryable (503 + Retry-After / UNAVAILABLE), like the collector's memory_limiter.
Error memoryRefusal();

// Decodes `body` (protobuf adopted by the batch without a copy, or OTLP/JSON) and hands the
// batch to `consumer`. Decode errors are kInvalid; an empty request succeeds without calling the
// consumer. Pipeline outcomes are counted as accepted/refused items. `reservation` (may be null)
// holds decodeFootprint(body) on entry; it is corrected to the decoded batch's measured size
// before the hand-off, which is refused (memoryRefusal) when the correction does not fit.
DeliverResult deliver(Signal signal, bool json, std::string&& body, pdata::RequestContext&& context,
                      Consumer& consumer, const pdata::DecodeLimits& limits,
                      TransportTelemetry& telemetry, MemoryReservation* reservation = nullptr);

// include_metadata: every header except credentials, which never leave the receiver.
HeaderList metadataForContext(const HeaderList& headers);

}  // namespace agentgate::components::otlpreceiver
