#include "selftelemetry/registry.h"

#include <cstdio>
#include <sstream>

namespace agentgate::selftelemetry {
namespace {

std::string renderLabels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ",";
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += "\"";
  }
  out += "}";
  return out;
}

std::string formatDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

Counter& Registry::counter(std::string_view name, const Labels& labels, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& fam = families_[std::string(name)];
  fam.type = "counter";
  if (fam.help.empty()) fam.help = help;
  auto& slot = fam.counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::gauge(std::string_view name, const Labels& labels, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& fam = families_[std::string(name)];
  fam.type = "gauge";
  if (fam.help.empty()) fam.help = help;
  auto& slot = fam.gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

void Registry::gaugeFunction(std::string_view name, const Labels& labels,
                             std::function<double()> fn, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& fam = families_[std::string(name)];
  fam.type = "gauge";
  if (fam.help.empty()) fam.help = help;
  fam.functions[labels] = std::move(fn);
}

void Registry::counterFunction(std::string_view name, const Labels& labels,
                               std::function<double()> fn, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& fam = families_[std::string(name)];
  fam.type = "counter";
  if (fam.help.empty()) fam.help = help;
  fam.functions[labels] = std::move(fn);
}

std::string Registry::renderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    if (!fam.help.empty()) out += "# HELP " + name + " " + fam.help + "\n";
    out += "# TYPE " + name + " " + fam.type + "\n";
    for (const auto& [labels, c] : fam.counters)
      out += name + renderLabels(labels) + " " + std::to_string(c->value()) + "\n";
    for (const auto& [labels, g] : fam.gauges)
      out += name + renderLabels(labels) + " " + std::to_string(g->value()) + "\n";
    for (const auto& [labels, fn] : fam.functions)
      out += name + renderLabels(labels) + " " + formatDouble(fn()) + "\n";
  }
  return out;
}

uint64_t Registry::counterValue(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto c = it->second.counters.find(labels);
  return c == it->second.counters.end() ? 0 : c->second->value();
}

}  // namespace agentgate::selftelemetry
