// The real agentgate binary, driven through its command line: validate on the shared fixture
// configs and on examples/, the loopback-only rule for receivers without auth, and a clean
// SIGTERM shutdown.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "testlib/process.h"

namespace agentgate::testlib {
namespace {

namespace fs = std::filesystem;

// Values for the ${env:...} references in the fixture configs, so that only the component types
// decide whether a config validates.
const std::vector<std::string> kFixtureEnv = {
    "APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=00000000-0000-0000-0000-000000000000;"
    "IngestionEndpoint=https://127.0.0.1:1/",
    "REQUIRED_OTEL_AUTH_HEADER=integration-test-token",
    "OTLP_LOGS_ENDPOINT=https://127.0.0.1:1/v1/logs",
    "OTLP_TRACES_ENDPOINT=https://127.0.0.1:1/v1/traces",
    "OTLP_METRICS_ENDPOINT=https://127.0.0.1:1/v1/metrics",
    "AGENTGATE_INGEST_TOKEN=integration-test-token",
};

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) out.push_back(line);
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Identifier-like words ([a-z0-9_]+) of a text.
std::set<std::string> words(const std::string& text) {
  std::set<std::string> out;
  static const std::regex kWord("[a-z0-9_]+");
  std::string t = lower(text);
  for (auto it = std::sregex_iterator(t.begin(), t.end(), kWord); it != std::sregex_iterator();
       ++it) {
    out.insert(it->str());
  }
  return out;
}

// Component types a collector YAML uses: keys under receivers/processors/exporters/extensions/
// connectors, without the "/name" suffix. A line scan is enough for the configs in this repo.
std::set<std::string> componentTypes(const std::string& yaml) {
  static const std::set<std::string> kSections = {"receivers", "processors", "exporters",
                                                  "extensions", "connectors"};
  static const std::regex kTop("^([A-Za-z_]+):.*");
  static const std::regex kChild("^  ([A-Za-z0-9_]+)(/[^:]*)?:.*");
  std::set<std::string> out;
  std::string section;
  for (const auto& line : lines(yaml)) {
    if (line[0] == '#') continue;
    std::smatch m;
    if (std::regex_match(line, m, kTop)) {
      section = m[1];
    } else if (kSections.count(section) && std::regex_match(line, m, kChild)) {
      out.insert(m[1]);
    }
  }
  return out;
}

// True for lines that are logging chatter rather than a configuration error.
bool isLogOrHeader(const std::string& line) {
  std::string l = lower(line);
  return l.find("invalid configuration") != std::string::npos ||
         l.find("[info]") != std::string::npos || l.find("[debug]") != std::string::npos ||
         l.find("[warning]") != std::string::npos;
}

std::vector<fs::path> yamlFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml" || e.path().extension() == ".yml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class CliIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(agentgateBinary().empty()) << "AGENTGATE_BINARY not set; run through ctest";
  }
};

