// agentgate-loadgen: replays OTLP export bodies at a collector over HTTP/1.1 keep-alive
// (Boost.Beast) or gRPC (generic stub, raw bytes), N connections, flat out or at a target rate,
// for a fixed duration. Reports records/s, MB/s, latency percentiles and, given --pid, the
// target's CPU seconds and peak RSS. Loopback targets only: this is a bench tool, not a cannon.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <simdjson.h>

#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace agentgate::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Minimal protobuf writer/reader: enough to build a synthetic OTLP logs batch and to count the
// records of a fixture body without libprotobuf classes.

class PbWriter {
 public:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      buf_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    buf_.push_back(static_cast<char>(v));
  }
  void tag(int field, int wire) { varint((static_cast<uint64_t>(field) << 3) | wire); }
  void bytes(int field, std::string_view s) {
    tag(field, 2);
    varint(s.size());
    buf_.append(s);
  }
  void uint(int field, uint64_t v) {
    tag(field, 0);
    varint(v);
  }
  void fixed64(int field, uint64_t v) {
    tag(field, 1);
    for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void dbl(int field, double d) {
    uint64_t v;
    std::memcpy(&v, &d, sizeof v);
    fixed64(field, v);
  }
  const std::string& str() const { return buf_; }

 private:
  std::string buf_;
};

// AnyValue / KeyValue builders (opentelemetry.proto.common.v1).
std::string anyString(std::string_view s) {
  PbWriter w;
  w.bytes(1, s);
  return w.str();
}
std::string anyBool(bool b) {
  PbWriter w;
  w.uint(2, b ? 1 : 0);
  return w.str();
}
std::string anyInt(int64_t i) {
  PbWriter w;
  w.uint(3, static_cast<uint64_t>(i));
  return w.str();
}
std::string anyDouble(double d) {
  PbWriter w;
  w.dbl(4, d);
  return w.str();
}
void kv(PbWriter& w, int field, std::string_view key, const std::string& any) {
  PbWriter k;
  k.bytes(1, key);
  k.bytes(2, any);
  w.bytes(field, k.str());
}

// Placeholder for the per-record unique id; patched in place before every send.
constexpr std::string_view kIdPlaceholder = "@@@@@@@@@@@@@@@@";  // 16 hex digits

// A logs batch shaped like Claude Code's (resource, scope, event attributes), `records` long,
// each record carrying `loadgen.id` = kIdPlaceholder to be made unique per send.
std::string syntheticClaudeCodeLogs(int records) {
  static const char* const kEvents[] = {"user_prompt", "api_request", "tool_decision",
                                        "tool_result", "api_request"};
  PbWriter resource;
  kv(resource, 1, "service.name", anyString("claude-code"));
  kv(resource, 1, "service.version", anyString("2.1.331"));
  kv(resource, 1, "deployment.environment", anyString("dev"));
  kv(resource, 1, "host.arch", anyString("amd64"));
  kv(resource, 1, "os.type", anyString("linux"));
  PbWriter scope;
  scope.bytes(1, "com.anthropic.claude_code.events");
  scope.bytes(2, "2.1.331");

  PbWriter scope_logs;
  scope_logs.bytes(1, scope.str());
  const uint64_t t0 = 1795577638545000000ull;
  for (int i = 0; i < records; ++i) {
    const std::string event = kEvents[i % 5];
    PbWriter rec;
    rec.fixed64(1, t0 + static_cast<uint64_t>(i) * 1000000);
    rec.uint(2, 9);  // INFO
    PbWriter body;
    body.bytes(1, "claude_code." + event);
    rec.bytes(5, body.str());
    kv(rec, 6, "loadgen.id", anyString(kIdPlaceholder));
    kv(rec, 6, "user.id",
       anyString("4cc233ae0ea372791d213f119dfaee1aea632245c212e7bac9734e027be4855d"));
    kv(rec, 6, "session.id", anyString("c59094bc-7069-4361-9c7e-ffaf67c37650"));
    kv(rec, 6, "terminal.type", anyString("vscode"));
    kv(rec, 6, "event.name", anyString(event));
    kv(rec, 6, "event.timestamp", anyString("2026-11-25T03:33:58.977Z"));
    kv(rec, 6, "event.sequence", anyInt(i));
    kv(rec, 6, "prompt.id", anyString("3c0b88be-fb4a-4ac5-b197-8ca2801ed990"));
    if (event == "api_request") {
      kv(rec, 6, "model", anyString("claude-opus-5-5"));
      kv(rec, 6, "input_tokens", anyInt(4421 + i));
      kv(rec, 6, "output_tokens", anyInt(45 + i % 17));
      kv(rec, 6, "cache_read_tokens", anyInt(0));
      kv(rec, 6, "cost_usd", anyDouble(0.018584));
      kv(rec, 6, "duration_ms", anyInt(115));
      kv(rec, 6, "request_id", anyString("req_mockmwvkkd7j0002"));
    } else if (event == "tool_result" || event == "tool_decision") {
      kv(rec, 6, "tool_name", anyString("Bash"));
      kv(rec, 6, "tool_use_id", anyString("toolu_mockmwvkkd7i0000"));
      kv(rec, 6, "success", anyString("true"));
      kv(rec, 6, "decision", anyString("accept"));
      kv(rec, 6, "duration_ms", anyInt(64));
    } else {
      kv(rec, 6, "prompt_length", anyInt(52));
      kv(rec, 6, "anthropic.custom_base_url", anyBool(true));
    }
    rec.fixed64(11, t0 + static_cast<uint64_t>(i) * 1000000);
    scope_logs.bytes(2, rec.str());
  }
  PbWriter resource_logs;
  resource_logs.bytes(1, resource.str());
  resource_logs.bytes(2, scope_logs.str());
  PbWriter req;
  req.bytes(1, resource_logs.str());
  return req.str();
}

