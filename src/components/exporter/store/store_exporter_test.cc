#include "components/exporter/store/store_exporter.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "components/exporter/store/factory.h"
#include "config/loader.h"
#include "testlib/test_host.h"

namespace agentgate::components::store {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "storeexp-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string path() const { return path_; }

 private:
  std::string path_;
};

BatchPtr logsBatch(int n) {
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rl = b->resource_logs.emplace_back(b->arena());
  pdata::AnyValue svc;
  svc.type = pdata::ValueType::kString;
  svc.string_value = b->copyString("claude-code");
  rl.resource.attributes.push_back({"service.name", svc});
  auto& sl = rl.scope_logs.emplace_back(b->arena());
  for (int i = 0; i < n; ++i) {
    auto& r = sl.log_records.emplace_back(b->arena());
    r.time_unix_nano = 1'900'000'000'000'000'000ull + i;  // inside any retention window for years
    r.body.type = pdata::ValueType::kString;
    r.body.string_value = b->copyString("claude_code.api_request");
    r.severity_number = 13;
  }
  return b;
}

std::string scalar(const std::string& db_path, const std::string& sql) {
  auto conn = agentgate::store::openReadOnly(db_path);
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return {};
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(conn->get(), sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  std::string out;
  if (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(stmt, 0);
    out = t ? reinterpret_cast<const char*>(t) : "NULL";
  }
  sqlite3_finalize(stmt);
  return out;
}

std::unique_ptr<ComponentConfig> unmarshal(const std::string& yaml, config::Diagnostics& d) {
  StoreFactory f;
  auto cfg = f.createDefaultConfig();
  auto node = config::parseYaml(
      yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, d);
  f.unmarshal(node, *cfg, d);
  return cfg;
}

TEST(StoreExporterTest, DefaultsAndStability) {
  StoreFactory f;
  EXPECT_EQ(f.type(), "store");
  for (Signal s : kAllSignals) EXPECT_EQ(f.stability(s), Stability::kAlpha);
  auto cfg = f.createDefaultConfig();
  const auto& c = static_cast<const Config&>(*cfg);
  EXPECT_EQ(c.path, "");
  EXPECT_TRUE(c.appInsights());
  EXPECT_TRUE(c.otel());
  EXPECT_EQ(c.retention, std::chrono::hours(720));
  EXPECT_EQ(c.max_size_mib, 1024u);
}

TEST(StoreExporterTest, ConfigKeysAndErrors) {
  config::Diagnostics d;
  auto cfg = unmarshal("path: /tmp/x.db\ntables: [otel]\nretention: 48h\nmax_size_mib: 5\n", d);
  EXPECT_FALSE(d.hasErrors());
  const auto& c = static_cast<const Config&>(*cfg);
  EXPECT_EQ(c.path, "/tmp/x.db");
  EXPECT_FALSE(c.appInsights());
  EXPECT_TRUE(c.otel());
  EXPECT_EQ(c.retention, std::chrono::hours(48));
  EXPECT_EQ(c.max_size_mib, 5u);

  config::Diagnostics bad;
  unmarshal("tables: [appinsights, splunk]\n", bad);
  EXPECT_TRUE(bad.hasErrors());
  config::Diagnostics unknown;
  unmarshal("colour: blue\n", unknown);
  EXPECT_TRUE(unknown.hasErrors());
}

TEST(StoreExporterTest, ConsumeReturnsOnlyAfterCommit) {
  TempDir dir;
  StoreFactory f;
  auto cfg = f.createDefaultConfig();
  CreateSettings settings;
  settings.id = {"store", ""};
  settings.data_dir = dir.path() + "/data";
  auto exp = f.create(settings, *cfg);
  ASSERT_TRUE(exp.ok());
  auto* store_exp = static_cast<StoreExporter*>(exp->get());
  EXPECT_EQ(store_exp->path(), dir.path() + "/data/agentgate.db");

  // Before start: refused, retryable.
  Status early = (*exp)->consume(logsBatch(1));
  ASSERT_FALSE(early.ok());
  EXPECT_FALSE(early.error().permanent);

  testlib::TestHost host;
  ASSERT_TRUE((*exp)->start(host).ok());
  ASSERT_TRUE((*exp)->consume(logsBatch(3)).ok());
  // Visible to a fresh read-only connection as soon as consume returned: committed.
  std::string db = store_exp->path();
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM AppTraces"), "3");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM OTelLogs"), "3");
  EXPECT_EQ(scalar(db, "SELECT SeverityLevel FROM AppTraces LIMIT 1"), "2");
  EXPECT_EQ(scalar(db, "SELECT AppRoleName FROM AppTraces LIMIT 1"), "claude-code");
  (*exp)->shutdown();
  (*exp)->shutdown();  // idempotent
  EXPECT_FALSE((*exp)->consume(logsBatch(1)).ok());
}

TEST(StoreExporterTest, TablesOptionSelectsOnePath) {
  TempDir dir;
  StoreFactory f;
  config::Diagnostics d;
  auto cfg = unmarshal("path: " + dir.path() + "/only-otel.db\ntables: [otel]\n", d);
  ASSERT_FALSE(d.hasErrors());
  CreateSettings settings;
  settings.id = {"store", "otel"};
  auto exp = f.create(settings, *cfg);
  ASSERT_TRUE(exp.ok());
  testlib::TestHost host;
  ASSERT_TRUE((*exp)->start(host).ok());
  ASSERT_TRUE((*exp)->consume(logsBatch(2)).ok());
  std::string db = dir.path() + "/only-otel.db";
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM AppTraces"), "0");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM OTelLogs"), "2");
  (*exp)->shutdown();
}

TEST(StoreExporterTest, StartFailsOnUnusablePath) {
  TempDir dir;
  std::string file = dir.path() + "/not-a-dir";
  { std::ofstream(file) << "x"; }
  StoreFactory f;
  config::Diagnostics d;
  auto cfg = unmarshal("path: " + file + "/agentgate.db\n", d);
  CreateSettings settings;
  settings.id = {"store", ""};
  auto exp = f.create(settings, *cfg);
  ASSERT_TRUE(exp.ok());
  testlib::TestHost host;
  Status st = (*exp)->start(host);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("store"), std::string::npos);
}

}  // namespace
}  // namespace agentgate::components::store
