#include "store/store.h"

#include <sqlite3.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "common/logging.h"
#include "kql/engine.h"
#include "store/schema.h"

namespace agentgate::store {
namespace {

uint64_t systemNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Error sqliteError(sqlite3* db, std::string_view what) {
  return Error::io("store: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

Status exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return Error::io("store: " + msg);
  }
  return {};
}

Result<int64_t> queryInt(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return sqliteError(db, "prepare");
  }
  int64_t v = 0;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqliteError(db, "step");
  return v;
}

// Process-wide SQLite settings, before the library initialises. Memory statistics take a global
// mutex on every allocation; nothing here reads them, and the writer allocates per row (a lock
// and unlock per malloc were ~4% of its CPU in bench/store_bench). If SQLite was already
// initialised by other code, the call is refused and the default stays: still correct.
void configureSqliteProcess() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

bool isPropertyColumn(std::string_view table, std::string_view column) {
  for (const auto& pc : propertyColumns()) {
    if (pc.table == table && pc.column == column) return true;
  }
  return false;
}

struct Task {
  enum class Kind { kWrite, kMaintenance } kind = Kind::kWrite;
  RowBatch rows;
  std::promise<Status> done;
};

}  // namespace

struct Store::Impl {
  StoreOptions options;
  sqlite3* db = nullptr;
  std::mutex mu;
  std::condition_variable not_empty;
  std::condition_variable not_full;
  std::deque<std::shared_ptr<Task>> queue;
  bool closing = false;
  std::thread writer;
  std::map<std::string, sqlite3_stmt*> statements;  // "table(col,col,...)" -> INSERT

  ~Impl() {
    for (auto& [k, s] : statements) sqlite3_finalize(s);
    if (db) sqlite3_close(db);
  }

  uint64_t now() const { return options.now ? options.now() : systemNow(); }

