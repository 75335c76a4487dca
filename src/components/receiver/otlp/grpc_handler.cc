#include "components/receiver/otlp/grpc_handler.h"

#include "net/status.h"

namespace agentgate::components::otlpreceiver {
namespace {

std::optional<Signal> signalForMethod(const std::string& method) {
  if (method == kLogsExportMethod) return Signal::kLogs;
  if (method == kTracesExportMethod) return Signal::kTraces;
  if (method == kMetricsExportMethod) return Signal::kMetrics;
  return std::nullopt;
}

std::string_view codeName(int code) {
  static constexpr std::string_view kNames[] = {"OK",
                                                "CANCELLED",
                                                "UNKNOWN",
                                                "INVALID_ARGUMENT",
                                                "DEADLINE_EXCEEDED",
                                                "NOT_FOUND",
                                                "ALREADY_EXISTS",
                                                "PERMISSION_DENIED",
                                                "RESOURCE_EXHAUSTED",
                                                "FAILED_PRECONDITION",
                                                "ABORTED",
                                                "OUT_OF_RANGE",
                                                "UNIMPLEMENTED",
                                                "INTERNAL",
                                                "UNAVAILABLE",
                                                "DATA_LOSS",
                                                "UNAUTHENTICATED"};
  if (code < 0 || code > 16) return "UNKNOWN";
  return kNames[code];
}
}  // namespace

OtlpGrpcHandler::OtlpGrpcHandler(const GrpcProtocolConfig& config, ReceiverConsumers consumers,
                                 const ServerAuthenticator* auth,
                                 std::shared_ptr<TransportTelemetry> telemetry,
                                 pdata::DecodeLimits limits, MemoryBudget* budget)
    : include_metadata_(config.include_metadata),
      consumers_(std::move(consumers)),
      auth_(auth),
      telemetry_(std::move(telemetry)),
      limits_(limits),
      budget_(budget) {}

bool OtlpGrpcHandler::handles(const std::string& method) const {
  auto s = signalForMethod(method);
  return s && consumers_.forSignal(*s) != nullptr;
}

net::GrpcReply OtlpGrpcHandler::finish(net::GrpcReply reply) {
  telemetry_->countRequest(codeName(reply.code));
  return reply;
}

net::GrpcReply OtlpGrpcHandler::handle(net::GrpcCall& call) {
  net::GrpcReply reply;
  auto signal = signalForMethod(call.method);
  ConsumerPtr consumer = signal ? consumers_.forSignal(*signal) : nullptr;
  if (!consumer) {
    reply.code = net::grpc_code::kUnimplemented;
    reply.message = "unknown service or method " + call.method;
    return finish(std::move(reply));
  }

  pdata::RequestContext ctx;
  if (auth_) {
    auto id = authenticate(*auth_, call.metadata);
    if (!id.ok()) {
      reply.code = net::grpc_code::kUnauthenticated;
      reply.message = id.error().message;
      return finish(std::move(reply));
    }
    ctx.auth_subject = std::move(id->subject);
    ctx.auth_attributes = std::move(id->attributes);
  }
  ctx.client_address = std::move(call.peer);
  if (include_metadata_) ctx.metadata = metadataForContext(call.metadata);

  // grpc++ has received the whole message (at most max_recv_msg_size_mib) before this call; the
  // budget covers what decoding and queueing it adds, and a refusal frees it at once.
  MemoryReservation memory(budget_);
  if (budget_ != nullptr &&
      (budget_->underPressure() || !memory.resize(decodeFootprint(call.body.size(), false)))) {
    budget_->countRefusal();
    const Error err = memoryRefusal();
    reply.code = net::grpcCode(err);
    reply.message = err.message;
    reply.retry_after = err.retry_after;
    return finish(std::move(reply));
  }
  auto result = deliver(*signal, /*json=*/false, std::move(call.body), std::move(ctx), *consumer,
                        limits_, *telemetry_, budget_ != nullptr ? &memory : nullptr);
  if (!result.status.ok()) {
    const Error& err = result.status.error();
    reply.code =
        err.code == ErrorCode::kInvalid ? net::grpc_code::kInvalidArgument : net::grpcCode(err);
    reply.message = err.message;
    if (reply.code == net::grpc_code::kUnavailable ||
        reply.code == net::grpc_code::kResourceExhausted) {
      reply.retry_after = err.retry_after;
    }
    return finish(std::move(reply));
  }
  reply.body = pdata::encodeExportResponseProtobuf(*signal, 0, {});
  return finish(std::move(reply));
}

}  // namespace agentgate::components::otlpreceiver
