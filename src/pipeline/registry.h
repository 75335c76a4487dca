// The factory registry: what component types this binary knows, under which names.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "agentgate/factory.h"

namespace agentgate::pipeline {

class Registry {
 public:
  void add(std::unique_ptr<Factory> factory);
  // Resolves aliases (otlphttp -> otlp_http). nullptr when unknown.
  const Factory* find(ComponentKind kind, std::string_view type) const;
  std::vector<const Factory*> all(ComponentKind kind) const;  // sorted by type

 private:
  std::vector<std::unique_ptr<Factory>> factories_;
};

}  // namespace agentgate::pipeline
