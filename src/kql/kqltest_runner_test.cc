// Runs tests/kql/*.kqltest: sqllogictest-style query / expected columns / expected rows blocks.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "kql/conformance_util.h"

namespace agentgate::kql {
namespace {

TEST(KqlTestFiles, AllBlocksPass) {
  std::filesystem::path dir = std::filesystem::path(AGENTGATE_SOURCE_DIR) / "tests" / "kql";
  int blocks = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() != ".kqltest") continue;
    for (const auto& b : testing::parseKqlTestBlocks(testing::readFile(f.path().string()))) {
      ++blocks;
      SCOPED_TRACE(f.path().filename().string() + ":" + std::to_string(b.line));
      sqlite3* db = nullptr;
      sqlite3_open(":memory:", &db);
      Engine eng(db, builtinSchema(), [] { return int64_t{17640000000000000}; });
      auto r = eng.run(b.query);
      // EXPECT and continue rather than ASSERT: one run reports every failing block.
      if (b.header.rfind("error ", 0) == 0) {
        EXPECT_FALSE(r.ok()) << b.query;
        if (!r.ok()) {
          EXPECT_NE(r.error().message.find(b.header.substr(6)), std::string::npos)
              << r.error().message;
        }
        sqlite3_close(db);
        continue;
      }
      EXPECT_TRUE(r.ok()) << b.query << "\n" << r.error().message;
      if (!r.ok()) {
        sqlite3_close(db);
        continue;
      }
      std::string cols;
      for (const auto& c : r->columns) cols += (cols.empty() ? "" : ", ") + c.name + ":" + c.type;
      EXPECT_EQ(cols, b.header) << b.query;
      std::string rows = "[";
      for (size_t i = 0; i < b.rows.size(); ++i) rows += (i ? "," : "") + b.rows[i];
      rows += "]";
      auto exp = parseJson(rows);
      EXPECT_TRUE(exp.has_value()) << "bad expected rows in test file";
      if (!exp) {
        sqlite3_close(db);
        continue;
      }
      EXPECT_EQ(testing::compareRows(*r, *exp, true), "") << b.query;
      sqlite3_close(db);
    }
  }
  EXPECT_GT(blocks, 15);
}

}  // namespace
}  // namespace agentgate::kql
