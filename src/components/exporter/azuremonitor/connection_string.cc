#include "components/exporter/azuremonitor/connection_string.h"

namespace agentgate::components::azuremonitor {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool ConnectionString::aad() const { return iequals(authorization, "aad"); }

Result<ConnectionString> parseConnectionString(std::string_view text) {
  if (text.size() > kConnectionStringMaxLength) {
    return Error::config("connection string is longer than 4096 characters");
  }
  ConnectionString cs;
  cs.authorization = "ikey";
  size_t pos = 0;
  int index = 0;
  while (pos <= text.size()) {
    size_t semi = text.find(';', pos);
    std::string_view segment =
        text.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
    pos = semi == std::string_view::npos ? text.size() + 1 : semi + 1;
    ++index;
    if (trim(segment).empty()) continue;
    size_t eq = segment.find('=');
    if (eq == std::string_view::npos) {
      // The pair itself may hold a secret-looking value: name only its position.
      return Error::config("invalid connection string: pair " + std::to_string(index) +
                           " has no '='");
    }
    std::string key(trim(segment.substr(0, eq)));
    std::string value(trim(segment.substr(eq + 1)));
    if (key.empty()) {
      return Error::config("invalid connection string: pair " + std::to_string(index) +
                           " has an empty key");
    }
    struct Known {
      std::string_view name;
      std::string ConnectionString::*field;
    };
    static const Known kKnown[] = {
        {"InstrumentationKey", &ConnectionString::instrumentation_key},
        {"IngestionEndpoint", &ConnectionString::ingestion_endpoint},
        {"Authorization", &ConnectionString::authorization},
        {"AADAudience", &ConnectionString::aad_audience},
        {"EndpointSuffix", &ConnectionString::endpoint_suffix},
        {"Location", &ConnectionString::location},
        {"LiveEndpoint", &ConnectionString::live_endpoint},
        {"ProfilerEndpoint", &ConnectionString::profiler_endpoint},
        {"SnapshotEndpoint", &ConnectionString::snapshot_endpoint},
        {"ApplicationId", &ConnectionString::application_id},
    };
    for (const auto& k : kKnown) {
      if (iequals(key, k.name)) cs.*(k.field) = value;
    }
    cs.pairs[key] = std::move(value);
  }
  if (cs.instrumentation_key.empty()) {
    return Error::config("invalid connection string: InstrumentationKey is required");
  }
  if (cs.authorization.empty()) cs.authorization = "ikey";
  if (cs.ingestion_endpoint.empty()) {
    if (!cs.endpoint_suffix.empty()) {
      std::string suffix(trim(cs.endpoint_suffix));
      while (!suffix.empty() && suffix.front() == '.') suffix.erase(0, 1);
      cs.ingestion_endpoint = "https://" +
                              (cs.location.empty() ? std::string() : cs.location + ".") + "dc." +
                              suffix + "/";
    } else {
      cs.ingestion_endpoint = std::string(kDefaultIngestionEndpoint);
    }
  }
  return cs;
}

std::string trackUrl(std::string_view endpoint) {
  std::string_view base = endpoint;
  std::string_view query;
  if (size_t q = base.find_first_of("?#"); q != std::string_view::npos) {
    query = base.substr(q);
    base = base.substr(0, q);
  }
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::string url(base);
  if (!endsWith(base, "/v2.1/track") && !endsWith(base, "/v2/track")) url += "/v2.1/track";
  url += query;
  return url;
}

Result<Destination> resolveDestination(std::string_view env_connection_string,
                                       std::string_view connection_string,
                                       std::string_view instrumentation_key,
                                       std::string_view endpoint) {
  Destination d;
  std::string_view text;
  if (!trim(env_connection_string).empty()) {
    text = env_connection_string;
    d.source = "environment";
  } else if (!trim(connection_string).empty()) {
    text = connection_string;
    d.source = "connection_string";
  }
  if (!text.empty()) {
    auto cs = parseConnectionString(text);
    if (!cs.ok()) {
      Error e = cs.takeError();
      if (d.source == "environment")
        e.message = std::string(kConnectionStringEnv) + ": " + e.message;
      return e;
    }
    d.instrumentation_key = cs->instrumentation_key;
    d.url = trackUrl(cs->ingestion_endpoint);
    d.aad = cs->aad();
    d.aad_audience = cs->aad_audience;
    return d;
  }
  if (trim(instrumentation_key).empty()) {
    return Error::config("ConnectionString and InstrumentationKey cannot be empty");
  }
  d.source = "instrumentation_key";
  d.instrumentation_key = std::string(trim(instrumentation_key));
  d.url = trackUrl(trim(endpoint).empty() ? kDefaultIngestionEndpoint : trim(endpoint));
  return d;
}

}  // namespace agentgate::components::azuremonitor
