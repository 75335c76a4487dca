// The request-context field read back from queued payloads (exporterhelper/queued_context.h):
// arbitrary bytes never crash, and whatever decodes re-encodes to a payload that decodes to the
// same context.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "exporterhelper/queued_context.h"

using agentgate::exporterhelper::appendContext;
using agentgate::exporterhelper::contextBytes;
using agentgate::exporterhelper::decodeContext;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  agentgate::pdata::RequestContext ctx;
  (void)decodeContext(contextBytes(input), ctx);
  if (!decodeContext(input, ctx).ok()) return 0;
  std::string payload;
  appendContext(payload, ctx);
  agentgate::pdata::RequestContext again;
  if (!decodeContext(contextBytes(payload), again).ok()) std::abort();
  if (again.auth_subject != ctx.auth_subject || again.client_address != ctx.client_address ||
      again.auth_attributes != ctx.auth_attributes || again.metadata != ctx.metadata) {
    std::abort();
  }
  return 0;
}
