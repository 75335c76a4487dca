// ConfigNode: a parsed YAML document with positions, independent of the YAML library.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentgate::config {

struct Mark {
  std::string file;  // shared by all nodes of one document
  int line = 0;      // 1-based; 0 = unknown (defaults, generated config)
  int column = 0;    // 1-based
};

class ConfigNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };

  ConfigNode() = default;
  static ConfigNode scalar(std::string value, Mark mark, std::string path);
  static ConfigNode null(Mark mark, std::string path);
  static ConfigNode sequence(Mark mark, std::string path);
  static ConfigNode map(Mark mark, std::string path);

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::kNull; }
  bool isScalar() const { return kind_ == Kind::kScalar; }
  bool isSequence() const { return kind_ == Kind::kSequence; }
  bool isMap() const { return kind_ == Kind::kMap; }
  const Mark& mark() const { return mark_; }
  // Dotted key path from the document root, e.g. "receivers.otlp.protocols.http.endpoint";
  // sequence items as "processors.resource.attributes[0].key".
  const std::string& path() const { return path_; }

  // Scalar text after ${env:...} substitution. Empty for non-scalars.
  const std::string& value() const { return value_; }
  // True when the scalar was quoted in the source ("123" stays a string).
  bool quoted() const { return quoted_; }

  // Map entries in document order.
  const std::vector<std::pair<std::string, ConfigNode>>& entries() const { return entries_; }
  const ConfigNode* find(std::string_view key) const;
  // Sequence items.
  const std::vector<ConfigNode>& items() const { return items_; }

  // Builders (used by the loader and by tests).
  ConfigNode& add(std::string key, ConfigNode child);
  ConfigNode& push(ConfigNode child);
  void setQuoted(bool q) { quoted_ = q; }

 private:
  Kind kind_ = Kind::kNull;
  Mark mark_;
  std::string path_;
  std::string value_;
  bool quoted_ = false;
  std::vector<std::pair<std::string, ConfigNode>> entries_;
  std::vector<ConfigNode> items_;
};

}  // namespace agentgate::config
