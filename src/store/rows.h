// Rows on their way into the store: per table, a fixed column list and row-major cells. Built on
// the ingest thread, moved to the writer thread, so nothing here points into a pdata::Batch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace agentgate::store {

// monostate = unset: '' for string columns, NULL otherwise. bool is int64 0/1, datetime is int64
// ticks (datetimeTicks), dynamic is JSON text.
using Cell = std::variant<std::monostate, int64_t, double, std::string>;

struct TableRows {
  std::string table;
  std::vector<std::string> columns;
  std::vector<Cell> cells;  // rowCount() * columns.size()

  size_t rowCount() const { return columns.empty() ? 0 : cells.size() / columns.size(); }
  // Appends an all-unset row and returns the index of its first cell.
  size_t addRow() {
    size_t base = cells.size();
    cells.resize(base + columns.size());
    return base;
  }
  size_t columnIndex(std::string_view name) const {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) return i;
    }
    return columns.size();
  }
};

struct RowBatch {
  std::vector<TableRows> tables;

  size_t rowCount() const {
    size_t n = 0;
    for (const auto& t : tables) n += t.rowCount();
    return n;
  }
  bool empty() const { return rowCount() == 0; }
};

}  // namespace agentgate::store
