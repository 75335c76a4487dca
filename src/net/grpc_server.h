// A gRPC server (grpc++) that hands raw request bytes to a handler: our decoder reads them in
// place instead of libprotobuf (DESIGN section 7).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agentgate/result.h"
#include "net/tls_config.h"

namespace agentgate::net {

struct GrpcServerOptions {
  std::string endpoint = "127.0.0.1:0";
  TlsServerConfig tls;
  int max_recv_msg_size_mib = 4;
  int max_concurrent_streams = 0;  // 0 = grpc default
  std::string name;                // for logs: "otlp/grpc"
};

struct GrpcCall {
  std::string method;  // "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
  std::vector<std::pair<std::string, std::string>> metadata;  // keys lower-cased
  std::string peer;                                           // "127.0.0.1:53422"
  std::string body;  // the message bytes (decompressed by grpc)
};

struct GrpcReply {
  int code = 0;  // grpc::StatusCode numeric value
  std::string message;
  std::string body;                     // response message bytes when code == 0
  std::chrono::seconds retry_after{0};  // >0: sent as a google.rpc.RetryInfo detail
};

class GrpcHandler {
 public:
  virtual ~GrpcHandler() = default;
  // Unknown methods are answered UNIMPLEMENTED by the server without calling this.
  virtual bool handles(const std::string& method) const = 0;
  virtual GrpcReply handle(GrpcCall& call) = 0;
};

class GrpcServer {
 public:
  static Result<std::unique_ptr<GrpcServer>> create(GrpcServerOptions options,
                                                    std::shared_ptr<GrpcHandler> handler);
  virtual ~GrpcServer() = default;
  virtual Status start() = 0;
  virtual void stop() = 0;  // idempotent
  virtual std::string boundAddress() const = 0;
};

}  // namespace agentgate::net
