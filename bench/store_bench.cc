// The embedded store: ingest rate of Claude Code-shaped log records into AppTraces (+ OTelLogs),
// and the latency of the dashboard queries over 1M and 10M stored rows.
//
// Every figure reads as a ratio against a baseline measured in the same run:
//   BM_DecodeProtobuf        the receiver's own per-record work (decode of the same records);
//                            the store keeps up with the receiver when its rows/s is not lower
//   BM_RawSqliteInsert       bare SQLite: the same number of rows, three columns, one prepared
//                            statement, one transaction per batch (the floor of any SQLite store)
//   BM_StoreIngest/*         decoded batch -> App* mapping (the azuremonitor path) -> rows ->
//                            the store's writer thread -> committed (synchronous=FULL, WAL)
//   BM_Query/<query>/<rows>/<columns>  KQL -> SQL -> result on a read-only connection, with the
//                            store's property columns (1) and with every Properties['key']
//                            parsed from the JSON (0, the same-run baseline), vs
//   BM_Query/count/<rows>    `AppTraces | count`, the cheapest full answer over the same file
//
// The query databases are built once under AGENTGATE_BENCH_DIR (default build/bench-data) and
// reused; 10M rows take a few GB and a few minutes the first time. Set
// AGENTGATE_BENCH_MAX_ROWS=1000000 to skip the 10M case.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "appinsights/mapper.h"
#include "kql/engine.h"
#include "pdata/codec.h"
#include "pdata/model.h"
#include "store/row_mapping.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace agentgate;

namespace {

constexpr int kRecordsPerBatch = 1000;
constexpr uint64_t kStartUnixNano = 1795577638545000000ull;  // 2026-11-24

const char* const kEvents[] = {"user_prompt", "api_request", "tool_decision",
                               "tool_result", "api_request", "tool_result"};
const char* const kModels[] = {"claude-opus-5-5", "claude-sonnet-5", "claude-haiku-5"};
const char* const kTools[] = {"Bash", "Read", "Edit", "Write", "Grep", "WebFetch"};

std::string jsonAttr(const char* key, const std::string& string_value) {
  return std::string("{\"key\":\"") + key + "\",\"value\":{\"stringValue\":\"" + string_value +
         "\"}}";
}
std::string jsonAttr(const char* key, int64_t v) {
  return std::string("{\"key\":\"") + key + "\",\"value\":{\"intValue\":\"" + std::to_string(v) +
         "\"}}";
}
std::string jsonAttr(const char* key, double v) {
  return std::string("{\"key\":\"") + key + "\",\"value\":{\"doubleValue\":" + std::to_string(v) +
         "}}";
}

// One OTLP/JSON logs request shaped like Claude Code's events: 200 users, 2000 sessions,
// three models, six tools, ~8% failed tool results, one week per 1M records.
std::string makeLogsJson(uint64_t first_record, std::mt19937_64& rng) {
  std::string out =
      R"({"resourceLogs":[{"resource":{"attributes":[)" +
      jsonAttr("service.name", std::string("claude-code")) + "," +
      jsonAttr("service.version", std::string("2.1.331")) + "," +
      jsonAttr("os.type", std::string("linux")) +
      R"(]},"scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events","version":"2.1.331"},"logRecords":[)";
  for (int i = 0; i < kRecordsPerBatch; ++i) {
    uint64_t n = first_record + static_cast<uint64_t>(i);
    const std::string event = kEvents[rng() % 6];
    // Agents send events roughly in time order: one record every ~0.6 s (1M rows = a week),
    // with a few seconds of jitter from batching.
    uint64_t ts = kStartUnixNano + n * 604800000ull + rng() % 5000000000ull;
    int user = static_cast<int>(rng() % 200);
    int session = user * 10 + static_cast<int>(rng() % 10);
    std::string attrs = jsonAttr("event.name", event) + "," +
                        jsonAttr("user.id", "user-" + std::to_string(user)) + "," +
                        jsonAttr("session.id", "session-" + std::to_string(session)) + "," +
                        jsonAttr("event.sequence", static_cast<int64_t>(n)) + "," +
                        jsonAttr("terminal.type", std::string("vscode"));
    if (event == "api_request") {
      attrs += "," + jsonAttr("model", std::string(kModels[rng() % 3])) + "," +
               jsonAttr("input_tokens", static_cast<int64_t>(rng() % 20000)) + "," +
               jsonAttr("output_tokens", static_cast<int64_t>(rng() % 2000)) + "," +
               jsonAttr("cost_usd", static_cast<double>(rng() % 100000) / 1e6) + "," +
               jsonAttr("duration_ms", static_cast<int64_t>(50 + rng() % 30000));
    } else if (event == "tool_result" || event == "tool_decision") {
      attrs += "," + jsonAttr("tool_name", std::string(kTools[rng() % 6])) + "," +
               jsonAttr("success", std::string(rng() % 100 < 8 ? "false" : "true")) + "," +
               jsonAttr("decision", std::string(rng() % 100 < 3 ? "reject" : "accept")) + "," +
               jsonAttr("duration_ms", static_cast<int64_t>(rng() % 5000));
    } else {
      attrs += "," + jsonAttr("prompt_length", static_cast<int64_t>(rng() % 4000));
    }
    if (i) out += ",";
    out += R"({"timeUnixNano":")" + std::to_string(ts) + R"(","observedTimeUnixNano":")" +
           std::to_string(ts) + R"(","severityNumber":9,"body":{"stringValue":"claude_code.)" +
           event + R"("},"attributes":[)" + attrs + "]}";
  }
  out += "]}]}]}";
  return out;
}

