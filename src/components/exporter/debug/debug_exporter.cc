#include "components/exporter/debug/debug_exporter.h"

#include <iostream>

#include "components/exporter/debug/text.h"
#include "pdata/model.h"

namespace agentgate::components::debug {

DebugExporter::DebugExporter(Config cfg, std::ostream* out) : cfg_(std::move(cfg)), out_(out) {}

Status DebugExporter::start(Host& host) {
  (void)host;
  if (out_ != nullptr) return {};
  out_ = &std::cerr;
  if (cfg_.use_internal_logger || cfg_.output_paths.empty()) return {};
  const std::string& path = cfg_.output_paths.front();
  if (path == "stdout") {
    out_ = &std::cout;
  } else if (path != "stderr") {
    file_ = std::make_unique<std::ofstream>(path, std::ios::app);
    if (!*file_) return Error::config("debug: cannot open output path " + path);
    out_ = file_.get();
  }
  return {};
}

// Per one-second window: the first sampling_initial messages, then every sampling_thereafter-th.
bool DebugExporter::sample() {
  auto now = std::chrono::steady_clock::now();
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    window_count_ = 0;
  }
  uint64_t n = ++window_count_;
  if (n <= static_cast<uint64_t>(cfg_.sampling_initial)) return true;
  if (cfg_.sampling_thereafter <= 0) return false;
  return (n - cfg_.sampling_initial) % static_cast<uint64_t>(cfg_.sampling_thereafter) == 0;
}

Status DebugExporter::consume(BatchPtr&& batch) {
  std::string text = basicLine(*batch);
  if (cfg_.verbosity == Verbosity::kNormal) text += normalText(*batch);
  if (cfg_.verbosity == Verbosity::kDetailed) text += detailedText(*batch);
  std::lock_guard lock(mu_);
  if (!sample()) return {};
  std::ostream& out = out_ != nullptr ? *out_ : std::cerr;
  out << text;
  out.flush();
  return {};
}

}  // namespace agentgate::components::debug
