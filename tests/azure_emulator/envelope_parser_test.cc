// The emulator's envelope checks: every envelope the exporter sends for the agent captures is
// accepted and parses back to the same JSON; what the service refuses is refused with its
// per-item status and message.
#include "envelope_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace agentgate::azure_emulator {
namespace {

const std::string kMessage =
    R"({"ver":1,"name":"Microsoft.ApplicationInsights.Message","time":"2026-11-25T03:33:58.545Z",)"
    R"("sampleRate":100,"seq":"","iKey":"00000000-0000-0000-0000-000000000000",)"
    R"("tags":{"ai.cloud.role":"claude-code","ai.operation.id":""},"data":{"baseType":"MessageData",)"
    R"("baseData":{"ver":2,"message":"claude_code.tool_result","severityLevel":1,)"
    R"("properties":{"k":"v"}}}})";

const std::string kRequest =
    R"({"ver":1,"name":"Microsoft.ApplicationInsights.Request","time":"2026-11-25T03:33:58Z",)"
    R"("iKey":"00000000-0000-0000-0000-000000000000","data":{"baseType":"RequestData",)"
    R"("baseData":{"ver":2,"id":"0102030405060708","source":"","name":"GET /x",)"
    R"("duration":"00.00:00:01.250000","responseCode":"200","success":true,"url":""}}})";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::optional<ItemRejection> parse(const std::string& json) {
  appinsights::Envelope e;
  return parseEnvelope(json, e);
}

TEST(EnvelopeParserTest, EveryGoldenEnvelopeIsAcceptedAndRoundTrips) {
  size_t n = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(AGENTGATE_SOURCE_DIR) / "src" / "appinsights" / "testdata")) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      ++n;
      appinsights::Envelope e;
      auto r = parseEnvelope(line, e);
      ASSERT_FALSE(r) << f.path().filename() << ": " << r->message << "\n" << line;
      EXPECT_EQ(appinsights::toJson(e), line) << f.path().filename();
    }
  }
  EXPECT_GT(n, 1000u);
}

TEST(EnvelopeParserTest, ParsesTheFields) {
  appinsights::Envelope e;
  ASSERT_FALSE(parseEnvelope(kRequest, e));
  EXPECT_EQ(e.kind, appinsights::EnvelopeKind::kRequest);
  EXPECT_EQ(e.duration_nanos, 1'250'000'000u);
  EXPECT_EQ(e.result_code, "200");
  EXPECT_TRUE(e.success);
  EXPECT_EQ(e.time_unix_nano, 1'795'577'638'000'000'000u);
  ASSERT_FALSE(parseEnvelope(kMessage, e));
  EXPECT_EQ(e.message, "claude_code.tool_result");
  EXPECT_EQ(e.severity_level, 1);
  EXPECT_EQ(e.properties.at("k"), "v");
  EXPECT_EQ(e.tags.at("ai.cloud.role"), "claude-code");
  // The SDKs' name form with the key inside is accepted too.
  EXPECT_FALSE(parse(replace(kMessage, "Microsoft.ApplicationInsights.Message",
                             "Microsoft.ApplicationInsights.0000abcd.Message")));
}

TEST(EnvelopeParserTest, RequiredFieldsAndTypes) {
  auto r = parse(replace(kMessage, R"("time":"2026-11-25T03:33:58.545Z",)", ""));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code, 400);
  EXPECT_EQ(r->message, "100: Field 'time' on type 'Envelope' is required");
  EXPECT_TRUE(parse(replace(kMessage, R"("name":"Microsoft.ApplicationInsights.Message",)", "")));
  EXPECT_TRUE(parse(replace(kMessage, R"("iKey":"00000000-0000-0000-0000-000000000000",)", "")));
  EXPECT_TRUE(parse(replace(kMessage, R"("message":"claude_code.tool_result",)", "")));
  EXPECT_TRUE(parse(replace(kMessage, R"("severityLevel":1)", R"("severityLevel":"1")")));
  EXPECT_TRUE(parse(replace(kMessage, R"("severityLevel":1)", R"("severityLevel":7)")));
  EXPECT_TRUE(parse(replace(kMessage, R"("k":"v")", R"("k":1)")));
  EXPECT_TRUE(
      parse(replace(kMessage, R"("time":"2026-11-25T03:33:58.545Z")", R"("time":"yesterday")")));
  EXPECT_TRUE(parse(replace(kMessage, R"("time":"2026-11-25T03:33:58.545Z")",
                            R"("time":"2026-02-30T00:00:00Z")")));
  EXPECT_TRUE(
      parse(replace(kMessage, R"("iKey":"00000000-0000-0000-0000-000000000000")", R"("iKey":7)")));
  EXPECT_TRUE(parse("[]"));
  EXPECT_TRUE(parse("{not json"));
  EXPECT_TRUE(parse(replace(kRequest, R"("success":true,)", "")));
  EXPECT_TRUE(parse(replace(kRequest, R"("success":true)", R"("success":"true")")));
  EXPECT_TRUE(parse(replace(kRequest, R"("responseCode":"200",)", "")));
}

