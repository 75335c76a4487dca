#include "net/http_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "net/worker_pool.h"

namespace agentgate::net {
namespace {

class TestHandler : public HttpHandler {
 public:
  std::optional<HttpResponse> onHeaders(HttpRequest& r) override {
    ++headers_seen;
    if (r.path == "/auth" && !r.header("authorization")) return HttpResponse::text(401, "no token");
    return std::nullopt;
  }
  size_t bodyLimit(const HttpRequest&) const override { return limit; }
  HttpResponse onRequest(HttpRequest& r) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      threads.insert(std::this_thread::get_id());
      remotes.push_back(r.remote_address);
      last_query = r.query;
      last_content_type = std::string(r.header("content-type").value_or(""));
    }
    ++requests;
    if (r.path == "/throw") throw std::runtime_error("handler bug");
    if (r.path == "/weird") return HttpResponse::text(1500, "x");
    if (r.path == "/echo") {
      HttpResponse res;
      res.body = std::move(r.body);
      return res;
    }
    return HttpResponse::text(200, r.method + " " + r.path + " " + std::to_string(r.body.size()) +
                                       (r.tls ? " tls" : " plain"));
  }

  std::atomic<int> requests{0};
  std::atomic<int> headers_seen{0};
  size_t limit = 20u << 20;
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::vector<std::string> remotes;
  std::string last_query;
  std::string last_content_type;
};

struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::vector<std::string> headers;  // "Name: value" lines
  std::string header(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.size() > name.size() && strncasecmp(h.c_str(), name.data(), name.size()) == 0 &&
          h[name.size()] == ':') {
        std::string v = h.substr(name.size() + 1);
        while (!v.empty() && (v.front() == ' ')) v.erase(0, 1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
        return v;
      }
    }
    return "";
  }
};

struct Upload {
  std::string data;
  size_t pos = 0;
};

size_t writeCb(char* p, size_t s, size_t n, void* ud) {
  static_cast<std::string*>(ud)->append(p, s * n);
  return s * n;
}
size_t headerCb(char* p, size_t s, size_t n, void* ud) {
  auto* v = static_cast<std::vector<std::string>*>(ud);
  std::string line(p, s * n);
  if (line.rfind("HTTP/", 0) == 0) v->clear();  // keep the final response's headers only
  v->push_back(line);
  return s * n;
}
size_t readCb(char* buf, size_t s, size_t n, void* ud) {
  auto* u = static_cast<Upload*>(ud);
  size_t len = std::min(s * n, u->data.size() - u->pos);
  memcpy(buf, u->data.data() + u->pos, len);
  u->pos += len;
  return len;
}

struct Request {
  std::string method = "GET";
  std::string body;
  bool chunked = false;
  bool no_expect = false;
  std::vector<std::string> headers;
};

Reply perform(CURL* h, const std::string& url, const Request& rq,
              const std::function<void(CURL*)>& extra = {}) {
  Reply r;
  Upload up{rq.body, 0};
  curl_easy_reset(h);  // options only; the connection cache survives
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, writeCb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, headerCb);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_slist* list = nullptr;
  for (const auto& hd : rq.headers) list = curl_slist_append(list, hd.c_str());
  if (rq.no_expect) list = curl_slist_append(list, "Expect:");
  if (rq.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    if (rq.chunked) {
      list = curl_slist_append(list, "Transfer-Encoding: chunked");
      curl_easy_setopt(h, CURLOPT_READFUNCTION, readCb);
      curl_easy_setopt(h, CURLOPT_READDATA, &up);
    } else {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(rq.body.size()));
    }
  } else if (rq.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq.method.c_str());
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  if (extra) extra(h);
  r.code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);
  curl_slist_free_all(list);
  return r;
}

struct CurlHandle {
  CurlHandle() : h(curl_easy_init()) {}
  ~CurlHandle() { curl_easy_cleanup(h); }
  CURL* h;
};

