// `agentgate query 'KQL'`: runs a query against a running agentgate (the query API) or directly
// against a store file, and prints the result as a table, Log Analytics JSON or CSV.
#include <curl/curl.h>

#include <simdjson.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/default_config.h"
#include "kql/engine.h"
#include "store/store.h"

namespace agentgate::cli {
namespace {

constexpr const char* kDefaultServer = "http://127.0.0.1:8318";

struct QueryOptions {
  std::string kql;
  std::string server;
  std::string db;
  std::string data_dir;
  std::string format = "table";
  std::string timespan;
  std::string token;
};

void appendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

struct HttpResult {
  bool connected = false;  // an HTTP answer arrived
  long status = 0;
  std::string body;
  std::string error;
};

HttpResult postQuery(const QueryOptions& o, const std::string& server) {
  HttpResult out;
  static const bool inited = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)inited;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    out.error = "cannot initialise libcurl";
    return out;
  }
  std::string body = "{\"query\":";
  appendJsonString(body, o.kql);
  if (!o.timespan.empty()) {
    body += ",\"timespan\":";
    appendJsonString(body, o.timespan);
  }
  body += "}";
  std::string url = server;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/v1/workspaces/local/query";
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  std::string auth;
  if (!o.token.empty()) {
    auth = "Authorization: Bearer " + o.token;
    headers = curl_slist_append(headers, auth.c_str());
  }
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  auto write_cb = +[](char* p, size_t s, size_t n, void* ud) -> size_t {
    static_cast<std::string*>(ud)->append(p, s * n);
    return s * n;
  };
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc == CURLE_OK) {
    out.connected = true;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  } else {
    out.error = curl_easy_strerror(rc);
    out.connected = false;
  }
  return out;
}

// Runs the query on the store file and answers with the same JSON the query API would.
bool runLocal(const QueryOptions& o, const std::string& db, std::string& json, std::string& err) {
  if (!std::filesystem::exists(db)) {
    err = "no store at " + db + " (is agentgate running? pass --server or --db)";
    return false;
  }
  auto conn = store::openReadOnly(db);
  if (!conn) {
    err = conn.error().message;
    return false;
  }
  kql::Engine engine(conn->get(), kql::builtinSchema());
  std::optional<kql::TimeRange> range;
  if (!o.timespan.empty()) {
    auto r = kql::parseTimespanParam(o.timespan, kql::systemClock()());
    if (!r) {
      err = r.error().message;
      return false;
    }
    range = *r;
  }
  auto result = engine.run(o.kql, range);
  if (!result) {
    err = result.error().message;
    return false;
  }
  json = kql::toLogAnalyticsJson(*result);
  return true;
}

std::string cellText(simdjson::dom::element v) {
  switch (v.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return "";
    case simdjson::dom::element_type::STRING:
      return std::string(std::string_view(v));
    default:
      return simdjson::minify(v);
  }
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

// Prints the first table of a Log Analytics response as a table or CSV.
bool printFormatted(const std::string& json, const std::string& format, std::ostream& out,
                    std::string& err) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array tables, columns, rows;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS ||
      doc["tables"].get_array().get(tables) != simdjson::SUCCESS || tables.size() == 0 ||
      tables.at(0)["columns"].get_array().get(columns) != simdjson::SUCCESS ||
      tables.at(0)["rows"].get_array().get(rows) != simdjson::SUCCESS) {
    err = "unexpected response (not the Log Analytics shape)";
    return false;
  }
  std::vector<std::string> names;
  for (auto c : columns) names.emplace_back(cellText(c["name"]));
  std::vector<std::vector<std::string>> cells;
  for (auto r : rows) {
    std::vector<std::string> row;
    for (auto v : r.get_array()) row.push_back(cellText(v));
    row.resize(names.size());
    cells.push_back(std::move(row));
  }
  if (format == "csv") {
    for (size_t i = 0; i < names.size(); ++i) out << (i ? "," : "") << csvField(names[i]);
    out << "\r\n";
    for (const auto& row : cells) {
      for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csvField(row[i]);
      out << "\r\n";
    }
    return true;
  }
  constexpr size_t kMaxWidth = 60;
  auto clip = [&](std::string s) {
    for (auto& ch : s) {
      if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    }
    if (s.size() > kMaxWidth) s = s.substr(0, kMaxWidth - 3) + "...";
    return s;
  };
  std::vector<size_t> width(names.size());
  for (size_t i = 0; i < names.size(); ++i) width[i] = clip(names[i]).size();
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], clip(row[i]).size());
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string l;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string c = clip(row[i]);
      if (i) l += "  ";
      l += c;
      if (i + 1 < row.size()) l += std::string(width[i] - c.size(), ' ');
    }
    out << l << "\n";
  };
  line(names);
  std::vector<std::string> dashes;
  for (size_t w : width) dashes.emplace_back(w, '-');
  line(dashes);
  for (const auto& row : cells) line(row);
  out << "(" << cells.size() << (cells.size() == 1 ? " row" : " rows") << ")\n";
  return true;
}