TEST(EnvelopeParserTest, NameMustAgreeWithBaseType) {
  auto r = parse(replace(kMessage, "Microsoft.ApplicationInsights.Message",
                         "Microsoft.ApplicationInsights.Request"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->message.find("does not name a MessageData item"), std::string::npos);
  EXPECT_TRUE(parse(replace(kMessage, "Microsoft.ApplicationInsights.Message", "Message")));
  EXPECT_TRUE(parse(replace(kMessage, R"("baseType":"MessageData")", R"("baseType":"LogData")")));
}

TEST(EnvelopeParserTest, Durations) {
  EXPECT_EQ(parseAiDuration("00.00:00:01.250000"), 1'250'000'000u);
  EXPECT_EQ(parseAiDuration("00:00:01"), 1'000'000'000u);
  EXPECT_EQ(parseAiDuration("1.02:03:04.1234567"),
            ((86400ull + 2 * 3600 + 3 * 60 + 4) * 1'000'000'000ull) + 123'456'700u);
  EXPECT_EQ(parseAiDuration("999.23:59:59.9999999"),
            (999ull * 86400 + 86399) * 1'000'000'000ull + 999'999'900u);
  for (const char* bad :
       {"", "1s", "0:00:01", "00.24:00:00", "00.00:60:00", "00.00:00:60", "1000.00:00:00",
        "00.00:00:01.12345678", "00.00:00:01.", "-00:00:01", "00.00:00:01Z", "x.00:00:01"}) {
    EXPECT_FALSE(parseAiDuration(bad)) << bad;
  }
  auto r = parse(replace(kRequest, "00.00:00:01.250000", "1.5s"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->message.find("'duration'"), std::string::npos);
}

TEST(EnvelopeParserTest, SizesAsTheServiceLimitsThem) {
  auto r = parse(replace(kMessage, "claude_code.tool_result", std::string(32769, 'm')));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message, "100: Field 'message' on type 'MessageData' is too long. Expected: 32768");
  EXPECT_FALSE(parse(replace(kMessage, "claude_code.tool_result", std::string(32768, 'm'))));
  std::string big = R"("k":"v")";
  for (int i = 0; i < 10; ++i)
    big += ",\"p" + std::to_string(i) + "\":\"" + std::string(8000, 'x') + "\"";
  r = parse(replace(kMessage, R"("k":"v")", big));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message, "Telemetry item length must not exceed 65536");
  EXPECT_TRUE(parse(replace(kMessage, R"("k":"v")", "\"k\":\"" + std::string(8193, 'x') + "\"")));
  EXPECT_TRUE(parse(replace(kMessage, R"("k":"v")", "\"" + std::string(151, 'k') + "\":\"v\"")));
  EXPECT_TRUE(parse(
      replace(kRequest, R"("id":"0102030405060708")", "\"id\":\"" + std::string(129, 'a') + "\"")));
}

TEST(EnvelopeParserTest, Rfc3339) {
  EXPECT_EQ(parseRfc3339("1970-01-01T00:00:00Z"), 0u);
  EXPECT_EQ(parseRfc3339("2026-11-25T03:33:58.545Z"), 1'795'577'638'545'000'000u);
  EXPECT_EQ(parseRfc3339("2026-11-25T04:33:58.545+01:00"), 1'795'577'638'545'000'000u);
  EXPECT_EQ(parseRfc3339("2026-11-25T03:33:58.123456789Z"), 1'795'577'638'123'456'789u);
  EXPECT_FALSE(parseRfc3339("2026-11-25 03:33"));
  EXPECT_FALSE(parseRfc3339("2026-11-25T03:33:58"));  // no zone
  EXPECT_FALSE(parseRfc3339("2025-02-29T00:00:00Z"));
}

}  // namespace
}  // namespace agentgate::azure_emulator
