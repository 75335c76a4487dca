// The content-gated agent captures (b-*, c-*content*, d-grpc-content*) through
// otlp (HTTP and gRPC) -> secrets -> privacy (default policy) -> file with the real binary: the
// fake AWS key and GitHub token in them must be gone from the output and from agentgate's own logs,
// while findings name the event, the attribute and the session.
#include <simdjson.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "testlib/curl_client.h"
#include "testlib/grpc_test_client.h"
#include "testlib/process.h"

namespace agentgate {
namespace {

namespace fs = std::filesystem;
using testlib::Process;
using testlib::readFile;
using testlib::TempDir;

constexpr std::string_view kAwsKey = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kGithubToken = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";

struct Request {
  fs::path body;
  std::string path;  // /v1/logs ... (HTTP) or the gRPC method name
  bool grpc = false;
  std::vector<std::string> headers;
  size_t items = 0;  // log records + spans in the request
};

// Calls fn on each element of the array at obj[key]; nothing when absent or not an array.
template <typename Fn>
void each(simdjson::dom::element obj, std::string_view key, Fn&& fn) {
  simdjson::dom::array arr;
  if (obj[key].get(arr) != simdjson::SUCCESS) return;
  for (auto e : arr) fn(e);
}

// Items in a decoded capture: log records and spans (metrics carry no content).
size_t countItems(const fs::path& decoded) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.load(decoded.string()).get(root) != simdjson::SUCCESS) return 0;
  size_t n = 0;
  auto count = [&](simdjson::dom::element) { ++n; };
  each(root, "resourceLogs",
       [&](auto rl) { each(rl, "scopeLogs", [&](auto sl) { each(sl, "logRecords", count); }); });
  each(root, "resourceSpans",
       [&](auto rs) { each(rs, "scopeSpans", [&](auto ss) { each(ss, "spans", count); }); });
  return n;
}

std::vector<Request> contentCaptures() {
  std::vector<Request> out;
  fs::path agents = fs::path(AGENTGATE_SHARED_DIR) / "fixtures/agents";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(agents, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& meta = it->path();
    std::string name = meta.filename().string();
    if (!name.ends_with(".meta.json")) continue;
    std::string dir = meta.parent_path().filename().string();
    bool content = dir.starts_with("b-") || ((dir.starts_with("c-") || dir.starts_with("d-grpc")) &&
                                             dir.find("content") != std::string::npos);
    if (!content) continue;
    simdjson::dom::parser parser;
    simdjson::dom::element m;
    if (parser.load(meta.string()).get(m) != simdjson::SUCCESS) continue;
    std::string_view body_file, path, method;
    if (m["body_file"].get(body_file) != simdjson::SUCCESS) continue;
    if (m["method"].get(method) != simdjson::SUCCESS) continue;
    if (m["path"].get(path) != simdjson::SUCCESS) path = {};  // gRPC captures have none
    Request r;
    if (method.starts_with("/opentelemetry.proto.collector.")) {
      r.grpc = true;
      path = method;
    } else if (method != "POST" || !path.starts_with("/v1/")) {
      continue;
    }
    r.body = meta.parent_path() / std::string(body_file);
    r.path = std::string(path);
    simdjson::dom::object headers;
    if (m["headers"].get(headers) == simdjson::SUCCESS) {
      for (auto [k, v] : headers) {
        if (k != "content-type" && k != "content-encoding") continue;
        std::string_view val;
        if (v.get(val) == simdjson::SUCCESS)
          r.headers.push_back(std::string(k) + ": " + std::string(val));
      }
    }
    std::string decoded =
        name.substr(0, name.size() - std::string_view(".meta.json").size()) + ".decoded.json";
    r.items = countItems(meta.parent_path() / decoded);
    out.push_back(std::move(r));
  }
  return out;
}

struct Finding {
  std::map<std::string, std::string> attrs;
};

struct Output {
  size_t items = 0;  // records and spans that are not findings
  std::vector<Finding> findings;
};

void readAttrs(simdjson::dom::element obj, std::map<std::string, std::string>& out) {
  simdjson::dom::array attrs;
  if (obj["attributes"].get(attrs) != simdjson::SUCCESS) return;
  for (auto kv : attrs) {
    std::string_view k, v;
    if (kv["key"].get(k) != simdjson::SUCCESS) continue;
    if (kv["value"]["stringValue"].get(v) == simdjson::SUCCESS) out[std::string(k)] = v;
  }
}

Output parseOutput(const std::string& text) {
  Output o;
  simdjson::dom::parser parser;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) break;  // a partial last line is still being written
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    simdjson::dom::element root;
    if (parser.parse(line).get(root) != simdjson::SUCCESS) continue;
    each(root, "resourceLogs", [&](auto rl) {
      each(rl, "scopeLogs", [&](simdjson::dom::element sl) {
        std::string_view scope;
        bool findings =
            sl["scope"]["name"].get(scope) == simdjson::SUCCESS && scope == "agentgate.secrets";
        each(sl, "logRecords", [&](simdjson::dom::element rec) {
          if (!findings) {
            ++o.items;
            return;
          }
          Finding f;
          readAttrs(rec, f.attrs);
          o.findings.push_back(std::move(f));
        });
      });
    });
    each(root, "resourceSpans", [&](auto rs) {
      each(rs, "scopeSpans", [&](auto ss) {
        each(ss, "spans", [&](simdjson::dom::element span) {
          ++o.items;
          each(span, "events", [&](simdjson::dom::element ev) {
            std::string_view name;
            if (ev["name"].get(name) != simdjson::SUCCESS || name != "agentgate.secret_finding")
              return;
            Finding f;
            readAttrs(ev, f.attrs);
            o.findings.push_back(std::move(f));
          });
        });
      });
    });
  }
  return o;
}

