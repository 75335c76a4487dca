#include "common/strings.h"

#include <gtest/gtest.h>

namespace agentgate::strings {
namespace {

TEST(Strings, ConstantTimeEqualsComparesWholeValues) {
  EXPECT_TRUE(constantTimeEquals("Bearer abc", "Bearer abc"));
  EXPECT_FALSE(constantTimeEquals("Bearer abc", "Bearer abd"));
  EXPECT_FALSE(constantTimeEquals("Bearer abc", "Bearer ab"));
  EXPECT_FALSE(constantTimeEquals("", "x"));
  EXPECT_TRUE(constantTimeEquals("", ""));
}

TEST(Strings, HexEncodeIsLowerCase) {
  EXPECT_EQ(hexEncode(std::string("\x01\xAB\xff", 3)), "01abff");
}

TEST(Strings, SplitKeepsEmptyParts) {
  auto parts = split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "b");
}

TEST(Strings, IequalsIgnoresCase) {
  EXPECT_TRUE(iequals("Authorization", "authorization"));
  EXPECT_FALSE(iequals("Authorization", "authorizatio"));
}

}  // namespace
}  // namespace agentgate::strings