std::unique_ptr<pdata::Batch> decodeJsonBatch(const std::string& json) {
  auto batch = std::make_unique<pdata::Batch>(Signal::kLogs);
  if (!pdata::decodeJson(*batch, json).ok()) {
    std::fprintf(stderr, "store_bench: synthetic batch does not decode\n");
    std::abort();
  }
  return batch;
}

// A ring of distinct batches so the benchmark loop does not re-insert the same rows.
struct Batches {
  std::vector<std::unique_ptr<pdata::Batch>> decoded;
  std::vector<std::string> protobuf;
};

const Batches& sampleBatches() {
  static Batches b = [] {
    Batches out;
    std::mt19937_64 rng(42);
    for (int i = 0; i < 16; ++i) {
      out.decoded.push_back(decodeJsonBatch(makeLogsJson(uint64_t(i) * kRecordsPerBatch, rng)));
      out.protobuf.push_back(pdata::encodeProtobuf(*out.decoded.back()));
    }
    return out;
  }();
  return b;
}

fs::path benchDir() {
  const char* env = std::getenv("AGENTGATE_BENCH_DIR");
  fs::path dir = env ? fs::path(env) : fs::path("bench-data");
  fs::create_directories(dir);
  return dir;
}

// The exporter's work for one batch: envelopes (the azuremonitor mapping), App* rows, and with
// `otel` also the native OTel* rows.
store::RowBatch toRows(const pdata::Batch& batch, bool otel) {
  appinsights::MapOptions opts;
  opts.now_unix_nano = kStartUnixNano;
  auto mapped = appinsights::mapBatch(batch, opts);
  store::RowBatch rows;
  store::appendAppInsightsRows(mapped.envelopes, rows);
  if (otel) store::appendOtelRows(batch, kStartUnixNano, rows);
  return rows;
}

void BM_DecodeProtobuf(benchmark::State& state) {
  const auto& b = sampleBatches();
  size_t i = 0;
  for (auto _ : state) {
    pdata::Batch batch(Signal::kLogs);
    auto st = pdata::decodeProtobuf(batch, b.protobuf[i++ % b.protobuf.size()]);
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations() * kRecordsPerBatch);
}
BENCHMARK(BM_DecodeProtobuf)->Unit(benchmark::kMicrosecond);

void BM_RawSqliteInsert(benchmark::State& state) {
  fs::path path = benchDir() / "raw_insert.db";
  fs::remove(path);
  fs::remove(path.string() + "-wal");
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE t(TimeGenerated INTEGER, Message TEXT, Properties TEXT);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?)", -1, &stmt, nullptr);
  const std::string props(420, 'x');  // about the size of one event's Properties JSON
  int64_t n = 0;
  for (auto _ : state) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (int i = 0; i < kRecordsPerBatch; ++i, ++n) {
      sqlite3_bind_int64(stmt, 1, n);
      sqlite3_bind_text(stmt, 2, "claude_code.api_request", -1, SQLITE_STATIC);
      sqlite3_bind_text(stmt, 3, props.data(), static_cast<int>(props.size()), SQLITE_STATIC);
      sqlite3_step(stmt);
      sqlite3_reset(stmt);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  fs::remove(path);
  fs::remove(path.string() + "-wal");
  fs::remove(path.string() + "-shm");
  state.SetItemsProcessed(state.iterations() * kRecordsPerBatch);
}
BENCHMARK(BM_RawSqliteInsert)->Unit(benchmark::kMicrosecond);

