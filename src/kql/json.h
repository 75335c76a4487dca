// Minimal mutable JSON value for KQL `dynamic` (JSON text in SQLite). Objects keep insertion
// order, numbers keep whether they were integral, so values print back as Kusto shows them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentgate::kql {

struct JVal {
  enum class T { kNull, kBool, kInt, kReal, kStr, kArr, kObj };
  T t = T::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<JVal> a;
  std::vector<std::pair<std::string, JVal>> o;

  static JVal str(std::string v) {
    JVal j;
    j.t = T::kStr;
    j.s = std::move(v);
    return j;
  }
  static JVal integer(int64_t v) {
    JVal j;
    j.t = T::kInt;
    j.i = v;
    return j;
  }
  static JVal real(double v) {
    JVal j;
    j.t = T::kReal;
    j.d = v;
    return j;
  }
  static JVal boolean(bool v) {
    JVal j;
    j.t = T::kBool;
    j.b = v;
    return j;
  }
  static JVal array() {
    JVal j;
    j.t = T::kArr;
    return j;
  }
  static JVal object() {
    JVal j;
    j.t = T::kObj;
    return j;
  }
  const JVal* get(std::string_view key) const;
  void set(const std::string& key, JVal v);
};

// nullopt on invalid JSON (depth-limited, never throws).
std::optional<JVal> parseJson(std::string_view text);
std::string toJson(const JVal& v);
void appendJson(std::string& out, const JVal& v);
std::string jsonQuote(std::string_view s);
std::string formatReal(double d);

}  // namespace agentgate::kql
