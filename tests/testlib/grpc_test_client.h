// A real grpc++ client for tests: unary calls by method name with raw bytes (grpc::GenericStub).
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace agentgate::testlib {

struct GrpcTestResult {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;
  std::string error_details;  // serialized google.rpc.Status from grpc-status-details-bin
  std::string body;           // response bytes when OK
  std::multimap<std::string, std::string> trailers;
};

struct GrpcTestCallOptions {
  std::vector<std::pair<std::string, std::string>> metadata;
  bool gzip = false;
  std::chrono::seconds deadline{20};
};

inline std::shared_ptr<grpc::Channel> grpcInsecureChannel(const std::string& address,
                                                          int max_send_bytes = -1) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(max_send_bytes);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

inline GrpcTestResult grpcUnary(const std::shared_ptr<grpc::Channel>& channel,
                                const std::string& method, const std::string& request,
                                const GrpcTestCallOptions& options = {}) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + options.deadline);
  for (const auto& [k, v] : options.metadata) ctx.AddMetadata(k, v);
  if (options.gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1);
  grpc::CompletionQueue cq;
  auto rpc = stub.PrepareUnaryCall(&ctx, method, req, &cq);
  rpc->StartCall();
  grpc::ByteBuffer resp;
  grpc::Status status;
  rpc->Finish(&resp, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  GrpcTestResult out;
  out.code = status.error_code();
  out.message = status.error_message();
  out.error_details = status.error_details();
  if (status.ok()) {
    std::vector<grpc::Slice> slices;
    if (resp.Dump(&slices).ok()) {
      for (const auto& s : slices)
        out.body.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  for (const auto& [k, v] : ctx.GetServerTrailingMetadata()) {
    out.trailers.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  return out;
}

}  // namespace agentgate::testlib
