// Fuzzes the KQL parser and binder: any input must return a Result, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kql/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)agentgate::kql::parseOnly(text);
  agentgate::kql::BindOptions opts;
  opts.lenient_tables = true;
  (void)agentgate::kql::bind(text, agentgate::kql::builtinSchema(), opts);
  return 0;
}
