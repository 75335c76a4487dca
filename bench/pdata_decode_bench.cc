// Our OTLP protobuf decoder vs libprotobuf ParseFromString on agent log batches:
//   synthetic100 - 100 records shaped like Claude Code's richest log record (taken from a capture)
//   largest      - the largest captured log request as sent
// The time per record is reported as the `per_record` counter.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>

#include "otlp_test.pb.h"
#include "pdata/codec.h"
#include "proto/pdata_test_util.h"

namespace {

using agentgate::Signal;
using agentgate::Status;
using namespace agentgate::pdata;

struct Input {
  std::string bytes;
  size_t records = 0;
  std::string json;  // the same data as OTLP/JSON, for the JSON decoder figure
  size_t json_records = 0;
};

// Builds both inputs once.
const Input& input(bool synthetic) {
  static Input syn, big;
  static bool ready = false;
  if (!ready) {
    ready = true;
    const testutil::Fixture* largest = nullptr;
    const testutil::Fixture* richest = nullptr;
    size_t largest_size = 0, richest_attrs = 0;
    auto fixtures = testutil::agentFixtures();
    std::string richest_bytes;
    size_t largest_json = 0;
    for (const auto& f : fixtures) {
      if (f.signal != Signal::kLogs) continue;
      std::string b = testutil::fixtureBytes(f);
      if (f.is_json) {
        if (b.size() > largest_json) {
          largest_json = b.size();
          big.json = b;
        }
        continue;
      }
      if (b.size() > largest_size) {
        largest_size = b.size();
        largest = &f;
        big.bytes = b;
      }
      Batch batch(Signal::kLogs);
      if (!decodeProtobuf(batch, batch.adoptBuffer(b)).ok()) continue;
      for (const auto& rl : batch.resource_logs)
        for (const auto& sl : rl.scope_logs)
          for (const auto& r : sl.log_records)
            if (f.body.string().find("claude-code") != std::string::npos &&
                r.attributes.size() > richest_attrs) {
              richest_attrs = r.attributes.size();
              richest = &f;
              richest_bytes = b;
            }
    }
    if (!largest || !richest) {
      std::fprintf(stderr, "no log fixtures under %s\n", testutil::sharedDir().c_str());
      std::exit(1);
    }
    Batch from_big(Signal::kLogs);
    (void)decodeProtobuf(from_big, big.bytes);
    big.records = from_big.itemCount();
    Batch from_json(Signal::kLogs);
    (void)decodeJson(from_json, big.json);
    big.json_records = from_json.itemCount();

    // Synthetic: the richest record's resource + scope, and 100 copies of that record.
    Batch src(Signal::kLogs);
    (void)decodeProtobuf(src, richest_bytes);
    const ResourceLogs* best_rl = nullptr;
    const ScopeLogs* best_sl = nullptr;
    const LogRecord* best = nullptr;
    for (const auto& rl : src.resource_logs)
      for (const auto& sl : rl.scope_logs)
        for (const auto& r : sl.log_records)
          if (r.attributes.size() == richest_attrs) {
            best_rl = &rl;
            best_sl = &sl;
            best = &r;
          }
    Batch out(Signal::kLogs);
    auto& rl = out.resource_logs.emplace_back(out.arena());
    rl.resource.attributes = best_rl->resource.attributes;
    auto& sl = rl.scope_logs.emplace_back(out.arena());
    sl.scope.name = best_sl->scope.name;
    sl.scope.version = best_sl->scope.version;
    for (int i = 0; i < 100; ++i) {
      auto& r = sl.log_records.emplace_back(out.arena());
      r.time_unix_nano = best->time_unix_nano + i;
      r.observed_time_unix_nano = best->observed_time_unix_nano + i;
      r.severity_number = best->severity_number;
      r.body = best->body;
      r.attributes = best->attributes;
    }
    syn.bytes = encodeProtobuf(out);
    syn.records = 100;
    syn.json = encodeJson(out);
    syn.json_records = 100;
    std::fprintf(stderr,
                 "synthetic100: %zu bytes, %zu attributes per record (from %s)\n"
                 "largest: %s, %zu bytes, %zu records; largest JSON: %zu bytes, %zu records\n",
                 syn.bytes.size(), richest_attrs, richest->body.filename().c_str(),
                 largest->body.filename().c_str(), big.bytes.size(), big.records, big.json.size(),
                 big.json_records);
  }
  return synthetic ? syn : big;
}

void perRecord(benchmark::State& state, size_t records, size_t bytes) {
  state.counters["per_record"] = benchmark::Counter(
      static_cast<double>(records),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void BM_Ours(benchmark::State& state, bool synthetic) {
  const Input& in = input(synthetic);
  for (auto _ : state) {
    Batch b(Signal::kLogs);
    Status st = decodeProtobuf(b, in.bytes);
    if (!st.ok()) state.SkipWithError(st.error().message.c_str());
    benchmark::DoNotOptimize(b.resource_logs.data());
  }
  perRecord(state, in.records, in.bytes.size());
}

void BM_Libprotobuf(benchmark::State& state, bool synthetic) {
  const Input& in = input(synthetic);
  for (auto _ : state) {
    agentgate::testproto::ExportLogsServiceRequest req;
    if (!req.ParseFromString(in.bytes)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(req.resource_logs_size());
  }
  perRecord(state, in.records, in.bytes.size());
}

void BM_OursJson(benchmark::State& state, bool synthetic) {
  const Input& in = input(synthetic);
  for (auto _ : state) {
    Batch b(Signal::kLogs);
    Status st = decodeJson(b, in.json);
    if (!st.ok()) state.SkipWithError(st.error().message.c_str());
    benchmark::DoNotOptimize(b.resource_logs.data());
  }
  perRecord(state, in.json_records, in.json.size());
}

void BM_OursEncode(benchmark::State& state, bool synthetic) {
  const Input& in = input(synthetic);
  Batch b(Signal::kLogs);
  (void)decodeProtobuf(b, in.bytes);
  for (auto _ : state) benchmark::DoNotOptimize(encodeProtobuf(b));
  perRecord(state, in.records, in.bytes.size());
}

// Every captured protobuf log request (Claude Code and Copilot), decoded one after another:
// the figure for a typical agent log record.
struct AllLogs {
  std::vector<std::string> bodies;
  size_t records = 0, bytes = 0;
};
const AllLogs& allLogs() {
  static AllLogs all = [] {
    AllLogs a;
    for (const auto& f : testutil::agentFixtures()) {
      if (f.signal != Signal::kLogs || f.is_json) continue;
      a.bodies.push_back(testutil::fixtureBytes(f));
      Batch b(Signal::kLogs);
      (void)decodeProtobuf(b, a.bodies.back());
      a.records += b.itemCount();
      a.bytes += a.bodies.back().size();
    }
    std::fprintf(stderr, "all log captures: %zu requests, %zu records, %zu bytes\n",
                 a.bodies.size(), a.records, a.bytes);
    return a;
  }();
  return all;
}

void BM_OursAllLogs(benchmark::State& state) {
  const AllLogs& all = allLogs();
  for (auto _ : state) {
    for (const auto& body : all.bodies) {
      Batch b(Signal::kLogs);
      Status st = decodeProtobuf(b, body);
      if (!st.ok()) state.SkipWithError(st.error().message.c_str());
      benchmark::DoNotOptimize(b.resource_logs.data());
    }
  }
  perRecord(state, all.records, all.bytes);
}

void BM_LibprotobufAllLogs(benchmark::State& state) {
  const AllLogs& all = allLogs();
  for (auto _ : state) {
    for (const auto& body : all.bodies) {
      agentgate::testproto::ExportLogsServiceRequest req;
      if (!req.ParseFromString(body)) state.SkipWithError("parse failed");
      benchmark::DoNotOptimize(req.resource_logs_size());
    }
  }
  perRecord(state, all.records, all.bytes);
}

BENCHMARK(BM_OursAllLogs);
BENCHMARK(BM_LibprotobufAllLogs);
BENCHMARK_CAPTURE(BM_Ours, synthetic100, true);
BENCHMARK_CAPTURE(BM_Libprotobuf, synthetic100, true);
BENCHMARK_CAPTURE(BM_Ours, largest, false);
BENCHMARK_CAPTURE(BM_Libprotobuf, largest, false);
BENCHMARK_CAPTURE(BM_OursJson, synthetic100, true);
BENCHMARK_CAPTURE(BM_OursJson, largest_json, false);
BENCHMARK_CAPTURE(BM_OursEncode, synthetic100, true);

}  // namespace

BENCHMARK_MAIN();
