#include "components/exporter/file/file_exporter.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "components/exporter/file/factory.h"
#include "config/loader.h"
#include "pdata/codec.h"
#include "testlib/test_host.h"

namespace agentgate::components::file {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "fileexp-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path path() const { return path_; }

 private:
  fs::path path_;
};

BatchPtr logsBatch(int n, const std::string& body = "hello") {
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rl = b->resource_logs.emplace_back(b->arena());
  pdata::AnyValue svc;
  svc.type = pdata::ValueType::kString;
  svc.string_value = b->copyString("claude-code");
  rl.resource.attributes.push_back({"service.name", svc});
  auto& sl = rl.scope_logs.emplace_back(b->arena());
  for (int i = 0; i < n; ++i) {
    auto& r = sl.log_records.emplace_back(b->arena());
    r.time_unix_nano = 1714557600000000000ull + i;
    r.body.type = pdata::ValueType::kString;
    r.body.string_value = b->copyString(body + std::to_string(i));
    pdata::AnyValue v;
    v.type = pdata::ValueType::kInt;
    v.int_value = i;
    r.attributes.push_back({"seq", v});
  }
  return b;
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Config jsonConfig(const fs::path& path) {
  Config c;
  c.path = path.string();
  return c;
}

TEST(FileExporter, WritesJsonLinesThatDecodeBackToTheSameData) {
  TempDir dir;
  auto path = dir.path() / "sub" / "out.jsonl";
  FileExporter e(jsonConfig(path));
  testlib::TestHost host;
  ASSERT_TRUE(e.start(host).ok());
  std::vector<std::string> expected;
  for (int i = 1; i <= 3; ++i) {
    auto b = logsBatch(i);
    expected.push_back(pdata::encodeJson(*b));
    ASSERT_TRUE(e.consume(std::move(b)).ok());
  }
  e.shutdown();
  std::istringstream lines(readAll(path));
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(n, expected.size());
    pdata::Batch decoded(Signal::kLogs);
    ASSERT_TRUE(pdata::decodeJson(decoded, line).ok()) << line;
    ASSERT_EQ(decoded.resource_logs.size(), 1u);
    ASSERT_EQ(decoded.resource_logs[0].scope_logs[0].log_records.size(), n + 1);
    EXPECT_EQ(decoded.resource_logs[0].scope_logs[0].log_records[n].body.string_value,
              "hello" + std::to_string(n));
    EXPECT_EQ(pdata::encodeJson(decoded), expected[n]);
    ++n;
  }
  EXPECT_EQ(n, 3u);
}

TEST(FileExporter, ProtoIsLengthPrefixed) {
  TempDir dir;
  auto path = dir.path() / "out.bin";
  Config c = jsonConfig(path);
  c.format = "proto";
  FileExporter e(c);
  testlib::TestHost host;
  ASSERT_TRUE(e.start(host).ok());
  ASSERT_TRUE(e.consume(logsBatch(2)).ok());
  ASSERT_TRUE(e.consume(logsBatch(5)).ok());
  e.shutdown();
  std::string data = readAll(path);
  size_t off = 0;
  std::vector<size_t> counts;
  while (off + 4 <= data.size()) {
    uint32_t len = (uint8_t(data[off]) << 24) | (uint8_t(data[off + 1]) << 16) |
                   (uint8_t(data[off + 2]) << 8) | uint8_t(data[off + 3]);
    off += 4;
    ASSERT_LE(off + len, data.size());
    pdata::Batch decoded(Signal::kLogs);
    auto view = decoded.adoptBuffer(data.substr(off, len));
    ASSERT_TRUE(pdata::decodeProtobuf(decoded, view).ok());
    counts.push_back(decoded.itemCount());
    off += len;
  }
  EXPECT_EQ(off, data.size());
  EXPECT_EQ(counts, (std::vector<size_t>{2, 5}));
}

TEST(FileExporter, TruncatesUnlessAppend) {
  TempDir dir;
  auto path = dir.path() / "out.jsonl";
  testlib::TestHost host;
  {
    FileExporter e(jsonConfig(path));
    ASSERT_TRUE(e.start(host).ok());
    ASSERT_TRUE(e.consume(logsBatch(1)).ok());
  }
  {
    Config c = jsonConfig(path);
    c.append = true;
    FileExporter e(c);
    ASSERT_TRUE(e.start(host).ok());
    ASSERT_TRUE(e.consume(logsBatch(1)).ok());
  }
  std::string s = readAll(path);
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2);
  {
    FileExporter e(jsonConfig(path));
    ASSERT_TRUE(e.start(host).ok());
    ASSERT_TRUE(e.consume(logsBatch(1)).ok());
  }
  s = readAll(path);
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
}

