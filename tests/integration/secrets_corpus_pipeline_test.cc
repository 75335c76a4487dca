// Every secret of corpus-dev, placed in every kind of value a client can send (log body, record
// attribute, nested map/array, resource attribute, span attribute, span event, data point), goes
// through the real binary (OTLP/HTTP -> secrets -> privacy -> file + store). Then every output,
// agentgate's own stdout/stderr and its /metrics are searched for the bytes of every labelled
// secret (spec/secrets.md: `secrets[].value`; the corpus's placeholder negatives are not secrets).
//
// Outputs are a list of Sinks: a new exporter (the Azure emulator) is one more entry with its
// exporter config and a function that returns what it received.
#include <simdjson.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "landed_tables.h"
#include "net/worker_pool.h"
#include "testlib/curl_client.h"
#include "testlib/process.h"
#include "track_endpoint.h"

namespace agentgate {
namespace {

namespace fs = std::filesystem;
using testlib::Process;
using testlib::readFile;
using testlib::TempDir;

struct Line {
  std::string id;
  std::string text;
  std::vector<std::string> secrets;  // search needles, see needleFor()
};

// A short secret ("pass") also occurs inside ordinary words and type names ("password"), so it is
// searched together with the bytes around it in its line ("user:pass@examp").
std::string needleFor(const std::string& text, const std::string& value) {
  if (value.size() >= 8) return value;
  size_t at = text.find(value);
  if (at == std::string::npos) return value;
  size_t left = std::min<size_t>(at, 6);
  size_t right = std::min<size_t>(text.size() - at - value.size(), 6);
  return text.substr(at - left, left + value.size() + right);
}

std::vector<Line> loadCorpus() {
  std::vector<Line> out;
  simdjson::dom::parser parser;
  std::string all = readFile(fs::path(AGENTGATE_SHARED_DIR) / "fixtures/secrets/corpus-dev.jsonl");
  size_t start = 0;
  while (start < all.size()) {
    size_t nl = all.find('\n', start);
    if (nl == std::string::npos) nl = all.size();
    std::string row = all.substr(start, nl - start);
    start = nl + 1;
    simdjson::dom::element e;
    if (row.empty() || parser.parse(row).get(e) != simdjson::SUCCESS) continue;
    Line l;
    std::string_view id, text;
    if (e["id"].get(id) != simdjson::SUCCESS || e["text"].get(text) != simdjson::SUCCESS) continue;
    l.id = std::string(id);
    l.text = std::string(text);
    simdjson::dom::array secrets;
    if (e["secrets"].get(secrets) == simdjson::SUCCESS)
      for (auto s : secrets) {
        std::string_view v;
        if (s["value"].get(v) == simdjson::SUCCESS && !v.empty())
          l.secrets.push_back(needleFor(l.text, std::string(v)));
      }
    out.push_back(std::move(l));
  }
  return out;
}

// JSON string contents (no quotes), as the exporters escape them.
std::string jsonEscape(std::string_view s) {
  std::string out;
  strings::appendJsonString(out, s);
  return out.substr(1, out.size() - 2);
}

std::string str(std::string_view s) { return "{\"stringValue\":\"" + jsonEscape(s) + "\"}"; }
std::string kv(std::string_view k, const std::string& v) {
  return "{\"key\":\"" + jsonEscape(k) + "\",\"value\":" + v + "}";
}

// OTLP/JSON requests for a slice of the corpus, one per signal.
struct Requests {
  std::string logs, traces, metrics;
  size_t items = 0;  // records + spans + data points, each tagged with corpus.id
};

Requests buildRequests(const std::vector<Line>& lines, size_t from, size_t to) {
  Requests r;
  const std::string ts = "\"timeUnixNano\":\"1764900000000000000\"";
  std::string resources_logs, spans, points;
  for (size_t i = from; i < to; ++i) {
    const Line& l = lines[i];
    const std::string id = kv("corpus.id", str(l.id));
    const std::string who =
        kv("user.email", str("dev@example.com")) + "," + kv("session.id", str("sess-" + l.id));
    std::string nested = "{\"kvlistValue\":{\"values\":[" +
                         kv("args", "{\"arrayValue\":{\"values\":[" + str(l.text) + "]}}") + "]}}";
    std::string records =
        // the text as a log body
        "{" + ts + ",\"body\":" + str(l.text) + ",\"attributes\":[" + id + "," + who + "]}," +
        // as Claude Code's prompt attribute
        "{" + ts + ",\"body\":" + str("claude_code.user_prompt") + ",\"attributes\":[" + id + "," +
        who + "," + kv("event.name", str("user_prompt")) + "," + kv("prompt", str(l.text)) + "]}," +
        // inside a map and an array
        "{" + ts + ",\"body\":" + str("claude_code.tool_result") + ",\"attributes\":[" + id + "," +
        who + "," + kv("tool_parameters", nested) + "]}";
    r.items += 3;
    if (!resources_logs.empty()) resources_logs += ",";
    resources_logs += "{\"resource\":{\"attributes\":[" + kv("service.name", str("claude-code")) +
                      "," + kv("team.note", str(l.text)) +
                      "]},\"scopeLogs\":[{\"scope\":{\"name\":\"corpus\"},\"logRecords\":[" +
                      records + "]}]}";
    if (!spans.empty()) spans += ",";
    spans += "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"" +
             std::string(16 - std::min<size_t>(16, std::to_string(i + 1).size()), '0') +
             std::to_string(i + 1) +
             "\",\"name\":\"chat\",\"kind\":3,\"startTimeUnixNano\":\"1764900000000000000\","
             "\"endTimeUnixNano\":\"1764900001000000000\",\"attributes\":[" +
             id + "," + kv("gen_ai.input.messages", str(l.text)) + "],\"events\":[{" + ts +
             ",\"name\":\"tool.output\",\"attributes\":[" + kv("content", str(l.text)) + "]}]}";
    r.items += 1;
    if (!points.empty()) points += ",";
    points +=
        "{" + ts + ",\"asInt\":\"1\",\"attributes\":[" + id + "," + kv("label", str(l.text)) + "]}";
    r.items += 1;
  }
  r.logs = "{\"resourceLogs\":[" + resources_logs + "]}";
  r.traces = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[" +
             kv("service.name", str("github-copilot")) + "," + kv("team.note", str("traces")) +
             "]},\"scopeSpans\":[{\"scope\":{\"name\":\"corpus\"},\"spans\":[" + spans + "]}]}]}";
  r.metrics = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[" +
              kv("service.name", str("claude-code")) +
              "]},\"scopeMetrics\":[{\"scope\":{\"name\":\"corpus\"},\"metrics\":[{\"name\":"
              "\"corpus.lines\",\"gauge\":{\"dataPoints\":[" +
              points + "]}}]}]}]}";
  return r;
}

// Every text and blob cell of every table of a SQLite file.
std::string dumpSqlite(const fs::path& db) {
  std::string out;
  sqlite3* conn = nullptr;
  if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(conn);
    return out;
  }
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(conn, "SELECT name FROM sqlite_master WHERE type='table'", -1, &st,
                         nullptr) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW)
      tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  for (const auto& t : tables) {
    std::string q = "SELECT * FROM \"" + t + "\"";
    if (sqlite3_prepare_v2(conn, q.c_str(), -1, &st, nullptr) != SQLITE_OK) continue;
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const void* p = sqlite3_column_blob(st, c);
        int n = sqlite3_column_bytes(st, c);
        if (p != nullptr && n > 0) out.append(static_cast<const char*>(p), n);
        out += '\n';
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(conn);
  return out;
}

// Rows of one table of a SQLite file (-1 when it cannot be read).
long long sqliteCount(const fs::path& db, const std::string& table) {
  sqlite3* conn = nullptr;
  long long n = -1;
  if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    std::string q = "SELECT count(*) FROM \"" + table + "\"";
    if (sqlite3_prepare_v2(conn, q.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(conn);
  return n;
}

// Raw bytes of every file under dir (queues, WAL, database pages).
std::string dumpFiles(const fs::path& dir) {
  std::string out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) out += readFile(it->path()) + "\n";
  return out;
}

size_t countOccurrences(const std::string& hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

struct Sink {
  std::string name;      // exporter id in the config
  std::string exporter;  // its YAML body
  std::function<std::string()> received;
};

TEST(SecretsCorpusPipeline, NoCorpusSecretReachesAnyOutputLogOrMetric) {
#ifdef AGENTGATE_BINARY_PATH
  setenv("AGENTGATE_BINARY", AGENTGATE_BINARY_PATH, 0);
#endif
  if (testlib::agentgateBinary().empty()) GTEST_SKIP() << "AGENTGATE_BINARY is not set";
  auto lines = loadCorpus();
  ASSERT_GT(lines.size(), 900u) << "corpus-dev.jsonl missing under " << AGENTGATE_SHARED_DIR;
  size_t labelled = 0;
  for (const auto& l : lines) labelled += l.secrets.size();
  ASSERT_GT(labelled, 600u);

  TempDir dir;
  const fs::path file_out = dir.path() / "out.jsonl";
  const fs::path store_db = dir.path() / "store" / "agentgate.db";
  const fs::path data_dir = dir.path() / "data";
  // The Azure Monitor emulator (Application Insights track endpoint) as a third destination:
  // what it received and what landed in its Log Analytics tables.
  auto landed = azure_emulator::LandedTables::open((dir.path() / "azure.db").string());
  ASSERT_TRUE(landed.ok()) << landed.error().message;
  net::WorkerPool pool(1);
  pool.start();
  azure_emulator::TrackEndpointOptions track;
  track.tables = landed->get();
  auto emulator = azure_emulator::TrackServer::start(pool, track);
  ASSERT_TRUE(emulator.ok()) << emulator.error().message;
  const std::string connection =
      "InstrumentationKey=00000000-0000-0000-0000-00000000c0de;"
      "IngestionEndpoint=" +
      (*emulator)->ingestionEndpoint();
  std::vector<Sink> sinks = {
      {"file", "{path: " + file_out.string() + "}", [&] { return readFile(file_out); }},
      {"azuremonitor", "{connection_string: \"" + connection + "\"}",
       [&] {
         std::string all;
         for (const auto& e : (*emulator)->endpoint().accepted()) all += e + "\n";
         return all + dumpSqlite(dir.path() / "azure.db");
       }},
      // No queue: a 200 then means the rows are committed, so the store is complete when read.
      {"store", "{path: " + store_db.string() + ", retention: 0, sending_queue: {enabled: false}}",
       [&] { return dumpSqlite(store_db) + dumpFiles(store_db.parent_path()); }},
  };

  std::string exporters_yaml, exporter_ids;
  for (const auto& s : sinks) {
    exporters_yaml += "  " + s.name + ": " + s.exporter + "\n";
    exporter_ids += (exporter_ids.empty() ? "" : ", ") + s.name;
  }
  const std::string pipeline =
      "{receivers: [otlp], processors: [secrets, privacy], exporters: [" + exporter_ids + "]}";
  auto cfg =
      dir.write("corpus.yaml",
                "receivers:\n"
                "  otlp:\n"
                "    protocols:\n"
                "      http:\n"
                "        endpoint: 127.0.0.1:0\n"
                "processors:\n"
                "  secrets:\n"
                "    fingerprint_key: corpus-key\n"
                "  privacy:\n"
                "    pseudonym_key: corpus-key\n"
                "exporters:\n" +
                    exporters_yaml +
                    "service:\n"
                    "  telemetry:\n"
                    "    metrics:\n"
                    "      address: 127.0.0.1:0\n"
                    "  pipelines:\n"
                    "    logs: " +
                    pipeline + "\n    traces: " + pipeline + "\n    metrics: " + pipeline + "\n");
  Process::Options opts;
  opts.args = {"run", "--config", cfg.string(), "--data-dir", data_dir.string(), "--workers", "1"};
  auto p = Process::start(opts);
  ASSERT_TRUE(p.ok()) << p.error().message;
  const std::string base = "http://" + (*p)->address("otlp/http");

  testlib::CurlOptions json;
  json.headers = {"Content-Type: application/json"};
  size_t items = 0;
  constexpr size_t kChunk = 40;
  for (size_t from = 0; from < lines.size(); from += kChunk) {
    auto r = buildRequests(lines, from, std::min(lines.size(), from + kChunk));
    for (auto [path, body] : {std::pair{"/v1/logs", &r.logs}, std::pair{"/v1/traces", &r.traces},
                              std::pair{"/v1/metrics", &r.metrics}}) {
      auto resp = testlib::curlRequest("POST", base + path, *body, json);
      ASSERT_EQ(resp.status, 200) << path << " lines " << from << ": " << resp.error << resp.body;
    }
    items += r.items;
  }

  // The file exporter writes asynchronously: wait until every tagged item is there.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (countOccurrences(readFile(file_out), "\"corpus.id\"") < items &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // The azuremonitor exporter sends from its queue: wait until the emulator stops receiving
  // (envelopes are not one per item: span events and metric points have their own).
  for (size_t seen = 0, quiet = 0; quiet < 20 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    size_t now = (*emulator)->endpoint().accepted().size();
    quiet = (now == seen && now > 0) ? quiet + 1 : 0;
    seen = now;
  }
  auto metrics = testlib::curlRequest("GET", "http://" + (*p)->address("metrics") + "/metrics", "");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ((*p)->terminate(), 0) << (*p)->stderrText();

  std::vector<std::pair<std::string, std::string>> outputs;
  for (const auto& s : sinks) outputs.emplace_back(s.name, s.received());
  outputs.emplace_back("data dir", dumpFiles(data_dir));
  outputs.emplace_back("stdout", (*p)->stdoutText());
  outputs.emplace_back("stderr", (*p)->stderrText());
  outputs.emplace_back("/metrics", metrics.body);

  // The pipeline carried the corpus: every tagged item reached each sink, findings were raised.
  EXPECT_GE(countOccurrences(outputs[0].second, "\"corpus.id\""), items);
  EXPECT_GE(countOccurrences(outputs[2].second, "dev-0970"), 1u);
  EXPECT_GT(countOccurrences(outputs[0].second, "agentgate.secret_finding"), labelled);
  EXPECT_GT(countOccurrences(outputs[1].second, "agentgate.secret_finding"), labelled);
  // The store files the findings in their own table too.
  EXPECT_GT(sqliteCount(store_db, "AgentSecretFindings"), labelled);
  EXPECT_NE(metrics.body.find("agentgate_secrets_findings_total"), std::string::npos);

  size_t leaks = 0;
  for (const auto& l : lines) {
    for (const auto& secret : l.secrets) {
      const std::string escaped = jsonEscape(secret);
      for (const auto& [name, text] : outputs) {
        if (text.find(secret) == std::string::npos && text.find(escaped) == std::string::npos)
          continue;
        ++leaks;
        // The id and the secret's length only: the report must not repeat the secret.
        ADD_FAILURE() << l.id << ": a labelled secret (" << secret.size() << " bytes) reached "
                      << name;
      }
    }
  }
  std::printf("corpus: %zu lines, %zu labelled secrets, %zu items through %zu sinks; %zu leaks\n",
              lines.size(), labelled, items, sinks.size(), leaks);
}

}  // namespace
}  // namespace agentgate
