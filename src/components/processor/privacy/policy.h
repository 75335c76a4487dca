// The content-field catalog of each agent and the compiled lookup the privacy processor uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "components/processor/privacy/config.h"

namespace agentgate::components::privacy {

// Where an attribute sits; a field names the places it is content in.
enum Where : uint8_t {
  kLogRecord = 1,
  kSpan = 2,
  kSpanEvent = 4,
  kResource = 8,
  kDataPoint = 16,
  kAnywhere = 31,
};

// One place a content field appears: attribute `key` on `where`, restricted to records, spans or
// span events whose name is `context` or ends with "." + `context` (empty: any name).
struct FieldSpec {
  std::string_view name;  // the policy name users configure (`prompt`, `tool_output`, ...)
  std::string_view key;
  uint8_t where;
  std::string_view context;
};

// Every content field observed in the captures or documented (spec/agent-telemetry.md).
const std::vector<FieldSpec>& builtinFields();
// Identity attributes known without configuration.
const std::vector<std::string_view>& builtinIdentityKeys();

class Policy {
 public:
  explicit Policy(const Config& cfg);

  // The content policy for attribute `key` at `where` on something named `context`, or nullptr
  // when the attribute is not content.
  const ContentPolicy* content(std::string_view key, Where where, std::string_view context) const;
  // The identity action for `key`, or nullptr when it is not an identity attribute.
  const IdentityAction* identity(std::string_view key) const;

 private:
  struct Entry {
    uint8_t where;
    std::string context;
    ContentPolicy policy;
  };
  // Transparent, so lookups by string_view allocate nothing on the data path.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<Entry>, Hash, std::equal_to<>> content_;
  std::unordered_map<std::string, IdentityAction, Hash, std::equal_to<>> identity_;
};

}  // namespace agentgate::components::privacy
