#include "components/extension/file_storage/file_storage.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "components/extension/file_storage/factory.h"
#include "config/diagnostics.h"
#include "config/loader.h"
#include "exporterhelper/storage.h"
#include "testlib/test_host.h"

namespace agentgate::components::file_storage {
namespace {

namespace fs = std::filesystem;

std::string scratch() {
  std::string tmpl = (fs::temp_directory_path() / "ag-fs-XXXXXX").string();
  return ::mkdtemp(tmpl.data()) ? tmpl : std::string();
}

TEST(FileStorage, DefaultDirectoryIsUnderTheDataDirAndIsCreatedAtStart) {
  const std::string data = scratch();
  FileStorageFactory f;
  auto cfg = f.createDefaultConfig();
  CreateSettings s;
  s.id = {"file_storage", "q"};
  s.data_dir = data;
  auto ext = f.create(s, *cfg);
  ASSERT_TRUE(ext.ok()) << ext.error().message;
  auto* storage = dynamic_cast<exporterhelper::StorageExtension*>(ext.value().get());
  ASSERT_NE(storage, nullptr);
  EXPECT_EQ(storage->directory(), data + "/file_storage/file_storage_q");
  testlib::TestHost host;
  ASSERT_TRUE(ext.value()->start(host).ok());
  EXPECT_TRUE(fs::is_directory(storage->directory()));
  fs::remove_all(data);
}

TEST(FileStorage, ConfigKeysAndMissingDirectory) {
  config::Diagnostics diags;
  config::ConfigNode node = config::parseYaml(
      "directory: /nonexistent/agentgate-test\ncreate_directory: false\ntimeout: 2s\n"
      "compaction:\n  on_start: true\n",
      "c.yaml", [](std::string_view) { return std::nullopt; }, diags);
  FileStorageFactory f;
  auto cfg = f.createDefaultConfig();
  f.unmarshal(node, *cfg, diags);
  ASSERT_FALSE(diags.hasErrors()) << diags.report();
  CreateSettings s;
  s.id = {"file_storage", ""};
  auto ext = f.create(s, *cfg);
  ASSERT_TRUE(ext.ok());
  testlib::TestHost host;
  EXPECT_FALSE(ext.value()->start(host).ok());  // create_directory: false and it does not exist
}

}  // namespace
}  // namespace agentgate::components::file_storage
