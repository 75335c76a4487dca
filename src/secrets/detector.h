// The secret detector shared by the `secrets` processor and `agentgate scan`.
//
// Two stages: one Hyperscan database of literal anchors (provider prefixes, fixed signatures,
// assignment keywords) finds candidate positions in a single pass; each hit is then confirmed by
// the rule's exact shape around the anchor (span boundaries, entropy, checksums, placeholders).
// Findings carry only offsets into the scanned text: the detector keeps no copy of secret bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agentgate/result.h"

namespace agentgate::secrets {

enum class Confidence : uint8_t { kLow, kMedium, kHigh };
std::string_view confidenceName(Confidence c);

struct Finding {
  std::string_view type;     // corpus/spec type name, e.g. "github-pat-classic" (static storage)
  std::string_view rule_id;  // rule that confirmed it (static storage or detector-owned)
  Confidence confidence = Confidence::kLow;
  size_t start = 0;  // byte offsets of the secret in the scanned text, [start, end)
  size_t end = 0;
  // A provider-format token that is a documented example or placeholder (AKIAIOSFODNN7EXAMPLE,
  // ghp_ABCDEF..., wrong checksum). Reported only with DetectorOptions::report_examples.
  bool example = false;
};

// A user rule from config: a literal anchor, then the value shape in the detector's small pattern
// syntax (literal chars, [classes], {m,n} / + / * / ? quantifiers; matching is possessive).
struct CustomRule {
  std::string id;
  std::string type;
  std::string anchor;  // literal, required
  bool caseless = false;
  std::string value_pattern;   // e.g. "[A-Za-z0-9]{32}"
  bool include_anchor = true;  // whether the secret span starts at the anchor or after it
  double min_entropy = 0;
};

struct DetectorOptions {
  std::vector<CustomRule> custom_rules;
  std::vector<std::string> allow_values;  // exact values never reported
  bool generic_rules = true;              // keyword=value, Bearer, URL credentials
  // Also report provider-format tokens that are known examples/placeholders (flagged `example`,
  // confidence low). The processor removes them too: a collector cannot tell a real key that
  // happens to look fake, and example keys in telemetry mislead readers.
  bool report_examples = false;
};

class Detector {
 public:
  // Compiles the rule set into one Hyperscan database (about tens of ms; do it once at start).
  static Result<std::shared_ptr<const Detector>> create(const DetectorOptions& options = {});
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Appends the findings in `text` to `out`, sorted by start, overlapping spans merged into the
  // highest-confidence one. Thread-safe (scratch space is per thread).
  void scan(std::string_view text, std::vector<Finding>& out) const;
  std::vector<Finding> scan(std::string_view text) const {
    std::vector<Finding> out;
    scan(text, out);
    return out;
  }

  size_t ruleCount() const;
  // Every built-in type name (for tests and docs).
  static std::vector<std::string_view> builtinTypes();

  struct Impl;

 private:
  explicit Detector(std::unique_ptr<Impl> impl);
  static void sortAndMerge(std::vector<Finding>& out, size_t first);
  static void addRepeats(std::string_view text, std::vector<Finding>& out, size_t first);
  void addBase64(std::string_view text, std::vector<Finding>& out, size_t first) const;
  std::unique_ptr<Impl> impl_;
};

// First 8 lower-case hex chars of HMAC-SHA256(key, secret): one secret is traceable across records
// without being recoverable from the fingerprint.
std::string fingerprint(std::string_view key, std::string_view secret);

// Shannon entropy in bits per byte.
double shannonEntropy(std::string_view s);

// GitHub / npm checksummed tokens: prefix + 30 random chars + base62(CRC32(random)) in 6 chars.
bool checksumTokenValid(std::string_view token);

}  // namespace agentgate::secrets
