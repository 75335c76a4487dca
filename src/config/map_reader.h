// MapReader: typed reads of a component's config map that remember which keys were used, so
// that finish() can report every unknown key. All problems go to Diagnostics; nothing throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_node.h"
#include "config/diagnostics.h"

namespace agentgate::config {

class MapReader {
 public:
  // `node` may be null (component listed with no body): every read keeps its default.
  // A non-map, non-null node is reported as an error.
  MapReader(const ConfigNode& node, Diagnostics& diags);

  // Each read leaves `out` unchanged when the key is absent or null; returns true when present.
  bool read(std::string_view key, std::string& out);
  bool read(std::string_view key, bool& out);
  bool read(std::string_view key, int64_t& out);
  bool read(std::string_view key, int& out);
  bool read(std::string_view key, uint32_t& out);
  bool read(std::string_view key, uint64_t& out);
  bool read(std::string_view key, double& out);
  bool read(std::string_view key, std::vector<std::string>& out);            // sequence of scalars
  bool read(std::string_view key, std::map<std::string, std::string>& out);  // map of scalars
  // Go-style durations: "5s", "200ms", "1m30s", "1h", "0"; a bare integer is nanoseconds.
  bool readDuration(std::string_view key, std::chrono::nanoseconds& out);
  // Value must be one of `allowed` (compared case-insensitively; stored lower-cased).
  bool readEnum(std::string_view key, std::string& out, const std::vector<std::string>& allowed);
  // Nested node (map or sequence) for a sub-reader; marks the key as used. nullptr when absent.
  const ConfigNode* child(std::string_view key);
  // Accepted and ignored (collector keys that have no effect here).
  void ignore(std::string_view key);
  // Reports an error at a key (or at the map itself when the key is absent).
  void error(std::string_view key, std::string message);
  bool has(std::string_view key) const;
  // Reports every key that no read/child/ignore call asked for.
  void finish();

  const ConfigNode& node() const { return node_; }
  Diagnostics& diags() { return diags_; }

 private:
  const ConfigNode* scalarAt(std::string_view key);

  const ConfigNode& node_;
  Diagnostics& diags_;
  std::set<std::string, std::less<>> used_;
};

// Go duration parsing, shared with the CLI ("1h30m", "250ms", "1.5s").
std::optional<std::chrono::nanoseconds> parseDuration(std::string_view text);

}  // namespace agentgate::config
