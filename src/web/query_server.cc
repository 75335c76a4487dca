#include "web/query_server.h"

#include <sqlite3.h>

#include <simdjson.h>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>

#include "common/logging.h"
#include "common/strings.h"
#include "net/http_server.h"
#include "net/worker_pool.h"
#include "store/schema.h"
#include "store/store.h"

namespace agentgate::web {
namespace {

using strings::appendJsonString;

std::string urlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Value of `name` in an application/x-www-form-urlencoded query string.
std::optional<std::string> queryParam(std::string_view query, std::string_view name) {
  for (auto part : strings::split(query, '&')) {
    auto eq = part.find('=');
    std::string key = urlDecode(part.substr(0, eq));
    if (key == name) return eq == std::string_view::npos ? "" : urlDecode(part.substr(eq + 1));
  }
  return std::nullopt;
}

net::HttpResponse jsonResponse(int status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

net::HttpResponse errorResponse(int status, std::string_view code, std::string_view message,
                                std::string_view inner_code = {},
                                std::string_view inner_message = {}) {
  auto r = jsonResponse(status, errorJson(code, message, inner_code, inner_message));
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

enum class Route { kQuery, kStatus, kNone };

Route route(std::string_view path) {
  if (path == "/v1/query" || path == "/v1/query/") return Route::kQuery;
  if (path == "/api/status") return Route::kStatus;
  constexpr std::string_view kPrefix = "/v1/workspaces/";
  if (strings::startsWith(path, kPrefix)) {
    std::string_view rest = path.substr(kPrefix.size());
    auto slash = rest.find('/');
    if (slash != 0 && slash != std::string_view::npos && rest.substr(slash) == "/query") {
      return Route::kQuery;
    }
  }
  return Route::kNone;
}

// One read-only connection and its engine; a query thread holds it for one query.
struct Slot {
  store::ReadConnection conn;
  std::unique_ptr<kql::Engine> engine;
  std::atomic<int64_t> deadline_ns{0};  // steady clock; 0 = none
};

int progressCallback(void* p) {
  auto* slot = static_cast<Slot*>(p);
  int64_t deadline = slot->deadline_ns.load(std::memory_order_relaxed);
  if (deadline == 0) return 0;
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  return now > deadline ? 1 : 0;
}

}  // namespace

std::string errorJson(std::string_view code, std::string_view message, std::string_view inner_code,
                      std::string_view inner_message) {
  std::string o = "{\"error\":{\"code\":";
  appendJsonString(o, code);
  o += ",\"message\":";
  appendJsonString(o, message);
  if (!inner_code.empty()) {
    o += ",\"innererror\":{\"code\":";
    appendJsonString(o, inner_code);
    o += ",\"message\":";
    appendJsonString(o, inner_message);
    o += "}";
  }
  o += "}}";
  return o;
}

bool isLoopbackEndpoint(std::string_view endpoint) {
  std::string_view host = endpoint;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    host = host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || strings::startsWith(host, "127.");
}

namespace {

// Shared with the HTTP server (which keeps a shared_ptr to its handler).
struct QueryHandler : net::HttpHandler {
  QueryServerOptions options;
  bool auth_required = false;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::mutex mu;
  std::vector<std::unique_ptr<Slot>> free_slots;

  int64_t nowTicks() const { return options.clock(); }

  Result<std::unique_ptr<Slot>> acquire() {
    {
      std::lock_guard lock(mu);
      if (!free_slots.empty()) {
        auto s = std::move(free_slots.back());
        free_slots.pop_back();
        return s;
      }
    }
    auto conn = store::openReadOnly(options.db_path);
    if (!conn) return conn.takeError();
    auto slot = std::make_unique<Slot>();
    slot->conn = std::move(conn.value());
    slot->engine =
        std::make_unique<kql::Engine>(slot->conn.get(), kql::builtinSchema(), options.clock);
    sqlite3_progress_handler(slot->conn.get(), 10000, progressCallback, slot.get());
    return slot;
  }

  void release(std::unique_ptr<Slot> slot) {
    slot->deadline_ns = 0;
    std::lock_guard lock(mu);
    free_slots.push_back(std::move(slot));
  }

  static std::optional<std::string_view> bearer(const net::HttpRequest& req) {
    auto h = req.header("authorization");
    if (!h) return std::nullopt;
    std::string_view v = strings::trim(*h);
    if (v.size() < 7 || !strings::iequals(v.substr(0, 7), "bearer ")) return std::nullopt;
    return strings::trim(v.substr(7));
  }

  std::optional<net::HttpResponse> authorize(const net::HttpRequest& req) const {
    auto token = bearer(req);
    if (token && !token->empty()) {
      // Ingest tokens are refused even where reads need no token: they must never read.
      if (options.is_ingest_token && options.is_ingest_token(*token)) {
        return errorResponse(403, "InsufficientAccessError",
                             "The provided credentials are an ingest token; querying needs a "
                             "read token");
      }
      bool match = false;
      for (const auto& t : options.read_tokens) match |= strings::constantTimeEquals(*token, t);
      if (match) return std::nullopt;
    }
    if (!auth_required) return std::nullopt;
    return errorResponse(401, "AuthorizationRequiredError",
                         token ? "Valid authentication was not provided"
                               : "Authentication is required: send Authorization: Bearer "
                                 "<read token>");
  }

  std::optional<net::HttpResponse> onHeaders(net::HttpRequest& req) override {
    Route r = route(req.path);
    if (r == Route::kNone) {
      return errorResponse(404, "PathNotFoundError",
                           "The requested path does not exist: use /v1/workspaces/{id}/query");
    }
    bool get = req.method == "GET", post = req.method == "POST";
    if ((r == Route::kStatus && !get) || (r == Route::kQuery && !get && !post)) {
      auto resp = errorResponse(405, "MethodNotAllowedError",
                                "Method " + req.method + " is not allowed here");
      resp.headers.emplace_back("Allow", r == Route::kStatus ? "GET" : "GET, POST");
      return resp;
    }
    return authorize(req);
  }

  size_t bodyLimit(const net::HttpRequest&) const override { return options.max_body_bytes; }

  net::HttpResponse onBodyTooLarge(const net::HttpRequest&) override {
    return errorResponse(
        413, "PayloadTooLargeError",
        "The request body is larger than " + std::to_string(options.max_body_bytes) + " bytes");
  }

  net::HttpResponse onRequest(net::HttpRequest& req) override {
    try {
      if (route(req.path) == Route::kStatus) return status();
      return query(req);
    } catch (const std::exception& e) {
      log::warn("web: query request failed: {}", e.what());
      return errorResponse(500, "InternalServerError", "internal error");
    }
  }

  net::HttpResponse query(const net::HttpRequest& req) {
    std::optional<std::string> kql, timespan;
    if (req.method == "GET") {
      kql = queryParam(req.query, "query");
      timespan = queryParam(req.query, "timespan");
    } else {
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      if (parser.parse(req.body).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
        return errorResponse(400, "BadArgumentError", "The request had some invalid properties",
                             "InvalidJson",
                             "The body must be a JSON object: {\"query\": \"...\", "
                             "\"timespan\": \"PT1H\"}");
      }
      std::string_view s;
      if (doc["query"].get_string().get(s) == simdjson::SUCCESS) kql = std::string(s);
      auto ts = doc["timespan"];
      if (ts.error() == simdjson::SUCCESS && !ts.is_null()) {
        if (ts.get_string().get(s) != simdjson::SUCCESS) {
          return errorResponse(400, "BadArgumentError", "The request had some invalid properties",
                               "InvalidTimespan", "timespan must be a string such as \"PT1H\"");
        }
        timespan = std::string(s);
      }
    }
    if (!kql || strings::trim(*kql).empty()) {
      return errorResponse(400, "BadArgumentError", "The request had some invalid properties",
                           "MissingQuery", "The 'query' parameter is required");
    }
    std::optional<kql::TimeRange> range;
    if (timespan && !timespan->empty()) {
      auto r = kql::parseTimespanParam(*timespan, nowTicks());
      if (!r) {
        return errorResponse(400, "BadArgumentError", "The request had some invalid properties",
                             "InvalidTimespan", r.error().message);
      }
      range = *r;
    }
    auto slot = acquire();
    if (!slot) {
      log::warn("web: cannot open the store for queries: {}", slot.error().message);
      return errorResponse(503, "ServiceUnavailableError", "The store is not available");
    }
    Slot& s = **slot;
    auto deadline = std::chrono::steady_clock::now() + options.query_timeout;
    s.deadline_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
    auto result = s.engine->run(*kql, range);
    bool timed_out = std::chrono::steady_clock::now() > deadline;
    release(std::move(slot.value()));
    if (!result) {
      const Error& e = result.error();
      if (timed_out) {
        return errorResponse(504, "GatewayTimeout",
                             "The query ran longer than the limit of " +
                                 std::to_string(options.query_timeout.count()) + " ms");
      }
      if (e.code == ErrorCode::kInvalid) {
        bool syntax = strings::startsWith(e.message, "KQL syntax error") ||
                      strings::startsWith(e.message, "KQL query");
        return errorResponse(400, "BadArgumentError", "The request had some invalid properties",
                             syntax ? "SyntaxError" : "SemanticError", e.message);
      }
      log::warn("web: query failed: {}", e.message);
      return errorResponse(500, "InternalServerError", "The query failed: " + e.message);
    }
    return jsonResponse(200, kql::toLogAnalyticsJson(*result));
  }

  net::HttpResponse status() {
    std::string o = "{\"version\":";
    appendJsonString(o, options.version);
    auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
            .count();
    o += ",\"uptime_seconds\":" + std::to_string(uptime);
    o += ",\"store\":";
    appendJsonString(o, options.db_path);
    o += ",\"endpoints\":{";
    if (options.endpoints) {
      bool first = true;
      for (const auto& [name, addr] : options.endpoints()) {
        if (!first) o += ",";
        first = false;
        appendJsonString(o, name);
        o += ":";
        appendJsonString(o, addr);
      }
    }
    o += "},\"tables\":{";
    auto slot = acquire();
    if (slot) {
      bool first = true;
      for (const auto& t : store::tableSchemas()) {
        std::string sql = "SELECT count(*) FROM \"" + std::string(t.name) + "\"";
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2((*slot)->conn.get(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
          continue;
        }
        if (sqlite3_step(stmt) == SQLITE_ROW) {
          if (!first) o += ",";
          first = false;
          appendJsonString(o, t.name);
          o += ":" + std::to_string(sqlite3_column_int64(stmt, 0));
        }
        sqlite3_finalize(stmt);
      }
      release(std::move(slot.value()));
    }
    o += "}}";
    return jsonResponse(200, std::move(o));
  }
};

}  // namespace

struct QueryServer::Impl {
  std::shared_ptr<QueryHandler> handler;
  std::unique_ptr<net::WorkerPool> pool;  // declared before server: destroyed after it
  std::unique_ptr<net::HttpServer> server;
  bool stopped = false;
};

QueryServer::QueryServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

QueryServer::~QueryServer() { stop(); }

Result<std::unique_ptr<QueryServer>> QueryServer::start(QueryServerOptions options) {
  auto impl = std::make_unique<Impl>();
  auto handler = std::make_shared<QueryHandler>();
  handler->options = std::move(options);
  if (!handler->options.clock) handler->options.clock = kql::systemClock();
  handler->auth_required =
      !handler->options.read_tokens.empty() || !isLoopbackEndpoint(handler->options.endpoint);
  impl->handler = handler;
  impl->pool = std::make_unique<net::WorkerPool>(std::max(1u, handler->options.query_threads));
  net::HttpServerOptions http;
  http.endpoint = handler->options.endpoint;
  http.name = "web";
  auto server = net::HttpServer::create(*impl->pool, http, handler);
  if (!server) return server.takeError();
  impl->server = std::move(server.value());
  impl->pool->start();
  if (auto st = impl->server->start(); !st) {
    impl->server->stop();
    impl->pool->stop();
    return st.takeError();
  }
  return std::unique_ptr<QueryServer>(new QueryServer(std::move(impl)));
}

std::string QueryServer::boundAddress() const {
  return impl_ && impl_->server ? impl_->server->boundAddress() : std::string();
}

void QueryServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server->stop();
  impl_->pool->stop();
}

}  // namespace agentgate::web
