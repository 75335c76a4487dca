#include "components/exporter/azuremonitor/azuremonitor_exporter.h"

#include "common/logging.h"
#include "pdata/model.h"

namespace agentgate::components::azuremonitor {

AzureMonitorExporter::AzureMonitorExporter(std::string id, Config config, Destination destination)
    : id_(std::move(id)), config_(std::move(config)), destination_(std::move(destination)) {
  map_options_.instrumentation_key = destination_.instrumentation_key;
  map_options_.span_events_enabled = config_.span_events_enabled;
  map_options_.custom_events_enabled = config_.custom_events_enabled;
  map_options_.exception_events_enabled = config_.exception_events_enabled;
  map_options_.non_error_http_status_codes = config_.non_error_http_status_codes;
  map_options_.align_http_server_request_success_with_otel_spec =
      config_.align_http_server_request_success_with_otel_spec;
  map_options_.cloud_role_instance = config_.cloud_role_instance;
  map_options_.application_version = config_.application_version;
}

AzureMonitorExporter::~AzureMonitorExporter() { shutdown(); }

Status AzureMonitorExporter::start(Host& host) {
  ClientAuthenticator* authenticator = nullptr;
  if (!config_.authenticator.empty()) {
    Extension* ext = host.extension(config_.authenticator);
    if (ext == nullptr) {
      return Error::config(id_ + ": auth.authenticator \"" + config_.authenticator +
                           "\" is not a started extension (list it in service.extensions)");
    }
    authenticator = ext->asClientAuthenticator();
    if (authenticator == nullptr) {
      return Error::config(id_ + ": extension \"" + config_.authenticator +
                           "\" is not a client authenticator");
    }
  } else if (destination_.aad) {
    return Error::config(id_ +
                         ": the connection string says Authorization=AAD; set auth.authenticator "
                         "to an azure_auth extension (scopes: [\"https://monitor.azure.com/"
                         ".default\"]) so requests carry an Entra token");
  }
  net::HttpClientOptions http;
  http.tls = config_.tls;
  http.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(config_.request_timeout);
  http.user_agent = "agentgate/" AGENTGATE_VERSION;
  auto client = net::HttpClient::create(std::move(http));
  if (!client.ok()) {
    Error e = client.takeError();
    e.message = id_ + ": " + e.message;
    return e;
  }
  TrackSenderOptions o;
  o.exporter_id = id_;
  o.url = destination_.url;
  o.max_items_per_request = static_cast<size_t>(config_.max_batch_size);
  o.headers.assign(config_.headers.begin(), config_.headers.end());
  o.authenticator = authenticator;
  auto sender =
      std::make_shared<TrackSender>(std::move(o), std::move(client.value()), &host.telemetry());
  {
    std::lock_guard lock(mu_);
    sender_ = std::move(sender);
  }
  if (!config_.proxy_url.empty()) {
    log::warn("{}: proxy_url is not supported; requests go to the ingestion endpoint directly",
              id_);
  }
  log::info("{}: sending to {} (instrumentation key from {})", id_,
            destination_.url.substr(0, destination_.url.find('?')), destination_.source);
  return {};
}

void AzureMonitorExporter::shutdown() {
  std::lock_guard lock(mu_);
  sender_.reset();
}

std::vector<std::string> AzureMonitorExporter::serialize(const pdata::Batch& batch,
                                                         size_t* oversize,
                                                         size_t* rejected_spans) const {
  auto mapped = appinsights::mapBatch(batch, map_options_);
  std::vector<std::string> lines;
  lines.reserve(mapped.envelopes.size());
  size_t too_large = 0;
  for (const auto& e : mapped.envelopes) {
    std::string json = appinsights::toJson(e);
    if (json.size() > config_.max_item_bytes) {
      ++too_large;
      continue;
    }
    lines.push_back(std::move(json));
  }
  if (oversize != nullptr) *oversize = too_large;
  if (rejected_spans != nullptr) *rejected_spans = mapped.rejected_spans;
  return lines;
}

Status AzureMonitorExporter::consume(BatchPtr&& batch) {
  std::shared_ptr<TrackSender> sender;
  {
    std::lock_guard lock(mu_);
    sender = sender_;
  }
  if (!sender) return Error::unavailable(id_ + ": exporter is not running");
  if (!batch) return {};
  const Signal signal = batch->signal();
  size_t oversize = 0, rejected_spans = 0;
  std::vector<std::string> lines = serialize(*batch, &oversize, &rejected_spans);
  batch.reset();
  sender->countDropped(
      signal, "too_large", oversize,
      "envelope larger than max_item_bytes (" + std::to_string(config_.max_item_bytes) + ")");
  // FaaS spans: the Go exporter refuses them (errUnsupportedSpanType) and sends the rest.
  sender->countDropped(signal, "unsupported", rejected_spans,
                       "FaaS spans have no Application Insights mapping");
  if (lines.empty()) return {};
  return sender->send(lines, signal);
}

}  // namespace agentgate::components::azuremonitor
