// Reads the partial_success of an Export{Logs,Trace,Metrics}ServiceResponse (protobuf or JSON).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentgate::components::otlp_http {

struct PartialSuccess {
  int64_t rejected = 0;  // rejected_log_records / rejected_spans / rejected_data_points
  std::string error_message;
};

// nullopt when the body carries no partial_success (the usual empty success) or cannot be read:
// a 2xx is a success whatever its body says, so an unreadable body is not an error.
std::optional<PartialSuccess> parsePartialSuccess(std::string_view body, bool json);

}  // namespace agentgate::components::otlp_http
