// Where the Azure Monitor emulator puts what it accepted: a real agentgate store (SQLite with the
// Log Analytics tables), so a test asks "what landed in Azure" with the same KQL it would run in
// a Log Analytics workspace.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "agentgate/result.h"
#include "kql/engine.h"
#include "store/rows.h"

namespace agentgate::azure_emulator {

class LandedTables {
 public:
  // `path` is a SQLite file that the emulator owns (created when missing).
  static Result<std::unique_ptr<LandedTables>> open(const std::string& path);
  ~LandedTables();

  // Writes rows and waits until they are visible to query().
  Status land(store::RowBatch rows);
  Result<kql::QueryResult> query(std::string_view kql);
  // Rows of `table` (a plain count, for assertions that do not need KQL).
  Result<int64_t> count(std::string_view table);

 private:
  struct Impl;
  explicit LandedTables(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace agentgate::azure_emulator