// Mapping only (no SQLite), to split the store's cost between row building and writing.
void BM_MapToRows(benchmark::State& state) {
  const auto& b = sampleBatches();
  size_t i = 0;
  for (auto _ : state) {
    auto rows = toRows(*b.decoded[i++ % b.decoded.size()], state.range(0) != 0);
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(state.iterations() * kRecordsPerBatch);
}
BENCHMARK(BM_MapToRows)->Arg(0)->Arg(1)->ArgName("otel")->Unit(benchmark::kMicrosecond);

// Ingest into a fresh store until 1M records were written. state.range(1) = producer threads,
// each mapping batches and calling write() like one of the persistent queue's consumers (ten by
// default): with one, mapping and committing alternate; with several, mapping overlaps the
// writer and concurrent writes share a transaction, as in the running collector.
int64_t ingestRows() {
  const char* env = std::getenv("AGENTGATE_BENCH_INGEST_ROWS");  // fewer for a quick look
  return std::max<int64_t>(kRecordsPerBatch, env ? std::atoll(env) : 1000000);
}

void BM_StoreIngest(benchmark::State& state) {
  const bool otel = state.range(0) != 0;
  const int producers = static_cast<int>(state.range(1));
  const int64_t batches = ingestRows() / kRecordsPerBatch;
  const auto& b = sampleBatches();
  fs::path path = benchDir() / "ingest.db";
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
    store::StoreOptions opts;
    opts.path = path.string();
    opts.max_size_bytes = 0;
    opts.retention = std::chrono::nanoseconds(0);
    auto st = store::Store::open(opts);
    if (!st.ok()) {
      state.SkipWithError(st.error().message.c_str());
      return;
    }
    auto& s = *st.value();
    state.ResumeTiming();
    std::atomic<int64_t> next{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&] {
        for (int64_t i = next++; i < batches; i = next++) {
          auto rows = toRows(*b.decoded[static_cast<size_t>(i) % b.decoded.size()], otel);
          if (!s.write(std::move(rows)).ok()) failed = true;
        }
      });
    }
    for (auto& t : threads) t.join();
    s.close();
    state.PauseTiming();
    if (failed) state.SkipWithError("store write failed");
    state.counters["db_MiB"] = static_cast<double>(fs::file_size(path)) / (1 << 20);
    st.value().reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * batches * kRecordsPerBatch);
}
BENCHMARK(BM_StoreIngest)
    ->ArgsProduct({{0, 1}, {1, 4}})
    ->ArgNames({"otel", "producers"})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A store at `path` with no retention and no size cap.
store::StoreOptions keepEverything(const fs::path& path) {
  store::StoreOptions opts;
  opts.path = path.string();
  opts.max_size_bytes = 0;
  opts.retention = std::chrono::nanoseconds(0);
  return opts;
}

// A store file with `rows` AppTraces rows, built once and kept for later runs.
std::string queryDb(int64_t rows) {
  fs::path path = benchDir() / ("query_" + std::to_string(rows) + ".db");
  if (fs::exists(path)) {
    // A store built by an older build: opening it for writing runs the migrations (property
    // columns are filled for the existing rows) so both query variants below see the same file.
    auto st = store::Store::open(keepEverything(path));
    if (!st.ok()) return {};
    st.value()->close();
    return path.string();
  }
  fs::path tmp = path.string() + ".building";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(tmp.string() + suffix);
  auto st = store::Store::open(keepEverything(tmp));
  if (!st.ok()) return {};
  std::mt19937_64 rng(7);
  std::fprintf(stderr, "store_bench: building %lld-row query store at %s\n",
               static_cast<long long>(rows), path.c_str());
  for (int64_t n = 0; n < rows; n += kRecordsPerBatch) {
    auto batch = decodeJsonBatch(makeLogsJson(static_cast<uint64_t>(n), rng));
    if (!st.value()->write(toRows(*batch, false)).ok()) return {};
  }
  st.value()->close();
  st.value().reset();
  fs::rename(tmp, path);
  return path.string();
}

