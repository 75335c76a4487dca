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

  // Special members are defaulted out of line, after the class is complete.
  JVal();
  JVal(const JVal&);
  JVal(JVal&&) noexcept;
  JVal& operator=(const JVal&);
  JVal& operator=(JVal&&) noexcept;
  ~JVal();

  static JVal str(std::string v);
  static JVal integer(int64_t v);
  static JVal real(double v);
  static JVal boolean(bool v);
  static JVal array();
  static JVal object();
  const JVal* get(std::string_view key) const;
  void set(const std::string& key, JVal v);
};

// Defined after the class so JVal is complete where its constructor is needed (clang with
// libstdc++ checks std::pair<std::string, JVal> eagerly).
inline JVal::JVal() = default;
inline JVal::JVal(const JVal&) = default;
inline JVal::JVal(JVal&&) noexcept = default;
inline JVal& JVal::operator=(const JVal&) = default;
inline JVal& JVal::operator=(JVal&&) noexcept = default;
inline JVal::~JVal() = default;

inline JVal JVal::str(std::string v) {
  JVal j;
  j.t = T::kStr;
  j.s = std::move(v);
  return j;
}
inline JVal JVal::integer(int64_t v) {
  JVal j;
  j.t = T::kInt;
  j.i = v;
  return j;
}
inline JVal JVal::real(double v) {
  JVal j;
  j.t = T::kReal;
  j.d = v;
  return j;
}
inline JVal JVal::boolean(bool v) {
  JVal j;
  j.t = T::kBool;
  j.b = v;
  return j;
}
inline JVal JVal::array() {
  JVal j;
  j.t = T::kArr;
  return j;
}
inline JVal JVal::object() {
  JVal j;
  j.t = T::kObj;
  return j;
}

// nullopt on invalid JSON (depth-limited, never throws).
std::optional<JVal> parseJson(std::string_view text);
std::string toJson(const JVal& v);
void appendJson(std::string& out, const JVal& v);
std::string jsonQuote(std::string_view s);
std::string formatReal(double d);

// Lookups on JSON text without building a tree, for the per-row `Properties['key']` accesses
// that dominate dashboard queries. Each answers only when its answer is exactly what
// parseJson + toJson would give; nullopt means "cannot tell cheaply, use parseJson".
enum class RawLookup { kFound, kAbsent };
struct RawMember {
  RawLookup status = RawLookup::kAbsent;
  std::string_view value;  // the member's JSON text when kFound
};
using RawPair = std::pair<std::string_view, std::string_view>;  // member name, value text
// Every member of the object `json`, in document order, as views into it; false when the text is
// not a plain object this scanner accepts.
bool indexMembersRaw(std::string_view json, std::vector<RawPair>& out);
// The last member named `key` (parseJson keeps the last of duplicates).
RawMember lookupMember(const std::vector<RawPair>& members, std::string_view key);
std::optional<RawMember> findMemberRaw(std::string_view json, std::string_view key);
// The contents of a JSON string literal that needs no unescaping ("abc" -> abc).
std::optional<std::string_view> plainStringRaw(std::string_view json);
// JSON text that toJson prints exactly so: a plain string, true/false, or a canonical int64.
bool isCanonicalScalar(std::string_view json);
// Top-level member `key` of the object `doc`, from a per-thread index of the last document seen
// (a row's several Properties['key'] reads scan it once); nullopt when the scanner cannot tell.
std::optional<RawMember> topLevelMember(std::string_view doc, std::string_view key);
// `doc['key']` exactly as a query reads it (kql_dget): the member's JSON text (a view into `doc`,
// or into `storage` when it had to be re-printed), or nullopt for an absent member, a JSON null
// or a document that is not a JSON object. The store fills its property columns with it, so a
// column holds what the query would have computed.
std::optional<std::string_view> memberJson(std::string_view doc, std::string_view key,
                                           std::string& storage);
// One document's members indexed once, for several memberJson reads of it (the store's property
// columns of a row). Views into `doc`, which must outlive it.
class ObjectMembers {
 public:
  explicit ObjectMembers(std::string_view doc);
  std::optional<std::string_view> memberJson(std::string_view key, std::string& storage) const;

 private:
  std::string_view doc_;
  std::vector<RawPair> members_;
  bool indexed_;
};

}  // namespace agentgate::kql
