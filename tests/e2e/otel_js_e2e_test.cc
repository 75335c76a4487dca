// End to end with real clients: the OpenTelemetry JS SDK's OTLP exporters (http/protobuf,
// http/json, grpc; logs, traces, metrics) send through bearer-token auth into agentgate, whose
// file exporter writes OTLP/JSON; every record must come out with the values it went in with.
// Needs node and tests/e2e/node_modules (scripts/bootstrap installs both).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <unistd.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testlib/process.h"

namespace agentgate::testlib {
namespace {

namespace fs = std::filesystem;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr int kCount = 25;
constexpr char kToken[] = "e2e-ingest-token-7f3a";
const char* const kProtocols[] = {"http/protobuf", "http/json", "grpc"};
const char* const kSignals[] = {"logs", "traces", "metrics"};

fs::path e2eDir() { return fs::path(AGENTGATE_SOURCE_DIR) / "tests" / "e2e"; }

std::string slug(std::string s) {
  for (char& c : s) {
    if (c == '/') c = '-';
  }
  return s;
}

// One AnyValue rendered canonically, so expected and actual compare as strings.
std::string canonical(element v) {
  object o;
  if (v.get(o) != simdjson::SUCCESS) return "?";
  for (auto [key, val] : o) {
    if (key == "stringValue") {
      std::string_view sv;
      return val.get(sv) == simdjson::SUCCESS ? "s:" + std::string(sv) : "s:?";
    }
    if (key == "boolValue") {
      bool b = false;
      if (val.get(b) != simdjson::SUCCESS) return "b:?";
      return b ? "b:true" : "b:false";
    }
    if (key == "intValue") {
      // OTLP/JSON writes int64 as a string; accept a number too.
      std::string_view sv;
      if (val.get(sv) == simdjson::SUCCESS) return "i:" + std::string(sv);
      int64_t i = 0;
      if (val.get(i) == simdjson::SUCCESS) return "i:" + std::to_string(i);
      return "i:?";
    }
    if (key == "doubleValue") {
      double d = 0;
      if (val.get(d) != simdjson::SUCCESS) {
        int64_t i = 0;
        if (val.get(i) != simdjson::SUCCESS) return "d:?";
        d = static_cast<double>(i);
      }
      char buf[40];
      std::snprintf(buf, sizeof buf, "d:%.17g", d);
      return buf;
    }
    if (key == "arrayValue") {
      std::string out = "a:[";
      array values;
      object arr_obj;
      if (val.get(arr_obj) == simdjson::SUCCESS &&
          arr_obj["values"].get(values) == simdjson::SUCCESS) {
        bool first = true;
        for (element e : values) {
          out += (first ? "" : ",") + canonical(e);
          first = false;
        }
      }
      return out + "]";
    }
  }
  return "?";
}

std::map<std::string, std::string> attributes(element holder) {
  std::map<std::string, std::string> out;
  array attrs;
  if (holder["attributes"].get(attrs) != simdjson::SUCCESS) return out;
  for (element kv : attrs) {
    std::string_view key;
    if (kv["key"].get(key) != simdjson::SUCCESS) continue;
    element value;
    out[std::string(key)] = kv["value"].get(value) == simdjson::SUCCESS ? canonical(value) : "?";
  }
  return out;
}

std::string dbl(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "d:%.17g", d);
  return buf;
}

// What send.js puts on record `i` (see the header comment of send.js).
std::map<std::string, std::string> expectedAttributes(const std::string& run_id,
                                                      const std::string& signal, int i) {
  return {
      {"e2e.run_id", "s:" + run_id},
      {"e2e.id", "s:" + run_id + "-" + signal + "-" + std::to_string(i)},
      {"e2e.seq", "i:" + std::to_string(i)},
      {"e2e.str", "s:value-" + std::to_string(i)},
      {"e2e.int", "i:" + std::to_string(i * 7)},
      {"e2e.double", dbl(i + 0.25)},
      {"e2e.bool", i % 2 == 0 ? "b:true" : "b:false"},
      {"e2e.array", "a:[s:a" + std::to_string(i) + ",s:b" + std::to_string(i) + "]"},
  };
}

double number(element e) {
  double d = 0;
  if (e.get(d) == simdjson::SUCCESS) return d;
  std::string_view sv;  // uint64/int64 fields are strings in OTLP/JSON
  if (e.get(sv) == simdjson::SUCCESS) return std::strtod(std::string(sv).c_str(), nullptr);
  return std::nan("");
}

// A record as it came out of the file exporter.
struct Seen {
  std::string signal;  // logs, traces, metrics:e2e.requests, metrics:e2e.latency_ms
  std::map<std::string, std::string> attrs;
  std::map<std::string, std::string> resource;
  std::string text;   // log body, span name
  double value = 0;   // severity, span kind, sum value, histogram sum
  double count = 0;   // histogram count, span event count
  std::string extra;  // severity text, first event name
};

Seen makeSeen(std::string signal, std::map<std::string, std::string> attrs,
              std::map<std::string, std::string> resource) {
  Seen s;
  s.signal = std::move(signal);
  s.attrs = std::move(attrs);
  s.resource = std::move(resource);
  return s;
}

std::vector<Seen> collect(const std::string& content, std::string* parse_error) {
  std::vector<Seen> out;
  simdjson::dom::parser parser;
  simdjson::dom::document_stream docs;
  if (parser.parse_many(content.data(), content.size(), 1 << 24).get(docs) != simdjson::SUCCESS) {
    *parse_error = "file exporter output is not a JSON stream";
    return out;
  }
  for (auto doc_result : docs) {
    element doc;
    if (doc_result.get(doc) != simdjson::SUCCESS) {
      *parse_error = "unparsable JSON document in file exporter output";
      return out;
    }
    auto for_each = [](element parent, const char* key, auto&& fn) {
      array items;
      if (parent[key].get(items) != simdjson::SUCCESS) return;
      for (element e : items) fn(e);
    };
    for_each(doc, "resourceLogs", [&](element rl) {
      element resource;
      std::map<std::string, std::string> res;
      if (rl["resource"].get(resource) == simdjson::SUCCESS) res = attributes(resource);
      for_each(rl, "scopeLogs", [&](element sl) {
        for_each(sl, "logRecords", [&](element lr) {
          Seen s = makeSeen("logs", attributes(lr), res);
          element body;
          if (lr["body"].get(body) == simdjson::SUCCESS) s.text = canonical(body);
          element sev;
          if (lr["severityNumber"].get(sev) == simdjson::SUCCESS) s.value = number(sev);
          std::string_view st;
          if (lr["severityText"].get(st) == simdjson::SUCCESS) s.extra = st;
          out.push_back(std::move(s));
        });
      });
    });
    for_each(doc, "resourceSpans", [&](element rs) {
      element resource;
      std::map<std::string, std::string> res;
      if (rs["resource"].get(resource) == simdjson::SUCCESS) res = attributes(resource);
      for_each(rs, "scopeSpans", [&](element ss) {
        for_each(ss, "spans", [&](element sp) {
          Seen s = makeSeen("traces", attributes(sp), res);
          std::string_view name;
          if (sp["name"].get(name) == simdjson::SUCCESS) s.text = name;
          element kind;
          if (sp["kind"].get(kind) == simdjson::SUCCESS) s.value = number(kind);
          array events;
          if (sp["events"].get(events) == simdjson::SUCCESS) {
            for (element ev : events) {
              s.count += 1;
              std::string_view ev_name;
              if (s.extra.empty() && ev["name"].get(ev_name) == simdjson::SUCCESS) {
                s.extra = ev_name;
              }
            }
          }
          out.push_back(std::move(s));
        });
      });
    });
    for_each(doc, "resourceMetrics", [&](element rm) {
      element resource;
      std::map<std::string, std::string> res;
      if (rm["resource"].get(resource) == simdjson::SUCCESS) res = attributes(resource);
      for_each(rm, "scopeMetrics", [&](element sm) {
        for_each(sm, "metrics", [&](element m) {
          std::string_view name;
          if (m["name"].get(name) != simdjson::SUCCESS) return;
          element sum;
          if (m["sum"].get(sum) == simdjson::SUCCESS) {
            for_each(sum, "dataPoints", [&](element dp) {
              Seen s = makeSeen("metrics:" + std::string(name), attributes(dp), res);
              element v;
              if (dp["asDouble"].get(v) == simdjson::SUCCESS ||
                  dp["asInt"].get(v) == simdjson::SUCCESS) {
                s.value = number(v);
              }
              out.push_back(std::move(s));
            });
          }
          element hist;
          if (m["histogram"].get(hist) == simdjson::SUCCESS) {
            for_each(hist, "dataPoints", [&](element dp) {
              Seen s = makeSeen("metrics:" + std::string(name), attributes(dp), res);
              element v;
              if (dp["sum"].get(v) == simdjson::SUCCESS) s.value = number(v);
              if (dp["count"].get(v) == simdjson::SUCCESS) s.count = number(v);
              out.push_back(std::move(s));
            });
          }
        });
      });
    });
  }
  return out;
}

class OtelJsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(agentgateBinary().empty()) << "AGENTGATE_BINARY not set; run through ctest";
    ASSERT_TRUE(fs::exists(e2eDir() / "node_modules" / "@opentelemetry" / "sdk-logs"))
        << "npm packages missing: run scripts/bootstrap (npm ci in tests/e2e)";
    auto node = runCommand({"node", "--version"}, {}, std::chrono::seconds(20), "/usr/bin/env");
    ASSERT_EQ(node.exit_code, 0) << "node not found: run scripts/bootstrap";
  }

  // Runs send.js; returns its exit code, appending its output to *log.
  int send(const std::string& protocol, const std::string& endpoint, const std::string& signal,
           int count, const std::string& run_id, const std::string& token, std::string* log) {
    auto r =
        runCommand({"node", (e2eDir() / "send.js").string(), "--protocol", protocol, "--endpoint",
                    endpoint, "--signal", signal, "--count", std::to_string(count), "--run-id",
                    run_id, "--header", "Authorization=Bearer " + token},
                   {}, std::chrono::seconds(120), "/usr/bin/env");
    *log += r.out + r.err;
    return r.timed_out ? -1 : r.exit_code;
  }
};