// A raw POSIX client with a receive timeout, for bytes curl would never send.
class RawClient {
 public:
  explicit RawClient(const std::string& address) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    size_t colon = address.rfind(':');
    sa.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
    inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(std::string_view s) {
    ASSERT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), (ssize_t)s.size());
  }
  // Reads until `until` appears in the data, EOF, or the receive timeout. Returns what was read.
  std::string readUntil(std::string_view until) {
    std::string out;
    char buf[4096];
    while (out.find(until) == std::string::npos) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        eof_ = n == 0;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // True when the server closed the connection (EOF) before the receive timeout.
  bool waitEof() {
    readUntil(std::string_view("\x01\x02never", 7));
    return eof_;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
};

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_ALL); }

  void SetUp() override { pool_.start(); }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    pool_.stop();
  }

  void startServer(HttpServerOptions opts = {}) {
    opts.name = "test";
    auto s = HttpServer::create(pool_, std::move(opts), handler_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(s.value());
    auto st = server_->start();
    ASSERT_TRUE(st.ok()) << st.error().message;
    address_ = server_->boundAddress();
    ASSERT_NE(address_.find("127.0.0.1:"), std::string::npos);
    ASSERT_EQ(address_.find(":0"), std::string::npos);
  }
  std::string url(const std::string& path, const std::string& scheme = "http") const {
    return scheme + "://" + address_ + path;
  }

  WorkerPool pool_{2};
  std::shared_ptr<TestHandler> handler_ = std::make_shared<TestHandler>();
  std::unique_ptr<HttpServer> server_;
  std::string address_;
};

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  startServer();
  CurlHandle c;
  for (int i = 0; i < 5; ++i) {
    Request rq;
    rq.method = "POST";
    rq.body = std::string(100 + i, 'x');
    rq.headers = {"Content-Type: application/x-protobuf"};
    Reply r = perform(c.h, url("/v1/logs?i=" + std::to_string(i)), rq);
    ASSERT_EQ(r.code, CURLE_OK);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "POST /v1/logs " + std::to_string(100 + i) + " plain");
  }
  EXPECT_EQ(handler_->requests.load(), 5);
  std::lock_guard<std::mutex> lock(handler_->mu);
  EXPECT_EQ(handler_->last_query, "i=4");
  EXPECT_EQ(handler_->last_content_type, "application/x-protobuf");
  std::set<std::string> remotes(handler_->remotes.begin(), handler_->remotes.end());
  EXPECT_EQ(remotes.size(), 1u) << "one client port = one connection for all requests";
}

TEST_F(HttpServerTest, EchoesLargeBodyIntact) {
  startServer();
  CurlHandle c;
  std::string body;
  for (int i = 0; i < 3 * 1024 * 1024; ++i) body.push_back(static_cast<char>('a' + i % 23));
  Request rq{"POST", body};
  Reply r = perform(c.h, url("/echo"), rq);
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body == body);
  // Chunked upload arrives whole too.
  Request chunked{"POST", body.substr(0, 100000), true};
  Reply r2 = perform(c.h, url("/echo"), chunked);
  ASSERT_EQ(r2.code, CURLE_OK);
  EXPECT_TRUE(r2.body == body.substr(0, 100000));
}

TEST_F(HttpServerTest, OnHeadersAnswersWithoutReadingTheBody) {
  startServer();
  for (bool no_expect : {false, true}) {
    CurlHandle c;
    Request rq{"POST", std::string(4 << 20, 'b')};
    rq.no_expect = no_expect;
    Reply r = perform(c.h, url("/auth"), rq);
    EXPECT_EQ(r.status, 401) << "no_expect=" << no_expect << " curl=" << r.code;
    EXPECT_EQ(r.body, "no token");
    EXPECT_EQ(handler_->requests.load(), 0);
    // The connection is closed after such an answer; the next request still works.
    Request ok{"POST", "abc", false, false, {"Authorization: Bearer t"}};
    Reply r2 = perform(c.h, url("/auth"), ok);
    ASSERT_EQ(r2.code, CURLE_OK);
    EXPECT_EQ(r2.status, 200);
    EXPECT_EQ(handler_->requests.exchange(0), 1);
  }
}

TEST_F(HttpServerTest, BodyLimitByContentLength) {
  handler_->limit = 1000;
  startServer();
  CurlHandle c;
  Request rq{"POST", std::string(2000, 'x')};
  rq.no_expect = true;
  Reply r = perform(c.h, url("/v1/logs"), rq);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body, "request body too large");
  EXPECT_EQ(handler_->requests.load(), 0);
  Request small{"POST", std::string(1000, 'x')};
  Reply r2 = perform(c.h, url("/v1/logs"), small);
  EXPECT_EQ(r2.status, 200);
  EXPECT_EQ(handler_->requests.load(), 1);
}