std::vector<std::string> backups(const fs::path& dir, const std::string& stem,
                                 const std::string& ext) {
  std::regex re(stem + R"(-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3})" + ext);
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (std::regex_match(name, re)) out.push_back(name);
  }
  return out;
}

TEST(RotatingFile, RotatesAtSizeAndKeepsMaxBackups) {
  TempDir dir;
  auto path = dir.path() / "app.log";
  RotationOptions o;
  o.max_bytes = 100;
  o.max_backups = 2;
  RotatingFile f(path.string(), o);
  ASSERT_TRUE(f.open(false).ok());
  std::string chunk(40, 'x');
  chunk.back() = '\n';
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(f.write(chunk).ok());  // 120 bytes: rotates before #3
  EXPECT_EQ(fs::file_size(path), 40u);
  ASSERT_EQ(backups(dir.path(), "app", "\\.log").size(), 1u);
  EXPECT_EQ(fs::file_size(dir.path() / backups(dir.path(), "app", "\\.log")[0]), 80u);
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(f.write(chunk).ok());
  EXPECT_LE(fs::file_size(path), 100u);
  EXPECT_EQ(backups(dir.path(), "app", "\\.log").size(), 2u);  // pruned to max_backups
}

TEST(RotatingFile, PrunesBackupsOlderThanMaxDays) {
  TempDir dir;
  auto path = dir.path() / "app.log";
  std::ofstream(dir.path() / "app-2001-01-01T00-00-00.000.log") << "old";
  std::ofstream(dir.path() / "unrelated-2001-01-01T00-00-00.000.log") << "keep";
  RotationOptions o;
  o.max_bytes = 10;
  o.max_days = 1;
  RotatingFile f(path.string(), o);
  ASSERT_TRUE(f.open(false).ok());
  ASSERT_TRUE(f.write("0123456789").ok());
  ASSERT_TRUE(f.write("0123456789").ok());  // rotates and prunes
  EXPECT_FALSE(fs::exists(dir.path() / "app-2001-01-01T00-00-00.000.log"));
  EXPECT_TRUE(fs::exists(dir.path() / "unrelated-2001-01-01T00-00-00.000.log"));
  EXPECT_EQ(backups(dir.path(), "app", "\\.log").size(), 1u);
}

TEST(FileExporter, RotatesThroughConfigAtMaxMegabytes) {
  TempDir dir;
  auto path = dir.path() / "big.jsonl";
  Config c = jsonConfig(path);
  c.rotation = RotationConfig{};
  c.rotation->max_megabytes = 1;
  FileExporter e(c);
  testlib::TestHost host;
  ASSERT_TRUE(e.start(host).ok());
  std::string body(8000, 'a');
  for (int i = 0; i < 20 && backups(dir.path(), "big", "\\.jsonl").empty(); ++i) {
    ASSERT_TRUE(e.consume(logsBatch(10, body)).ok());
  }
  auto b = backups(dir.path(), "big", "\\.jsonl");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_LE(fs::file_size(dir.path() / b[0]), 1u << 20);
  EXPECT_GT(fs::file_size(dir.path() / b[0]), (1u << 20) - 100000);
}

TEST(FileFactory, ConfigKeys) {
  auto f = makeFileFactory();
  auto parse = [&](const std::string& yaml, Config& out) {
    config::Diagnostics d;
    auto node = config::parseYaml(
        yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, d);
    auto cfg = f->createDefaultConfig();
    f->unmarshal(node, *cfg, d);
    out = static_cast<Config&>(*cfg);
    return !d.hasErrors();
  };
  Config c;
  ASSERT_TRUE(
      parse("path: /tmp/x.jsonl\nformat: proto\nflush_interval: 5s\nappend: true\n"
            "rotation:\n  max_megabytes: 10\n  max_days: 3\n  localtime: true\n",
            c));
  EXPECT_EQ(c.format, "proto");
  EXPECT_TRUE(c.append);
  EXPECT_EQ(c.flush_interval, std::chrono::seconds(5));
  ASSERT_TRUE(c.rotation.has_value());
  EXPECT_EQ(c.rotation->max_megabytes, 10);
  EXPECT_EQ(c.rotation->max_days, 3);
  EXPECT_EQ(c.rotation->max_backups, 100);
  EXPECT_TRUE(c.rotation->localtime);
  ASSERT_TRUE(parse("path: /tmp/x.jsonl\n", c));
  EXPECT_FALSE(c.rotation.has_value());
  EXPECT_EQ(c.format, "json");
  EXPECT_FALSE(parse("format: json\n", c));
  EXPECT_FALSE(parse("path: x\nformat: xml\n", c));
  EXPECT_FALSE(parse("path: x\nrotation: {max_megabytes: 0}\n", c));
  EXPECT_FALSE(parse("path: x\nrotation: {bogus: 1}\n", c));
}

}  // namespace
}  // namespace agentgate::components::file
