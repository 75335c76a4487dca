// Fuzzer for what the native OTLP path reads from the network: otlp_http's partial_success
// parser (protobuf and JSON Export*ServiceResponse bodies) and azure_auth's token response
// parser. Byte 0 picks the parser, the rest is the body. Invariants: never crash; an accepted
// token has a non-empty token and expires after `now`; a token error never quotes the body.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "components/exporter/otlp_http/partial_success.h"
#include "components/extension/azure_auth/token.h"

using namespace agentgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      (void)components::otlp_http::parsePartialSuccess(body, false);
      break;
    case 1:
      (void)components::otlp_http::parsePartialSuccess(body, true);
      break;
    default: {
      auto now = components::azure_auth::WallClock::now();
      auto t = components::azure_auth::parseTokenResponse(body, now, data[0] & 4);
      if (t.ok() && (t->token.empty() || t->expires_at <= now)) {
        std::fprintf(stderr, "accepted an empty or expired token\n");
        std::abort();
      }
      (void)components::azure_auth::oauthErrorCode(body);
      break;
    }
  }
  return 0;
}
