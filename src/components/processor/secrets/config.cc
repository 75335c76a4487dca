#include "components/processor/secrets/config.h"

#include "common/strings.h"

namespace agentgate::components::secrets_processor {

std::optional<Action> parseAction(std::string_view name) {
  std::string n = strings::toLower(name);
  if (n == "redact") return Action::kRedact;
  if (n == "hash") return Action::kHash;
  if (n == "drop_attribute") return Action::kDropAttribute;
  if (n == "drop_record") return Action::kDropRecord;
  return std::nullopt;
}

std::string_view actionName(Action a) {
  switch (a) {
    case Action::kRedact:
      return "redact";
    case Action::kHash:
      return "hash";
    case Action::kDropAttribute:
      return "drop_attribute";
    case Action::kDropRecord:
      return "drop_record";
  }
  return "redact";
}

void readConfig(config::MapReader& reader, Config& cfg) {
  std::string action;
  if (reader.read("action", action)) {
    if (auto a = parseAction(action)) {
      cfg.action = *a;
    } else {
      reader.error("action", "unsupported action '" + action +
                                 "' (redact, hash, drop_attribute, drop_record)");
    }
  }
  std::map<std::string, std::string> per_rule;
  if (reader.read("rule_actions", per_rule)) {
    for (const auto& [rule, name] : per_rule) {
      if (auto a = parseAction(name)) {
        cfg.rule_actions[rule] = *a;
      } else {
        reader.error("rule_actions", "unsupported action '" + name + "' for rule '" + rule + "'");
      }
    }
  }
  reader.read("fingerprint_key", cfg.fingerprint_key);
  reader.read("emit_findings", cfg.emit_findings);
  std::string conf;
  if (reader.readEnum("min_confidence", conf, {"low", "medium", "high"})) {
    cfg.min_confidence = conf == "high"     ? secrets::Confidence::kHigh
                         : conf == "medium" ? secrets::Confidence::kMedium
                                            : secrets::Confidence::kLow;
  }
  reader.read("user_attributes", cfg.user_attributes);
  reader.read("allow_values", cfg.detector.allow_values);
  reader.read("generic_rules", cfg.detector.generic_rules);
  reader.read("redact_examples", cfg.detector.report_examples);
  if (const config::ConfigNode* list = reader.child("custom_rules")) {
    if (!list->isSequence()) {
      reader.error("custom_rules", "must be a list of rules");
    } else {
      for (const auto& item : list->items()) {
        config::MapReader r(item, reader.diags());
        secrets::CustomRule rule;
        r.read("id", rule.id);
        r.read("type", rule.type);
        r.read("anchor", rule.anchor);
        r.read("caseless", rule.caseless);
        r.read("pattern", rule.value_pattern);
        r.read("include_anchor", rule.include_anchor);
        r.read("min_entropy", rule.min_entropy);
        r.finish();
        if (!item.isMap()) continue;
        if (rule.id.empty()) {
          r.error("id", "missing required field 'id'");
          continue;
        }
        if (rule.anchor.empty()) {
          r.error("anchor", "missing required field 'anchor'");
          continue;
        }
        if (rule.value_pattern.empty()) {
          r.error("pattern", "missing required field 'pattern'");
          continue;
        }
        cfg.detector.custom_rules.push_back(std::move(rule));
      }
    }
  }
  reader.finish();
}

}  // namespace agentgate::components::secrets_processor
