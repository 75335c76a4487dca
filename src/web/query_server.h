// The query API: KQL over the embedded store, answered in the Log Analytics REST shape so scripts
// written for `api.loganalytics.io` run unchanged against a local agentgate (DESIGN 9), plus
// `/api/status`. Read tokens are separate from ingest tokens (DESIGN 10).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agentgate/result.h"
#include "kql/engine.h"

namespace agentgate::web {

struct QueryServerOptions {
  std::string endpoint = "127.0.0.1:8318";  // host:port; port 0 = any
  std::string db_path;                      // the store the pipelines write
  // Bearer tokens allowed to query. Required (non-empty) to serve anything when bound beyond
  // loopback; on loopback with none configured, requests need no token.
  std::vector<std::string> read_tokens;
  // True when the token authenticates for ingest (a receiver's authenticator); such a token gets
  // 403 here so a leaked agent token cannot read the telemetry.
  std::function<bool(std::string_view token)> is_ingest_token;
  size_t max_body_bytes = 1u << 20;
  unsigned query_threads = 2;  // threads and read-only connections; queries never run on ingest
  std::chrono::milliseconds query_timeout{60000};
  kql::Clock clock;  // empty: system clock
  // For /api/status.
  std::string version;
  std::function<std::vector<std::pair<std::string, std::string>>()> endpoints;
};

class QueryServer {
 public:
  // Binds and serves on its own threads. Fails when the endpoint cannot be bound.
  static Result<std::unique_ptr<QueryServer>> start(QueryServerOptions options);
  ~QueryServer();
  QueryServer(const QueryServer&) = delete;
  QueryServer& operator=(const QueryServer&) = delete;

  std::string boundAddress() const;  // "127.0.0.1:8318"
  void stop();                       // idempotent

  struct Impl;

 private:
  explicit QueryServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Log Analytics' error body: {"error":{"code":..,"message":..,"innererror":{..}}}.
std::string errorJson(std::string_view code, std::string_view message,
                      std::string_view inner_code = {}, std::string_view inner_message = {});

// "127.0.0.1:8318", "localhost:1", "[::1]:2" -> true.
bool isLoopbackEndpoint(std::string_view endpoint);

}  // namespace agentgate::web
