// Small string helpers shared across layers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace agentgate::strings {

std::string toLower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
bool startsWith(std::string_view s, std::string_view prefix);
// Lower-case hex of raw bytes (trace/span ids).
std::string hexEncode(std::string_view bytes);
// Constant-time equality for credentials: time depends only on the lengths.
bool constantTimeEquals(std::string_view a, std::string_view b);

// Appends `s` as a JSON string literal (quotes included): ", \ and control characters escaped,
// every other byte as is (the caller guarantees UTF-8).
void appendJsonString(std::string& out, std::string_view s);

}  // namespace agentgate::strings
