// `agentgate run`: load the config (or the built-in default), build the pipelines, serve until
// SIGINT/SIGTERM, then shut down in order.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "agentgate/auth.h"
#include "cli/commands.h"
#include "cli/default_config.h"
#include "common/logging.h"
#include "common/strings.h"
#include "components/components.h"
#include "components/exporter/store/config.h"
#include "config/loader.h"
#include "net/worker_pool.h"
#include "pipeline/collector_config.h"
#include "pipeline/service.h"
#include "selftelemetry/metrics_server.h"
#include "selftelemetry/registry.h"
#include "web/query_server.h"

namespace agentgate::cli {
namespace {

// The query API's default; $AGENTGATE_WEB_ADDRESS overrides it when --web-address is not given.
constexpr const char* kDefaultWebAddress = "127.0.0.1:8318";

struct RunOptions {
  std::string config_path;
  unsigned workers = 0;
  std::string data_dir;
  std::string ready_file;
  bool insecure_allow_no_auth = false;
  bool print_default_config = false;
  std::string web_address = kDefaultWebAddress;  // "" or "off": no query server
  std::vector<std::string> read_tokens;          // plus $AGENTGATE_READ_TOKENS (comma-separated)
};

// Presents one bearer token the way an agent would, for asking ingest authenticators.
class BearerHeader final : public HeaderLookup {
 public:
  explicit BearerHeader(std::string_view token) : value_("Bearer " + std::string(token)) {}
  std::optional<std::string_view> get(std::string_view name) const override {
    if (strings::iequals(name, "authorization")) return std::string_view(value_);
    return std::nullopt;
  }

