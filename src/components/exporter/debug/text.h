// Human-readable renderings of a batch, in the shapes the collector's debug exporter prints.
#pragma once

#include <cstdint>
#include <string>

#include "pdata/model.h"

namespace agentgate::components::debug {

// One line with the counts: Logs\t{"resource logs": 1, "log records": 13}
std::string basicLine(const pdata::Batch& batch);
// One line per log record / span / metric data point.
std::string normalText(const pdata::Batch& batch);
// The full dump (ResourceLog #0, Resource attributes:, LogRecord #0, ...).
std::string detailedText(const pdata::Batch& batch);

// Go's time.Time.String() in UTC: "2024-05-01 10:00:00.5 +0000 UTC".
std::string formatTimestamp(uint64_t unix_nano);
// "Str(x)", "Int(5)", "Map({...})" as the collector prints attribute values.
std::string formatTypedValue(const pdata::AnyValue& v);
// The value alone: strings raw, maps/arrays as JSON.
std::string formatValue(const pdata::AnyValue& v);

}  // namespace agentgate::components::debug
