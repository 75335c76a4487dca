// OTLP codecs: protobuf (hand-written, zero-copy) and OTLP/JSON (simdjson), into and out of Batch.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agentgate/result.h"
#include "pdata/model.h"

namespace agentgate::pdata {

// Limits applied while decoding untrusted input. Exceeding one is kInvalid (400).
struct DecodeLimits {
  size_t max_anyvalue_depth = 64;           // nesting of arrays/maps inside an AnyValue
  size_t max_attributes_per_record = 4096;  // per record/span/event/data point/resource/scope
  size_t max_attribute_value_bytes = 16u << 20;
};

// Decodes an Export{Logs,Trace,Metrics}ServiceRequest for batch.signal() from `bytes`, appending
// to the batch. `bytes` must stay alive as long as the batch: pass a view returned by
// batch.adoptBuffer(). Strings are validated as UTF-8 (proto3 rule); malformed input is kInvalid
// with a message naming the field, never a crash.
Status decodeProtobuf(Batch& batch, std::string_view bytes, const DecodeLimits& limits = {});

// Decodes OTLP/JSON (lowerCamelCase or snake_case keys, hex ids, int64 as number or string, enum
// as number or name, unknown fields ignored). `json` need not outlive the call: strings are
// copied into the batch arena.
Status decodeJson(Batch& batch, std::string_view json, const DecodeLimits& limits = {});

// Encodes the batch as an Export*ServiceRequest (protobuf bytes).
std::string encodeProtobuf(const Batch& batch);
// Encodes the batch as OTLP/JSON (proto3 JSON mapping: lowerCamelCase, hex ids, int64 as
// strings, enums as numbers), compact, one line.
std::string encodeJson(const Batch& batch);

// A deep copy with its own arena and buffers (fan-out to mutating consumers).
BatchPtr cloneBatch(const Batch& batch);

// Export*ServiceResponse bodies. rejected == 0 gives the empty success response.
std::string encodeExportResponseProtobuf(Signal signal, int64_t rejected, std::string_view message);
std::string encodeExportResponseJson(Signal signal, int64_t rejected, std::string_view message);

}  // namespace agentgate::pdata