TEST(SecretsEndToEnd, ContentCapturesLoseTheirSecretsAndRaiseFindings) {
#ifdef AGENTGATE_BINARY_PATH
  setenv("AGENTGATE_BINARY", AGENTGATE_BINARY_PATH, 0);
#endif
  if (testlib::agentgateBinary().empty()) GTEST_SKIP() << "AGENTGATE_BINARY is not set";
  auto requests = contentCaptures();
  if (requests.empty()) FAIL() << "no content captures under " << AGENTGATE_SHARED_DIR;

  TempDir dir;
  fs::path out = dir.path() / "out.jsonl";
  auto cfg = dir.write(
      "secrets.yaml",
      "receivers:\n"
      "  otlp:\n"
      "    protocols:\n"
      "      http:\n"
      "        endpoint: 127.0.0.1:0\n"
      "      grpc:\n"
      "        endpoint: 127.0.0.1:0\n"
      "processors:\n"
      "  secrets:\n"
      "    fingerprint_key: e2e-key\n"
      "  privacy:\n"
      "    pseudonym_key: e2e-key\n"
      "exporters:\n"
      "  file:\n"
      "    path: " +
          out.string() +
          "\n"
          "service:\n"
          "  telemetry:\n"
          "    metrics:\n"
          "      address: 127.0.0.1:0\n"
          "  pipelines:\n"
          "    logs: {receivers: [otlp], processors: [secrets, privacy], exporters: [file]}\n"
          "    traces: {receivers: [otlp], processors: [secrets, privacy], exporters: [file]}\n"
          "    metrics: {receivers: [otlp], processors: [secrets, privacy], exporters: "
          "[file]}\n");
  Process::Options opts;
  opts.args = {"run",       "--config", cfg.string(), "--data-dir", (dir.path() / "data").string(),
               "--workers", "1"};
  auto p = Process::start(opts);
  ASSERT_TRUE(p.ok()) << p.error().message;
  std::string base = "http://" + (*p)->address("otlp/http");

  auto channel = testlib::grpcInsecureChannel((*p)->address("otlp/grpc"));
  size_t expected_items = 0;
  bool sent_secret = false, sent_grpc = false;
  for (const auto& r : requests) {
    std::string body = readFile(r.body);
    ASSERT_FALSE(body.empty()) << r.body;
    sent_secret = sent_secret || body.find(kAwsKey) != std::string::npos;
    if (r.grpc) {
      auto res = testlib::grpcUnary(channel, r.path, body);
      ASSERT_EQ(res.code, grpc::StatusCode::OK) << r.body << ": " << res.message;
      expected_items += r.items;
      sent_grpc = true;
      continue;
    }
    testlib::CurlOptions co;
    co.headers = r.headers;
    auto resp = testlib::curlRequest("POST", base + r.path, body, co);
    ASSERT_EQ(resp.status, 200) << r.body << ": " << resp.error << resp.body;
    expected_items += r.items;
  }
  ASSERT_TRUE(sent_secret) << "the captures no longer contain the fake AWS key";
  EXPECT_TRUE(sent_grpc) << "no d-grpc-content capture found";

  Output o;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    o = parseOutput(readFile(out));
    if (o.items >= expected_items || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Self-metrics must not carry the secret either.
  auto metrics = testlib::curlRequest("GET", "http://" + (*p)->address("metrics") + "/metrics", "");
  EXPECT_EQ((*p)->terminate(), 0) << (*p)->stderrText();
  EXPECT_GT(expected_items, 0u);
  EXPECT_GE(o.items, expected_items);
  std::printf("sent %zu requests, %zu records/spans; %zu findings\n", requests.size(),
              expected_items, o.findings.size());

  std::string all = readFile(out);
  for (std::string_view secret : {kAwsKey, kGithubToken}) {
    EXPECT_EQ(all.find(secret), std::string::npos) << secret << " reached the file exporter";
    EXPECT_EQ((*p)->stderrText().find(secret), std::string::npos);
    EXPECT_EQ((*p)->stdoutText().find(secret), std::string::npos);
    EXPECT_EQ(metrics.body.find(secret), std::string::npos);
  }
  EXPECT_NE(metrics.body.find("agentgate_secrets_findings_total"), std::string::npos);

  // Findings: the Claude Code user prompt holding the AWS key, with event, attribute and session.
  bool prompt_finding = false;
  std::set<std::string> types;
  for (const auto& f : o.findings) {
    auto get = [&](const char* k) {
      auto it = f.attrs.find(k);
      return it == f.attrs.end() ? std::string() : it->second;
    };
    types.insert(get("secret.type"));
    EXPECT_EQ(get("secret.fingerprint").size(), 8u);
    if (get("secret.type") == "aws-access-key-id" &&
        get("secret.location") == "attributes.prompt" && get("event.name") == "user_prompt" &&
        !get("session.id").empty() && get("service.name") == "claude-code")
      prompt_finding = true;
  }
  EXPECT_TRUE(prompt_finding) << o.findings.size() << " findings";
  EXPECT_TRUE(types.count("aws-access-key-id"));
  EXPECT_TRUE(types.count("github-pat-classic"));
}

}  // namespace
}  // namespace agentgate
