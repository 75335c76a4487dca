// agentgate-azure-emulator: the Application Insights track endpoint of the Azure Monitor
// emulator as a standalone server, so agentgate (or any exporter) can be pointed at it by hand:
//
//   agentgate-azure-emulator --db /tmp/azure.db
//   export APPLICATIONINSIGHTS_CONNECTION_STRING='InstrumentationKey=...;IngestionEndpoint=...'
//   agentgate run --config ../shared/fixtures/configs/appinsights-logs.yaml
//   agentgate query --db /tmp/azure.db 'AppTraces | take 10'
//
// Prints the bound address and a ready-to-use connection string, then serves until SIGINT or
// SIGTERM.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "landed_tables.h"
#include "net/worker_pool.h"
#include "track_endpoint.h"

using namespace agentgate;

int main(int argc, char** argv) {
  CLI::App app{"Azure Monitor emulator: Application Insights track endpoint on loopback"};
  std::string db =
      (std::filesystem::temp_directory_path() / "agentgate-azure-emulator.db").string();
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> ikeys;
  std::string bearer;
  std::string cert, key;
  app.add_option("--db", db, "SQLite file the accepted telemetry lands in (App* tables)");
  app.add_option("--listen", listen, "host:port to listen on (port 0 = any)");
  app.add_option("--ikey", ikeys, "known instrumentation key (repeatable; default: any GUID)");
  app.add_option("--bearer-token", bearer, "require Authorization: Bearer <token> (Entra)");
  app.add_option("--tls-cert", cert, "serve HTTPS with this certificate (PEM)");
  app.add_option("--tls-key", key, "private key for --tls-cert (PEM)");
  CLI11_PARSE(app, argc, argv);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // worker threads inherit the mask

  auto tables = azure_emulator::LandedTables::open(db);
  if (!tables.ok()) {
    std::fprintf(stderr, "agentgate-azure-emulator: %s\n", tables.error().message.c_str());
    return 1;
  }
  net::WorkerPool pool(1);
  pool.start();
  azure_emulator::TrackEndpointOptions options;
  options.instrumentation_keys.insert(ikeys.begin(), ikeys.end());
  options.tables = tables->get();
  options.bearer_token = bearer;
  net::TlsServerConfig tls;
  tls.cert_file = cert;
  tls.key_file = key;
  auto server = azure_emulator::TrackServer::start(pool, options, tls, listen);
  if (!server.ok()) {
    std::fprintf(stderr, "agentgate-azure-emulator: %s\n", server.error().message.c_str());
    return 1;
  }
  const std::string ikey = ikeys.empty() ? "00000000-0000-0000-0000-000000000000" : ikeys.front();
  std::printf("track endpoint: %s (POST /v2.1/track)\n", (*server)->ingestionEndpoint().c_str());
  std::printf("APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=%s;IngestionEndpoint=%s\n",
              ikey.c_str(), (*server)->ingestionEndpoint().c_str());
  std::printf("landed tables: %s (agentgate query --db %s 'AppTraces | take 10')\n", db.c_str(),
              db.c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  (*server)->stop();
  server->reset();
  pool.stop();
  return 0;
}
