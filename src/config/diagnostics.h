// Diagnostics: config errors gathered into ONE report naming file, line and key path.
#pragma once

#include <string>
#include <vector>

#include "config/config_node.h"

namespace agentgate::config {

struct Diagnostic {
  Mark mark;
  std::string path;
  std::string message;
};

class Diagnostics {
 public:
  void error(const ConfigNode& at, std::string message);
  void error(Mark mark, std::string path, std::string message);
  bool hasErrors() const { return !errors_.empty(); }
  const std::vector<Diagnostic>& errors() const { return errors_; }
  // "config.yaml:12:5: receivers.otlp.protocols.http.endpointt: unknown key ..." one per line.
  std::string report() const;

 private:
  std::vector<Diagnostic> errors_;
};

}  // namespace agentgate::config
