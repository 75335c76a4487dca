// The store exporter: writes every batch into the embedded SQLite store as Log Analytics rows
// (Application Insights tables and/or native OTel tables) and acknowledges only committed rows.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "agentgate/component.h"
#include "appinsights/mapper.h"
#include "components/exporter/store/config.h"
#include "store/store.h"

namespace agentgate::components::store {

class StoreExporter final : public Exporter {
 public:
  StoreExporter(std::string id, Config config, std::string path);
  ~StoreExporter() override;

  Status start(Host& host) override;
  void shutdown() override;
  Status consume(BatchPtr&& batch) override;

  const std::string& path() const { return path_; }

 private:
  std::string id_;
  Config config_;
  std::string path_;
  appinsights::MapOptions map_options_;
  std::mutex mu_;  // guards store_ across start/shutdown vs consume
  std::shared_ptr<agentgate::store::Store> store_;
};

}  // namespace agentgate::components::store
