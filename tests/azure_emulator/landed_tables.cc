#include "landed_tables.h"

#include "store/store.h"

namespace agentgate::azure_emulator {

struct LandedTables::Impl {
  std::unique_ptr<store::Store> store;
  store::ReadConnection reader;
  std::unique_ptr<kql::Engine> engine;
  std::mutex query_mu;  // one reader connection, shared by the test and the emulator's handlers
};

LandedTables::LandedTables(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LandedTables::~LandedTables() {
  if (impl_ && impl_->store) impl_->store->close();
}

Result<std::unique_ptr<LandedTables>> LandedTables::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  store::StoreOptions options;
  options.path = path;
  options.retention = std::chrono::nanoseconds{0};
  options.max_size_bytes = 0;
  auto opened = store::Store::open(std::move(options));
  if (!opened) return opened.takeError();
  impl->store = std::move(opened.value());
  auto reader = store::openReadOnly(path);
  if (!reader) return reader.takeError();
  impl->reader = std::move(reader.value());
  impl->engine = std::make_unique<kql::Engine>(impl->reader.get(), kql::builtinSchema());
  return std::unique_ptr<LandedTables>(new LandedTables(std::move(impl)));
}

Status LandedTables::land(store::RowBatch rows) { return impl_->store->write(std::move(rows)); }

Result<kql::QueryResult> LandedTables::query(std::string_view kql) {
  std::lock_guard lock(impl_->query_mu);
  return impl_->engine->run(kql);
}

Result<int64_t> LandedTables::count(std::string_view table) {
  auto r = query(std::string(table) + " | count");
  if (!r) return r.takeError();
  if (r->rows.size() != 1 || r->rows[0].empty()) return Error::internal("count: no row");
  const auto& cell = r->rows[0][0];
  if (const auto* v = std::get_if<int64_t>(&cell)) return *v;
  return Error::internal("count: not an integer");
}

}  // namespace agentgate::azure_emulator
