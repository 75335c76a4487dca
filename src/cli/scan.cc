// `agentgate scan [FILE|-] [--format text|json]`: the secrets processor's detector as a CLI for CI
// and pre-commit hooks. Exit 1 when secrets are found, 0 when none, 2 on error. The output names
// type, rule, position and a keyed fingerprint; it never prints the secret.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "secrets/detector.h"

namespace agentgate::cli {
namespace {

struct ScanOptions {
  std::string file = "-";
  std::string format = "text";
  std::string min_confidence = "low";
};

void jsonString(std::ostream& out, std::string_view s) {
  out << '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out << '\\' << c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out << "\\u00" << kHex[(c >> 4) & 15] << kHex[c & 15];
    } else {
      out << c;
    }
  }
  out << '"';
}

int runScan(const ScanOptions& o) {
  std::string text;
  if (o.file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
      std::cerr << "agentgate scan: cannot open " << o.file << "\n";
      return 2;
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
      std::cerr << "agentgate scan: cannot read " << o.file << "\n";
      return 2;
    }
  }
  auto det = secrets::Detector::create();
  if (!det.ok()) {
    std::cerr << "agentgate scan: " << det.error().message << "\n";
    return 2;
  }
  secrets::Confidence min = o.min_confidence == "high"     ? secrets::Confidence::kHigh
                            : o.min_confidence == "medium" ? secrets::Confidence::kMedium
                                                           : secrets::Confidence::kLow;
  std::vector<secrets::Finding> found = (*det)->scan(text);
  std::erase_if(found, [&](const secrets::Finding& f) { return f.confidence < min; });
  // A stable key (from the environment, else a fixed one) so fingerprints match between runs and
  // with a collector configured with the same key.
  const char* env_key = std::getenv("AGENTGATE_SECRETS_KEY");
  std::string key = env_key != nullptr && *env_key != '\0' ? env_key : "agentgate-scan";

  // 1-based line and column of each finding for the text format.
  auto position = [&](size_t off) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < off && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return std::pair<size_t, size_t>(line, col);
  };
  std::ostringstream out;
  if (o.format == "json") {
    out << "{\"findings\":[";
    for (size_t i = 0; i < found.size(); ++i) {
      const auto& f = found[i];
      auto [line, col] = position(f.start);
      if (i > 0) out << ',';
      out << "{\"type\":";
      jsonString(out, f.type);
      out << ",\"rule\":";
      jsonString(out, f.rule_id);
      out << ",\"confidence\":";
      jsonString(out, secrets::confidenceName(f.confidence));
      out << ",\"start\":" << f.start << ",\"end\":" << f.end << ",\"line\":" << line
          << ",\"column\":" << col << ",\"fingerprint\":";
      jsonString(
          out, secrets::fingerprint(key, std::string_view(text).substr(f.start, f.end - f.start)));
      out << '}';
    }
    out << "]}\n";
  } else {
    // A std::string: the conditional yields a temporary, which a string_view would outlive.
    const std::string name = o.file == "-" ? std::string("<stdin>") : o.file;
    for (const auto& f : found) {
      auto [line, col] = position(f.start);
      out << name << ":" << line << ":" << col << ": " << f.type << " (rule " << f.rule_id << ", "
          << secrets::confidenceName(f.confidence) << ", bytes " << f.start << "-" << f.end
          << ", fingerprint "
          << secrets::fingerprint(key, std::string_view(text).substr(f.start, f.end - f.start))
          << ")\n";
    }
    if (found.empty()) out << "no secrets found\n";
  }
  std::cout << out.str();
  return found.empty() ? 0 : 1;
}

}  // namespace

void addScanCommand(CLI::App& app, Action& action) {
  auto opts = std::make_shared<ScanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "scan", "Find secrets in a file or stdin (exit 1 when found, 0 when none, 2 on error)");
  cmd->add_option("file", opts->file, "File to scan, or - for stdin")->capture_default_str();
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--min-confidence", opts->min_confidence,
                  "Report only findings at least this sure")
      ->check(CLI::IsMember({"low", "medium", "high"}))
      ->capture_default_str();
  cmd->callback([&action, opts] { action = [opts] { return runScan(*opts); }; });
}

}  // namespace agentgate::cli