TEST_F(OtelJsE2eTest, EveryProtocolAndSignalArrivesIntact) {
  TempDir dir;
  const fs::path out = dir.path() / "out" / "telemetry.jsonl";
  std::string yaml =
      "extensions:\n"
      "  bearertokenauth:\n"
      "    token: ${env:AGENTGATE_E2E_TOKEN}\n"
      "receivers:\n"
      "  otlp:\n"
      "    protocols:\n"
      "      grpc:\n"
      "        endpoint: 127.0.0.1:0\n"
      "        auth:\n"
      "          authenticator: bearertokenauth\n"
      "      http:\n"
      "        endpoint: 127.0.0.1:0\n"
      "        auth:\n"
      "          authenticator: bearertokenauth\n"
      "exporters:\n"
      "  file:\n"
      "    path: " +
      out.string() +
      "\n"
      "    format: json\n"
      "service:\n"
      "  extensions: [bearertokenauth]\n"
      "  telemetry:\n"
      "    metrics:\n"
      "      address: 127.0.0.1:0\n"
      "  pipelines:\n"
      "    logs:\n"
      "      receivers: [otlp]\n"
      "      exporters: [file]\n"
      "    traces:\n"
      "      receivers: [otlp]\n"
      "      exporters: [file]\n"
      "    metrics:\n"
      "      receivers: [otlp]\n"
      "      exporters: [file]\n";
  auto cfg = dir.write("e2e.yaml", yaml);
  Process::Options opts;
  opts.args = {"run",       "--config", cfg.string(), "--data-dir", (dir.path() / "data").string(),
               "--workers", "2"};
  opts.env = {std::string("AGENTGATE_E2E_TOKEN=") + kToken};
  auto started = Process::start(opts);
  ASSERT_TRUE(started.ok()) << started.error().message;
  Process& agentgate = **started;
  const std::string http = "http://" + agentgate.address("otlp/http");
  const std::string grpc = "http://" + agentgate.address("otlp/grpc");
  ASSERT_NE(agentgate.address("otlp/http"), "");
  ASSERT_NE(agentgate.address("otlp/grpc"), "");

  const std::string run_base = "e2e" + std::to_string(::getpid());
  std::string log;
  for (const char* protocol : kProtocols) {
    for (const char* signal : kSignals) {
      SCOPED_TRACE(std::string(protocol) + " " + signal);
      const std::string endpoint = std::string(protocol) == "grpc" ? grpc : http;
      EXPECT_EQ(
          send(protocol, endpoint, signal, kCount, run_base + "-" + slug(protocol), kToken, &log),
          0)
          << log;
    }
  }
  // A wrong token is refused on both transports and nothing it sent may be stored.
  for (const char* protocol : {"http/json", "grpc"}) {
    SCOPED_TRACE(std::string("wrong token over ") + protocol);
    const std::string endpoint = std::string(protocol) == "grpc" ? grpc : http;
    std::string ignored;
    EXPECT_NE(send(protocol, endpoint, "logs", 1, run_base + "-denied", "wrong-token", &ignored), 0)
        << "export with a wrong token was accepted";
  }

  // Expected: 3 protocols x (25 logs + 25 spans + 25 counter points + 25 histogram points).
  const size_t expected_total = std::size(kProtocols) * kCount * 4;
  std::vector<Seen> seen;
  std::string parse_error;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    parse_error.clear();
    seen = collect(readFile(out), &parse_error);
    if (seen.size() >= expected_total || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto code = agentgate.terminate();
  EXPECT_EQ(code, 0) << agentgate.stderrText();
  ASSERT_EQ(parse_error, "");

  // Index what arrived by (signal, e2e.id).
  std::map<std::pair<std::string, std::string>, std::vector<const Seen*>> by_id;
  for (const auto& s : seen) {
    auto it = s.attrs.find("e2e.id");
    if (it != s.attrs.end()) by_id[{s.signal, it->second}].push_back(&s);
  }
  for (const auto& [key, list] : by_id) {
    EXPECT_EQ(key.second.find("denied"), std::string::npos) << "denied record was stored";
  }

  for (const char* protocol : kProtocols) {
    const std::string run_id = run_base + "-" + slug(protocol);
    for (int i = 0; i < kCount; ++i) {
      for (const char* signal : kSignals) {
        auto want = expectedAttributes(run_id, signal, i);
        std::vector<std::string> kinds;
        if (std::string(signal) == "metrics") {
          kinds = {"metrics:e2e.requests", "metrics:e2e.latency_ms"};
        } else {
          kinds = {signal};
        }
        for (const auto& kind : kinds) {
          SCOPED_TRACE(std::string(protocol) + " " + kind + " #" + std::to_string(i));
          auto it = by_id.find({kind, want["e2e.id"]});
          ASSERT_TRUE(it != by_id.end()) << "record missing from the file exporter output ("
                                         << seen.size() << " records seen)";
          ASSERT_EQ(it->second.size(), 1u) << "record stored more than once";
          const Seen& s = *it->second.front();
          EXPECT_EQ(s.attrs, want);
          EXPECT_EQ(s.resource.count("service.name") ? s.resource.at("service.name") : "",
                    "s:agentgate-e2e");
          EXPECT_EQ(s.resource.count("e2e.protocol") ? s.resource.at("e2e.protocol") : "",
                    "s:" + std::string(protocol));
          if (kind == "logs") {
            EXPECT_EQ(s.text, "s:log body " + want["e2e.id"].substr(2));
            EXPECT_EQ(s.value, 13);
            EXPECT_EQ(s.extra, "WARN");
          } else if (kind == "traces") {
            EXPECT_EQ(s.text, "e2e-span-" + std::to_string(i));
            EXPECT_EQ(s.value, 3) << "span kind CLIENT";
            EXPECT_EQ(s.count, 1) << "span events";
            EXPECT_EQ(s.extra, "e2e.event");
          } else if (kind == "metrics:e2e.requests") {
            EXPECT_DOUBLE_EQ(s.value, i + 1);
          } else {
            EXPECT_DOUBLE_EQ(s.value, i + 0.5) << "histogram sum";
            EXPECT_EQ(s.count, 1) << "histogram count";
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace agentgate::testlib
