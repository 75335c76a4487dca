// Envelope JSON parser fuzzer (the emulator's decoder of untrusted input). Invariants: never
// crash; an accepted envelope serializes (appinsights::toJson) to JSON that is accepted again and
// serializes to the same text.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "azure_emulator/envelope_parser.h"

using namespace agentgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  appinsights::Envelope e;
  if (azure_emulator::parseEnvelope(input, e)) return 0;
  const std::string json = appinsights::toJson(e);
  appinsights::Envelope again;
  if (auto r = azure_emulator::parseEnvelope(json, again)) {
    std::fprintf(stderr, "appinsights_envelope_fuzz: our JSON is refused: %s\n%s\n",
                 r->message.c_str(), json.c_str());
    std::abort();
  }
  if (appinsights::toJson(again) != json) {
    std::fprintf(stderr, "appinsights_envelope_fuzz: round trip not stable\n%s\n", json.c_str());
    std::abort();
  }
  return 0;
}
