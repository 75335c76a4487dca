#include "net/grpc_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "net/status.h"
#include "testlib/grpc_test_client.h"

namespace agentgate::net {
namespace {

namespace fs = std::filesystem;
using testlib::grpcInsecureChannel;
using testlib::grpcUnary;

constexpr char kEcho[] = "/test.Echo/Call";
constexpr char kFail[] = "/test.Echo/Fail";

// Echoes the request; remembers what it saw.
class EchoHandler : public GrpcHandler {
 public:
  bool handles(const std::string& method) const override {
    return method == kEcho || method == kFail;
  }
  GrpcReply handle(GrpcCall& call) override {
    std::lock_guard<std::mutex> lock(mu);
    last = call;
    calls++;
    GrpcReply r;
    if (call.method == kFail) {
      r.code = grpc_code::kUnavailable;
      r.message = "try later";
      r.retry_after = std::chrono::seconds(7);
      return r;
    }
    r.body = "echo:" + call.body;
    return r;
  }
  std::mutex mu;
  GrpcCall last;
  int calls = 0;
};

std::string metadataValue(const GrpcCall& call, const std::string& key) {
  for (const auto& [k, v] : call.metadata) {
    if (k == key) return v;
  }
  return {};
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A throwaway CA, a server cert for 127.0.0.1/localhost and a client cert, made with openssl.
struct TestCerts {
  fs::path dir;
  bool ok = false;
  TestCerts() {
    dir = fs::temp_directory_path() /
          ("ag_grpc_certs_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::create_directories(dir);
    std::string d = dir.string();
    std::string cmd =
        "cd " + d +
        " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
        "-subj /CN=test-ca >/dev/null 2>&1"
        " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=localhost >/dev/null 2>&1"
        " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext"
        " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "-out server.crt -days 2 -extfile san.ext >/dev/null 2>&1"
        " && openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
        "-subj /CN=client >/dev/null 2>&1"
        " && openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "-out client.crt -days 2 >/dev/null 2>&1";
    ok = std::system(cmd.c_str()) == 0;
  }
  ~TestCerts() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string path(const char* name) const { return (dir / name).string(); }
  static std::atomic<int>& counter() {
    static std::atomic<int> c{0};
    return c;
  }
};

std::unique_ptr<GrpcServer> startServer(GrpcServerOptions opts, std::shared_ptr<GrpcHandler> h) {
  auto server = GrpcServer::create(std::move(opts), std::move(h));
  EXPECT_TRUE(server.ok()) << (server.ok() ? "" : server.error().message);
  if (!server.ok()) return nullptr;
  auto st = (*server)->start();
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  if (!st.ok()) return nullptr;
  return std::move(*server);
}

TEST(GrpcServer, EchoesRawBytesAndPassesMetadataAndPeer) {
  auto handler = std::make_shared<EchoHandler>();
  auto server = startServer({}, handler);
  ASSERT_TRUE(server);
  std::string addr = server->boundAddress();
  ASSERT_TRUE(addr.rfind("127.0.0.1:", 0) == 0) << addr;
  EXPECT_NE(addr, "127.0.0.1:0");

  std::string payload("\x0a\x03\x00\xffz", 5);  // arbitrary bytes, not valid for any schema
  auto r = grpcUnary(grpcInsecureChannel(addr), kEcho, payload,
                     {.metadata = {{"authorization", "Bearer abc"}}});
  ASSERT_EQ(r.code, grpc::StatusCode::OK) << r.message;
  EXPECT_EQ(r.body, "echo:" + payload);
  std::lock_guard<std::mutex> lock(handler->mu);
  EXPECT_EQ(handler->last.method, kEcho);
  EXPECT_EQ(metadataValue(handler->last, "authorization"), "Bearer abc");
  EXPECT_TRUE(handler->last.peer.rfind("127.0.0.1:", 0) == 0) << handler->last.peer;
}

TEST(GrpcServer, UnknownMethodIsUnimplementedWithoutCallingHandler) {
  auto handler = std::make_shared<EchoHandler>();
  auto server = startServer({}, handler);
  ASSERT_TRUE(server);
  auto ch = grpcInsecureChannel(server->boundAddress());
  auto r = grpcUnary(ch, "/test.Other/Call", "x");
  EXPECT_EQ(r.code, grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(handler->calls, 0);
  // Still serving.
  EXPECT_EQ(grpcUnary(ch, kEcho, "y").code, grpc::StatusCode::OK);
}

TEST(GrpcServer, ErrorWithRetryAfterCarriesRetryInfoDetail) {
  auto handler = std::make_shared<EchoHandler>();
  auto server = startServer({}, handler);
  ASSERT_TRUE(server);
  auto r = grpcUnary(grpcInsecureChannel(server->boundAddress()), kFail, "x");
  EXPECT_EQ(r.code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(r.message, "try later");
  // The detail is a google.rpc.Status whose details hold a RetryInfo of 7 seconds.
  EXPECT_EQ(r.error_details, encodeRpcStatusProtobuf(grpc_code::kUnavailable, "try later",
                                                     {retryInfoDetail(std::chrono::seconds(7))}));
  EXPECT_NE(r.error_details.find("google.rpc.RetryInfo"), std::string::npos);
}

TEST(GrpcServer, OversizeMessageIsResourceExhaustedAndServerKeepsServing) {
  auto handler = std::make_shared<EchoHandler>();
  GrpcServerOptions opts;
  opts.max_recv_msg_size_mib = 1;
  auto server = startServer(opts, handler);
  ASSERT_TRUE(server);
  auto ch = grpcInsecureChannel(server->boundAddress());
  auto r = grpcUnary(ch, kEcho, std::string((1 << 20) + 100, 'a'));
  EXPECT_EQ(r.code, grpc::StatusCode::RESOURCE_EXHAUSTED) << r.message;
  EXPECT_EQ(handler->calls, 0);
  auto ok = grpcUnary(ch, kEcho, std::string((1 << 20) - 100, 'b'));
  EXPECT_EQ(ok.code, grpc::StatusCode::OK) << ok.message;
}

TEST(GrpcServer, GzipCompressedCallArrivesDecompressed) {
  auto handler = std::make_shared<EchoHandler>();
  auto server = startServer({}, handler);
  ASSERT_TRUE(server);
  std::string payload(200000, 'z');  // compresses well, so the wire really carries gzip
  auto r = grpcUnary(grpcInsecureChannel(server->boundAddress()), kEcho, payload, {.gzip = true});
  ASSERT_EQ(r.code, grpc::StatusCode::OK) << r.message;
  std::lock_guard<std::mutex> lock(handler->mu);
  EXPECT_EQ(handler->last.body, payload);
}

TEST(GrpcServer, GzipBombBeyondLimitIsRejected) {
  auto handler = std::make_shared<EchoHandler>();
  GrpcServerOptions opts;
  opts.max_recv_msg_size_mib = 1;
  auto server = startServer(opts, handler);
  ASSERT_TRUE(server);
  // 8 MiB of zeros is a few KiB compressed; the decompressed size must still be capped.
  auto r = grpcUnary(grpcInsecureChannel(server->boundAddress()), kEcho,
                     std::string(8u << 20, '\0'), {.gzip = true});
  EXPECT_NE(r.code, grpc::StatusCode::OK);
  EXPECT_EQ(handler->calls, 0);
}

TEST(GrpcServer, TlsAndMutualTls) {
  TestCerts certs;
  ASSERT_TRUE(certs.ok) << "openssl failed";
  auto handler = std::make_shared<EchoHandler>();
  GrpcServerOptions opts;
  opts.tls.cert_file = certs.path("server.crt");
  opts.tls.key_file = certs.path("server.key");
  auto server = startServer(opts, handler);
  ASSERT_TRUE(server);
  std::string addr = server->boundAddress();

  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = readAll(certs.path("ca.crt"));
  auto tls_ch = grpc::CreateChannel(addr, grpc::SslCredentials(ssl));
  auto r = grpcUnary(tls_ch, kEcho, "secure");
  EXPECT_EQ(r.code, grpc::StatusCode::OK) << r.message;
  EXPECT_EQ(r.body, "echo:secure");
  // A plaintext client cannot talk to a TLS listener.
  auto plain =
      grpcUnary(grpcInsecureChannel(addr), kEcho, "x", {.deadline = std::chrono::seconds(5)});
  EXPECT_NE(plain.code, grpc::StatusCode::OK);
  server->stop();

  // mTLS: a client without a certificate is refused; with one signed by the CA it is accepted.
  opts.tls.client_ca_file = certs.path("ca.crt");
  auto mtls = startServer(opts, handler);
  ASSERT_TRUE(mtls);
  addr = mtls->boundAddress();
  auto no_cert = grpcUnary(grpc::CreateChannel(addr, grpc::SslCredentials(ssl)), kEcho, "x",
                           {.deadline = std::chrono::seconds(5)});
  EXPECT_NE(no_cert.code, grpc::StatusCode::OK);
  grpc::SslCredentialsOptions with_cert = ssl;
  with_cert.pem_cert_chain = readAll(certs.path("client.crt"));
  with_cert.pem_private_key = readAll(certs.path("client.key"));
  auto ok = grpcUnary(grpc::CreateChannel(addr, grpc::SslCredentials(with_cert)), kEcho, "m");
  EXPECT_EQ(ok.code, grpc::StatusCode::OK) << ok.message;
}

TEST(GrpcServer, MissingCertFileFailsStart) {
  GrpcServerOptions opts;
  opts.tls.cert_file = "/nonexistent/server.crt";
  opts.tls.key_file = "/nonexistent/server.key";
  auto server = GrpcServer::create(opts, std::make_shared<EchoHandler>());
  ASSERT_TRUE(server.ok());
  auto st = (*server)->start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("/nonexistent/server.crt"), std::string::npos);
}

TEST(GrpcServer, PortInUseFailsStart) {
  auto first = startServer({}, std::make_shared<EchoHandler>());
  ASSERT_TRUE(first);
  GrpcServerOptions opts;
  opts.endpoint = first->boundAddress();
  auto second = GrpcServer::create(opts, std::make_shared<EchoHandler>());
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE((*second)->start().ok());
}

TEST(GrpcServer, StopIsIdempotentAndLegalBeforeStart) {
  auto server = GrpcServer::create({}, std::make_shared<EchoHandler>());
  ASSERT_TRUE(server.ok());
  (*server)->stop();
  ASSERT_TRUE((*server)->start().ok());
  (*server)->stop();
  (*server)->stop();
}

}  // namespace
}  // namespace agentgate::net
