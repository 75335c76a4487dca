#include "components/receiver/otlp/otlp_receiver.h"

#include "components/receiver/otlp/grpc_handler.h"
#include "components/receiver/otlp/http_handler.h"
#include "components/receiver/otlp/ingest.h"
#include "selftelemetry/registry.h"

namespace agentgate::components::otlpreceiver {
namespace {

// Listen addresses: "localhost" means IPv4 loopback (one socket, one port even for port 0), an
// empty host means every interface.
std::string listenAddress(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos) return endpoint;
  std::string host = endpoint.substr(0, colon);
  if (host.empty()) return "0.0.0.0" + endpoint.substr(colon);
  if (host == "localhost") return "127.0.0.1" + endpoint.substr(colon);
  return endpoint;
}

Status checkExposure(const CreateSettings& settings, const std::string& protocol,
                     const std::string& endpoint, const std::string& authenticator) {
  if (!authenticator.empty() || settings.allow_insecure_no_auth) return {};
  if (isLoopbackEndpoint(listenAddress(endpoint))) return {};
  return Error::config("receivers::" + settings.id.str() + "::protocols::" + protocol +
                       ": endpoint " + endpoint +
                       " listens beyond loopback without auth.authenticator; configure a "
                       "bearertokenauth extension or pass --insecure-allow-no-auth");
}

Result<const ServerAuthenticator*> resolveAuth(Host& host, const CreateSettings& settings,
                                               const std::string& protocol, const std::string& id) {
  if (id.empty()) return static_cast<const ServerAuthenticator*>(nullptr);
  Extension* ext = host.extension(id);
  std::string where = "receivers::" + settings.id.str() + "::protocols::" + protocol;
  if (!ext)
    return Error::config(where + ": authenticator \"" + id + "\" is not a started extension");
  const ServerAuthenticator* auth = ext->asServerAuthenticator();
  if (!auth)
    return Error::config(where + ": extension \"" + id + "\" is not a server authenticator");
  return auth;
}

}  // namespace

OtlpReceiver::OtlpReceiver(CreateSettings settings, OtlpReceiverConfig config,
                           ReceiverConsumers next, pdata::DecodeLimits limits)
    : settings_(std::move(settings)),
      config_(std::move(config)),
      next_(std::move(next)),
      limits_(limits) {}

Status OtlpReceiver::start(Host& host) {
  if (auto st = config_.validate(); !st.ok()) return st;
  if (config_.grpc) {
    if (auto st =
            checkExposure(settings_, "grpc", config_.grpc->endpoint, config_.grpc->authenticator);
        !st.ok()) {
      return st;
    }
  }
  if (config_.http) {
    if (auto st =
            checkExposure(settings_, "http", config_.http->endpoint, config_.http->authenticator);
        !st.ok()) {
      return st;
    }
  }
  if (config_.grpc) {
    if (auto st = startGrpc(host); !st.ok()) {
      shutdown();
      return st;
    }
  }
  if (config_.http) {
    if (auto st = startHttp(host); !st.ok()) {
      shutdown();
      return st;
    }
  }
  return {};
}

Status OtlpReceiver::startGrpc(Host& host) {
  const GrpcProtocolConfig& cfg = *config_.grpc;
  auto auth = resolveAuth(host, settings_, "grpc", cfg.authenticator);
  if (!auth.ok()) return auth.takeError();
  auto telemetry =
      std::make_shared<TransportTelemetry>(host.telemetry(), settings_.id.str(), "grpc");
  auto handler =
      std::make_shared<OtlpGrpcHandler>(cfg, next_, *auth, telemetry, limits_, host.memoryBudget());
  net::GrpcServerOptions opts;
  opts.endpoint = listenAddress(cfg.endpoint);
  opts.tls = cfg.tls;
  opts.max_recv_msg_size_mib = cfg.max_recv_msg_size_mib;
  opts.max_concurrent_streams = cfg.max_concurrent_streams;
  opts.name = settings_.id.str() + "/grpc";
  auto server = net::GrpcServer::create(std::move(opts), std::move(handler));
  if (!server.ok()) return server.takeError();
  if (auto st = (*server)->start(); !st.ok()) return st;
  host.reportEndpoint(settings_.id.str() + "/grpc", (*server)->boundAddress());
  std::lock_guard<std::mutex> lock(mu_);
  grpc_ = std::move(*server);
  return {};
}

Status OtlpReceiver::startHttp(Host& host) {
  const HttpProtocolConfig& cfg = *config_.http;
  auto auth = resolveAuth(host, settings_, "http", cfg.authenticator);
  if (!auth.ok()) return auth.takeError();
  auto telemetry =
      std::make_shared<TransportTelemetry>(host.telemetry(), settings_.id.str(), "http");
  auto handler =
      std::make_shared<OtlpHttpHandler>(cfg, next_, *auth, telemetry, limits_, host.memoryBudget());
  net::HttpServerOptions opts;
  opts.endpoint = listenAddress(cfg.endpoint);
  opts.tls = cfg.tls;
  opts.cors = cfg.cors;
  opts.idle_timeout = cfg.idle_timeout;
  opts.read_header_timeout = cfg.read_header_timeout;
  opts.name = settings_.id.str() + "/http";
  auto server = net::HttpServer::create(host.workers(), std::move(opts), std::move(handler));
  if (!server.ok()) return server.takeError();
  if (auto st = (*server)->start(); !st.ok()) return st;
  host.reportEndpoint(settings_.id.str() + "/http", (*server)->boundAddress());
  std::lock_guard<std::mutex> lock(mu_);
  http_ = std::move(*server);
  return {};
}

void OtlpReceiver::shutdown() {
  std::unique_ptr<net::GrpcServer> grpc;
  std::unique_ptr<net::HttpServer> http;
  {
    std::lock_guard<std::mutex> lock(mu_);
    grpc = std::move(grpc_);
    http = std::move(http_);
  }
  if (http) http->stop();
  if (grpc) grpc->stop();
}

}  // namespace agentgate::components::otlpreceiver
