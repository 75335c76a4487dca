#include "components/processor/redaction/config.h"

#include <re2/re2.h>

#include "common/strings.h"

namespace agentgate::components::redaction {
namespace {

void readPatterns(config::MapReader& reader, std::string_view key, std::vector<std::string>& out) {
  if (!reader.read(key, out)) return;
  for (const auto& p : out) {
    RE2 re(p, RE2::Quiet);
    if (!re.ok()) reader.error(key, "invalid regular expression '" + p + "': " + re.error());
  }
}

// The sanitizers rewrite span names and query text with engine-specific rules we do not have:
// accepted when disabled, an error when enabled, so no migrated config silently loses them.
void readUnsupportedSanitizer(config::MapReader& reader, std::string_view key) {
  const config::ConfigNode* node = reader.child(key);
  if (node == nullptr || node->isNull()) return;
  bool enabled = false;
  auto check = [&](const config::ConfigNode& n) {
    if (const config::ConfigNode* e = n.find("enabled");
        e != nullptr && e->isScalar() && strings::iequals(e->value(), "true"))
      enabled = true;
  };
  if (node->isMap()) {
    check(*node);
    for (const auto& [k, v] : node->entries())
      if (v.isMap()) check(v);
  }
  if (enabled)
    reader.error(key, std::string(key) + " is not supported by agentgate; remove it or disable it");
}

}  // namespace

void readConfig(config::MapReader& reader, Config& cfg) {
  reader.read("allow_all_keys", cfg.allow_all_keys);
  reader.read("allowed_keys", cfg.allowed_keys);
  reader.read("ignored_keys", cfg.ignored_keys);
  readPatterns(reader, "ignored_key_patterns", cfg.ignored_key_patterns);
  readPatterns(reader, "blocked_key_patterns", cfg.blocked_key_patterns);
  readPatterns(reader, "blocked_values", cfg.blocked_values);
  readPatterns(reader, "allowed_values", cfg.allowed_values);
  reader.read("redact_all_types", cfg.redact_all_types);
  std::string hash;
  if (reader.readEnum("hash_function", hash,
                      {"", "md5", "sha1", "sha3", "hmac-sha256", "hmac-sha512"})) {
    cfg.hash_function = hash == "md5"           ? HashFunction::kMd5
                        : hash == "sha1"        ? HashFunction::kSha1
                        : hash == "sha3"        ? HashFunction::kSha3
                        : hash == "hmac-sha256" ? HashFunction::kHmacSha256
                        : hash == "hmac-sha512" ? HashFunction::kHmacSha512
                                                : HashFunction::kNone;
  }
  reader.read("hmac_key", cfg.hmac_key);
  if ((cfg.hash_function == HashFunction::kHmacSha256 ||
       cfg.hash_function == HashFunction::kHmacSha512) &&
      cfg.hmac_key.empty())
    reader.error("hmac_key", "hash_function " + hash + " needs a non-empty hmac_key");
  std::string summary;
  if (reader.readEnum("summary", summary, {"", "debug", "info", "silent"})) {
    cfg.summary = summary == "debug"  ? Summary::kDebug
                  : summary == "info" ? Summary::kInfo
                                      : Summary::kSilent;
  }
  readUnsupportedSanitizer(reader, "url_sanitizer");
  readUnsupportedSanitizer(reader, "db_sanitizer");
  reader.finish();
}

}  // namespace agentgate::components::redaction