// Iterates the length-delimited fields `field` of a message; false on malformed input.
template <typename Fn>
bool forEachField(std::string_view msg, int field, Fn&& fn) {
  size_t p = 0;
  auto read_varint = [&](uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= msg.size()) return false;
      auto b = static_cast<uint8_t>(msg[p++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  while (p < msg.size()) {
    uint64_t key;
    if (!read_varint(key)) return false;
    uint64_t len = 0;
    switch (key & 7) {
      case 0:
        if (!read_varint(len)) return false;
        continue;
      case 1:
        p += 8;
        continue;
      case 5:
        p += 4;
        continue;
      case 2:
        if (!read_varint(len) || len > msg.size() - p) return false;
        if (static_cast<int>(key >> 3) == field) fn(msg.substr(p, len));
        p += len;
        continue;
      default:
        return false;
    }
  }
  return p == msg.size();
}

// Records in an OTLP protobuf export body: log records, spans, or metric data points.
size_t countProtobufRecords(std::string_view body, const std::string& signal) {
  size_t n = 0;
  forEachField(body, 1, [&](std::string_view resource) {
    forEachField(resource, 2, [&](std::string_view scope) {
      if (signal != "metrics") {
        forEachField(scope, 2, [&](std::string_view) { ++n; });
        return;
      }
      forEachField(scope, 2, [&](std::string_view metric) {
        for (int kind : {5, 7, 9, 10, 11}) {  // gauge, sum, histogram, exp. histogram, summary
          forEachField(metric, kind, [&](std::string_view data) {
            forEachField(data, 1, [&](std::string_view) { ++n; });
          });
        }
      });
    });
  });
  return n;
}

size_t countJsonRecords(const std::string& body, const std::string& signal) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return 0;
  const char* top = signal == "logs"     ? "resourceLogs"
                    : signal == "traces" ? "resourceSpans"
                                         : "resourceMetrics";
  const char* scopes = signal == "logs"     ? "scopeLogs"
                       : signal == "traces" ? "scopeSpans"
                                            : "scopeMetrics";
  const char* items = signal == "logs" ? "logRecords" : signal == "traces" ? "spans" : "metrics";
  size_t n = 0;
  simdjson::dom::array rs;
  if (doc[top].get(rs) != simdjson::SUCCESS) return 0;
  for (auto r : rs) {
    simdjson::dom::array ss;
    if (r[scopes].get(ss) != simdjson::SUCCESS) continue;
    for (auto s : ss) {
      simdjson::dom::array it;
      if (s[items].get(it) != simdjson::SUCCESS) continue;
      if (signal != "metrics") {
        n += it.size();
        continue;
      }
      for (auto m : it) {
        for (const char* kind : {"gauge", "sum", "histogram", "exponentialHistogram", "summary"}) {
          simdjson::dom::array dps;
          if (m[kind]["dataPoints"].get(dps) == simdjson::SUCCESS) n += dps.size();
        }
      }
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------

struct Payload {
  std::string body;
  std::string content_type;
  std::string signal;
  size_t records = 0;
  std::vector<size_t> id_offsets;  // where kIdPlaceholder sits, patched per send
};

struct Options {
  std::string endpoint = "127.0.0.1:4318";
  std::string protocol = "http";
  std::string signal;  // empty: from the fixture name, else logs
  std::vector<std::string> fixtures;
  int synthetic_records = 100;
  int connections = 4;
  double rate = 0;  // requests per second over all connections; 0 = flat out
  double duration = 10;
  int pid = 0;
  std::vector<std::string> headers;
  std::string label = "run";
};

std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string signalFromName(const std::string& path) {
  for (const char* s : {"logs", "traces", "metrics"}) {
    if (path.find(std::string("_") + s + "_") != std::string::npos) return s;
  }
  return "";
}

std::vector<Payload> loadPayloads(const Options& o, std::string* error) {
  std::vector<Payload> out;
  if (o.fixtures.empty()) {
    Payload p;
    p.body = syntheticClaudeCodeLogs(o.synthetic_records);
    p.content_type = "application/x-protobuf";
    p.signal = "logs";
    p.records = static_cast<size_t>(o.synthetic_records);
    for (size_t pos = p.body.find(kIdPlaceholder); pos != std::string::npos;
         pos = p.body.find(kIdPlaceholder, pos + kIdPlaceholder.size())) {
      p.id_offsets.push_back(pos);
    }
    out.push_back(std::move(p));
    return out;
  }
  for (const auto& path : o.fixtures) {
    Payload p;
    p.body = readFile(path);
    if (p.body.empty()) {
      *error = "cannot read fixture " + path;
      return {};
    }
    p.signal = !o.signal.empty() ? o.signal : signalFromName(path);
    if (p.signal.empty()) p.signal = "logs";
    const bool json = path.size() > 5 && path.substr(path.size() - 5) == ".json";
    if (json && o.protocol == "grpc") {
      *error = "gRPC carries protobuf only; " + path + " is JSON";
      return {};
    }
    p.content_type = json ? "application/json" : "application/x-protobuf";
    p.records = json ? countJsonRecords(p.body, p.signal) : countProtobufRecords(p.body, p.signal);
    out.push_back(std::move(p));
  }
  return out;
}

void patchIds(Payload& p, uint64_t base) {
  char hex[17];
  for (size_t i = 0; i < p.id_offsets.size(); ++i) {
    std::snprintf(hex, sizeof hex, "%016" PRIx64, base + i);
    std::memcpy(p.body.data() + p.id_offsets[i], hex, 16);
  }
}

struct ConnStats {
  uint64_t ok = 0;
  uint64_t errors = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  std::map<std::string, uint64_t> error_kinds;
  std::vector<uint32_t> latency_us;
};

std::string httpPath(const std::string& signal) { return "/v1/" + signal; }

std::string grpcMethod(const std::string& signal) {
  if (signal == "traces") return "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
  if (signal == "metrics") return "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
  return "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
}

std::pair<std::string, std::string> splitHeader(const std::string& h) {
  size_t p = h.find_first_of(":=");
  if (p == std::string::npos) return {h, ""};
  std::string v = h.substr(p + 1);
  while (!v.empty() && v.front() == ' ') v.erase(v.begin());
  return {h.substr(0, p), v};
}

// Paces one connection: the next send time for a given per-connection rate (0 = no pacing).
class Pacer {
 public:
  explicit Pacer(double per_second) : start_(Clock::now()) {
    if (per_second > 0) interval_ = std::chrono::duration<double>(1.0 / per_second);
  }
  void wait() {
    if (interval_.count() <= 0) return;
    auto due = start_ + std::chrono::duration_cast<Clock::duration>(interval_ * sent_++);
    std::this_thread::sleep_until(due);
  }

 private:
  Clock::time_point start_;
  std::chrono::duration<double> interval_{0};
  uint64_t sent_ = 0;
};

void runHttpConnection(int id, const Options& o, std::vector<Payload> payloads,
                       Clock::time_point end, ConnStats& st) {
  const auto colon = o.endpoint.rfind(':');
  const std::string host = o.endpoint.substr(0, colon);
  const std::string port = o.endpoint.substr(colon + 1);
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  Pacer pacer(o.rate / o.connections);
  uint64_t seq = 0;
  for (size_t next = 0; Clock::now() < end; next = (next + 1) % payloads.size()) {
    Payload& p = payloads[next];
    if (!p.id_offsets.empty()) patchIds(p, (static_cast<uint64_t>(id) << 48) | (seq << 10));
    ++seq;
    pacer.wait();
    beast::error_code ec;
    if (!stream) {
      stream = std::make_unique<beast::tcp_stream>(ioc);
      auto results = resolver.resolve(host, port, ec);
      if (!ec) stream->connect(results, ec);
      if (ec) {
        st.errors++;
        st.error_kinds["connect: " + ec.message()]++;
        stream.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // back off, don't spin
        continue;
      }
      stream->socket().set_option(asio::ip::tcp::no_delay(true));
    }
    http::request<http::string_body> req{http::verb::post, httpPath(p.signal), 11};
    req.set(http::field::host, o.endpoint);
    req.set(http::field::content_type, p.content_type);
    req.keep_alive(true);
    for (const auto& h : o.headers) {
      auto [k, v] = splitHeader(h);
      req.set(k, v);
    }
    req.body() = p.body;
    req.prepare_payload();
    auto t0 = Clock::now();
    http::write(*stream, req, ec);
    http::response<http::string_body> res;
    if (!ec) http::read(*stream, buffer, res, ec);
    auto t1 = Clock::now();
    if (ec) {
      st.errors++;
      st.error_kinds["io: " + ec.message()]++;
      stream.reset();
      buffer.clear();
      continue;
    }
    st.latency_us.push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
    if (res.result_int() / 100 == 2) {
      st.ok++;
      st.records += p.records;
      st.bytes += p.body.size();
    } else {
      st.errors++;
      st.error_kinds["http " + std::to_string(res.result_int())]++;
    }
    if (!res.keep_alive()) stream.reset();
  }
}

void runGrpcConnection(int id, const Options& o, std::vector<Payload> payloads,
                       Clock::time_point end, ConnStats& st) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one TCP connection per loadgen conn
  args.SetInt("agentgate.loadgen.conn", id);
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(o.endpoint, grpc::InsecureChannelCredentials(), args);
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  Pacer pacer(o.rate / o.connections);
  uint64_t seq = 0;
  for (size_t next = 0; Clock::now() < end; next = (next + 1) % payloads.size()) {
    Payload& p = payloads[next];
    if (!p.id_offsets.empty()) patchIds(p, (static_cast<uint64_t>(id) << 48) | (seq << 10));
    ++seq;
    pacer.wait();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    for (const auto& h : o.headers) {
      auto [k, v] = splitHeader(h);
      std::string lower_key = k;
      std::transform(lower_key.begin(), lower_key.end(), lower_key.begin(), ::tolower);
      ctx.AddMetadata(lower_key, v);
    }
    grpc::Slice slice(p.body.data(), p.body.size());
    grpc::ByteBuffer request(&slice, 1);
    auto t0 = Clock::now();
    auto call = stub.PrepareUnaryCall(&ctx, grpcMethod(p.signal), request, &cq);
    call->StartCall();
    grpc::ByteBuffer response;
    grpc::Status status;
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    cq.Next(&tag, &ok);
    auto t1 = Clock::now();
    st.latency_us.push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
    if (ok && status.ok()) {
      st.ok++;
      st.records += p.records;
      st.bytes += p.body.size();
    } else {
      st.errors++;
      st.error_kinds["grpc " + std::to_string(status.error_code())]++;
      if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
}

// CPU seconds (user + system) of a process, from /proc/<pid>/stat; -1 when unreadable.
double cpuSeconds(int pid) {
  std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
  size_t rp = stat.rfind(')');
  if (rp == std::string::npos) return -1;
  std::istringstream in(stat.substr(rp + 2));
  std::string field;
  double utime = 0, stime = 0;
  // After ")" come fields 3.. ; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Peak resident set (VmHWM) in MiB; -1 when unreadable.
double peakRssMiB(int pid) {
  std::istringstream in(readFile("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

bool isLoopback(const std::string& endpoint) {
  std::string host = endpoint.substr(0, endpoint.rfind(':'));
  if (host.rfind("dns:", 0) == 0) host = host.substr(4);
  return host.rfind("127.", 0) == 0 || host == "localhost" || host == "[::1]";
}

int run(int argc, char** argv) {
  Options o;
  CLI::App app{"agentgate-loadgen: replay OTLP export bodies at a collector on this machine"};
  app.add_option("--endpoint", o.endpoint, "host:port (loopback only)")->capture_default_str();
  app.add_option("--protocol", o.protocol, "http or grpc")
      ->check(CLI::IsMember({"http", "grpc"}))
      ->capture_default_str();
  app.add_option("--signal", o.signal, "logs|traces|metrics (default: from fixture names)")
      ->check(CLI::IsMember({"logs", "traces", "metrics"}));
  app.add_option("--fixture", o.fixtures,
                 "OTLP body files (.pb protobuf, .json OTLP/JSON), sent round-robin; none: a "
                 "synthetic Claude Code logs batch with unique ids");
  app.add_option("--records", o.synthetic_records, "records per synthetic batch")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--connections,-c", o.connections, "concurrent connections")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--rate", o.rate, "requests/s over all connections (0: flat out)")
      ->capture_default_str();
  app.add_option("--duration,-d", o.duration, "seconds")->capture_default_str();
  app.add_option("--pid", o.pid, "collector pid: report its CPU seconds and peak RSS");
  app.add_option("--header,-H", o.headers, "extra header 'Name: value' or name=value");
  app.add_option("--label", o.label, "name printed on the RESULT line")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (!isLoopback(o.endpoint)) {
    std::fprintf(stderr, "loadgen: refusing non-loopback endpoint %s\n", o.endpoint.c_str());
    return 2;
  }
  std::string error;
  auto payloads = loadPayloads(o, &error);
  if (payloads.empty()) {
    std::fprintf(stderr, "loadgen: %s\n", error.c_str());
    return 2;
  }

  const double cpu0 = o.pid ? cpuSeconds(o.pid) : 0;
  std::vector<ConnStats> stats(static_cast<size_t>(o.connections));
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(o.duration));
  for (int i = 0; i < o.connections; ++i) {
    threads.emplace_back([&, i] {
      if (o.protocol == "grpc") {
        runGrpcConnection(i, o, payloads, end, stats[static_cast<size_t>(i)]);
      } else {
        runHttpConnection(i, o, payloads, end, stats[static_cast<size_t>(i)]);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu1 = o.pid ? cpuSeconds(o.pid) : 0;

  ConnStats total;
  for (auto& s : stats) {
    total.ok += s.ok;
    total.errors += s.errors;
    total.records += s.records;
    total.bytes += s.bytes;
    for (auto& [k, v] : s.error_kinds) total.error_kinds[k] += v;
    total.latency_us.insert(total.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
  }
  std::sort(total.latency_us.begin(), total.latency_us.end());
  auto pct = [&](double q) {
    if (total.latency_us.empty()) return 0.0;
    size_t idx = static_cast<size_t>(q * static_cast<double>(total.latency_us.size() - 1));
    return total.latency_us[idx] / 1000.0;
  };
  const double rps = total.records / elapsed;
  const double mbps = total.bytes / elapsed / 1e6;
  std::printf("%s: %s %s, %d connections, %.1fs, %zu payload(s), %zu records/request\n",
              o.label.c_str(), o.protocol.c_str(), o.endpoint.c_str(), o.connections, elapsed,
              payloads.size(), payloads[0].records);
  std::printf("  requests ok %" PRIu64 ", errors %" PRIu64 "\n", total.ok, total.errors);
  for (auto& [k, v] : total.error_kinds) std::printf("    %s: %" PRIu64 "\n", k.c_str(), v);
  std::printf("  records/s %.0f   MB/s %.2f   latency ms p50 %.3f p95 %.3f p99 %.3f\n", rps, mbps,
              pct(0.50), pct(0.95), pct(0.99));
  double cpu = -1, rss = -1;
  if (o.pid) {
    cpu = (cpu0 >= 0 && cpu1 >= 0) ? cpu1 - cpu0 : -1;
    rss = peakRssMiB(o.pid);
    std::printf("  target pid %d: cpu %.2fs (%.0f%% of one core), peak RSS %.1f MiB\n", o.pid, cpu,
                100.0 * cpu / elapsed, rss);
  }
  // One machine-readable line for scripts (bench/scripts/compare_nginx.sh).
  std::printf(
      "RESULT label=%s records_per_s=%.0f mb_per_s=%.2f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f "
      "ok=%" PRIu64 " errors=%" PRIu64 " cpu_s=%.2f peak_rss_mib=%.1f\n",
      o.label.c_str(), rps, mbps, pct(0.50), pct(0.95), pct(0.99), total.ok, total.errors, cpu,
      rss);
  return total.ok > 0 ? 0 : 1;
}

}  // namespace
}  // namespace agentgate::loadgen

int main(int argc, char** argv) { return agentgate::loadgen::run(argc, argv); }
