// Helpers shared by the exporterhelper tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "pdata/codec.h"
#include "pdata/model.h"

namespace agentgate::exporterhelper::testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ag-queue-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty() && getenv("AGENTGATE_KEEP_TEST_TMP") == nullptr)
      std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A logs batch with one record per id, the id as the body.
inline pdata::BatchPtr logsBatch(const std::vector<std::string>& ids) {
  std::string json = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) json += ",";
    json += R"({"body":{"stringValue":")" + ids[i] + R"("}})";
  }
  json += "]}]}]}";
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  (void)pdata::decodeJson(*b, json);
  return b;
}

// The bodies of a logs batch, in order.
inline std::vector<std::string> bodies(const pdata::Batch& b) {
  std::vector<std::string> out;
  for (const auto& rl : b.resource_logs)
    for (const auto& sl : rl.scope_logs)
      for (const auto& lr : sl.log_records) out.emplace_back(lr.body.string_value);
  return out;
}

}  // namespace agentgate::exporterhelper::testing
