// The compiled-in components.
#pragma once

#include "pipeline/registry.h"

namespace agentgate::components {

// Adds every compiled-in factory to `registry`. The list lives in components.cc, one line each.
void registerAll(pipeline::Registry& registry);

}  // namespace agentgate::components
