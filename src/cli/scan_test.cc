// `agentgate scan` as the real binary: exit codes, byte offsets, and no secret in the output.
#include <gtest/gtest.h>

#include <cstdlib>

#include "testlib/process.h"

namespace agentgate::cli {
namespace {

using testlib::runCommand;

// Slack-shaped test token (random, not a live credential).
constexpr std::string_view kToken = "xoxb-263594206564-2348975623012-Q7fKp2LmX9vRt4WzBn8YcHd3";

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef AGENTGATE_BINARY_PATH
    setenv("AGENTGATE_BINARY", AGENTGATE_BINARY_PATH, /*overwrite=*/0);
#endif
    if (testlib::agentgateBinary().empty()) GTEST_SKIP() << "AGENTGATE_BINARY is not set";
  }
  testlib::TempDir dir_;
};

TEST_F(ScanTest, FindsSecretWithByteOffsetsInJson) {
  std::string text = "line one\nSLACK=" + std::string(kToken) + "\n";
  auto path = dir_.write("in.txt", text);
  auto r = runCommand({"scan", path.string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  size_t start = text.find(kToken);
  EXPECT_NE(r.out.find("\"start\":" + std::to_string(start) + ","), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"end\":" + std::to_string(start + kToken.size()) + ","), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"type\":\"slack-bot-token\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"fingerprint\":\""), std::string::npos);
  EXPECT_EQ(r.out.find(kToken), std::string::npos);
  EXPECT_EQ(r.err.find(kToken), std::string::npos);
}

TEST_F(ScanTest, TextFormatNeverPrintsTheSecret) {
  auto path = dir_.write("in.txt", "x " + std::string(kToken) + " y\n");
  auto r = runCommand({"scan", path.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(":1:3: slack-bot-token"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(kToken.substr(5)), std::string::npos);
}

TEST_F(ScanTest, CleanInputExitsZeroAndMissingFileTwo) {
  auto path = dir_.write("clean.txt", "nothing secret here, just code: int main() { return 0; }\n");
  auto r = runCommand({"scan", path.string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"findings\":[]}\n");
  auto missing = runCommand({"scan", (dir_.path() / "nope.txt").string()});
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace agentgate::cli
