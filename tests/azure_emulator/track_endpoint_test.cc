// The emulator's track endpoint over real HTTP: what it accepts lands in the App* tables, what
// the service refuses gets the service's answer, and scripted answers come out as scripted.
#include "track_endpoint.h"

#include <gtest/gtest.h>

#include "net/compression.h"
#include "net/worker_pool.h"
#include "test_util.h"
#include "testlib/curl_client.h"

namespace agentgate::azure_emulator {
namespace {

using testing::Emulator;
using testing::kKey;

std::string message(const std::string& text, const std::string& ikey = kKey) {
  return R"({"ver":1,"name":"Microsoft.ApplicationInsights.Message","time":"2026-11-25T03:33:58.545Z",)"
         R"("sampleRate":100,"seq":"","iKey":")" +
         ikey +
         R"(","tags":{"ai.cloud.role":"claude-code"},"data":{"baseType":"MessageData",)"
         R"("baseData":{"ver":2,"message":")" +
         text + R"(","severityLevel":1,"properties":{"session.id":"s1"}}}})";
}

TEST(TrackEndpointTest, GzipNdjsonIsAcceptedAndLands) {
  Emulator emu;
  auto r = emu.post({message("claude_code.api_request"), message("claude_code.tool_result")});
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  EXPECT_EQ(r.body, R"({"itemsReceived":2,"itemsAccepted":2,"errors":[],"appId":null})");
  EXPECT_EQ(emu.traces(), 2);
  auto q = emu.tables->query(
      "AppTraces | where Message startswith \"claude_code.\" | project Message, AppRoleName, "
      "s=tostring(Properties['session.id']) | order by Message asc");
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_EQ(q->rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(q->rows[0][0]), "claude_code.api_request");
  EXPECT_EQ(std::get<std::string>(q->rows[0][1]), "claude-code");
  EXPECT_EQ(std::get<std::string>(q->rows[0][2]), "s1");
  auto seen = emu.server->endpoint().requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].content_encoding, "gzip");
  EXPECT_EQ(seen[0].item_status, (std::vector<int>{200, 200}));
}

TEST(TrackEndpointTest, JsonArrayUncompressedIsAcceptedToo) {
  Emulator emu;
  testlib::CurlOptions o;
  o.headers = {"Content-Type: application/json"};
  auto r =
      testlib::curlRequest("POST", emu.url(), "[" + message("a") + "," + message("b") + "]", o);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(emu.traces(), 2);
}

TEST(TrackEndpointTest, InvalidItemsGetPerItemErrorsIn206) {
  Emulator emu;
  std::string no_time = message("x");
  no_time.erase(no_time.find(R"("time")"),
                std::string(R"("time":"2026-11-25T03:33:58.545Z",)").size());
  auto r =
      emu.post({message("ok-0"), no_time,
                message("other-key", "99999999-0000-0000-0000-000000000000"), message("ok-3")});
  ASSERT_EQ(r.status, 206) << r.body;
  EXPECT_EQ(r.body, R"({"itemsReceived":4,"itemsAccepted":2,"errors":[{"index":1,"statusCode":400,)"
                    R"("message":"100: Field 'time' on type 'Envelope' is required"},{"index":2,)"
                    R"("statusCode":400,"message":"Invalid instrumentation key"}],"appId":null})");
  EXPECT_EQ(emu.traces(), 2);
  EXPECT_EQ(emu.server->endpoint().acceptedCount(), 2u);
}

TEST(TrackEndpointTest, NothingValidIs400) {
  Emulator emu;
  auto r = emu.post({"{}", "[1]"});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(emu.traces(), 0);
  auto bad_gzip = testlib::curlRequest(
      "POST", emu.url(), "not gzip",
      testlib::CurlOptions{{"Content-Type: application/x-json-stream", "Content-Encoding: gzip"}});
  EXPECT_EQ(bad_gzip.status, 400);
  auto empty = emu.post({});
  EXPECT_EQ(empty.status, 400);
}

TEST(TrackEndpointTest, PathsMethodsAndContentTypes) {
  Emulator emu;
  const testlib::CurlOptions json{{"Content-Type: application/json"}};
  EXPECT_EQ(
      testlib::curlRequest("POST", emu.server->ingestionEndpoint() + "v2/track", message("x"), json)
          .status,
      200);
  EXPECT_EQ(testlib::curlRequest("POST", emu.server->ingestionEndpoint() + "v1/logs", "x").status,
            404);
  EXPECT_EQ(testlib::curlRequest("GET", emu.url(), "").status, 405);
  EXPECT_EQ(testlib::curlRequest("POST", emu.url(), message("x"),
                                 testlib::CurlOptions{{"Content-Type: application/x-protobuf"}})
                .status,
            415);
}

TEST(TrackEndpointTest, BearerTokenWhenEntraIsOn) {
  TrackEndpointOptions o;
  o.bearer_token = "entra-token";
  Emulator emu(o);
  EXPECT_EQ(emu.post({message("x")}).status, 401);
  EXPECT_EQ(emu.post({message("x")}, true, {"Authorization: Bearer wrong"}).status, 401);
  EXPECT_EQ(emu.post({message("x")}, true, {"Authorization: Bearer entra-token"}).status, 200);
  EXPECT_EQ(emu.traces(), 1);
}

TEST(TrackEndpointTest, ScriptedAnswers) {
  Emulator emu;
  auto& ep = emu.server->endpoint();
  ep.script({503, {}, "", 2});
  ep.script({429, {}, "7", 1});
  ep.script({206, {{0, 500}, {2, 439}}, "", 1});
  ep.script({400, {}, "", 1});
  EXPECT_EQ(emu.post({message("a")}).status, 503);
  EXPECT_EQ(emu.post({message("a")}).status, 503);
  auto throttled = emu.post({message("a")});
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.header("retry-after"), "7");
  auto partial = emu.post({message("a"), message("b"), message("c")});
  EXPECT_EQ(partial.status, 206);
  EXPECT_EQ(partial.body,
            R"({"itemsReceived":3,"itemsAccepted":1,"errors":[{"index":0,"statusCode":500,)"
            R"("message":"forced by the test script"},{"index":2,"statusCode":439,)"
            R"("message":"forced by the test script"}],"appId":null})");
  EXPECT_EQ(emu.post({message("d")}).status, 400);
  EXPECT_EQ(emu.post({message("e")}).status, 200);  // script exhausted
  EXPECT_EQ(ep.accepted(), (std::vector<std::string>{message("b"), message("e")}));
  EXPECT_EQ(emu.traces(), 2);
}

TEST(TrackEndpointTest, SplitPayload) {
  std::vector<std::string> items;
  ASSERT_TRUE(splitPayload("{\"a\":1}\r\n\n  {\"b\":2}\n", items));
  EXPECT_EQ(items, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  items.clear();
  ASSERT_TRUE(splitPayload(" [ {\"a\": 1}, {\"b\":2} ]", items));
  EXPECT_EQ(items, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  items.clear();
  EXPECT_FALSE(splitPayload("[{", items));
}

}  // namespace
}  // namespace agentgate::azure_emulator