TEST_F(HttpServerTest, BodyLimitChunked) {
  handler_->limit = 1000;
  startServer();
  CurlHandle c;
  Request rq{"POST", std::string(50000, 'x'), true};
  Reply r = perform(c.h, url("/v1/logs"), rq);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(handler_->requests.load(), 0);
  Request small{"POST", std::string(999, 'x'), true};
  Reply r2 = perform(c.h, url("/v1/logs"), small);
  EXPECT_EQ(r2.status, 200);
  EXPECT_EQ(r2.body, "POST /v1/logs 999 plain");
}

TEST_F(HttpServerTest, MalformedRequestsGet400AndServerKeepsServing) {
  startServer();
  const char* bad[] = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: nope\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
  };
  for (const char* req : bad) {
    RawClient raw(address_);
    ASSERT_TRUE(raw.connected());
    raw.send(req);
    std::string resp = raw.readUntil("\r\n\r\n");
    EXPECT_EQ(resp.rfind("HTTP/1.1 400", 0), 0u) << req << " -> " << resp;
    EXPECT_TRUE(raw.waitEof()) << req;
  }
  RawClient big(address_);
  big.send("GET / HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  EXPECT_EQ(big.readUntil("\r\n\r\n").rfind("HTTP/1.1 431", 0), 0u);
  CurlHandle c;
  Reply r = perform(c.h, url("/still"), Request{});
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /still 0 plain");
}

