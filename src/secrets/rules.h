// The built-in rule table of the detector. Every shape here was written from the public token
// formats listed in spec/secrets.md (prefix, alphabet, length, fixed signatures), not copied from
// other scanners' rule files.
#pragma once

#include <string_view>
#include <vector>

#include "secrets/detector.h"

namespace agentgate::secrets {

enum class RuleKind : uint8_t {
  kToken,       // anchor literal + optional left run + value pattern (possessive mini-pattern)
  kPem,         // -----BEGIN ... PRIVATE KEY----- up to the matching -----END ...-----
  kUrlAuth,     // scheme://user:password@host, password only
  kAssignment,  // identifier naming a secret, an assignment operator, a value
  kBearer,      // Authorization: Bearer <token> / Basic <token>
  kCurlUser,    // curl -u / --user user:password
};

enum class Check : uint8_t {
  kNone,
  kGithubCrc,     // gh?_ / npm_ CRC32 base62 suffix
  kAzureSig,      // identifiable Azure key: fixed signature position, [AQgw]== tail
  kOpenAi,        // left run must start with sk-
  kAadSecret,     // Entra client secret: 37-40 chars around the Q~ marker
  kAnnotatedKey,  // 84-char Azure annotated key, type from the provider signature
  kSlack,         // Slack tokens carry numeric team/user ids: at least 8 digits
  kJwt,           // the first segment is base64url JSON naming alg, typ or kid
};

struct RuleSpec {
  std::string_view id;
  std::string_view type;
  RuleKind kind;
  std::string_view anchors;  // comma-separated literals
  bool caseless;
  std::string_view left;   // "[class]{m,n}" run before the anchor, or ""
  std::string_view value;  // mini-pattern after the anchor
  bool include_anchor;     // span starts at left run / anchor (true) or after the anchor
  double min_entropy;
  Check check;
  Confidence confidence;
};

const std::vector<RuleSpec>& builtinRules();

}  // namespace agentgate::secrets
