// Differential fuzzing of the text-level JSON member lookup against the full parser: whenever
// findMemberRaw answers, the full parse must agree (same presence, same value).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kql/json.h"

using agentgate::kql::findMemberRaw;
using agentgate::kql::JVal;
using agentgate::kql::parseJson;
using agentgate::kql::RawLookup;
using agentgate::kql::toJson;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // First byte: key length; then the key; the rest is the document.
  size_t key_len = std::min<size_t>(data[0] % 8, size - 1);
  std::string_view key(reinterpret_cast<const char*>(data + 1), key_len);
  std::string_view doc(reinterpret_cast<const char*>(data + 1 + key_len), size - 1 - key_len);
  auto raw = findMemberRaw(doc, key);
  if (!raw) return 0;
  auto parsed = parseJson(doc);
  if (!parsed || parsed->t != JVal::T::kObj) std::abort();  // raw accepted what parse rejects
  const JVal* m = parsed->get(key);
  if ((raw->status == RawLookup::kFound) != (m != nullptr)) std::abort();
  if (m) {
    auto value = parseJson(raw->value);
    if (!value || toJson(*value) != toJson(*m)) std::abort();
  }
  return 0;
}
