// Go-compatible value formatting: the azuremonitor exporter's wire text is whatever Go's
// encoding/json and strconv produce, so byte-exact output needs the same rules here.
#pragma once

#include <string>
#include <string_view>

#include "pdata/model.h"

namespace agentgate::appinsights {

// A JSON string literal as encoding/json writes it: HTML-safe (<, >, & as \u003c...), U+2028/9
// escaped, invalid UTF-8 replaced by U+FFFD.
void appendJsonString(std::string& out, std::string_view s);
// A float64 as encoding/json writes it ('f' format, 'e' below 1e-6 or from 1e21; e-07 -> e-7).
// NaN and infinities, which Go refuses to encode, are written as null.
void appendJsonFloat(std::string& out, double v);
// strconv.FormatFloat(v, 'f', -1, 64).
std::string formatFloatF(double v);
// Standard base64 with padding ([]byte in JSON, AsString of bytes).
std::string base64(std::string_view bytes);
// The value as pcommon Value.AsRaw() marshals to JSON (map keys sorted).
void appendAnyValueJson(std::string& out, const pdata::AnyValue& v);
// pcommon Value.AsString(): strings as-is, bool true/false, int decimal, double 'f' shortest,
// bytes base64, map/array JSON, empty "".
std::string asString(const pdata::AnyValue& v);
// Replaces invalid UTF-8 sequences with U+FFFD (what a JSON round trip through Go would do).
std::string toValidUtf8(std::string_view s);

}  // namespace agentgate::appinsights
