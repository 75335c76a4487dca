// Factory of the `otlp` receiver (OTLP/gRPC + OTLP/HTTP, stable for logs, traces and metrics).
#pragma once

#include <memory>

#include "agentgate/factory.h"

namespace agentgate::components {

std::unique_ptr<ReceiverFactory> makeOtlpReceiverFactory();

}  // namespace agentgate::components
