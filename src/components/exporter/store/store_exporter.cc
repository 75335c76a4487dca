#include "components/exporter/store/store_exporter.h"

#include <chrono>

#include "common/logging.h"
#include "pdata/model.h"
#include "store/row_mapping.h"

namespace agentgate::components::store {

namespace st = agentgate::store;

StoreExporter::StoreExporter(std::string id, Config config, std::string path)
    : id_(std::move(id)), config_(std::move(config)), path_(std::move(path)) {
  // What the azuremonitor exporter would send with its defaults, minus the instrumentation key.
  map_options_.instrumentation_key.clear();
}

StoreExporter::~StoreExporter() { shutdown(); }

Status StoreExporter::start(Host& host) {
  (void)host;
  st::StoreOptions options;
  options.path = path_;
  options.retention = config_.retention;
  options.max_size_bytes = config_.max_size_mib << 20;
  auto store = st::Store::open(std::move(options));
  if (!store) {
    Error e = store.takeError();
    e.message = id_ + ": " + e.message;
    return e;
  }
  std::lock_guard lock(mu_);
  store_ = std::shared_ptr<st::Store>(std::move(store.value()));
  log::info("{}: storing telemetry in {}", id_, path_);
  return {};
}

void StoreExporter::shutdown() {
  std::shared_ptr<st::Store> store;
  {
    std::lock_guard lock(mu_);
    store = std::move(store_);
  }
  if (store) store->close();
}

Status StoreExporter::consume(BatchPtr&& batch) {
  std::shared_ptr<st::Store> store;
  {
    std::lock_guard lock(mu_);
    store = store_;
  }
  if (!store) return Error::unavailable(id_ + ": store is not running");
  if (!batch) return {};
  st::RowBatch rows;
  if (config_.appInsights()) {
    auto mapped = appinsights::mapBatch(*batch, map_options_);
    st::appendAppInsightsRows(mapped.envelopes, rows);
  }
  if (config_.otel()) {
    uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
    st::appendOtelRows(*batch, now, rows);
  }
  // Findings of the secrets processor also go to their own table, whichever tables are kept.
  st::appendSecretFindingRows(*batch, rows);
  batch.reset();  // rows own their data; free the request buffers before waiting on disk
  return store->write(std::move(rows));
}

}  // namespace agentgate::components::store