 private:
  std::string value_;
};

// The database the store exporter writes (the first `store` exporter), or "" when none.
std::string storePath(const pipeline::CollectorConfig& cfg, const std::string& data_dir) {
  for (const auto& e : cfg.exporters) {
    if (!e.factory || e.factory->type() != "store" || !e.config) continue;
    const auto& sc = static_cast<const components::store::Config&>(*e.config);
    return sc.path.empty() ? data_dir + "/agentgate.db" : sc.path;
  }
  return {};
}

// Starts the query API when enabled and a store exists. nullptr + message on failure.
Result<std::unique_ptr<web::QueryServer>> startWeb(const RunOptions& opts,
                                                   const pipeline::CollectorConfig& cfg,
                                                   const std::string& data_dir,
                                                   pipeline::Service& service) {
  std::string address = opts.web_address;
  if (address == kDefaultWebAddress) {
    if (const char* env = std::getenv("AGENTGATE_WEB_ADDRESS"); env) address = env;
  }
  if (address.empty() || address == "off") return std::unique_ptr<web::QueryServer>();
  std::string db = storePath(cfg, data_dir);
  if (db.empty()) {
    log::info("web: no store exporter configured, query API not started");
    return std::unique_ptr<web::QueryServer>();
  }
  web::QueryServerOptions wo;
  wo.endpoint = address;
  wo.db_path = db;
  wo.read_tokens = opts.read_tokens;
  if (const char* env = std::getenv("AGENTGATE_READ_TOKENS"); env && *env) {
    for (auto t : strings::split(env, ',')) {
      if (!strings::trim(t).empty()) wo.read_tokens.emplace_back(strings::trim(t));
    }
  }
  std::vector<const ServerAuthenticator*> ingest;
  for (const auto& id : cfg.service_extensions) {
    Extension* ext = service.extension(id.str());
    if (ext && ext->asServerAuthenticator()) ingest.push_back(ext->asServerAuthenticator());
  }
  wo.is_ingest_token = [ingest](std::string_view token) {
    BearerHeader h(token);
    for (const auto* a : ingest) {
      if (a->authenticate(h).ok()) return true;
    }
    return false;
  };
  for (const auto& t : wo.read_tokens) {
    if (wo.is_ingest_token(t)) {
      log::warn("web: a read token is also an ingest token; queries with it get 403");
    }
  }
  if (wo.read_tokens.empty() && !web::isLoopbackEndpoint(wo.endpoint)) {
    log::warn(
        "web: {} is beyond loopback and no read token is set (--read-token or "
        "AGENTGATE_READ_TOKENS): every query will get 401",
        wo.endpoint);
  }
  wo.version = AGENTGATE_VERSION;
  wo.endpoints = [&service] { return service.endpoints(); };
  return web::QueryServer::start(std::move(wo));
}

std::string jsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Written once every listener is bound, atomically (temp file + rename), so a test or script can
// wait for it and read the real ports when the config asked for port 0.
bool writeReadyFile(const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& endpoints) {
  std::string json = "{";
  for (size_t i = 0; i < endpoints.size(); ++i) {
    if (i) json += ",";
    json +=
        "\"" + jsonEscape(endpoints[i].first) + "\":\"" + jsonEscape(endpoints[i].second) + "\"";
  }
  json += ",\"pid\":\"" + std::to_string(getpid()) + "\"}";
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << json << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int runCollector(const RunOptions& opts) {
  if (opts.print_default_config) {
    std::cout << defaultConfigYaml();
    return 0;
  }
  // Block the shutdown signals before any thread starts so that only sigwait() below sees them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::string data_dir = resolveDataDir(opts.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    std::cerr << "agentgate: cannot create data directory " << data_dir << ": " << ec.message()
              << "\n";
    return 1;
  }
  setenv("AGENTGATE_DATA_DIR", data_dir.c_str(), 1);

  pipeline::Registry registry;
  components::registerAll(registry);
  config::Diagnostics diags;
  config::ConfigNode root =
      opts.config_path.empty()
          ? config::parseYaml(defaultConfigYaml(), "<default config>", config::processEnv(), diags)
          : config::loadFile(opts.config_path, config::processEnv(), diags);
  pipeline::CollectorConfig cfg;
  if (!diags.hasErrors()) cfg = pipeline::buildCollectorConfig(root, registry, diags);
  if (diags.hasErrors()) {
    std::cerr << "agentgate: invalid configuration:\n" << diags.report();
    return 1;
  }

  unsigned workers =
      opts.workers ? opts.workers : std::max(1u, std::thread::hardware_concurrency());
  net::WorkerPool pool(workers);
  selftelemetry::Registry telemetry;
  selftelemetry::registerProcessMetrics(telemetry);

  CreateSettings settings;
  settings.workers = workers;
  settings.data_dir = data_dir;
  settings.allow_insecure_no_auth = opts.insecure_allow_no_auth;

  auto built = pipeline::Service::build(cfg, settings, telemetry, pool);
  if (!built) {
    std::cerr << "agentgate: " << built.error().message << "\n";
    return 1;
  }
  auto& service = *built.value();
  pool.start();
  if (Status st = service.start(); !st.ok()) {
    std::cerr << "agentgate: " << st.error().message << "\n";
    pool.stop();
    return 1;
  }

  std::unique_ptr<selftelemetry::MetricsServer> metrics;
  if (!cfg.telemetry.metrics_address.empty()) {
    auto m = selftelemetry::MetricsServer::start(pool, telemetry, cfg.telemetry.metrics_address);
    if (!m) {
      std::cerr << "agentgate: self-metrics server: " << m.error().message << "\n";
      service.shutdown();
      pool.stop();
      return 1;
    }
    metrics = std::move(m.value());
    service.reportEndpoint("metrics", metrics->boundAddress());
  }

  auto web_server = startWeb(opts, cfg, data_dir, service);
  if (!web_server) {
    std::cerr << "agentgate: web/query server: " << web_server.error().message << "\n";
    if (metrics) metrics->stop();
    service.shutdown();
    pool.stop();
    return 1;
  }
  if (*web_server) service.reportEndpoint("web", (*web_server)->boundAddress());

  if (!opts.ready_file.empty() && !writeReadyFile(opts.ready_file, service.endpoints())) {
    std::cerr << "agentgate: cannot write ready file " << opts.ready_file << "\n";
  }
  log::info("agentgate {} running with {} workers; data directory {}", AGENTGATE_VERSION, workers,
            data_dir);

  int sig = 0;
  sigwait(&sigs, &sig);
  log::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  if (*web_server) (*web_server)->stop();
  if (metrics) metrics->stop();
  service.shutdown();
  pool.stop();
  log::info("stopped");
  return 0;
}

}  // namespace

void addRunCommand(CLI::App& app, Action& action) {
  auto opts = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run the collector (no --config: the built-in default)");
  cmd->add_option("--config,-c", opts->config_path, "Collector YAML config file");
  cmd->add_option("--workers", opts->workers, "Worker threads (default: number of cores)");
  cmd->add_option("--data-dir", opts->data_dir,
                  "Data directory (default: $AGENTGATE_DATA_DIR or $XDG_DATA_HOME/agentgate)");
  cmd->add_option("--ready-file", opts->ready_file,
                  "Write the bound addresses as JSON to this file once listening");
  cmd->add_flag("--insecure-allow-no-auth", opts->insecure_allow_no_auth,
                "Allow receivers bound beyond loopback without an authenticator");
  cmd->add_flag("--print-default-config", opts->print_default_config,
                "Print the built-in default configuration and exit");
  cmd->add_option("--web-address", opts->web_address,
                  "Query API / web UI address (default $AGENTGATE_WEB_ADDRESS or "
                  "127.0.0.1:8318; \"\" or off disables)");
  cmd->add_option("--read-token", opts->read_tokens,
                  "Bearer token allowed to query (repeatable; also $AGENTGATE_READ_TOKENS, "
                  "comma-separated). Ingest tokens are always refused.");
  cmd->callback([opts, &action] { action = [opts] { return runCollector(*opts); }; });
}

}  // namespace agentgate::cli
