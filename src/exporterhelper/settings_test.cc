#include "exporterhelper/settings.h"

#include <gtest/gtest.h>

namespace agentgate::exporterhelper {
namespace {

TEST(QueueDirName, DistinctIdsGetDistinctDirectories) {
  EXPECT_EQ(queueDirName("store"), "store");
  EXPECT_EQ(queueDirName("file/out"), "file_out");
  EXPECT_EQ(queueDirName("file/a:b"), "file_a%3Ab");
  EXPECT_NE(queueDirName("file/a:b"), queueDirName("file/a_b"));
  EXPECT_EQ(queueDirName("file/.."), "file_..");
  EXPECT_EQ(queueDirName(""), "_");
}

}  // namespace
}  // namespace agentgate::exporterhelper
