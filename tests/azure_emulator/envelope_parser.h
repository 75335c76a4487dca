// Application Insights envelope JSON -> appinsights::Envelope, checked the way the track
// endpoint checks it (spec/azure-monitor.md 1.2, 1.3, 2.1-2.7). The emulator's decoder of
// untrusted input (fuzzed by appinsights_envelope_fuzz).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agentgate/result.h"
#include "appinsights/envelope.h"

namespace agentgate::azure_emulator {

inline constexpr size_t kMaxItemBytes = 65536;

// Why the service refuses one item: the per-item statusCode and message of its answer.
struct ItemRejection {
  int status_code = 400;
  std::string message;
};

// Parses and validates one envelope (a JSON object). Checks: the item's length; `name`, `time`,
// `iKey`, `data.baseType`, `data.baseData` present with the right JSON types; `name`
// (Microsoft.ApplicationInsights.[<ikey>.]<Kind>) agreeing with `baseType`; `time` an RFC 3339
// date-time; the required baseData fields of each kind with their types; durations in the
// TimeSpan form [d.]hh:mm:ss[.fffffff] below 1000 days; severityLevel 0..4; metric kind 0/1;
// string fields and property keys/values within the section 2.7 limits (MessageData `message`
// over 32768 is the service's documented refusal; the others the exporter must never reach);
// properties, tags and measurements maps of strings (numbers for measurements). The iKey is
// returned, not judged: whether it is known is the endpoint's business.
std::optional<ItemRejection> parseEnvelope(std::string_view json, appinsights::Envelope& out);

// RFC 3339 date-time ("2026-08-17T10:11:12.123456789Z", offsets allowed) -> Unix nanoseconds.
std::optional<uint64_t> parseRfc3339(std::string_view s);
// TimeSpan text "[d.]hh:mm:ss[.fffffff]" -> nanoseconds; nullopt when malformed or >= 1000 days.
std::optional<uint64_t> parseAiDuration(std::string_view s);

}  // namespace agentgate::azure_emulator
