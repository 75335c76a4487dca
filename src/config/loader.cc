#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "common/logging.h"
#include "common/strings.h"

namespace agentgate::config {

namespace {

// Limits that keep a hostile document (deep nesting, alias "billion laughs") from exhausting the
// stack or memory while it is turned into a tree.
constexpr int kMaxDepth = 64;
constexpr size_t kMaxNodes = 100000;
constexpr size_t kMaxScalarBytes = size_t{64} << 20;
constexpr size_t kMaxEnvNameLength = 200;

bool validEnvName(std::string_view name) {
  if (name.empty() || name.size() > kMaxEnvNameLength) return false;
  auto c0 = static_cast<unsigned char>(name[0]);
  if (!(std::isalpha(c0) || c0 == '_')) return false;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) || c == '_')) return false;
  }
  return true;
}

class Converter {
 public:
  Converter(const std::string& file, const EnvLookup& env, Diagnostics& diags)
      : file_(file), env_(env), diags_(diags) {}

  Mark mark(const YAML::Mark& m, const Mark& fallback) const {
    if (m.is_null()) return fallback;
    return Mark{file_, m.line + 1, m.column + 1};
  }

  ConfigNode convert(const YAML::Node& n, const std::string& path, const Mark& at, int depth) {
    if (++nodes_ > kMaxNodes || bytes_ > kMaxScalarBytes) {
      if (!budget_reported_) {
        diags_.error(at, path,
                     "document too large (more than " + std::to_string(kMaxNodes) + " nodes or " +
                         std::to_string(kMaxScalarBytes >> 20) +
                         " MiB of text after expanding aliases)");
        budget_reported_ = true;
      }
      return ConfigNode::null(at, path);
    }
    if (depth > kMaxDepth) {
      diags_.error(at, path, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
      return ConfigNode::null(at, path);
    }
    switch (n.Type()) {
      case YAML::NodeType::Scalar: {
        bytes_ += n.Scalar().size();
        ConfigNode s = ConfigNode::scalar(substitute(n.Scalar(), at, path), at, path);
        // yaml-cpp tags every non-plain scalar (quoted, block, explicit tag) with a non-"?" tag.
        s.setQuoted(n.Tag() != "?");
        return s;
      }
      case YAML::NodeType::Sequence: {
        ConfigNode seq = ConfigNode::sequence(at, path);
        size_t i = 0;
        for (const auto& item : n) {
          std::string item_path = path + "[" + std::to_string(i++) + "]";
          seq.push(convert(item, item_path, mark(item.Mark(), at), depth + 1));
        }
        return seq;
      }
      case YAML::NodeType::Map: {
        ConfigNode map = ConfigNode::map(at, path);
        std::set<std::string, std::less<>> seen;
        for (const auto& kv : n) {
          Mark key_mark = mark(kv.first.Mark(), at);
          if (!kv.first.IsScalar()) {
            diags_.error(key_mark, path, "map keys must be plain strings");
            continue;
          }
          const std::string& key = kv.first.Scalar();
          std::string child_path = path.empty() ? key : path + "." + key;
          if (!seen.insert(key).second) {
            diags_.error(key_mark, child_path, "duplicate key \"" + key + "\"");
            continue;
          }
          // A scalar is reported where its value is; a nested map/list or an empty value where
          // its key is, which is the line a reader looks for.
          Mark child_mark = kv.second.IsScalar() ? mark(kv.second.Mark(), key_mark) : key_mark;
          map.add(key, convert(kv.second, child_path, child_mark, depth + 1));
        }
        return map;
      }
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        break;
    }
    return ConfigNode::null(at, path);
  }

 private:
  // Expands ${env:NAME}, ${NAME}, ${env:NAME:-default} and $$ (spec 5.1). Bare $NAME stays as is.
  std::string substitute(const std::string& in, const Mark& at, const std::string& path) {
    if (in.find('$') == std::string::npos) return in;
    std::string out;
    size_t i = 0;
    while (i < in.size()) {
      char c = in[i];
      if (c != '$') {
        out += c;
        ++i;
        continue;
      }
      if (i + 1 < in.size() && in[i + 1] == '$') {
        out += '$';
        i += 2;
        continue;
      }
      if (i + 1 >= in.size() || in[i + 1] != '{') {
        out += '$';
        ++i;
        continue;
      }
      size_t close = in.find('}', i + 2);
      if (close == std::string::npos) {
        diags_.error(at, path, "unterminated \"${\" (write \"$$\" for a literal \"$\")");
        return in;
      }
      std::string_view inner(in.data() + i + 2, close - i - 2);
      std::string ref = "${" + std::string(inner) + "}";
      i = close + 1;
      if (inner.find('$') != std::string_view::npos || inner.find('{') != std::string_view::npos) {
        diags_.error(at, path, "nested substitution is not supported in \"" + ref + "\"");
        continue;
      }
      std::string_view name = inner;
      std::optional<std::string_view> fallback;
      if (strings::startsWith(inner, "env:")) {
        name = inner.substr(4);
        if (auto d = name.find(":-"); d != std::string_view::npos) {
          fallback = name.substr(d + 2);
          name = name.substr(0, d);
        }
      } else if (auto colon = inner.find(':'); colon != std::string_view::npos) {
        std::string scheme(inner.substr(0, colon));
        std::string msg = "scheme \"" + scheme + "\" is not supported in \"" + ref + "\"";
        if (strings::startsWith(inner.substr(colon), ":-"))
          msg += " (a default value needs the env scheme: \"${env:" + scheme + ":-...}\")";
        else
          msg += " (only \"env\" is)";
        diags_.error(at, path, std::move(msg));
        continue;
      }
      if (!validEnvName(name)) {
        diags_.error(at, path,
                     "invalid environment variable name \"" + std::string(name) + "\" in \"" + ref +
                         "\" (names match [a-zA-Z_][a-zA-Z0-9_]*)");
        continue;
      }
      std::optional<std::string> value = env_ ? env_(name) : std::nullopt;
      if (!value) {
        if (fallback) {
          out += *fallback;
        } else {
          // The value is never logged, only the name and where it was used.
          log::warn("config {}:{}: environment variable {} is not set; {} is empty", file_, at.line,
                    std::string(name), path);
        }
        continue;
      }
      if (value->empty())
        log::info("config {}:{}: environment variable {} is set but empty ({})", file_, at.line,
                  std::string(name), path);
      out += *value;
    }
    return out;
  }

  const std::string& file_;
  const EnvLookup& env_;
  Diagnostics& diags_;
  size_t nodes_ = 0;
  size_t bytes_ = 0;
  bool budget_reported_ = false;
};

// Keys whose values are credentials. print-config must never show them.
bool sensitiveKey(std::string_view raw_key, const ConfigNode& parent, bool under_headers) {
  std::string key = strings::toLower(raw_key);
  static const std::set<std::string, std::less<>> kExact = {"token",
                                                            "tokens",
                                                            "connection_string",
                                                            "instrumentation_key",
                                                            "client_secret",
                                                            "password",
                                                            "secret",
                                                            "authorization",
                                                            "key",
                                                            "api_key"};
  if (under_headers) {
    // Header names that carry credentials by convention.
    for (std::string_view part : {"auth", "key", "token", "secret", "cookie"})
      if (key.find(part) != std::string::npos) return true;
    return false;
  }
  if (key == "key" && parent.find("action") != nullptr) {
    // Attribute actions (resource/attributes processors: "- key: x, value: y, action: upsert")
    // name an attribute, not a credential.
    return false;
  }
  if (kExact.count(key)) return true;
  for (std::string_view suffix : {"_token", "_secret", "_password", "_key"})
    if (key.size() > suffix.size() &&
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
      return true;
  return false;
}

void emit(YAML::Emitter& out, const ConfigNode& n, bool mask, bool redact, bool under_headers) {
  switch (n.kind()) {
    case ConfigNode::Kind::kNull:
      out << YAML::Null;
      return;
    case ConfigNode::Kind::kScalar:
      if (redact && !n.value().empty()) {
        out << YAML::DoubleQuoted << "[REDACTED]";
      } else if (n.quoted()) {
        out << YAML::DoubleQuoted << n.value();
      } else {
        out << n.value();
      }
      return;
    case ConfigNode::Kind::kSequence:
      out << YAML::BeginSeq;
      for (const auto& item : n.items()) emit(out, item, mask, redact, false);
      out << YAML::EndSeq;
      return;
    case ConfigNode::Kind::kMap:
      out << YAML::BeginMap;
      for (const auto& [k, v] : n.entries()) {
        out << YAML::Key << k << YAML::Value;
        bool child_redact = redact || (mask && sensitiveKey(k, n, under_headers));
        emit(out, v, mask, child_redact, strings::toLower(k) == "headers");
      }
      out << YAML::EndMap;
      return;
  }
}

}  // namespace

EnvLookup processEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

ConfigNode parseYaml(std::string_view text, const std::string& file, const EnvLookup& env,
                     Diagnostics& diags) {
  Mark root_mark{file, 0, 0};
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    Mark m = root_mark;
    if (!e.mark.is_null()) m = Mark{file, e.mark.line + 1, e.mark.column + 1};
    diags.error(m, "", "invalid YAML: " + e.msg);
    return ConfigNode::null(root_mark, "");
  } catch (const std::exception& e) {
    diags.error(root_mark, "", std::string("invalid YAML: ") + e.what());
    return ConfigNode::null(root_mark, "");
  }
  try {
    Converter conv(file, env, diags);
    Mark top = conv.mark(doc.Mark(), Mark{file, 1, 1});
    if (doc.IsNull()) top = root_mark;
    return conv.convert(doc, "", top, 0);
  } catch (const std::exception& e) {
    // yaml-cpp may throw while iterating a malformed tree; never let it escape.
    diags.error(root_mark, "", std::string("invalid YAML: ") + e.what());
    return ConfigNode::null(root_mark, "");
  }
}

ConfigNode loadFile(const std::string& path, const EnvLookup& env, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(Mark{path, 0, 0}, "",
                std::string("cannot read config file: ") + std::strerror(errno));
    return ConfigNode::null(Mark{path, 0, 0}, "");
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    diags.error(Mark{path, 0, 0}, "", "cannot read config file");
    return ConfigNode::null(Mark{path, 0, 0}, "");
  }
  return parseYaml(buf.str(), path, env, diags);
}

std::string toYaml(const ConfigNode& root, bool mask_secrets) {
  YAML::Emitter out;
  emit(out, root, mask_secrets, false, false);
  std::string s = out.c_str();
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

}  // namespace agentgate::config