TEST_F(HttpServerTest, PipelinedRequestsOnOneConnection) {
  startServer();
  RawClient raw(address_);
  raw.send(
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string all = raw.readUntil("GET /b 0 plain");
  EXPECT_NE(all.find("POST /a 3 plain"), std::string::npos) << all;
  EXPECT_NE(all.find("GET /b 0 plain"), std::string::npos) << all;
  EXPECT_TRUE(raw.waitEof());
}

TEST_F(HttpServerTest, HeadAnswerHasNoBodyAndConnectionStaysUsable) {
  startServer();
  RawClient raw(address_);
  raw.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string all = raw.readUntil("GET /after 0 plain");
  EXPECT_NE(all.find("Content-Length: 15"), std::string::npos) << all;  // "HEAD /h 0 plain"
  EXPECT_EQ(all.find("HEAD /h"), std::string::npos) << "no body for HEAD: " << all;
  EXPECT_NE(all.find("GET /after 0 plain"), std::string::npos) << all;
}

TEST_F(HttpServerTest, HandlerBugsBecome500) {
  startServer();
  CurlHandle c;
  Reply r = perform(c.h, url("/throw"), Request{});
  EXPECT_EQ(r.status, 500);
  Reply w = perform(c.h, url("/weird"), Request{});
  EXPECT_EQ(w.status, 500);
  Reply ok = perform(c.h, url("/fine"), Request{});
  EXPECT_EQ(ok.status, 200);
}

TEST_F(HttpServerTest, ConcurrentClientsUseBothWorkers) {
  startServer();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      CurlHandle c;
      for (int i = 0; i < 10; ++i) {
        Request rq{"POST", std::string(static_cast<size_t>(t * 10 + i), 'z')};
        Reply r = perform(c.h, url("/c"), rq,
                          [](CURL* h) { curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L); });
        if (r.code == CURLE_OK && r.status == 200 &&
            r.body == "POST /c " + std::to_string(t * 10 + i) + " plain") {
          ++ok;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 80);
  std::lock_guard<std::mutex> lock(handler_->mu);
  EXPECT_EQ(handler_->threads.size(), 2u) << "80 connections should land on both listeners";
}

TEST_F(HttpServerTest, IdleAndHeaderTimeoutsCloseConnections) {
  HttpServerOptions opts;
  opts.read_header_timeout = std::chrono::seconds(1);
  opts.idle_timeout = std::chrono::seconds(1);
  startServer(opts);
  RawClient slow(address_);
  slow.send("GET / HTTP/1.1\r\nHost:");  // never finishes the header
  EXPECT_TRUE(slow.waitEof());
  RawClient idle(address_);
  idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(idle.readUntil("GET / 0 plain").find("200"), std::string::npos);
  EXPECT_TRUE(idle.waitEof());  // idle keep-alive connection closed by the server
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndListeners) {
  startServer();
  RawClient raw(address_);
  raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(raw.readUntil("GET / 0 plain").find("200 OK"), std::string::npos);
  server_->stop();
  EXPECT_TRUE(raw.waitEof());
  RawClient after(address_);
  EXPECT_FALSE(after.connected());
  server_->stop();  // idempotent
}

TEST_F(HttpServerTest, FixedPortInUseIsAnError) {
  startServer();
  HttpServerOptions opts;
  opts.endpoint = address_;  // same port, both servers would set SO_REUSEPORT
  auto second = HttpServer::create(pool_, opts, handler_);
  ASSERT_TRUE(second.ok());
  Status st = (*second)->start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
}

TEST_F(HttpServerTest, RejectsBadEndpoint) {
  HttpServerOptions opts;
  opts.endpoint = "127.0.0.1";
  EXPECT_FALSE(HttpServer::create(pool_, opts, handler_).ok());
  opts.endpoint = "127.0.0.1:99999";
  EXPECT_FALSE(HttpServer::create(pool_, opts, handler_).ok());
  opts.endpoint = "localhost:0";
  auto s = HttpServer::create(pool_, opts, handler_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->start().ok());
  EXPECT_EQ((*s)->boundAddress().rfind("127.0.0.1:", 0), 0u);
  (*s)->stop();
}

// ---- CORS ----

class CorsTest : public HttpServerTest {
 protected:
  void SetUp() override {
    HttpServerTest::SetUp();
    HttpServerOptions opts;
    opts.cors.allowed_origins = {"https://app.example.com", "https://*.good.dev"};
    opts.cors.allowed_headers = {"X-Custom"};
    opts.cors.max_age = 600;
    startServer(opts);
  }
  Reply preflight(const std::string& origin) {
    CurlHandle c;
    Request rq{"OPTIONS"};
    rq.headers = {"Origin: " + origin, "Access-Control-Request-Method: POST",
                  "Access-Control-Request-Headers: content-type,x-custom"};
    return perform(c.h, url("/v1/traces"), rq);
  }
};

TEST_F(CorsTest, PreflightAllowed) {
  for (std::string origin :
       {"https://app.example.com", "https://a.good.dev", "https://x.y.good.dev"}) {
    Reply r = preflight(origin);
    ASSERT_EQ(r.code, CURLE_OK);
    EXPECT_EQ(r.status, 204) << origin;
    EXPECT_EQ(r.header("Access-Control-Allow-Origin"), origin);
    EXPECT_EQ(r.header("Access-Control-Allow-Methods"), "POST");
    std::string allow = r.header("Access-Control-Allow-Headers");
    EXPECT_NE(allow.find("Content-Type"), std::string::npos) << allow;
    EXPECT_NE(allow.find("X-Custom"), std::string::npos) << allow;
    EXPECT_EQ(r.header("Access-Control-Max-Age"), "600");
    EXPECT_EQ(r.header("Vary"), "Origin");
  }
  EXPECT_EQ(handler_->headers_seen.load(), 0) << "handlers never see preflights";
}

TEST_F(CorsTest, PreflightDenied) {
  for (std::string origin : {"https://evil.com", "https://good.dev", "https://a.good.dev.evil.com",
                             "http://app.example.com", "https://a.good.dev:8443"}) {
    Reply r = preflight(origin);
    EXPECT_EQ(r.status, 403) << origin;
    EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "") << origin;
  }
  EXPECT_EQ(handler_->headers_seen.load(), 0);
}

TEST_F(CorsTest, ActualRequestGetsAllowOriginOnlyForAllowedOrigins) {
  CurlHandle c;
  Request rq{"POST", "{}", false, false, {"Origin: https://app.example.com"}};
  Reply r = perform(c.h, url("/v1/traces"), rq);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(r.header("Vary"), "Origin");
  Request bad{"POST", "{}", false, false, {"Origin: https://evil.com"}};
  Reply r2 = perform(c.h, url("/v1/traces"), bad);
  EXPECT_EQ(r2.status, 200);  // the browser, not the server, enforces CORS for simple requests
  EXPECT_EQ(r2.header("Access-Control-Allow-Origin"), "");
  // OPTIONS without Access-Control-Request-Method is not a preflight: the handler gets it.
  Request opt{"OPTIONS", "", false, false, {"Origin: https://app.example.com"}};
  Reply r3 = perform(c.h, url("/v1/traces"), opt);
  EXPECT_EQ(r3.body, "OPTIONS /v1/traces 0 plain");
  EXPECT_EQ(handler_->requests.load(), 3);
}

