// End to end with the real Claude Code CLI (npm @anthropic-ai/claude-code, pinned in
// package.json): agentgate runs with its DEFAULT config (listeners moved to 127.0.0.1:0 through
// the environment), and Claude Code runs once in print mode, offline, against the agent rig's
// mock Anthropic API (scenario `tool`: Bash, Read, Write round trips) with its telemetry pointed
// at agentgate over OTLP/HTTP (protobuf) or OTLP/gRPC. What it exported is then read back through
// the query API and `agentgate query`: the events of the session, the token counts the mock
// answered with, the token usage metric, and a deny-all proxy that saw no attempt to leave
// loopback. The expected values come from what the mock logged, never from the telemetry itself.
// Needs node and tests/e2e/node_modules (scripts/bootstrap installs both).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testlib/curl_client.h"
#include "testlib/process.h"

namespace agentgate::testlib {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A dummy credential: Claude Code refuses to start without one, and it must not surface in
// agentgate's output.
constexpr char kApiKey[] = "sk-ant-api03-dummy-key-for-local-mock-0000000000000000";
constexpr char kPrompt[] = "Run echo hello, then read notes.txt, then write out.txt.";
const std::vector<std::string> kEventNames = {"user_prompt", "api_request", "tool_decision",
                                              "tool_result"};

fs::path e2eDir() { return fs::path(AGENTGATE_SOURCE_DIR) / "tests" / "e2e"; }
fs::path rigDir() { return fs::path(AGENTGATE_SHARED_DIR) / "tools" / "agent-rig"; }

// The platform package holds the native CLI; the wrapper's bin/claude.exe is only swapped for it
// by a postinstall script that `npm ci` may not run.
std::string claudeBinary() {
  for (const char* pkg : {"claude-code-linux-x64", "claude-code-linux-arm64"}) {
    fs::path p = e2eDir() / "node_modules" / "@anthropic-ai" / pkg / "claude";
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return {};
}

// The rig's scripts cannot report the port they bound, so the test picks one the kernel just
// handed out; a clash with another process in the short gap fails the wait below, not silently.
int freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string jsonQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A query answer's PrimaryResult with every cell rendered as text (null as empty).
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::string error;

  size_t col(const std::string& name) const {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) return i;
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
};

std::string cellText(simdjson::dom::element cell) {
  switch (cell.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(std::string_view(cell));
    case simdjson::dom::element_type::INT64:
      return std::to_string(int64_t(cell));
    case simdjson::dom::element_type::UINT64:
      return std::to_string(uint64_t(cell));
    case simdjson::dom::element_type::DOUBLE: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", double(cell));
      return buf;
    }
    case simdjson::dom::element_type::BOOL:
      return bool(cell) ? "true" : "false";
    case simdjson::dom::element_type::NULL_VALUE:
      return "";
    default:
      return simdjson::minify(cell);
  }
}

Table parseTable(const CurlResponse& r) {
  Table t;
  if (r.status != 200) {
    t.error = "HTTP " + std::to_string(r.status) + " " + r.error + ": " + r.body;
    return t;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array tables;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS ||
      doc["tables"].get(tables) != simdjson::SUCCESS || tables.size() == 0) {
    t.error = "not a query answer: " + r.body;
    return t;
  }
  simdjson::dom::element first = tables.at(0);
  for (auto c : first["columns"].get_array()) t.columns.emplace_back(std::string_view(c["name"]));
  for (auto row : first["rows"].get_array()) {
    std::vector<std::string> cells;
    for (auto cell : row.get_array()) cells.push_back(cellText(cell));
    t.rows.push_back(std::move(cells));
  }
  return t;
}

// What the mock answered each /v1/messages call with. The mock estimates usage as
// max(1, round(JSON.stringify(x).length / 4)) over the request's messages plus system (input)
// and over its reply's content (output); it logs requests, not replies, so a reply is recovered
// from where it reappears verbatim: the last assistant turn of the next request, and for the
// final reply the text Claude Code printed. One line per call: model input output tool|-.
constexpr char kMockUsageJs[] = R"js(
const fs = require('fs');
const path = require('path');
const [logdir, stdoutFile] = process.argv.slice(1);
const est = (x) => Math.max(1, Math.round(JSON.stringify(x || '').length / 4));
const calls = fs.readFileSync(path.join(logdir, 'requests.jsonl'), 'utf8').split('\n')
  .filter((l) => l.trim()).map((l) => JSON.parse(l))
  .filter((e) => e.method === 'POST' && e.path === '/v1/messages' && e.status === 200 && e.summary)
  .sort((a, b) => a.seq - b.seq);
