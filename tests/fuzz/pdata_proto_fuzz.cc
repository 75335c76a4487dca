// Differential fuzzer: our OTLP protobuf decoder against libprotobuf.
// Input: byte 0 picks the signal, the rest is the request body. Invariants: we never crash and
// only ever fail with kInvalid; whatever we accept re-encodes and re-decodes to the same bytes
// and survives a JSON round trip; when libprotobuf also accepts, both agree semantically.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pdata/codec.h"
#include "proto/otlp_oracle.h"

using namespace agentgate;
using namespace agentgate::pdata;

namespace {
[[noreturn]] void die(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "pdata_proto_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Signal signal = kAllSignals[data[0] % 3];
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);

  Batch batch(signal);
  Status st = decodeProtobuf(batch, batch.adoptBuffer(input));
  if (!st.ok()) {
    if (st.error().code != ErrorCode::kInvalid) die("non-kInvalid error", st.error().message);
    return 0;
  }

  std::string pb = encodeProtobuf(batch);
  Batch again(signal);
  st = decodeProtobuf(again, again.adoptBuffer(pb));
  if (!st.ok()) die("our own encoding does not decode", st.error().message);
  if (encodeProtobuf(again) != pb) die("re-encoding is not stable");

  std::string json = encodeJson(batch);
  Batch from_json(signal);
  st = decodeJson(from_json, json);
  if (!st.ok()) die("our JSON does not decode", st.error().message);
  if (encodeJson(from_json) != json) die("JSON round trip changed the data");

  if (encodeJson(*cloneBatch(batch)) != json) die("clone differs");

  bool oracle_ok = false;
  std::string diff = testutil::oracleCompare(signal, input, batch, &oracle_ok);
  if (oracle_ok && !diff.empty()) die("libprotobuf disagrees", diff);
  return 0;
}
