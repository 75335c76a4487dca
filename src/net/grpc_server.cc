// grpc++ callback generic service: every call arrives as raw bytes, so no generated protobuf code
// and no libprotobuf parse sits on the ingest path (DESIGN section 7).
#include "net/grpc_server.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string_view>

#include "common/logging.h"
#include "net/status.h"

namespace agentgate::net {
namespace {

Result<std::string> readFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::config(std::string("cannot read TLS ") + std::string(what) + " " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "ipv4:127.0.0.1:5000" / "ipv6:[::1]:5000" -> "127.0.0.1:5000" / "[::1]:5000".
std::string peerAddress(const std::string& peer) {
  for (std::string_view prefix : {"ipv4:", "ipv6:"}) {
    if (peer.compare(0, prefix.size(), prefix) == 0) return peer.substr(prefix.size());
  }
  return peer;
}

// Copies a received message into one contiguous string (the only copy before decoding).
bool byteBufferToString(const grpc::ByteBuffer& buf, std::string& out) {
  std::vector<grpc::Slice> slices;
  if (!buf.Dump(&slices).ok()) return false;
  size_t total = 0;
  for (const auto& s : slices) total += s.size();
  out.clear();
  out.reserve(total);
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return true;
}

class GrpcServerImpl;

// One reactor per call. OTLP Export is unary: the first message is the request; the reply is sent
// without waiting for the client's half-close.
class CallReactor final : public grpc::ServerGenericBidiReactor {
 public:
  CallReactor(GrpcHandler& handler, grpc::GenericCallbackServerContext* ctx)
      : handler_(handler), ctx_(ctx) {
    if (!handler_.handles(ctx_->method())) {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                          "unknown service or method " + ctx_->method()));
      return;
    }
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
      return;
    }
    GrpcCall call;
    call.method = ctx_->method();
    if (!byteBufferToString(request_, call.body)) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, "cannot read request message"));
      return;
    }
    request_.Clear();
    const auto& md = ctx_->client_metadata();
    call.metadata.reserve(md.size());
    for (const auto& [k, v] : md) {
      // HTTP/2 already lower-cases keys.
      call.metadata.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    }
    call.peer = peerAddress(ctx_->peer());

    GrpcReply reply;
    try {
      reply = handler_.handle(call);
    } catch (const std::exception& e) {
      log::error("grpc handler threw: {}", e.what());
      reply.code = static_cast<int>(grpc::StatusCode::INTERNAL);
      reply.message = "internal error";
    }
    if (reply.code == 0) {
      grpc::Slice slice(reply.body);
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
      return;
    }
    auto code = static_cast<grpc::StatusCode>(reply.code);
    if (reply.retry_after.count() > 0) {
      // grpc++ sends error_details as the grpc-status-details-bin trailer.
      Finish(grpc::Status(code, reply.message,
                          encodeRpcStatusProtobuf(reply.code, reply.message,
                                                  {retryInfoDetail(reply.retry_after)})));
    } else {
      Finish(grpc::Status(code, reply.message));
    }
  }

  void OnWriteDone(bool) override {}
  void OnDone() override { delete this; }

 private:
  GrpcHandler& handler_;
  grpc::GenericCallbackServerContext* ctx_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

class GenericService final : public grpc::CallbackGenericService {
 public:
  explicit GenericService(std::shared_ptr<GrpcHandler> handler) : handler_(std::move(handler)) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    return new CallReactor(*handler_, ctx);
  }

 private:
  std::shared_ptr<GrpcHandler> handler_;
};

class GrpcServerImpl final : public GrpcServer {
 public:
  GrpcServerImpl(GrpcServerOptions options, std::shared_ptr<GrpcHandler> handler)
      : options_(std::move(options)), service_(std::move(handler)) {}
  ~GrpcServerImpl() override { stop(); }

  Status start() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (server_) return Error::internal("grpc server " + options_.name + " already started");
    std::shared_ptr<grpc::ServerCredentials> creds;
    if (options_.tls.enabled()) {
      auto cert = readFile(options_.tls.cert_file, "cert_file");
      if (!cert) return cert.takeError();
      auto key = readFile(options_.tls.key_file, "key_file");
      if (!key) return key.takeError();
      grpc_ssl_client_certificate_request_type req = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
      grpc::SslServerCredentialsOptions ssl(req);
      if (!options_.tls.client_ca_file.empty()) {
        auto ca = readFile(options_.tls.client_ca_file, "client_ca_file");
        if (!ca) return ca.takeError();
        ssl = grpc::SslServerCredentialsOptions(
            GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
        ssl.pem_root_certs = std::move(*ca);
      }
      ssl.pem_key_cert_pairs.push_back({std::move(*key), std::move(*cert)});
      creds = grpc::SslServerCredentials(ssl);
    } else {
      creds = grpc::InsecureServerCredentials();
    }

    grpc::ServerBuilder builder;
    int selected_port = 0;
    builder.AddListeningPort(options_.endpoint, creds, &selected_port);
    builder.RegisterCallbackGenericService(&service_);
    int mib = options_.max_recv_msg_size_mib > 0 ? options_.max_recv_msg_size_mib : 4;
    builder.SetMaxReceiveMessageSize(mib > 2047 ? INT32_MAX : mib << 20);
    if (options_.max_concurrent_streams > 0) {
      builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams);
    }
    // A port held by a previous process must fail the bind, not be shared.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    std::unique_ptr<grpc::Server> server;
    try {
      server = builder.BuildAndStart();
    } catch (const std::exception& e) {
      return Error::io("grpc server " + options_.name + ": " + e.what());
    }
    if (!server || selected_port == 0) {
      if (server) server->Shutdown();
      return Error::io("grpc server " + options_.name + ": cannot listen on " + options_.endpoint);
    }
    server_ = std::move(server);
    auto colon = options_.endpoint.rfind(':');
    std::string host =
        colon == std::string::npos ? options_.endpoint : options_.endpoint.substr(0, colon);
    bound_ = host + ":" + std::to_string(selected_port);
    return {};
  }

  void stop() override {
    std::unique_ptr<grpc::Server> server;
    {
      std::lock_guard<std::mutex> lock(mu_);
      server = std::move(server_);
    }
    if (!server) return;
    // In-flight calls get a short grace period, then are cancelled.
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server->Wait();
  }

  std::string boundAddress() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return bound_;
  }

 private:
  GrpcServerOptions options_;
  GenericService service_;
  mutable std::mutex mu_;
  std::unique_ptr<grpc::Server> server_;
  std::string bound_;
};

}  // namespace

Result<std::unique_ptr<GrpcServer>> GrpcServer::create(GrpcServerOptions options,
                                                       std::shared_ptr<GrpcHandler> handler) {
  if (!handler) return Error::internal("grpc server needs a handler");
  if (options.endpoint.empty()) return Error::config("grpc endpoint is empty");
  if (options.tls.enabled() && options.tls.key_file.empty()) {
    return Error::config("tls.key_file is required with tls.cert_file");
  }
  return std::unique_ptr<GrpcServer>(new GrpcServerImpl(std::move(options), std::move(handler)));
}

}  // namespace agentgate::net
