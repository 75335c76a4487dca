// Runs tests/kql/*.kqltest: sqllogictest-style query / expected columns / expected rows blocks.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "kql/conformance_util.h"

namespace agentgate::kql {
namespace {

struct Block {
  std::string query, header;
  std::vector<std::string> rows;
  int line = 0;
};

std::vector<Block> parseBlocks(const std::string& text) {
  std::vector<Block> out;
  Block cur;
  bool inExpect = false;
  int ln = 0;
  std::istringstream in(text);
  std::string line;
  auto flush = [&] {
    if (!cur.query.empty()) out.push_back(cur);
    cur = Block();
    inExpect = false;
  };
  while (std::getline(in, line)) {
    ++ln;
    if (line == "----") {
      flush();
      continue;
    }
    if (!inExpect && line.rfind("#", 0) == 0) continue;
    if (!inExpect && line.rfind("=> ", 0) == 0) {
      cur.header = line.substr(3);
      inExpect = true;
      continue;
    }
    if (inExpect) {
      if (!line.empty()) cur.rows.push_back(line);
    } else {
      if (cur.query.empty()) cur.line = ln;
      cur.query += line + "\n";
    }
  }
  flush();
  return out;
}

TEST(KqlTestFiles, AllBlocksPass) {
  std::filesystem::path dir = std::filesystem::path(AGENTGATE_SOURCE_DIR) / "tests" / "kql";
  int blocks = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() != ".kqltest") continue;
    for (const auto& b : parseBlocks(testing::readFile(f.path().string()))) {
      ++blocks;
      SCOPED_TRACE(f.path().filename().string() + ":" + std::to_string(b.line));
      sqlite3* db = nullptr;
      sqlite3_open(":memory:", &db);
      Engine eng(db, builtinSchema(), [] { return int64_t{17640000000000000}; });
      auto r = eng.run(b.query);
      if (b.header.rfind("error ", 0) == 0) {
        ASSERT_FALSE(r.ok()) << b.query;
        EXPECT_NE(r.error().message.find(b.header.substr(6)), std::string::npos)
            << r.error().message;
        sqlite3_close(db);
        continue;
      }
      ASSERT_TRUE(r.ok()) << b.query << "\n" << r.error().message;
      std::string cols;
      for (const auto& c : r->columns) cols += (cols.empty() ? "" : ", ") + c.name + ":" + c.type;
      EXPECT_EQ(cols, b.header) << b.query;
      std::string rows = "[";
      for (size_t i = 0; i < b.rows.size(); ++i) rows += (i ? "," : "") + b.rows[i];
      rows += "]";
      auto exp = parseJson(rows);
      ASSERT_TRUE(exp.has_value()) << "bad expected rows in test file";
      EXPECT_EQ(testing::compareRows(*r, *exp, true), "") << b.query;
      sqlite3_close(db);
    }
  }
  EXPECT_GT(blocks, 15);
}

}  // namespace
}  // namespace agentgate::kql
