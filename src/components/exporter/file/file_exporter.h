// The file exporter: one OTLP export request per JSON line, or length-prefixed protobuf.
#pragma once

#include <memory>

#include "agentgate/component.h"
#include "components/exporter/file/config.h"
#include "components/exporter/file/rotating_file.h"

namespace agentgate::components::file {

class FileExporter final : public Exporter {
 public:
  explicit FileExporter(Config cfg);
  Status start(Host& host) override;
  void shutdown() override;
  Status consume(BatchPtr&& batch) override;

 private:
  Config cfg_;
  RotatingFile file_;
};

RotationOptions rotationOptions(const Config& cfg);

}  // namespace agentgate::components::file
