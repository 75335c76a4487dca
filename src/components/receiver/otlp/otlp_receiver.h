// The `otlp` receiver: OTLP/gRPC and OTLP/HTTP listeners feeding the pipelines.
#pragma once

#include <memory>
#include <mutex>

#include "agentgate/component.h"
#include "agentgate/factory.h"
#include "components/receiver/otlp/config.h"
#include "net/grpc_server.h"
#include "net/http_server.h"
#include "pdata/codec.h"

namespace agentgate::components::otlpreceiver {

class OtlpReceiver final : public Receiver {
 public:
  OtlpReceiver(CreateSettings settings, OtlpReceiverConfig config, ReceiverConsumers next,
               pdata::DecodeLimits limits = {});
  ~OtlpReceiver() override { shutdown(); }

  // Refuses a listener beyond loopback without auth (DESIGN 10) unless
  // CreateSettings::allow_insecure_no_auth; reports "<id>/grpc" and "<id>/http" endpoints.
  Status start(Host& host) override;
  void shutdown() override;

 private:
  Status startGrpc(Host& host);
  Status startHttp(Host& host);

  CreateSettings settings_;
  OtlpReceiverConfig config_;
  ReceiverConsumers next_;
  pdata::DecodeLimits limits_;
  std::mutex mu_;
  std::unique_ptr<net::GrpcServer> grpc_;
  std::unique_ptr<net::HttpServer> http_;
};

}  // namespace agentgate::components::otlpreceiver
