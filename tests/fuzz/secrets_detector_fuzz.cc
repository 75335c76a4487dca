// Fuzzes the secret detector: any input must scan without crashing, and every finding must be a
// non-empty, in-bounds, sorted, non-overlapping span.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "secrets/detector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto detector = agentgate::secrets::Detector::create();
  if (!detector.ok()) std::abort();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto found = detector.value()->scan(text);
  size_t prev_end = 0;
  for (const auto& f : found) {
    if (f.start >= f.end || f.end > size || f.start < prev_end) std::abort();
    prev_end = f.end;
  }
  return 0;
}