  Result<sqlite3_stmt*> insertStatement(const TableRows& t) {
    std::string key = t.table + "(";
    for (const auto& c : t.columns) key += c + ",";
    auto it = statements.find(key);
    if (it != statements.end()) return it->second;
    std::string sql = "INSERT INTO \"" + t.table + "\" (";
    std::string params;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (i) {
        sql += ", ";
        params += ", ";
      }
      sql += "\"" + t.columns[i] + "\"";
      params += "?";
    }
    // Property columns are filled from the row's own Properties by the same function queries
    // use, so reading the column is exactly reading Properties['key']. Rows from row_mapping
    // bring them computed (kql::memberJson); others get them here.
    size_t props = t.columnIndex("Properties");
    if (props < t.columns.size()) {
      for (const auto& pc : propertyColumns()) {
        if (pc.table != t.table || t.columnIndex(pc.column) < t.columns.size()) continue;
        sql += ", \"" + std::string(pc.column) + "\"";
        params += ", kql_dget(?" + std::to_string(props + 1) + ", '" + std::string(pc.key) + "')";
      }
    }
    sql += ") VALUES (" + params + ")";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
        SQLITE_OK) {
      return sqliteError(db, "prepare insert into " + t.table);
    }
    statements.emplace(key, stmt);
    return stmt;
  }

  Status insert(const TableRows& t) {
    const TableSchema* schema = findTable(t.table);
    if (!schema) return Error::internal("store: unknown table " + t.table);
    std::vector<bool> is_string(t.columns.size());
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const ColumnSchema* c = schema->column(t.columns[i]);
      if (!c && !isPropertyColumn(t.table, t.columns[i])) {
        return Error::internal("store: unknown column " + t.table + "." + t.columns[i]);
      }
      is_string[i] = c && (c->type == KqlType::kString || c->type == KqlType::kGuid);
    }
    auto stmt_or = insertStatement(t);
    if (!stmt_or) return stmt_or.takeError();
    sqlite3_stmt* stmt = *stmt_or;
    size_t ncols = t.columns.size();
    for (size_t r = 0; r < t.rowCount(); ++r) {
      sqlite3_reset(stmt);
      for (size_t c = 0; c < ncols; ++c) {
        const Cell& cell = t.cells[r * ncols + c];
        int idx = static_cast<int>(c + 1);
        if (const auto* s = std::get_if<std::string>(&cell)) {
          sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
        } else if (const auto* i = std::get_if<int64_t>(&cell)) {
          sqlite3_bind_int64(stmt, idx, *i);
        } else if (const auto* d = std::get_if<double>(&cell)) {
          sqlite3_bind_double(stmt, idx, *d);
        } else if (is_string[c]) {
          sqlite3_bind_text(stmt, idx, "", 0, SQLITE_STATIC);
        } else {
          sqlite3_bind_null(stmt, idx);
        }
      }
      if (sqlite3_step(stmt) != SQLITE_DONE) {
        Error e = sqliteError(db, "insert into " + t.table);
        sqlite3_reset(stmt);
        return e;
      }
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return {};
  }

  // One transaction for a whole group of write() calls: one fsync for all of them.
  Status commitGroup(const std::vector<std::shared_ptr<Task>>& group) {
    if (auto st = exec(db, "BEGIN IMMEDIATE"); !st) return st;
    for (const auto& task : group) {
      for (const auto& t : task->rows.tables) {
        if (t.rowCount() == 0) continue;
        if (auto st = insert(t); !st) {
          (void)exec(db, "ROLLBACK");
          return st;
        }
      }
    }
    if (auto st = exec(db, "COMMIT"); !st) {
      (void)exec(db, "ROLLBACK");
      return st;
    }
    return {};
  }

  Result<uint64_t> usedBytes() {
    auto pages = queryInt(db, "PRAGMA page_count");
    auto free_pages = queryInt(db, "PRAGMA freelist_count");
    auto page_size = queryInt(db, "PRAGMA page_size");
    if (!pages) return pages.takeError();
    if (!free_pages) return free_pages.takeError();
    if (!page_size) return page_size.takeError();
    return static_cast<uint64_t>((*pages - *free_pages) * *page_size);
  }

  Status maintain() {
    if (options.retention.count() > 0) {
      uint64_t n = now();
      uint64_t keep = static_cast<uint64_t>(options.retention.count());
      int64_t cutoff = datetimeTicks(n > keep ? n - keep : 0);
      for (const auto& t : tableSchemas()) {
        if (!t.column("TimeGenerated")) continue;
        std::string sql = "DELETE FROM \"" + std::string(t.name) + "\" WHERE \"TimeGenerated\" < ?";
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
          return sqliteError(db, "prepare retention");
        }
        sqlite3_bind_int64(stmt, 1, cutoff);
        int rc = sqlite3_step(stmt);
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) return sqliteError(db, "retention delete");
      }
    }
    if (options.max_size_bytes > 0) {
      // Drop the oldest rows of every table, in proportion to the excess (at least a tenth),
      // until the live pages fit (bounded rounds).
      for (int round = 0; round < 40; ++round) {
        auto used = usedBytes();
        if (!used) return used.takeError();
        if (*used <= options.max_size_bytes) break;
        double fraction = std::max(0.1, 1.2 * static_cast<double>(*used - options.max_size_bytes) /
                                            static_cast<double>(*used));
        bool deleted = false;
        for (const auto& t : tableSchemas()) {
          std::string name = "\"" + std::string(t.name) + "\"";
          auto count = queryInt(db, "SELECT count(*) FROM " + name);
          if (!count) return count.takeError();
          if (*count == 0) continue;
          int64_t n = std::max<int64_t>(1, static_cast<int64_t>(*count * fraction));
          std::string order = t.column("TimeGenerated") ? "\"TimeGenerated\"" : "rowid";
          std::string sql = "DELETE FROM " + name + " WHERE rowid IN (SELECT rowid FROM " + name +
                            " ORDER BY " + order + " LIMIT " + std::to_string(n) + ")";
          if (auto st = exec(db, sql.c_str()); !st) return st;
          deleted = true;
        }
        if (!deleted) break;
      }
    }
    (void)exec(db, "PRAGMA incremental_vacuum");
    (void)exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    return {};
  }

  void run() {
    auto next_maintenance = std::chrono::steady_clock::now() + options.maintenance_interval;
    for (;;) {
      std::vector<std::shared_ptr<Task>> group;
      {
        std::unique_lock lock(mu);
        not_empty.wait_until(lock, next_maintenance, [&] { return closing || !queue.empty(); });
        if (queue.empty() && closing) break;
        while (!queue.empty()) {
          group.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      not_full.notify_all();
      std::vector<std::shared_ptr<Task>> writes;
      bool maintenance_requested = false;
      for (auto& t : group) {
        if (t->kind == Task::Kind::kWrite) {
          writes.push_back(t);
        } else {
          maintenance_requested = true;
        }
      }
      if (!writes.empty()) {
        Status st = commitGroup(writes);
        if (!st) log::warn("store: commit failed: {}", st.error().message);
        for (auto& t : writes) t->done.set_value(st);
      }
      bool due = std::chrono::steady_clock::now() >= next_maintenance;
      if (maintenance_requested || due) {
        Status st = maintain();
        if (!st) log::warn("store: maintenance failed: {}", st.error().message);
        for (auto& t : group) {
          if (t->kind == Task::Kind::kMaintenance) t->done.set_value(st);
        }
        next_maintenance = std::chrono::steady_clock::now() + options.maintenance_interval;
      }
    }
  }

  Status submit(std::shared_ptr<Task> task) {
    std::future<Status> result = task->done.get_future();
    {
      std::unique_lock lock(mu);
      bool ok = not_full.wait_for(lock, options.enqueue_timeout,
                                  [&] { return closing || queue.size() < options.queue_capacity; });
      if (closing) return Error::unavailable("store is closed");
      if (!ok) return Error::unavailable("store write queue is full");
      queue.push_back(std::move(task));
    }
    not_empty.notify_one();
    return result.get();
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() { close(); }

Result<std::unique_ptr<Store>> Store::open(StoreOptions options) {
  configureSqliteProcess();
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const std::string& path = impl->options.path;
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec)
    return Error::io("store: cannot create directory " + parent.string() + ": " + ec.message());
  int rc =
      sqlite3_open_v2(path.c_str(), &impl->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = impl->db ? sqlite3_errmsg(impl->db) : "out of memory";
    return Error::io("store: cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(impl->db, 5000);
  // page_size and auto_vacuum only take effect before the first table exists; harmless
  // afterwards (an older store keeps its 4 KiB pages). Rows are ~0.7 KiB of mostly appended
  // data: 16 KiB pages cut the writer's per-page work (WAL frames, kernel page-cache calls) and
  // made ingest ~1.6x faster than 4 KiB at 1M rows (bench/store_bench BM_StoreIngest).
  // A 64 MiB page cache keeps the indexes' hot pages in memory: with SQLite's 2 MiB default the
  // writer spent most of its time in pread/pwrite. A 64 MiB WAL (4096 pages) between automatic
  // checkpoints copies a page rewritten by many commits to the database file once, not per MiB.
  for (const char* pragma :
       {"PRAGMA page_size=16384", "PRAGMA auto_vacuum=INCREMENTAL", "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=FULL", "PRAGMA wal_autocheckpoint=4096", "PRAGMA foreign_keys=OFF",
        "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY"}) {
    if (auto st = exec(impl->db, pragma); !st) return st.takeError();
  }
  // Inserts and migrations compute property columns with kql_dget (schema.h).
  if (auto st = kql::registerFunctions(impl->db); !st) return st.takeError();
  if (auto st = migrate(impl->db); !st) return st.takeError();
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->run(); });
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Status Store::write(RowBatch rows) {
  if (rows.empty()) return {};
  auto task = std::make_shared<Task>();
  task->rows = std::move(rows);
  return impl_->submit(std::move(task));
}

Status Store::runMaintenance() {
  auto task = std::make_shared<Task>();
  task->kind = Task::Kind::kMaintenance;
  return impl_->submit(std::move(task));
}

void Store::close() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->closing = true;
  }
  impl_->not_empty.notify_all();
  impl_->not_full.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
}

const std::string& Store::path() const { return impl_->options.path; }

Result<uint64_t> Store::usedBytes() {
  // Reading page counts from another thread needs the connection's mutex: ask the writer's
  // connection only while it is idle would need coordination, so use a private connection.
  auto conn = openReadOnly(impl_->options.path);
  if (!conn) return conn.takeError();
  auto pages = queryInt(conn->get(), "PRAGMA page_count");
  auto free_pages = queryInt(conn->get(), "PRAGMA freelist_count");
  auto page_size = queryInt(conn->get(), "PRAGMA page_size");
  if (!pages) return pages.takeError();
  if (!free_pages) return free_pages.takeError();
  if (!page_size) return page_size.takeError();
  return static_cast<uint64_t>((*pages - *free_pages) * *page_size);
}

ReadConnection& ReadConnection::operator=(ReadConnection&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close(db_);
    db_ = other.db_;
    other.db_ = nullptr;
  }
  return *this;
}

ReadConnection::~ReadConnection() {
  if (db_) sqlite3_close(db_);
}

Result<ReadConnection> openReadOnly(const std::string& path) {
  configureSqliteProcess();
  ReadConnection conn;
  int rc =
      sqlite3_open_v2(path.c_str(), &conn.db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = conn.db_ ? sqlite3_errmsg(conn.db_) : "out of memory";
    return Error::io("store: cannot open " + path + " read-only: " + msg);
  }
  sqlite3_busy_timeout(conn.db_, 5000);
  // Queries scan whole tables: memory-map the file (no read() copy per page) and give each
  // reader a 64 MiB cache; GROUP BY/ORDER BY temporaries stay in memory.
  for (const char* pragma : {"PRAGMA query_only=1", "PRAGMA mmap_size=1073741824",
                             "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY"}) {
    if (auto st = exec(conn.db_, pragma); !st) return st.takeError();
  }
  return conn;
}

}  // namespace agentgate::store
