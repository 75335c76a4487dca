// OTLP/gRPC front end: the three Export methods over raw bytes, auth from metadata, collector
// status codes (UNAUTHENTICATED, INVALID_ARGUMENT, UNAVAILABLE/RESOURCE_EXHAUSTED + RetryInfo).
#pragma once

#include <memory>
#include <string>

#include "agentgate/auth.h"
#include "agentgate/factory.h"
#include "components/receiver/otlp/config.h"
#include "components/receiver/otlp/ingest.h"
#include "net/grpc_server.h"
#include "pdata/codec.h"

namespace agentgate::components::otlpreceiver {

inline constexpr char kLogsExportMethod[] =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
inline constexpr char kTracesExportMethod[] =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
inline constexpr char kMetricsExportMethod[] =
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

class OtlpGrpcHandler final : public net::GrpcHandler {
 public:
  // `auth` may be null; it must outlive the handler's server.
  OtlpGrpcHandler(const GrpcProtocolConfig& config, ReceiverConsumers consumers,
                  const ServerAuthenticator* auth, std::shared_ptr<TransportTelemetry> telemetry,
                  pdata::DecodeLimits limits = {}, MemoryBudget* budget = nullptr);

  // Only methods of signals some pipeline consumes (others: UNIMPLEMENTED, as the collector).
  bool handles(const std::string& method) const override;
  net::GrpcReply handle(net::GrpcCall& call) override;

 private:
  net::GrpcReply finish(net::GrpcReply reply);

  bool include_metadata_;
  ReceiverConsumers consumers_;
  const ServerAuthenticator* auth_;
  std::shared_ptr<TransportTelemetry> telemetry_;
  pdata::DecodeLimits limits_;
  MemoryBudget* budget_;  // may be null: no accounting
};

}  // namespace agentgate::components::otlpreceiver
