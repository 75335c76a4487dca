#include "components/processor/resource/config.h"

#include <cctype>
#include <charconv>

#include "common/strings.h"

namespace agentgate::components::resource {
namespace {

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::optional<Literal> literalFrom(const config::ConfigNode& node) {
  const std::string& s = node.value();
  if (node.quoted()) return Literal{s};
  std::string lower = strings::toLower(s);
  if (lower == "true") return Literal{true};
  if (lower == "false") return Literal{false};
  int64_t i = 0;
  auto [pi, ei] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ei == std::errc() && pi == s.data() + s.size() && !s.empty()) return Literal{i};
  double d = 0;
  auto [pd, ed] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ed == std::errc() && pd == s.data() + s.size() && !s.empty()) return Literal{d};
  return Literal{s};
}

}  // namespace

std::optional<Action> parseAction(std::string_view name) {
  std::string n = strings::toLower(name);
  if (n == "insert") return Action::kInsert;
  if (n == "update") return Action::kUpdate;
  if (n == "upsert") return Action::kUpsert;
  if (n == "delete") return Action::kDelete;
  if (n == "hash") return Action::kHash;
  if (n == "extract") return Action::kExtract;
  if (n == "convert") return Action::kConvert;
  return std::nullopt;
}

Result<TranslatedPattern> translateNamedGroups(std::string_view p) {
  TranslatedPattern out;
  out.ecmascript.reserve(p.size());
  bool in_class = false;
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\\') {
      out.ecmascript.append(p.substr(i, 2));
      i += 2;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out.ecmascript += c;
      ++i;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.ecmascript += c;
      ++i;
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      if (i < p.size() && p[i] == '^') out.ecmascript += p[i++];
      if (i < p.size() && p[i] == ']') out.ecmascript += p[i++];
      continue;
    }
    if (c != '(') {
      out.ecmascript += c;
      ++i;
      continue;
    }
    if (i + 1 < p.size() && p[i + 1] == '?') {
      size_t name_start = 0;
      if (p.substr(i, 4) == "(?P<") {
        name_start = i + 4;
      } else if (p.substr(i, 3) == "(?<" && i + 3 < p.size() && p[i + 3] != '=' &&
                 p[i + 3] != '!') {
        name_start = i + 3;
      }
      if (name_start == 0) {  // (?: (?= (?! ...: not a capture group
        out.ecmascript += c;
        ++i;
        continue;
      }
      size_t end = p.find('>', name_start);
      if (end == std::string_view::npos) return Error::config("unterminated group name");
      std::string_view name = p.substr(name_start, end - name_start);
      if (name.empty()) return Error::config("empty group name");
      for (char n : name) {
        if (!isNameChar(n)) return Error::config("invalid group name '" + std::string(name) + "'");
      }
      out.group_names.emplace_back(name);
      out.ecmascript += '(';
      i = end + 1;
      continue;
    }
    out.group_names.emplace_back();
    out.ecmascript += c;
    ++i;
  }
  return out;
}

std::optional<std::string> validateAction(ActionConfig& a) {
  if (a.key.empty() && a.pattern.empty()) return "missing required field 'key'";
  int sources =
      (a.value ? 1 : 0) + (a.from_attribute.empty() ? 0 : 1) + (a.from_context.empty() ? 0 : 1);
  switch (a.action) {
    case Action::kInsert:
    case Action::kUpdate:
    case Action::kUpsert:
      if (a.key.empty()) return "missing required field 'key'";
      if (sources == 0) return "one of 'value', 'from_attribute' or 'from_context' is required";
      if (sources > 1) return "only one of 'value', 'from_attribute' or 'from_context' may be set";
      if (!a.pattern.empty()) return "'pattern' is not supported by this action";
      break;
    case Action::kDelete:
    case Action::kHash:
    case Action::kExtract:
      if (sources > 0) {
        return "'value', 'from_attribute' and 'from_context' are not supported by this action";
      }
      if (a.action == Action::kExtract) {
        if (a.key.empty()) return "missing required field 'key'";
        if (a.pattern.empty()) return "missing required field 'pattern'";
      }
      break;
    case Action::kConvert:
      if (a.key.empty()) return "missing required field 'key'";
      if (a.converted_type != "string" && a.converted_type != "int" &&
          a.converted_type != "double") {
        return "'converted_type' must be one of string, int, double";
      }
      break;
  }
  if (!a.pattern.empty()) {
    auto translated = translateNamedGroups(a.pattern);
    if (!translated.ok()) return "invalid 'pattern': " + translated.error().message;
    try {
      a.regex = std::make_shared<const std::regex>(translated->ecmascript, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return std::string("invalid 'pattern': ") + e.what();
    }
    a.group_names = std::move(translated->group_names);
    if (a.action == Action::kExtract) {
      if (a.group_names.empty()) return "'pattern' needs at least one named group";
      for (const auto& n : a.group_names) {
        if (n.empty()) return "every group of 'pattern' must be named";
      }
    }
  }
  return std::nullopt;
}

void readConfig(config::MapReader& reader, Config& cfg) {
  const config::ConfigNode* list = reader.child("attributes");
  reader.finish();
  if (list == nullptr || (list->isSequence() && list->items().empty())) {
    reader.error("attributes", "missing required field 'attributes'");
    return;
  }
  if (!list->isSequence()) {
    reader.error("attributes", "must be a list of actions");
    return;
  }
  for (const auto& item : list->items()) {
    config::MapReader r(item, reader.diags());
    ActionConfig a;
    std::string action_name;
    r.read("key", a.key);
    bool has_action = r.read("action", action_name);
    if (const config::ConfigNode* v = item.isMap() ? item.find("value") : nullptr) {
      r.ignore("value");
      if (v->isScalar()) {
        a.value = literalFrom(*v);
      } else if (!v->isNull()) {
        r.error("value", "must be a scalar");
      }
    }
    r.read("from_attribute", a.from_attribute);
    r.read("from_context", a.from_context);
    r.read("pattern", a.pattern);
    r.read("converted_type", a.converted_type);
    a.converted_type = strings::toLower(a.converted_type);
    r.finish();
    if (!item.isMap()) continue;  // already reported by the reader
    auto action = parseAction(action_name);
    if (!has_action) {
      r.error("action", "missing required field 'action'");
      continue;
    }
    if (!action) {
      r.error("action", "unsupported action '" + action_name + "'");
      continue;
    }
    a.action = *action;
    if (auto problem = validateAction(a)) {
      std::string_view at = problem->find("'pattern'") != std::string::npos ? "pattern"
                            : problem->find("'converted_type'") != std::string::npos
                                ? "converted_type"
                            : problem->find("'key'") != std::string::npos ? "key"
                                                                          : "action";
      r.error(at, *problem);
      continue;
    }
    cfg.attributes.push_back(std::move(a));
  }
}

}  // namespace agentgate::components::resource
