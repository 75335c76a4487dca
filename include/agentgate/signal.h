// Telemetry signals and component stability levels, as the collector names them.
#pragma once

#include <optional>
#include <string_view>

namespace agentgate {

enum class Signal { kLogs, kTraces, kMetrics };

inline constexpr Signal kAllSignals[] = {Signal::kLogs, Signal::kTraces, Signal::kMetrics};

constexpr std::string_view signalName(Signal s) {
  switch (s) {
    case Signal::kLogs:
      return "logs";
    case Signal::kTraces:
      return "traces";
    case Signal::kMetrics:
      return "metrics";
  }
  return "unknown";
}

// The item a signal counts in the collector's self-metrics names
// (otelcol_receiver_accepted_log_records, otelcol_exporter_sent_spans, ...).
constexpr std::string_view signalItemUnit(Signal s) {
  switch (s) {
    case Signal::kLogs:
      return "log_records";
    case Signal::kTraces:
      return "spans";
    case Signal::kMetrics:
      return "metric_points";
  }
  return "items";
}

inline std::optional<Signal> parseSignal(std::string_view s) {
  if (s == "logs") return Signal::kLogs;
  if (s == "traces") return Signal::kTraces;
  if (s == "metrics") return Signal::kMetrics;
  return std::nullopt;
}

// kUndefined means "this component does not support the signal".
enum class Stability { kUndefined, kDevelopment, kAlpha, kBeta, kStable, kDeprecated };

constexpr std::string_view stabilityName(Stability s) {
  switch (s) {
    case Stability::kUndefined:
      return "undefined";
    case Stability::kDevelopment:
      return "development";
    case Stability::kAlpha:
      return "alpha";
    case Stability::kBeta:
      return "beta";
    case Stability::kStable:
      return "stable";
    case Stability::kDeprecated:
      return "deprecated";
  }
  return "undefined";
}

}  // namespace agentgate