struct DashboardQuery {
  const char* name;
  const char* kql;
};
// The questions of the store issue, on the event path (AppTraces).
const DashboardQuery kQueries[] = {
    {"count", "AppTraces | count"},
    {"events_per_5m_by_name",
     "AppTraces | extend EventName = tostring(Properties['event.name']) "
     "| summarize Events = count() by bin(TimeGenerated, 5m), EventName"},
    {"tool_failure_rate_by_tool",
     "AppTraces | where Properties['event.name'] in ('tool_decision', 'tool_result') "
     "| extend EventName = tostring(Properties['event.name']), Tool = "
     "tostring(Properties.tool_name) "
     "| summarize Attempts = countif(EventName == 'tool_decision'), "
     "Failed = countif(EventName == 'tool_result' and tostring(Properties.success) != 'true') "
     "by Tool | extend FailureRate = todouble(Failed) / Attempts"},
    {"tokens_and_cost_by_model",
     "AppTraces | where Properties['event.name'] == 'api_request' "
     "| summarize In = sum(tolong(Properties.input_tokens)), "
     "Out = sum(tolong(Properties.output_tokens)), Cost = sum(todouble(Properties.cost_usd)) "
     "by Model = tostring(Properties.model)"},
    {"p95_api_duration_by_model",
     "AppTraces | where Properties['event.name'] == 'api_request' "
     "| summarize P95 = percentile(toreal(Properties.duration_ms), 95) "
     "by Model = tostring(Properties.model)"},
    {"distinct_users_per_day",
     "AppTraces | summarize Users = dcount(tostring(Properties['user.id'])) "
     "by Day = bin(TimeGenerated, 1d)"},
    // Uses the TimeGenerated index: on 1M rows the last ~17 hours, on 10M rows nine weeks.
    {"since_2026_12_01",
     "AppTraces | where TimeGenerated > datetime(2026-12-01T02:00:00Z) "
     "| summarize count() by Message"},
};

void BM_Query(benchmark::State& state) {
  const auto& q = kQueries[state.range(0)];
  std::string path = queryDb(state.range(1));
  if (path.empty()) {
    state.SkipWithError("could not build the query store");
    return;
  }
  auto conn = store::openReadOnly(path);
  if (!conn.ok()) {
    state.SkipWithError(conn.error().message.c_str());
    return;
  }
  kql::Engine engine(conn.value().get(), kql::builtinSchema());
  // columns=0: every Properties['key'] parses the JSON (the same-run baseline for columns=1,
  // where the store's property columns answer them).
  engine.usePropertyColumns(state.range(2) != 0);
  size_t result_rows = 0;
  for (auto _ : state) {
    auto r = engine.run(q.kql);
    if (!r.ok()) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    result_rows = r.value().rows.size();
  }
  state.SetLabel(std::string(q.name));
  state.counters["result_rows"] = static_cast<double>(result_rows);
  state.counters["rows_per_s"] = benchmark::Counter(
      static_cast<double>(state.range(1)) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

// Baseline for BM_Query/tokens_and_cost_by_model: the same answer hand-written in SQL with
// SQLite's own JSON functions, on the same file and connection settings.
void BM_HandWrittenSql(benchmark::State& state) {
  std::string path = queryDb(state.range(0));
  auto conn = store::openReadOnly(path);
  if (path.empty() || !conn.ok()) {
    state.SkipWithError("could not open the query store");
    return;
  }
  const char* sql =
      "SELECT json_extract(Properties, '$.model') AS Model, "
      "sum(CAST(json_extract(Properties, '$.input_tokens') AS INTEGER)), "
      "sum(CAST(json_extract(Properties, '$.output_tokens') AS INTEGER)), "
      "sum(CAST(json_extract(Properties, '$.cost_usd') AS REAL)) FROM AppTraces "
      "WHERE json_extract(Properties, '$.\"event.name\"') = 'api_request' GROUP BY 1";
  for (auto _ : state) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(conn.value().get(), sql, -1, &stmt, nullptr);
    int rows = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) ++rows;
    sqlite3_finalize(stmt);
    benchmark::DoNotOptimize(rows);
  }
  state.SetLabel("tokens_and_cost_by_model (sqlite json_extract)");
}

int64_t maxRows() {
  const char* env = std::getenv("AGENTGATE_BENCH_MAX_ROWS");
  return env ? std::atoll(env) : 10000000;
}

void queryArgs(benchmark::internal::Benchmark* b) {
  for (int64_t rows : {int64_t{1000000}, int64_t{10000000}}) {
    if (rows > maxRows()) continue;
    for (int64_t q = 0; q < static_cast<int64_t>(std::size(kQueries)); ++q) {
      for (int64_t columns : {0, 1}) b->Args({q, rows, columns});
    }
  }
}
void rowArgs(benchmark::internal::Benchmark* b) {
  for (int64_t rows : {int64_t{1000000}, int64_t{10000000}}) {
    if (rows <= maxRows()) b->Args({rows});
  }
}
BENCHMARK(BM_HandWrittenSql)
    ->Apply(rowArgs)
    ->ArgNames({"rows"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

BENCHMARK(BM_Query)
    ->Apply(queryArgs)
    ->ArgNames({"query", "rows", "columns"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
