// The embedded SQLite store: one writer thread fed through a bounded queue, group commits in WAL
// mode with synchronous=FULL (a write() that returned OK survives kill -9), retention by age and
// size in the background, and read-only connections for queries.
#pragma once

struct sqlite3;

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "agentgate/result.h"
#include "store/rows.h"

namespace agentgate::store {

struct StoreOptions {
  std::string path;
  std::chrono::nanoseconds retention = std::chrono::hours(720);  // 0 = keep forever
  uint64_t max_size_bytes = 1024ull << 20;                       // 0 = unlimited
  size_t queue_capacity = 64;                       // pending write() calls before back-pressure
  std::chrono::milliseconds enqueue_timeout{2000};  // then write() fails with kUnavailable
  std::chrono::milliseconds maintenance_interval{60000};
  // Wall clock in unix nanoseconds (injected by tests).
  std::function<uint64_t()> now;
};

class Store {
 public:
  // Creates the file and its directory if needed, applies migrations, starts the writer.
  static Result<std::unique_ptr<Store>> open(StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Hands the rows to the writer and waits until the transaction holding them committed.
  // kUnavailable (retryable) when the queue stays full or the store is closed.
  Status write(RowBatch rows);
  // Runs retention and the size cap now, on the writer thread, and waits for it.
  Status runMaintenance();
  // Stops the writer after it drained the queue. Idempotent.
  void close();

  const std::string& path() const;
  // Bytes of live pages (what the size cap compares against).
  Result<uint64_t> usedBytes();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A read-only connection (query_only, busy timeout) for one query thread; never blocks the
// writer thanks to WAL.
class ReadConnection {
 public:
  ReadConnection() = default;
  ReadConnection(ReadConnection&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  ReadConnection& operator=(ReadConnection&& other) noexcept;
  ~ReadConnection();
  sqlite3* get() const { return db_; }

 private:
  friend Result<ReadConnection> openReadOnly(const std::string& path);
  sqlite3* db_ = nullptr;
};

Result<ReadConnection> openReadOnly(const std::string& path);

}  // namespace agentgate::store
