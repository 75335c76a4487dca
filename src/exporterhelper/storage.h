// What a storage extension (file_storage) offers the exporters' persistent queues: a directory.
// Lives in this shared layer so the pipeline can use the extension without knowing the component.
#pragma once

#include <string>

#include "agentgate/component.h"

namespace agentgate::exporterhelper {

class StorageExtension : public Extension {
 public:
  // The directory under which each client (an exporter's queue) gets its own sub-directory.
  virtual std::string directory() const = 0;
};

}  // namespace agentgate::exporterhelper
