// datetime and timespan as int64 ticks (100 ns). datetime ticks count from the Unix epoch,
// so SQLite stores, compares and indexes them as plain INTEGERs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentgate::kql {

constexpr int64_t kTicksPerSecond = 10'000'000;
constexpr int64_t kTicksPerDay = 86'400 * kTicksPerSecond;

std::optional<int64_t> parseDateTime(std::string_view s);
// A time of day without a date, H:MM[:SS[.f]] with an optional AM/PM: ticks since midnight.
// A datetime literal that omits the date means that time today.
std::optional<int64_t> parseTimeOfDay(std::string_view s);
// ISO-8601 UTC as Log Analytics prints it: 2026-11-25T03:34:12.002Z (trailing zeros trimmed).
std::string formatDateTime(int64_t ticks);
// KQL timespan literal (1h, 1.5d, 100ms) or text form ([-][d.]hh:mm:ss[.fffffff]).
std::optional<int64_t> parseTimespan(std::string_view s);
// .NET "c" format: [-][d.]hh:mm:ss[.fffffff]
std::string formatTimespan(int64_t ticks);

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d);
void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d);
// .NET-style format_datetime tokens (yyyy MM dd HH mm ss fff tt ...).
std::string formatDateTimePattern(int64_t ticks, std::string_view pattern);

}  // namespace agentgate::kql
