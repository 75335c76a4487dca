// The Application Insights ingestion endpoint (`POST /v2.1/track`, also `/v2/track`) as a
// net::HttpHandler: gunzips, splits NDJSON or a JSON array into envelopes, checks each as the
// service does (envelope_parser.h) and that its iKey is known, answers like the service
// (spec/azure-monitor.md 1.3) and lands what it accepted in the App* tables.
//
// Answers: 200 {"itemsReceived":N,"itemsAccepted":N,"errors":[]} when all are accepted; 206 with
// one {index,statusCode,message} per refused item; 400 with the same body when none is accepted
// (or the body is not gzip/JSON at all); 401 when `bearer_token` is set and not presented; 404
// for other paths, 405 for other methods, 415 for other content types. A script of forced
// answers (script()) overrides this for fault tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "landed_tables.h"
#include "net/http_server.h"

namespace agentgate::net {
class WorkerPool;
}

namespace agentgate::azure_emulator {

struct TrackEndpointOptions {
  // Known instrumentation keys; an envelope with another iKey is refused per item (400 "Invalid
  // instrumentation key"). Empty: any key in GUID form is known.
  std::set<std::string> instrumentation_keys;
  // Where accepted envelopes land; null = accepted envelopes are only recorded.
  LandedTables* tables = nullptr;
  // When set, requests must carry `Authorization: Bearer <token>` (Entra on the track endpoint);
  // anything else is answered 401.
  std::string bearer_token;
  size_t max_body_bytes = 32u << 20;  // compressed and decompressed
  // False: requests() and accepted() keep no envelope texts (benchmarks); counts still work.
  bool keep_payloads = true;
};

// A forced answer for the next `times` requests (FIFO). The request is still decoded; what the
// answer says was accepted lands.
struct ForcedAnswer {
  int status = 200;
  // 206 (or 200/400): the status code per item index; indices not listed (or 200) are accepted
  // when valid. Ignored for other statuses, where nothing is accepted.
  std::map<size_t, int> item_codes;
  std::string retry_after;  // Retry-After header value ("" = none)
  int times = 1;
};

class TrackEndpoint final : public net::HttpHandler {
 public:
  explicit TrackEndpoint(TrackEndpointOptions options);

  // Appends forced answers (each used `times` times, in order).
  void script(ForcedAnswer answer);
  void clearScript();

  // What the endpoint saw, one entry per request it answered.
  struct Request {
    std::chrono::steady_clock::time_point at;
    int status = 0;
    std::vector<std::string> envelopes;  // the items of the payload, in order
    std::vector<int> item_status;        // per item: 200 accepted, else the code it got
    std::string content_type;
    std::string content_encoding;
    bool authorized = false;  // carried the expected Authorization (or none was required)
  };
  std::vector<Request> requests() const;
  // Every envelope accepted so far (JSON text), in arrival order.
  std::vector<std::string> accepted() const;
  size_t acceptedCount() const;
  // Waits until at least `n` envelopes were accepted.
  bool waitForAccepted(size_t n, std::chrono::milliseconds timeout) const;
  // Waits until at least `n` requests were answered.
  bool waitForRequests(size_t n, std::chrono::milliseconds timeout) const;

  size_t bodyLimit(const net::HttpRequest& request) const override;
  std::optional<net::HttpResponse> onHeaders(net::HttpRequest& request) override;
  net::HttpResponse onRequest(net::HttpRequest& request) override;

 private:
  std::optional<ForcedAnswer> nextForced();
  void record(Request r, const std::vector<std::string>& accepted);

  TrackEndpointOptions options_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<ForcedAnswer> script_;
  std::vector<Request> requests_;
  std::vector<std::string> accepted_;
  size_t accepted_count_ = 0;
};

// Splits a track payload (already decompressed) into item texts: a JSON array's elements, or
// NDJSON lines (blank lines skipped). False when a JSON array does not parse.
bool splitPayload(std::string_view body, std::vector<std::string>& items);

// A TrackEndpoint served on 127.0.0.1 (optionally TLS) by net::HttpServer.
class TrackServer {
 public:
  static Result<std::unique_ptr<TrackServer>> start(net::WorkerPool& pool,
                                                    TrackEndpointOptions options,
                                                    net::TlsServerConfig tls = {},
                                                    std::string listen = "127.0.0.1:0");
  ~TrackServer();
  TrackEndpoint& endpoint() { return *endpoint_; }
  // "http(s)://127.0.0.1:PORT/" — the IngestionEndpoint for a connection string.
  std::string ingestionEndpoint() const;
  std::string address() const;  // "127.0.0.1:PORT"
  void stop();

 private:
  TrackServer() = default;
  std::shared_ptr<TrackEndpoint> endpoint_;
  std::unique_ptr<net::HttpServer> server_;
  bool tls_ = false;
};

}  // namespace agentgate::azure_emulator
