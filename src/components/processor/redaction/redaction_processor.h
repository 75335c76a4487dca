// The redaction processor, compatible with the OpenTelemetry collector's: deletes attributes not
// on an allow list, masks (or hashes) values that match blocked patterns, and records what it did
// in `redaction.*` summary attributes. For migrating collector configs; agentgate's own secret
// handling is the `secrets` processor.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agentgate/component.h"
#include "components/processor/redaction/config.h"
#include "pdata/model.h"

namespace agentgate::components::redaction {

class RedactionProcessor final : public Processor {
 public:
  // Fails when a pattern does not compile (the config reader reports that earlier).
  static Result<std::shared_ptr<RedactionProcessor>> create(const Config& cfg, ConsumerPtr next);
  Status consume(BatchPtr&& batch) override;
  bool mutatesData() const override { return true; }

  // What one attribute map went through: the summary's key lists.
  struct Outcome {
    std::vector<std::string> redacted, masked, allowed, ignored;
  };

  // Masks every match of `re` in `value` ("****", or the configured hash of the match). Public
  // for tests: the upstream replace-all semantics, empty matches next to a match skipped.
  std::string maskMatches(std::string_view value, const RE2& re) const;

 private:
  RedactionProcessor(const Config& cfg, ConsumerPtr next);

  bool ignoredKey(std::string_view key) const;
  bool redactedKey(std::string_view key) const;
  bool maskedKey(std::string_view key) const;
  bool allowedValue(std::string_view value) const;
  // Every blocked_values match masked; returns the value unchanged when none matched.
  std::string maskBlocked(std::string_view value) const;
  std::string hashOf(std::string_view match) const;

  void processAttributes(pdata::Batch& b, pdata::Attributes& attrs) const;
  void processBody(pdata::Batch& b, pdata::LogRecord& rec) const;
  void processBodyValue(pdata::Batch& b, const std::string& path, pdata::AnyValue& v, Outcome& out,
                        int depth) const;
  void processBodyMap(pdata::Batch& b, const std::string& path, pdata::Attributes& map,
                      Outcome& out, int depth) const;
  void addSummary(pdata::Batch& b, pdata::Attributes& attrs, std::vector<std::string>& keys,
                  std::string_view keys_attr, std::string_view count_attr) const;

  Config cfg_;
  std::set<std::string, std::less<>> allowed_keys_;
  std::set<std::string, std::less<>> ignored_keys_;
  std::vector<std::unique_ptr<RE2>> ignored_key_patterns_, blocked_key_patterns_, blocked_values_,
      allowed_values_;
  std::unique_ptr<RE2> whole_;  // ".*": a masked key's whole value, as upstream masks it
  ConsumerPtr next_;
};

}  // namespace agentgate::components::redaction
