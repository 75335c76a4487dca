// The offline subcommands, run as the real binary ($AGENTGATE_BINARY, set by ctest).
#include <gtest/gtest.h>

#include <cstdlib>

#include "components/components.h"
#include "pipeline/registry.h"
#include "testlib/process.h"

namespace agentgate::cli {
namespace {

using testlib::runCommand;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef AGENTGATE_BINARY_PATH
    setenv("AGENTGATE_BINARY", AGENTGATE_BINARY_PATH, /*overwrite=*/0);
#endif
    if (testlib::agentgateBinary().empty()) GTEST_SKIP() << "AGENTGATE_BINARY is not set";
  }
  testlib::TempDir dir_;
};

TEST_F(CliTest, ValidateGoodConfig) {
  pipeline::Registry registry;
  components::registerAll(registry);
  if (!registry.find(ComponentKind::kReceiver, "otlp") ||
      !registry.find(ComponentKind::kExporter, "debug"))
    GTEST_SKIP() << "otlp receiver or debug exporter not compiled in";
  auto path = dir_.write("good.yaml",
                         "receivers:\n"
                         "  otlp:\n"
                         "    protocols:\n"
                         "      http:\n"
                         "        endpoint: 127.0.0.1:0\n"
                         "exporters:\n"
                         "  debug:\n"
                         "service:\n"
                         "  pipelines:\n"
                         "    logs:\n"
                         "      receivers: [otlp]\n"
                         "      exporters: [debug]\n");
  auto r = runCommand({"validate", "--config", path.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "config OK\n");
}

TEST_F(CliTest, ValidateBadConfigReportsEveryErrorWithPosition) {
  auto path = dir_.write("bad.yaml",
                         "receivers:\n"
                         "  nosuchreceiver:\n"
                         "exporters:\n"
                         "  nosuchexporter/x:\n"
                         "bogus: 1\n"
                         "service:\n"
                         "  pipelines:\n"
                         "    profiles:\n"
                         "      receivers: [nosuchreceiver]\n"
                         "      exporters: [nosuchexporter/x]\n"
                         "    logs:\n"
                         "      receivers: [nosuchreceiver]\n"
                         "      exporters: [nosuchexporter/x, undefined]\n");
  auto r = runCommand({"validate", "--config", path.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  const std::string p = path.string();
  EXPECT_EQ(r.err,
            p + ":2:3: receivers.nosuchreceiver: unknown receiver type \"nosuchreceiver\"\n" + p +
                ":4:3: exporters.nosuchexporter/x: unknown exporter type \"nosuchexporter\"\n" + p +
                ":5:8: bogus: unknown key \"bogus\"\n" + p +
                ":8:5: service.pipelines.profiles: unknown signal \"profiles\" in pipeline id "
                "\"profiles\" (expected logs, traces or metrics)\n" +
                p +
                ":13:37: service.pipelines.logs.exporters[1]: references exporter \"undefined\" "
                "which is not configured\n");
}

TEST_F(CliTest, ValidateSyntaxErrorAndMissingFile) {
  auto path = dir_.write("syntax.yaml", "receivers:\n  otlp: [\n");
  auto r = runCommand({"validate", "--config", path.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind(path.string() + ":", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("invalid YAML"), std::string::npos) << r.err;

  auto missing = runCommand({"validate", "--config", (dir_.path() / "absent.yaml").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("absent.yaml: cannot read config file"), std::string::npos)
      << missing.err;

  auto no_flag = runCommand({"validate"});
  EXPECT_NE(no_flag.exit_code, 0);
}

TEST_F(CliTest, PrintConfigMasksSubstitutedToken) {
  auto path = dir_.write("secret.yaml",
                         "extensions:\n"
                         "  bearertokenauth:\n"
                         "    token: ${env:AG_CLI_TEST_TOKEN}\n"
                         "exporters:\n"
                         "  otlp_http:\n"
                         "    endpoint: ${env:AG_CLI_TEST_ENDPOINT}\n"
                         "    headers:\n"
                         "      Authorization: \"Bearer ${env:AG_CLI_TEST_TOKEN}\"\n");
  auto r =
      runCommand({"print-config", "--config", path.string()},
                 {"AG_CLI_TEST_TOKEN=tok-7f3a9c", "AG_CLI_TEST_ENDPOINT=https://ingest.example"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("tok-7f3a9c"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("tok-7f3a9c"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("token: \"[REDACTED]\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Authorization: \"[REDACTED]\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("endpoint: https://ingest.example"), std::string::npos) << r.out;
}

TEST_F(CliTest, ComponentsAndVersion) {
  auto text = runCommand({"components"});
  EXPECT_EQ(text.exit_code, 0);
  for (const char* section : {"receivers:\n", "processors:\n", "exporters:\n", "extensions:\n"})
    EXPECT_NE(text.out.find(section), std::string::npos) << text.out;

  auto json = runCommand({"components", "--format", "json"});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_EQ(json.out.rfind("{", 0), 0u) << json.out;
  EXPECT_NE(json.out.find("\"extensions\": ["), std::string::npos) << json.out;

  pipeline::Registry registry;
  components::registerAll(registry);
  for (const Factory* f : registry.all(ComponentKind::kReceiver)) {
    EXPECT_NE(text.out.find("  " + std::string(f->type())), std::string::npos) << f->type();
    EXPECT_NE(json.out.find("{\"type\": \"" + std::string(f->type()) + "\""), std::string::npos);
  }

  auto bad_format = runCommand({"components", "--format", "xml"});
  EXPECT_NE(bad_format.exit_code, 0);

  auto version = runCommand({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind(std::string("agentgate ") + AGENTGATE_VERSION + "\n", 0), 0u)
      << version.out;
  EXPECT_NE(version.out.find("compiler: "), std::string::npos);
}

}  // namespace
}  // namespace agentgate::cli
