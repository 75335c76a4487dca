// The request context (auth identity, client address, include_metadata headers) travels with a
// batch through the persistent queue, so an exporter that runs after a restart still knows who
// sent it. It is stored inside the queued payload as one extra length-delimited field of the
// Export*ServiceRequest, number kContextField, which OTLP does not define: every protobuf reader
// (our decoder, libprotobuf, `agentgate queue drain`, an older agentgate reading a newer queue)
// skips it as an unknown field, so the queue format and its tools are unchanged.
//
//   QueuedContext { string client_address = 1; string auth_subject = 2;
//                   repeated Pair auth_attributes = 3; repeated Pair metadata = 4; }
//   Pair { string key = 1; string value = 2; }
#pragma once

#include <string>
#include <string_view>

#include "agentgate/result.h"
#include "pdata/model.h"

namespace agentgate::exporterhelper {

inline constexpr uint32_t kContextField = 1000;

// Appends `ctx` to a serialized Export*ServiceRequest; nothing when the context is empty.
void appendContext(std::string& payload, const pdata::RequestContext& ctx);

// The raw QueuedContext bytes of a payload ("" when it carries none or is malformed: the
// context is advisory and never makes a batch undeliverable).
std::string_view contextBytes(std::string_view payload);

// Decodes QueuedContext bytes into `out` (left as is on malformed input).
Status decodeContext(std::string_view bytes, pdata::RequestContext& out);

}  // namespace agentgate::exporterhelper
