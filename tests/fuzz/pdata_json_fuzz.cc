// OTLP/JSON decoder fuzzer. Input: byte 0 picks the signal, the rest is the JSON body.
// Invariants: never crash, only kInvalid errors; accepted input round-trips through our JSON
// and protobuf encoders to the same data.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pdata/codec.h"

using namespace agentgate;
using namespace agentgate::pdata;

namespace {
[[noreturn]] void die(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "pdata_json_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Signal signal = kAllSignals[data[0] % 3];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  Batch batch(signal);
  Status st = decodeJson(batch, input);
  if (!st.ok()) {
    if (st.error().code != ErrorCode::kInvalid) die("non-kInvalid error", st.error().message);
    return 0;
  }

  std::string json = encodeJson(batch);
  Batch again(signal);
  st = decodeJson(again, json);
  if (!st.ok()) die("our JSON does not decode", st.error().message);
  if (encodeJson(again) != json) die("JSON re-encoding is not stable", json);

  std::string pb = encodeProtobuf(batch);
  Batch from_pb(signal);
  st = decodeProtobuf(from_pb, from_pb.adoptBuffer(pb));
  if (!st.ok()) die("our protobuf does not decode", st.error().message);
  if (encodeJson(from_pb) != json) die("protobuf round trip changed the data");
  return 0;
}