// ---- TLS ----

class TlsTest : public HttpServerTest {
 protected:
  static void SetUpTestSuite() {
    HttpServerTest::SetUpTestSuite();
    char tmpl[] = "/tmp/agentgate-tls-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/gen.sh") << R"(set -e
C="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $C -keyout ca.key -out ca.crt -subj /CN=test-ca -days 2
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > san.ext
openssl req $C -keyout server.key -out server.csr -subj /CN=localhost
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt \
  -days 2 -extfile san.ext
openssl req $C -keyout client.key -out client.csr -subj /CN=client
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2
)";
    std::string cmd = "cd " + dir_ + " && sh gen.sh >gen.log 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "see " << dir_ << "/gen.log";
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  HttpServerOptions tlsOptions() {
    HttpServerOptions opts;
    opts.tls.cert_file = dir_ + "/server.crt";
    opts.tls.key_file = dir_ + "/server.key";
    return opts;
  }
  Reply get(const std::function<void(CURL*)>& extra = {}) {
    CurlHandle c;
    std::string ca = dir_ + "/ca.crt";
    return perform(c.h, url("/secure", "https"), Request{}, [&](CURL* h) {
      curl_easy_setopt(h, CURLOPT_CAINFO, ca.c_str());
      if (extra) extra(h);
    });
  }

  static std::string dir_;
};
std::string TlsTest::dir_;

TEST_F(TlsTest, ServesHttpsWithVerifiedServerCert) {
  startServer(tlsOptions());
  Reply r = get();
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /secure 0 tls");
  // Plain HTTP to the TLS port gets nothing useful and the server survives.
  CurlHandle c;
  Reply plain = perform(c.h, url("/secure"), Request{});
  EXPECT_NE(plain.status, 200);
  EXPECT_EQ(get().status, 200);
}

TEST_F(TlsTest, MutualTlsRequiresClientCertificate) {
  auto opts = tlsOptions();
  opts.tls.client_ca_file = dir_ + "/ca.crt";
  startServer(opts);
  Reply without = get();
  EXPECT_NE(without.code, CURLE_OK);
  EXPECT_EQ(handler_->requests.load(), 0);
  std::string cert = dir_ + "/client.crt";
  std::string key = dir_ + "/client.key";
  Reply with = get([&](CURL* h) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, cert.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, key.c_str());
  });
  ASSERT_EQ(with.code, CURLE_OK) << curl_easy_strerror(with.code);
  EXPECT_EQ(with.status, 200);
  // A certificate from another CA (the server's own key signed by itself) is refused.
  std::string self = dir_ + "/self.crt";
  std::string cmd = "openssl req -x509 -key " + dir_ + "/client.key -out " + self +
                    " -subj /CN=rogue -days 1 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Reply rogue = get([&](CURL* h) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, self.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, key.c_str());
  });
  EXPECT_NE(rogue.code, CURLE_OK);
  EXPECT_EQ(handler_->requests.load(), 1);
}

TEST_F(TlsTest, MinVersion13RejectsTls12Client) {
  auto opts = tlsOptions();
  opts.tls.min_version = "1.3";
  startServer(opts);
  Reply old = get([](CURL* h) {
    curl_easy_setopt(h, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2);
  });
  EXPECT_NE(old.code, CURLE_OK);
  Reply modern = get();
  ASSERT_EQ(modern.code, CURLE_OK) << curl_easy_strerror(modern.code);
  EXPECT_EQ(modern.status, 200);
}

TEST_F(TlsTest, Tls12ClientAcceptedByDefault) {
  startServer(tlsOptions());
  Reply r = get([](CURL* h) {
    curl_easy_setopt(h, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2);
  });
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
}

TEST_F(TlsTest, BadCertificateFilesFailAtCreate) {
  auto opts = tlsOptions();
  opts.tls.key_file = dir_ + "/client.key";  // does not match the certificate
  auto s = HttpServer::create(pool_, opts, handler_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConfig);
  opts.tls.cert_file = dir_ + "/missing.crt";
  EXPECT_FALSE(HttpServer::create(pool_, opts, handler_).ok());
}

}  // namespace
}  // namespace agentgate::net