const bodies = calls.map((e) => JSON.parse(fs.readFileSync(
  path.join(logdir, 'bodies', String(e.seq).padStart(4, '0') + '_v1_messages.json'), 'utf8')));
calls.forEach((e, i) => {
  let reply;
  if (i + 1 < bodies.length) {
    const turns = bodies[i + 1].messages.filter((m) => m.role === 'assistant');
    reply = turns[turns.length - 1].content;
  } else {
    reply = [{ type: 'text', text: fs.readFileSync(stdoutFile, 'utf8').replace(/\n$/, '') }];
  }
  const tool = ((e.result && e.result.blocks) || []).find((b) => b.startsWith('tool_use:'));
  console.log([e.summary.model, est(bodies[i].messages) + est(bodies[i].system),
               est(reply), tool ? tool.slice('tool_use:'.length) : '-'].join(' '));
});
)js";

struct MockCall {
  std::string model;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  std::string tool;  // empty: the reply asked for no tool
};

class ClaudeCodeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(agentgateBinary().empty()) << "AGENTGATE_BINARY not set; run through ctest";
    auto node = runCommand({"node", "--version"}, {}, std::chrono::seconds(20), "/usr/bin/env");
    ASSERT_EQ(node.exit_code, 0) << "node not found: run scripts/bootstrap";
    claude_ = claudeBinary();
    ASSERT_FALSE(claude_.empty())
        << "Claude Code missing from tests/e2e/node_modules: run scripts/bootstrap (npm ci in "
           "tests/e2e)";

    Process::Options o;
    o.args = {"run", "--data-dir", (dir_.path() / "data").string(), "--workers", "2"};
    o.env = {"AGENTGATE_OTLP_HTTP_ENDPOINT=127.0.0.1:0", "AGENTGATE_OTLP_GRPC_ENDPOINT=127.0.0.1:0",
             "AGENTGATE_HEALTH_CHECK_ENDPOINT=127.0.0.1:0", "AGENTGATE_METRICS_ADDRESS=127.0.0.1:0",
             "AGENTGATE_WEB_ADDRESS=127.0.0.1:0"};
    auto started = Process::start(o);
    ASSERT_TRUE(started.ok()) << started.error().message;
    agentgate_ = std::move(*started);
    ASSERT_NE(agentgate_->address("otlp/http"), "");
    ASSERT_NE(agentgate_->address("otlp/grpc"), "");
    ASSERT_NE(agentgate_->address("web"), "");

    work_ = dir_.path() / "work";
    fs::create_directories(work_);
    fs::create_directories(dir_.path() / "home");
    dir_.write("work/notes.txt", "some notes for the Read tool\n");

    mock_port_ = freeLoopbackPort();
    mock_ = startRig("mock-anthropic.js", mock_port_,
                     {"--logdir", mockLog().string(), "--scenario", "tool"},
                     {"MOCK_TOOL_CWD=" + work_.string()});
    ASSERT_TRUE(mock_) << "mock-anthropic.js did not start";
    proxy_port_ = freeLoopbackPort();
    proxy_ = startRig("deny-proxy.js", proxy_port_, {"--log", proxyLog().string()}, {});
    ASSERT_TRUE(proxy_) << "deny-proxy.js did not start";
  }

  // Stops every child on every path, the test's own failures included: agentgate cleanly (its
  // exit code is checked), the node helpers by signal.
  void TearDown() override {
    for (auto* p : {&mock_, &proxy_}) {
      if (*p) (*p)->terminate(std::chrono::seconds(5));
      if (*p) (*p)->kill();
    }
    if (agentgate_) {
      auto code = agentgate_->terminate();
      EXPECT_EQ(code, 0) << agentgate_->stderrText();
      for (const std::string& out : {agentgate_->stderrText(), agentgate_->stdoutText()}) {
        EXPECT_EQ(out.find(kApiKey), std::string::npos) << "the API key reached agentgate's logs";
      }
    }
  }

  fs::path mockLog() const { return dir_.path() / "mock"; }
  fs::path proxyLog() const { return dir_.path() / "deny-proxy.jsonl"; }
  std::string webUrl() const { return "http://" + agentgate_->address("web"); }

  // Starts a node script of the agent rig on `port` and waits until it accepts connections.
  std::unique_ptr<Process> startRig(const std::string& script, int port,
                                    std::vector<std::string> args, std::vector<std::string> env) {
    if (port <= 0) return nullptr;
    Process::Options o;
    o.binary = "/usr/bin/env";
    o.args = {"node", (rigDir() / script).string(), "--port", std::to_string(port)};
    o.args.insert(o.args.end(), args.begin(), args.end());
    o.env = std::move(env);
    o.wait_ready = false;
    auto started = Process::start(o);
    if (!started.ok()) {
      ADD_FAILURE() << script << ": " << started.error().message;
      return nullptr;
    }
    std::unique_ptr<Process> p = std::move(*started);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (!accepts(port)) {
      if (!p->running() || Clock::now() > deadline) {
        ADD_FAILURE() << script << " is not listening on 127.0.0.1:" << port << ": "
                      << p->stdoutText() << p->stderrText();
        return nullptr;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return p;
  }

  // One print-mode run with run-claude.sh's environment: nothing inherited, a private HOME,
  // the mock as the API, every proxy variable at the deny proxy, telemetry on with short
  // export intervals.
  CommandResult runClaude(const std::string& protocol, const std::string& endpoint) {
    const std::string proxy = "http://127.0.0.1:" + std::to_string(proxy_port_);
    std::vector<std::string> args = {
        "-i",
        "--chdir=" + work_.string(),
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=" + (dir_.path() / "home").string(),
        "TERM=dumb",
        "LANG=C.UTF-8",
        "SHELL=/bin/bash",
        "USER=agentgate-e2e",
        "ANTHROPIC_BASE_URL=http://127.0.0.1:" + std::to_string(mock_port_),
        std::string("ANTHROPIC_API_KEY=") + kApiKey,
        "HTTP_PROXY=" + proxy,
        "HTTPS_PROXY=" + proxy,
        "http_proxy=" + proxy,
        "https_proxy=" + proxy,
        "NO_PROXY=127.0.0.1,localhost",
        "no_proxy=127.0.0.1,localhost",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
        "DISABLE_AUTOUPDATER=1",
        "DISABLE_ERROR_REPORTING=1",
        "DISABLE_BUG_COMMAND=1",
        "DISABLE_INSTALLATION_CHECKS=1",
        "CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY=1",
        "CLAUDE_CODE_ENABLE_TELEMETRY=1",
        "CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1",
        "OTEL_LOGS_EXPORTER=otlp",
        "OTEL_METRICS_EXPORTER=otlp",
        "OTEL_TRACES_EXPORTER=otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL=" + protocol,
        "OTEL_EXPORTER_OTLP_ENDPOINT=" + endpoint,
        "OTEL_METRIC_EXPORT_INTERVAL=1000",
        "OTEL_LOGS_EXPORT_INTERVAL=500",
        claude_,
        "-p",
        kPrompt,
        "--allowedTools",
        "Bash(echo hello)",
        "Read",
        "Write",
    };
    return runCommand(args, {}, std::chrono::seconds(90), "/usr/bin/env");
  }

  std::vector<MockCall> mockCalls(const std::string& claude_stdout) {
    std::string printed = dir_.write("claude.stdout", claude_stdout).string();
    auto r = runCommand({"node", "-e", kMockUsageJs, mockLog().string(), printed}, {},
                        std::chrono::seconds(30), "/usr/bin/env");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<MockCall> calls;
    std::istringstream lines(r.out);
    MockCall c;
    while (lines >> c.model >> c.input_tokens >> c.output_tokens >> c.tool) {
      if (c.tool == "-") c.tool.clear();
      calls.push_back(c);
    }
    return calls;
  }

  Table query(const std::string& kql) {
    CurlOptions o;
    o.headers.push_back("Content-Type: application/json");
    o.timeout_seconds = 20;
    return parseTable(curlRequest("POST", webUrl() + "/v1/workspaces/local/query",
                                  "{\"query\":" + jsonQuote(kql) + "}", o));
  }

  // Export is asynchronous (batching in Claude Code, the store exporter's queue in agentgate),
  // so wait, bounded, until the store holds api_request events and token usage and no count has
  // grown for one poll interval.
  void waitForSession() {
    const std::string kql =
        "AppTraces | summarize Events = count(), "
        "Api = countif(Properties['event.name'] == 'api_request') "
        "| extend Tokens = toscalar(AppMetrics | where Name == 'claude_code.token.usage' "
        "| summarize tolong(sum(Sum))), Spans = toscalar(OTelSpans | count)";
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    std::string last;
    std::string previous;
    while (Clock::now() < deadline) {
      Table t = query(kql);
      ASSERT_EQ(t.error, "");
      ASSERT_EQ(t.rows.size(), 1u);
      last = t.rows[0][0] + " events, " + t.rows[0][1] + " api_request, " + t.rows[0][2] +
             " tokens in the metric, " + t.rows[0][3] + " spans";
      bool complete =
          std::stoll(t.rows[0][1]) > 0 && !t.rows[0][2].empty() && std::stoll(t.rows[0][2]) > 0;
      if (complete && last == previous) return;
      previous = last;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    FAIL() << "Claude Code's telemetry did not arrive in the store within 30 s: " << last;
  }

  std::string sessionEventsKql() const {
    return "AppTraces | extend Event = tostring(Properties['event.name']) "
           "| where Event in ('user_prompt', 'api_request', 'tool_decision', 'tool_result') "
           "| project Message, Event, Session = tostring(Properties['session.id']), "
           "Seq = tolong(Properties['event.sequence']), Model = tostring(Properties.model), "
           "In = tolong(Properties.input_tokens), Out = tolong(Properties.output_tokens), "
           "Tool = tostring(Properties.tool_name), Decision = tostring(Properties.decision), "
           "Success = tostring(Properties.success) "
           "| order by Seq asc";
  }

  // Runs Claude Code once over `protocol`; on return the store holds the session and the mock's
  // calls are known (read last, so its request log is complete).
  void runOnce(const std::string& protocol, const std::string& endpoint) {
    auto claude = runClaude(protocol, endpoint);
    ASSERT_FALSE(claude.timed_out) << "claude -p did not finish in 90 s: " << claude.err;
    ASSERT_EQ(claude.exit_code, 0) << claude.out << claude.err;
    EXPECT_NE(claude.out.find("All done"), std::string::npos) << claude.out;
    ASSERT_NO_FATAL_FAILURE(waitForSession());
    calls_ = mockCalls(claude.out);
    // The tool scenario is three tool round trips and a final answer.
    ASSERT_EQ(calls_.size(), 4u) << "calls the mock answered (see " << mockLog() << ")";
    events_ = query(sessionEventsKql());
    ASSERT_EQ(events_.error, "");
    std::set<std::string> sessions;
    for (const auto& row : events_.rows) sessions.insert(row[events_.col("Session")]);
    ASSERT_EQ(sessions.size(), 1u) << "events of one run carry one session.id";
    session_ = *sessions.begin();
    ASSERT_FALSE(session_.empty()) << "events without session.id";
  }

  std::vector<const std::vector<std::string>*> eventRows(const std::string& event) const {
    std::vector<const std::vector<std::string>*> out;
    for (const auto& row : events_.rows) {
      if (row[events_.col("Event")] == event) out.push_back(&row);
    }
    return out;
  }

  // No connection attempt left loopback: everything else went to the deny proxy, which logs it.
  void expectNothingLeftLoopback() {
    ASSERT_TRUE(fs::exists(proxyLog())) << "the deny proxy never ran";
    EXPECT_EQ(readFile(proxyLog()), "") << "Claude Code tried to reach a host outside loopback";
  }

  TempDir dir_;  // first member: outlives the processes whose files it holds
  std::string claude_;
  fs::path work_;
  int mock_port_ = -1;
  int proxy_port_ = -1;
  std::unique_ptr<Process> agentgate_;
  std::unique_ptr<Process> mock_;
  std::unique_ptr<Process> proxy_;
  std::vector<MockCall> calls_;
  Table events_;
  std::string session_;
};

TEST_F(ClaudeCodeE2eTest, HttpProtobufSessionIsQueryable) {
  ASSERT_NO_FATAL_FAILURE(runOnce("http/protobuf", "http://" + agentgate_->address("otlp/http")));

  for (const auto& name : kEventNames) {
    auto rows = eventRows(name);
    EXPECT_FALSE(rows.empty()) << name << " missing";
    for (const auto* row : rows) {
      EXPECT_EQ((*row)[events_.col("Message")], "claude_code." + name);
    }
  }
  EXPECT_EQ(eventRows("user_prompt").size(), 1u);

  // Every API call the mock answered, in order, with the model it echoed and its usage.
  auto api = eventRows("api_request");
  ASSERT_EQ(api.size(), calls_.size());
  int64_t input_total = 0;
  int64_t output_total = 0;
  std::vector<std::string> asked_tools;
  for (size_t i = 0; i < calls_.size(); ++i) {
    SCOPED_TRACE("api_request #" + std::to_string(i));
    EXPECT_EQ((*api[i])[events_.col("Model")], calls_[i].model);
    EXPECT_EQ((*api[i])[events_.col("In")], std::to_string(calls_[i].input_tokens));
    EXPECT_EQ((*api[i])[events_.col("Out")], std::to_string(calls_[i].output_tokens));
    input_total += calls_[i].input_tokens;
    output_total += calls_[i].output_tokens;
    if (!calls_[i].tool.empty()) asked_tools.push_back(calls_[i].tool);
  }
  EXPECT_EQ(asked_tools, (std::vector<std::string>{"Bash", "Read", "Write"}));

  // Each tool the mock asked for was allowed (--allowedTools) and ran successfully.
  std::vector<std::string> decided;
  for (const auto* row : eventRows("tool_decision")) {
    decided.push_back((*row)[events_.col("Tool")]);
    EXPECT_EQ((*row)[events_.col("Decision")], "accept");
  }
  EXPECT_EQ(decided, asked_tools);
  std::vector<std::string> ran;
  for (const auto* row : eventRows("tool_result")) {
    ran.push_back((*row)[events_.col("Tool")]);
    EXPECT_EQ((*row)[events_.col("Success")], "true") << (*row)[events_.col("Tool")];
  }
  EXPECT_EQ(ran, asked_tools);
  EXPECT_EQ(readFile(work_ / "out.txt"), "line one\nline two\nline three\n")
      << "the Write tool did not run for real";

  // The metric path agrees with the event path, for this session.
  Table tokens = query(
      "AppMetrics | where Name == 'claude_code.token.usage' "
      "and tostring(Properties['session.id']) == '" +
      session_ +
      "' | summarize In = tolong(sumif(Sum, tostring(Properties.type) == 'input')), "
      "Out = tolong(sumif(Sum, tostring(Properties.type) == 'output'))");
  ASSERT_EQ(tokens.error, "");
  ASSERT_EQ(tokens.rows.size(), 1u);
  EXPECT_EQ(tokens.rows[0][tokens.col("In")], std::to_string(input_total));
  EXPECT_EQ(tokens.rows[0][tokens.col("Out")], std::to_string(output_total));

  // The enhanced-telemetry traces: one llm_request span per API call, one tool span per tool.
  Table spans = query("OTelSpans | where SessionId == '" + session_ +
                      "' | summarize Llm = countif(Name == 'claude_code.llm_request'), "
                      "Tools = countif(Name == 'claude_code.tool')");
  ASSERT_EQ(spans.error, "");
  ASSERT_EQ(spans.rows.size(), 1u);
  EXPECT_EQ(spans.rows[0][spans.col("Llm")], std::to_string(calls_.size()));
  EXPECT_EQ(spans.rows[0][spans.col("Tools")], std::to_string(asked_tools.size()));

  // The same questions through the CLI against the running server.
  auto cli = runCommand({"query", "--server", webUrl(), "--format", "csv",
                         "AppTraces | where tostring(Properties['session.id']) == '" + session_ +
                             "' and Properties['event.name'] == 'tool_result' "
                             "| project Tool = tostring(Properties.tool_name), "
                             "Success = tostring(Properties.success) | order by Tool asc"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(cli.out, "Tool,Success\r\nBash,true\r\nRead,true\r\nWrite,true\r\n");
  auto cli_tokens = runCommand({"query", "--server", webUrl(), "--format", "csv",
                                "AppTraces | where Properties['event.name'] == 'api_request' "
                                "| summarize In = sum(tolong(Properties.input_tokens)), "
                                "Out = sum(tolong(Properties.output_tokens))"});
  ASSERT_EQ(cli_tokens.exit_code, 0) << cli_tokens.err;
  EXPECT_EQ(cli_tokens.out, "In,Out\r\n" + std::to_string(input_total) + "," +
                                std::to_string(output_total) + "\r\n");

  expectNothingLeftLoopback();
}

TEST_F(ClaudeCodeE2eTest, GrpcSessionIsQueryable) {
  ASSERT_NO_FATAL_FAILURE(runOnce("grpc", "http://" + agentgate_->address("otlp/grpc")));
  for (const auto& name : kEventNames) EXPECT_FALSE(eventRows(name).empty()) << name << " missing";
  EXPECT_EQ(eventRows("api_request").size(), calls_.size());
  EXPECT_EQ(eventRows("tool_result").size(), 3u);

  auto cli = runCommand({"query", "--server", webUrl(), "--format", "csv",
                         "AppTraces | where isnotempty(tostring(Properties['event.name'])) "
                         "| summarize Sessions = dcount(tostring(Properties['session.id'])), "
                         "Session = take_any(tostring(Properties['session.id']))"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(cli.out, "Sessions,Session\r\n1," + session_ + "\r\n");

  expectNothingLeftLoopback();
}

}  // namespace
}  // namespace agentgate::testlib
