// Test helpers for the pdata codecs: fixture discovery, gunzip, and a semantic OTLP/JSON
// normaliser used to compare our output with reference decodings and with libprotobuf.
#pragma once

#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "agentgate/signal.h"

namespace agentgate::pdata::testutil {

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Gunzips `in`; nullopt on any zlib error.
inline std::optional<std::string> gunzip(std::string_view in) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[1 << 16];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return std::nullopt;
    }
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}

struct Fixture {
  std::filesystem::path body;     // *.pb, *.pb.gz or *.otlp.json
  std::filesystem::path decoded;  // the neighbouring *.decoded.json
  Signal signal;
  bool is_json;
  bool gzipped;
};

inline std::string sharedDir() {
#ifdef AGENTGATE_SHARED_DIR
  return AGENTGATE_SHARED_DIR;
#else
  return "/work/shared";
#endif
}

// Every captured body under fixtures/agents, sorted by path.
inline std::vector<Fixture> agentFixtures() {
  std::vector<Fixture> out;
  std::filesystem::path root = std::filesystem::path(sharedDir()) / "fixtures" / "agents";
  if (!std::filesystem::exists(root)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    auto ends = [&](std::string_view s) {
      return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    Fixture f;
    f.body = e.path();
    std::string base;
    if (ends(".pb.gz")) {
      base = name.substr(0, name.size() - 6);
      f.is_json = false;
      f.gzipped = true;
    } else if (ends(".pb")) {
      base = name.substr(0, name.size() - 3);
      f.is_json = false;
      f.gzipped = false;
    } else if (ends(".otlp.json")) {
      base = name.substr(0, name.size() - 10);
      f.is_json = true;
      f.gzipped = false;
    } else {
      continue;
    }
    if (name.find("_logs_") != std::string::npos)
      f.signal = Signal::kLogs;
    else if (name.find("_traces_") != std::string::npos)
      f.signal = Signal::kTraces;
    else if (name.find("_metrics_") != std::string::npos)
      f.signal = Signal::kMetrics;
    else
      continue;
    f.decoded = e.path().parent_path() / (base + ".decoded.json");
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(),
            [](const Fixture& a, const Fixture& b) { return a.body < b.body; });
  return out;
}

inline std::string fixtureBytes(const Fixture& f) {
  std::string raw = readFile(f.body);
  if (!f.gzipped) return raw;
  auto un = gunzip(raw);
  return un ? *un : std::string();
}

// ---- semantic normaliser
//
// Produces a canonical text for an OTLP/JSON document so that two encodings of the same data
// compare equal: keys sorted; proto3 defaults (0, "", false, null, [], {}) dropped, because
// encoders disagree on whether to print them; 64-bit integers as numbers or strings unified;
// ids lower-cased; `_capture` (fixture metadata) and `entityRefs` (not in our model) ignored.
namespace detail {

inline bool isIntegerText(std::string_view s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

inline std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

inline std::optional<std::string> canon(simdjson::dom::element e, std::string_view key) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::NULL_VALUE:
      return std::nullopt;
    case T::BOOL:
      return e.get_bool().value_unsafe() ? std::optional<std::string>("true") : std::nullopt;
    case T::INT64: {
      int64_t v = e.get_int64().value_unsafe();
      if (v == 0) return std::nullopt;
      return std::to_string(v);
    }
    case T::UINT64: {
      uint64_t v = e.get_uint64().value_unsafe();
      if (v == 0) return std::nullopt;
      return std::to_string(v);
    }
    case T::DOUBLE: {
      double d = e.get_double().value_unsafe();
      if (d == 0 && !std::signbit(d)) return std::nullopt;
      if (std::floor(d) == d && std::fabs(d) < 9.0e15) {
        return std::to_string(static_cast<int64_t>(d));
      }
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      return std::string(buf);
    }
    case T::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      if (s.empty()) return std::nullopt;
      if (isIntegerText(s)) {
        std::string_view digits = s;
        bool neg = false;
        if (digits[0] == '-') {
          neg = true;
          digits.remove_prefix(1);
        }
        while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
        if (digits == "0") return std::nullopt;
        return (neg ? "-" : "") + std::string(digits);
      }
      if (key == "traceId" || key == "spanId" || key == "parentSpanId") {
        std::string lower(s);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return quote(lower);
      }
      return quote(s);
    }
    case T::ARRAY: {
      simdjson::dom::array arr = e.get_array().value_unsafe();
      std::string out = "[";
      bool any = false;
      for (auto item : arr) {
        if (any) out += ",";
        auto c = canon(item, key);
        out += c ? *c : std::string("{}");
        any = true;
      }
      if (!any) return std::nullopt;
      return out + "]";
    }
    case T::OBJECT: {
      std::vector<std::pair<std::string, std::string>> members;
      // Bind the object first: value_unsafe() returns a reference into the temporary result.
      simdjson::dom::object obj = e.get_object().value_unsafe();
      for (auto field : obj) {
        if (field.key == "_capture" || field.key == "entityRefs") continue;
        auto c = canon(field.value, field.key);
        if (c) members.emplace_back(std::string(field.key), std::move(*c));
      }
      if (members.empty()) return std::nullopt;
      std::sort(members.begin(), members.end());
      std::string out = "{";
      for (size_t i = 0; i < members.size(); ++i) {
        if (i) out += ",";
        out += quote(members[i].first) + ":" + members[i].second;
      }
      return out + "}";
    }
  }
  return std::nullopt;
}

}  // namespace detail

// Canonical text of a JSON document, or "<invalid JSON: ...>".
inline std::string normalizeOtlpJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto err = parser.parse(json.data(), json.size()).get(root);
  if (err) return std::string("<invalid JSON: ") + simdjson::error_message(err) + ">";
  auto c = detail::canon(root, "");
  return c ? *c : "{}";
}

}  // namespace agentgate::pdata::testutil
