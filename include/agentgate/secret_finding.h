// The shape of a secret finding as the `secrets` processor emits it and the store files it:
// a log record (or, on spans, a span event) with this body/name and `secret.*` attributes.
#pragma once

#include <string_view>

namespace agentgate {

inline constexpr std::string_view kSecretFindingName = "agentgate.secret_finding";

}  // namespace agentgate
