#include "config/config_node.h"

namespace agentgate::config {

ConfigNode ConfigNode::scalar(std::string value, Mark mark, std::string path) {
  ConfigNode n;
  n.kind_ = Kind::kScalar;
  n.value_ = std::move(value);
  n.mark_ = std::move(mark);
  n.path_ = std::move(path);
  return n;
}

ConfigNode ConfigNode::null(Mark mark, std::string path) {
  ConfigNode n;
  n.kind_ = Kind::kNull;
  n.mark_ = std::move(mark);
  n.path_ = std::move(path);
  return n;
}

ConfigNode ConfigNode::sequence(Mark mark, std::string path) {
  ConfigNode n = null(std::move(mark), std::move(path));
  n.kind_ = Kind::kSequence;
  return n;
}

ConfigNode ConfigNode::map(Mark mark, std::string path) {
  ConfigNode n = null(std::move(mark), std::move(path));
  n.kind_ = Kind::kMap;
  return n;
}

const ConfigNode* ConfigNode::find(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k == key) return &v;
  return nullptr;
}

ConfigNode& ConfigNode::add(std::string key, ConfigNode child) {
  entries_.emplace_back(std::move(key), std::move(child));
  return entries_.back().second;
}

ConfigNode& ConfigNode::push(ConfigNode child) {
  items_.push_back(std::move(child));
  return items_.back();
}

}  // namespace agentgate::config
