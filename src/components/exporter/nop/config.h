// nop exporter configuration: no keys.
#pragma once

#include "agentgate/factory.h"

namespace agentgate::components::nop {

struct Config : ComponentConfig {};

}  // namespace agentgate::components::nop
