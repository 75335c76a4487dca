#include "components/processor/privacy/policy.h"

namespace agentgate::components::privacy {

const std::vector<FieldSpec>& builtinFields() {
  static const std::vector<FieldSpec> kFields = {
      // Claude Code (OTEL_LOG_USER_PROMPTS, OTEL_LOG_ASSISTANT_RESPONSES, OTEL_LOG_TOOL_DETAILS,
      // OTEL_LOG_TOOL_CONTENT, OTEL_LOG_RAW_API_BODIES). Their keys are generic words, so each is
      // tied to the event or span that carries it.
      {"prompt", "prompt", kLogRecord, "user_prompt"},
      {"prompt", "prompt_text", kLogRecord, "user_prompt"},
      {"prompt", "user_prompt", kSpan, "claude_code.interaction"},
      {"assistant_response", "response", kLogRecord, "assistant_response"},
      {"tool_parameters", "tool_parameters", kLogRecord, ""},
      {"tool_input", "tool_input", kLogRecord, ""},
      {"tool_details", "full_command", kSpan, "claude_code.tool"},
      {"tool_details", "file_path", kSpan, "claude_code.tool"},
      {"tool_output", "output", kSpanEvent, "tool.output"},
      {"tool_output", "content", kSpanEvent, "tool.output"},
      {"tool_output", "bash_command", kSpanEvent, "tool.output"},
      {"tool_output", "file_path", kSpanEvent, "tool.output"},
      {"api_request_body", "body", kLogRecord, "api_request_body"},
      {"api_response_body", "body", kLogRecord, "api_response_body"},
      // GenAI semantic conventions (Copilot CLI, VS Code Copilot Chat), wherever they appear.
      {"gen_ai.input.messages", "gen_ai.input.messages", kAnywhere, ""},
      {"gen_ai.output.messages", "gen_ai.output.messages", kAnywhere, ""},
      {"gen_ai.system_instructions", "gen_ai.system_instructions", kAnywhere, ""},
      {"gen_ai.tool.definitions", "gen_ai.tool.definitions", kAnywhere, ""},
      {"gen_ai.tool.call.arguments", "gen_ai.tool.call.arguments", kAnywhere, ""},
      {"gen_ai.tool.call.result", "gen_ai.tool.call.result", kAnywhere, ""},
      {"gen_ai.prompt", "gen_ai.prompt", kAnywhere, ""},          // deprecated semconv
      {"gen_ai.completion", "gen_ai.completion", kAnywhere, ""},  // deprecated semconv
      // Copilot's gated tool details and hook payloads.
      {"github.copilot.tool.parameters.command", "github.copilot.tool.parameters.command",
       kAnywhere, ""},
      {"github.copilot.tool.parameters.file_path", "github.copilot.tool.parameters.file_path",
       kAnywhere, ""},
      {"hook_input", "hook_input", kSpan, ""},
      {"hook_input", "copilot_chat.hook_input", kSpan, ""},
      {"hook_output", "hook_output", kSpan, ""},
      {"hook_output", "copilot_chat.hook_output", kSpan, ""},
  };
  return kFields;
}

const std::vector<std::string_view>& builtinIdentityKeys() {
  static const std::vector<std::string_view> kKeys = {
      "user.email",     "user.account_uuid", "user.id",    "user.name",
      "user.full_name", "organization.id",   "enduser.id", "enduser.pseudo.id",
  };
  return kKeys;
}

Policy::Policy(const Config& cfg) {
  auto policyFor = [&](std::string_view name) {
    auto it = cfg.fields.find(name);
    return it != cfg.fields.end() ? it->second : cfg.content;
  };
  for (const auto& f : builtinFields())
    content_[std::string(f.key)].push_back(
        Entry{f.where, std::string(f.context), policyFor(f.name)});
  // A configured name that is no built-in field is an attribute key, content wherever it appears.
  for (const auto& [name, p] : cfg.fields) {
    bool builtin = false;
    for (const auto& f : builtinFields()) builtin = builtin || f.name == name;
    if (!builtin) content_[name].insert(content_[name].begin(), Entry{kAnywhere, "", p});
  }
  for (auto key : builtinIdentityKeys()) identity_[std::string(key)] = cfg.identity;
  for (const auto& [key, a] : cfg.identity_fields) identity_[key] = a;
}

namespace {
bool contextMatches(std::string_view name, std::string_view context) {
  if (context.empty() || name == context) return true;
  return name.size() > context.size() && name.ends_with(context) &&
         name[name.size() - context.size() - 1] == '.';
}
}  // namespace

const ContentPolicy* Policy::content(std::string_view key, Where where,
                                     std::string_view context) const {
  auto it = content_.find(key);
  if (it == content_.end()) return nullptr;
  for (const auto& e : it->second)
    if ((e.where & where) != 0 && contextMatches(context, e.context)) return &e.policy;
  return nullptr;
}

const IdentityAction* Policy::identity(std::string_view key) const {
  auto it = identity_.find(key);
  return it == identity_.end() ? nullptr : &it->second;
}

}  // namespace agentgate::components::privacy
