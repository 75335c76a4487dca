#include "net/http_client.h"

#include <gtest/gtest.h>

#include <ctime>

#include "net/http_server.h"
#include "net/worker_pool.h"

namespace agentgate::net {
namespace {

class ScriptedHandler : public HttpHandler {
 public:
  HttpResponse onRequest(HttpRequest& r) override {
    last_body = r.body;
    last_auth = std::string(r.header("authorization").value_or(""));
    last_method = r.method;
    if (r.path == "/throttle") {
      HttpResponse res = HttpResponse::text(429, "slow down");
      res.headers.emplace_back("Retry-After", "7");
      return res;
    }
    if (r.path == "/bad") return HttpResponse::text(400, "bad");
    if (r.path == "/unavailable") return HttpResponse::text(503, "later");
    HttpResponse res = HttpResponse::text(200, "got " + std::to_string(r.body.size()));
    res.headers.emplace_back("X-Echo", "yes");
    return res;
  }
  std::string last_body, last_auth, last_method;
};

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_.start();
    HttpServerOptions opts;
    opts.name = "client-test";
    auto s = HttpServer::create(pool_, std::move(opts), handler_);
    ASSERT_TRUE(s.ok());
    server_ = std::move(s.value());
    ASSERT_TRUE(server_->start().ok());
    auto c = HttpClient::create({});
    ASSERT_TRUE(c.ok()) << c.error().message;
    client_ = std::move(c.value());
  }
  void TearDown() override {
    server_->stop();
    pool_.stop();
  }
  std::string url(const std::string& path) { return "http://" + server_->boundAddress() + path; }

  WorkerPool pool_{1};
  std::shared_ptr<ScriptedHandler> handler_ = std::make_shared<ScriptedHandler>();
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpClientTest, PostsBodyAndHeadersAndReadsResponse) {
  for (int i = 0; i < 3; ++i) {  // handles are reused between requests
    HttpClientRequest req;
    req.url = url("/ok");
    req.body = std::string(100000, 'x');
    req.headers = {{"Authorization", "Bearer abc"}};
    auto res = client_->send(req);
    ASSERT_TRUE(res.ok()) << res.error().message;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "got 100000");
    EXPECT_EQ(res->header("x-echo").value_or(""), "yes");
    EXPECT_EQ(handler_->last_auth, "Bearer abc");
  }
  HttpClientRequest get;
  get.method = "GET";
  get.url = url("/ok");
  auto res = client_->send(get);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(handler_->last_method, "GET");
}

TEST_F(HttpClientTest, StatusesMapToRetryableOrPermanentErrors) {
  HttpClientRequest req;
  req.url = url("/throttle");
  auto res = client_->send(req);
  ASSERT_TRUE(res.ok());
  Error e = httpStatusError(*res, "export");
  EXPECT_FALSE(e.permanent);
  EXPECT_EQ(e.code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(e.retry_after, std::chrono::seconds{7});

  req.url = url("/bad");
  res = client_->send(req);
  ASSERT_TRUE(res.ok());
  e = httpStatusError(*res, "export");
  EXPECT_TRUE(e.permanent);
  EXPECT_EQ(e.code, ErrorCode::kInvalid);

  req.url = url("/unavailable");
  res = client_->send(req);
  ASSERT_TRUE(res.ok());
  EXPECT_FALSE(httpStatusError(*res, "export").permanent);
}

TEST_F(HttpClientTest, TransportFailureIsRetryableAndHidesQueryAndCredentials) {
  std::string dead = "http://user:hunter2@127.0.0.1:1/path?sig=SECRETSAS";
  HttpClientRequest req;
  req.url = dead;
  req.timeout = std::chrono::milliseconds{2000};
  auto res = client_->send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_FALSE(res.error().permanent);
  EXPECT_EQ(res.error().message.find("SECRETSAS"), std::string::npos) << res.error().message;
  EXPECT_EQ(res.error().message.find("hunter2"), std::string::npos) << res.error().message;
  EXPECT_NE(res.error().message.find("127.0.0.1:1"), std::string::npos);
}

TEST(RetryAfter, SecondsAndHttpDates) {
  EXPECT_EQ(parseRetryAfter("30").value(), std::chrono::seconds{30});
  EXPECT_EQ(parseRetryAfter(" 0 ").value(), std::chrono::seconds{0});
  EXPECT_FALSE(parseRetryAfter("soon").has_value());
  EXPECT_FALSE(parseRetryAfter("").has_value());
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").value(), std::chrono::seconds{0});
  char buf[64];
  time_t later = std::time(nullptr) + 120;
  std::tm tm{};
  gmtime_r(&later, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  auto s = parseRetryAfter(buf);
  ASSERT_TRUE(s.has_value());
  EXPECT_GE(s->count(), 115);
  EXPECT_LE(s->count(), 121);
}

}  // namespace
}  // namespace agentgate::net