TEST_F(CliIntegrationTest, ComponentsListsTheCoreTypes) {
  auto r = runCommand({"components"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto known = words(r.out);
  for (const char* t : {"otlp", "file", "debug", "bearertokenauth"}) {
    EXPECT_TRUE(known.count(t)) << "agentgate components does not list " << t << ":\n" << r.out;
  }
}

// Each shared fixture config either validates, or fails only because it names component types
// this build does not have (yet); any other error fails the test.
TEST_F(CliIntegrationTest, ValidateFixtureConfigs) {
  auto comps = runCommand({"components"});
  ASSERT_EQ(comps.exit_code, 0) << comps.err;
  const auto known = words(comps.out);

  auto files = yamlFiles(fs::path(AGENTGATE_SHARED_DIR) / "fixtures" / "configs");
  ASSERT_FALSE(files.empty()) << "no fixture configs under " << AGENTGATE_SHARED_DIR;
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    auto used = componentTypes(readFile(file));
    std::set<std::string> missing;
    for (const auto& t : used) {
      if (!known.count(t)) missing.insert(t);
    }
    auto r = runCommand({"validate", "--config", file.string()}, kFixtureEnv);
    ASSERT_FALSE(r.timed_out);
    if (missing.empty()) {
      EXPECT_EQ(r.exit_code, 0) << "all types are compiled in, yet validate failed:\n" << r.err;
      continue;
    }
    EXPECT_NE(r.exit_code, 0) << "validate accepted a config using unknown types";
    std::set<std::string> named;
    for (const auto& line : lines(r.err)) {
      if (isLogOrHeader(line)) continue;
      auto w = words(line);
      bool names_missing = false;
      for (const auto& t : missing) {
        if (w.count(t)) {
          names_missing = true;
          named.insert(t);
        }
      }
      EXPECT_TRUE(lower(line).find("unknown") != std::string::npos && names_missing)
          << "error other than an unknown missing type: " << line;
    }
    for (const auto& t : missing) {
      EXPECT_TRUE(named.count(t)) << "validate did not name the unknown type " << t << ":\n"
                                  << r.err;
    }
  }
}

TEST_F(CliIntegrationTest, ValidateExamples) {
  auto files = yamlFiles(fs::path(AGENTGATE_SOURCE_DIR) / "examples");
  ASSERT_GE(files.size(), 3u) << "examples/ should hold the runnable example configs";
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    auto r = runCommand({"validate", "--config", file.string()}, kFixtureEnv);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
}

TEST_F(CliIntegrationTest, ValidateReportsUnknownKeyWithLine) {
  TempDir dir;
  auto cfg = dir.write("bad.yaml",
                       "receivers:\n"
                       "  otlp:\n"
                       "    protocols:\n"
                       "      http:\n"
                       "        endpointt: 127.0.0.1:0\n"
                       "exporters:\n"
                       "  debug: {}\n"
                       "service:\n"
                       "  pipelines:\n"
                       "    logs:\n"
                       "      receivers: [otlp]\n"
                       "      exporters: [debug]\n");
  auto r = runCommand({"validate", "--config", cfg.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("endpointt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.yaml:5"), std::string::npos) << "error should name file:line\n"
                                                         << r.err;
}

std::string pipelineConfig(const std::string& host, bool with_auth, const fs::path& out) {
  std::string auth = with_auth ? "        auth:\n          authenticator: bearertokenauth\n" : "";
  std::string yaml;
  if (with_auth) yaml += "extensions:\n  bearertokenauth:\n    token: integration-test-token\n";
  yaml +=
      "receivers:\n"
      "  otlp:\n"
      "    protocols:\n"
      "      grpc:\n"
      "        endpoint: " +
      host + ":0\n" + auth +
      "      http:\n"
      "        endpoint: " +
      host + ":0\n" + auth +
      "exporters:\n"
      "  file:\n"
      "    path: " +
      out.string() +
      "\n"
      "service:\n"
      "  telemetry:\n"
      "    metrics:\n"
      "      address: 127.0.0.1:0\n";
  if (with_auth) yaml += "  extensions: [bearertokenauth]\n";
  yaml +=
      "  pipelines:\n"
      "    logs:\n"
      "      receivers: [otlp]\n"
      "      exporters: [file]\n";
  return yaml;
}

Process::Options runOptions(const TempDir& dir, const fs::path& cfg) {
  Process::Options o;
  o.args = {"run",       "--config", cfg.string(), "--data-dir", (dir.path() / "data").string(),
            "--workers", "2"};
  return o;
}

TEST_F(CliIntegrationTest, RefusesWildcardReceiverWithoutAuth) {
  TempDir dir;
  auto cfg = dir.write("open.yaml", pipelineConfig("0.0.0.0", false, dir.path() / "out.jsonl"));
  auto r = runCommand(runOptions(dir, cfg).args, {}, std::chrono::seconds(30));
  EXPECT_FALSE(r.timed_out) << "agentgate served 0.0.0.0 without an authenticator";
  EXPECT_NE(r.exit_code, 0);
  std::string err = lower(r.err);
  EXPECT_NE(err.find("auth"), std::string::npos) << "message should say auth is required:\n"
                                                 << r.err;
  EXPECT_NE(err.find("--insecure-allow-no-auth"), std::string::npos)
      << "message should name the override flag:\n"
      << r.err;
}

TEST_F(CliIntegrationTest, AcceptsWildcardReceiverWithInsecureFlag) {
  TempDir dir;
  auto cfg = dir.write("open.yaml", pipelineConfig("0.0.0.0", false, dir.path() / "out.jsonl"));
  auto opts = runOptions(dir, cfg);
  opts.args.push_back("--insecure-allow-no-auth");
  auto p = Process::start(opts);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE((*p)->address("otlp/http").empty());
  EXPECT_EQ((*p)->terminate(), 0) << (*p)->stderrText();
}

TEST_F(CliIntegrationTest, AcceptsWildcardReceiverWithAuth) {
  TempDir dir;
  auto cfg = dir.write("auth.yaml", pipelineConfig("0.0.0.0", true, dir.path() / "out.jsonl"));
  auto p = Process::start(runOptions(dir, cfg));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)->terminate(), 0) << (*p)->stderrText();
}

TEST_F(CliIntegrationTest, ReportsBoundPortsAndStopsCleanlyOnSigterm) {
  TempDir dir;
  auto cfg = dir.write("local.yaml", pipelineConfig("127.0.0.1", false, dir.path() / "out.jsonl"));
  auto p = Process::start(runOptions(dir, cfg));
  ASSERT_TRUE(p.ok()) << p.error().message;
  for (const char* key : {"otlp/http", "otlp/grpc", "metrics"}) {
    std::string addr = (*p)->address(key);
    SCOPED_TRACE(key);
    ASSERT_EQ(addr.rfind("127.0.0.1:", 0), 0u) << addr;
    int port = std::stoi(addr.substr(addr.find(':') + 1));
    EXPECT_GT(port, 0) << "port 0 must be replaced by the bound port";
  }
  EXPECT_TRUE((*p)->running());
  auto code = (*p)->terminate();
  ASSERT_TRUE(code.has_value()) << "no exit within the deadline after SIGTERM";
  EXPECT_EQ(*code, 0) << (*p)->stderrText();
}

TEST_F(CliIntegrationTest, RunWithBadConfigExitsNonZero) {
  TempDir dir;
  auto cfg = dir.write("bad.yaml", "receivers: [this is not a map\n");
  auto r = runCommand({"run", "--config", cfg.string(), "--data-dir", dir.path().string()});
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bad.yaml"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace agentgate::testlib
