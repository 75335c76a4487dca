// resource processor configuration: the collector's attribute actions (spec 5.5).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agentgate/factory.h"
#include "agentgate/result.h"
#include "config/map_reader.h"

namespace agentgate::components::resource {

enum class Action { kInsert, kUpdate, kUpsert, kDelete, kHash, kExtract, kConvert };

// A `value:` from YAML keeps its scalar type: unquoted true/12/1.5 are bool/int/double.
using Literal = std::variant<std::string, bool, int64_t, double>;

struct ActionConfig {
  std::string key;
  Action action = Action::kUpsert;
  std::optional<Literal> value;
  std::string from_attribute;
  std::string from_context;
  std::string pattern;         // as written (RE2 style named groups allowed)
  std::string converted_type;  // "string" | "int" | "double"
  // Derived by validation.
  std::shared_ptr<const std::regex> regex;
  std::vector<std::string> group_names;  // name of capture group i + 1 (extract)
};

struct Config : ComponentConfig {
  std::vector<ActionConfig> attributes;
};

// Reads `attributes:` and validates every action; problems go to the reader's diagnostics.
void readConfig(config::MapReader& reader, Config& cfg);

// Validates one action and compiles its pattern. Returns the problem, or nullopt when valid.
std::optional<std::string> validateAction(ActionConfig& action);

std::optional<Action> parseAction(std::string_view name);  // case-insensitive

// std::regex (ECMAScript) has no named groups: `(?P<name>...)` and `(?<name>...)` become plain
// groups and the names are returned per capture group ("" for unnamed ones).
struct TranslatedPattern {
  std::string ecmascript;
  std::vector<std::string> group_names;
};
Result<TranslatedPattern> translateNamedGroups(std::string_view pattern);

}  // namespace agentgate::components::resource
