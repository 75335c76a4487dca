#include "pipeline/registry.h"

#include <algorithm>

namespace agentgate::pipeline {

void Registry::add(std::unique_ptr<Factory> factory) { factories_.push_back(std::move(factory)); }

const Factory* Registry::find(ComponentKind kind, std::string_view type) const {
  for (const auto& f : factories_) {
    if (f->kind() != kind) continue;
    if (f->type() == type) return f.get();
    for (auto alias : f->aliases())
      if (alias == type) return f.get();
  }
  return nullptr;
}

std::vector<const Factory*> Registry::all(ComponentKind kind) const {
  std::vector<const Factory*> out;
  for (const auto& f : factories_)
    if (f->kind() == kind) out.push_back(f.get());
  std::sort(out.begin(), out.end(),
            [](const Factory* a, const Factory* b) { return a->type() < b->type(); });
  return out;
}

}  // namespace agentgate::pipeline