// "400 BadArgumentError: KQL syntax error at ..." from a Log Analytics error body.
std::string describeError(long status, const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string msg = "HTTP " + std::to_string(status);
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return msg;
  std::string_view code, message, inner;
  if (doc["error"]["code"].get_string().get(code) == simdjson::SUCCESS)
    msg += " " + std::string(code);
  if (doc["error"]["innererror"]["message"].get_string().get(inner) == simdjson::SUCCESS &&
      !inner.empty()) {
    msg += ": " + std::string(inner);
  } else if (doc["error"]["message"].get_string().get(message) == simdjson::SUCCESS) {
    msg += ": " + std::string(message);
  }
  return msg;
}

int runQuery(QueryOptions o) {
  if (o.format != "table" && o.format != "json" && o.format != "csv") {
    std::cerr << "agentgate query: --format must be table, json or csv\n";
    return 2;
  }
  if (!o.server.empty() && !o.db.empty()) {
    std::cerr << "agentgate query: pass either --server or --db, not both\n";
    return 2;
  }
  if (o.token.empty()) {
    if (const char* t = std::getenv("AGENTGATE_READ_TOKEN"); t && *t) o.token = t;
  }
  std::string json, err;
  bool local = !o.db.empty();
  if (!local) {
    std::string server = o.server.empty() ? kDefaultServer : o.server;
    HttpResult r = postQuery(o, server);
    if (!r.connected && o.server.empty()) {
      local = true;  // nothing listening on the default address: read the store file directly
    } else if (!r.connected) {
      std::cerr << "agentgate query: cannot reach " << server << ": " << r.error << "\n";
      return 1;
    } else if (r.status != 200) {
      std::cerr << "agentgate query: " << describeError(r.status, r.body) << "\n";
      return 1;
    } else {
      json = std::move(r.body);
    }
  }
  if (local) {
    std::string db = o.db.empty() ? resolveDataDir(o.data_dir) + "/agentgate.db" : o.db;
    if (!runLocal(o, db, json, err)) {
      std::cerr << "agentgate query: " << err << "\n";
      return 1;
    }
  }
  if (o.format == "json") {
    std::cout << json << "\n";
    return 0;
  }
  if (!printFormatted(json, o.format, std::cout, err)) {
    std::cerr << "agentgate query: " << err << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void addQueryCommand(CLI::App& app, Action& action) {
  auto opts = std::make_shared<QueryOptions>();
  auto* cmd =
      app.add_subcommand("query", "Run a KQL query against a running agentgate or a store file");
  cmd->add_option("kql", opts->kql, "The KQL query, e.g. 'AppTraces | take 10'")->required();
  cmd->add_option("--server", opts->server,
                  "Query API base URL (default http://127.0.0.1:8318, falling back to the "
                  "store file when nothing listens there)");
  cmd->add_option("--db", opts->db, "Query this store file directly (read-only)");
  cmd->add_option("--data-dir", opts->data_dir,
                  "Data directory holding agentgate.db for the fallback (default as `run`)");
  cmd->add_option("--format,-f", opts->format, "table (default), json (Log Analytics shape), csv");
  cmd->add_option("--timespan", opts->timespan,
                  "Restrict TimeGenerated: ISO-8601 duration (PT1H, P1D) or start/end");
  cmd->add_option("--token", opts->token,
                  "Read token for the query API (default $AGENTGATE_READ_TOKEN)");
  cmd->callback([opts, &action] { action = [opts] { return runQuery(*opts); }; });
}

}  // namespace agentgate::cli
