#include "landed_tables.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace agentgate::azure_emulator {
namespace {

TEST(LandedTables, RowsLandedAreQueryableWithKql) {
  auto dir = std::filesystem::temp_directory_path() / ("landed-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto tables = LandedTables::open((dir / "azure.db").string());
  ASSERT_TRUE(tables.ok()) << tables.error().message;
  store::RowBatch batch;
  store::TableRows rows;
  rows.table = "AppTraces";
  rows.columns = {"Message", "SeverityLevel"};
  for (int i = 0; i < 3; ++i) {
    size_t base = rows.addRow();
    rows.cells[base] = std::string("claude_code.tool_result #") + std::to_string(i);
    rows.cells[base + 1] = int64_t{1};
  }
  batch.tables.push_back(std::move(rows));
  ASSERT_TRUE((*tables)->land(std::move(batch)).ok());
  auto n = (*tables)->count("AppTraces");
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 3);
  auto r = (*tables)->query("AppTraces | where Message has 'tool_result' | summarize c=count()");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(r->rows[0][0]), 3);
  tables->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace agentgate::azure_emulator
